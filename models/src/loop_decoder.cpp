// The percussion loop: one bar of sixteen steps drawn from the latent, played by a kick, a snare
// and closed/open hats whose sounds also come from the latent, rendered at the session tempo.
#include <algorithm>
#include <array>
#include <cmath>

#include "builtin_common.hpp"
#include "builtin_voices.hpp"
#include "drum_voices.hpp"
#include "dsp.hpp"
#include "latent_map.hpp"
#include "latentjam/models/post_process.hpp"
#include "rng.hpp"

namespace latentjam::models::synth {

namespace {

constexpr int kSteps = 16;
constexpr double kLoopBeats = 4.0;

// How likely each step is to get a kick at full density: downbeat certain, "and" of three likely,
// the rest syncopations that make a groove different from four-on-the-floor.
constexpr std::array<float, kSteps> kKickChance = {1.0f,  0.04f, 0.3f, 0.08f, 0.12f, 0.04f,
                                                   0.35f, 0.15f, 0.7f, 0.08f, 0.45f, 0.15f,
                                                   0.06f, 0.05f, 0.3f, 0.2f};
// Where ghost notes fall: mostly on the e's and a's around the backbeat.
constexpr std::array<float, kSteps> kGhostChance = {0.0f, 0.2f, 0.3f, 0.5f, 0.0f, 0.3f, 0.4f, 0.6f,
                                                    0.1f, 0.5f, 0.3f, 0.6f, 0.0f, 0.3f, 0.6f, 0.4f};

// The loop map's outputs: the bar's global feel, then one value per step for each decision.
enum Global : std::size_t {
  kKickDensity,
  kGhosts,
  kHatDensity,
  kOpenHats,
  kSwing,
  kHumanise,
  kAccent,
  kHalfTime,
  kHatLevel,
  kSnareLevel,
  kBusDrive,
  kVelocitySpread,
  kGlobals
};
enum StepLane : std::size_t {
  kKickLane,
  kSnareLane,
  kHatLane,
  kOpenLane,
  kTimingLane,
  kVelocityLane,
  kLanes
};
constexpr std::size_t kLoopUnits = kGlobals + kLanes * kSteps;

struct Hit {
  double position;  // in samples from the start of the bar, before wrapping
  float gain;
};

struct Pattern {
  std::vector<Hit> kick, snare, closed_hat, open_hat;
};

float lane(const std::vector<float>& u, StepLane l, int step) {
  return u[kGlobals + l * kSteps + static_cast<std::size_t>(step)];
}

Pattern draw_pattern(const std::vector<float>& u, double samples_per_step, double sample_rate) {
  const float kick_density = lin(u[kKickDensity], 0.25f, 1.0f);
  const float ghosts = lin(u[kGhosts], 0.0f, 0.6f);
  const float hat_density = u[kHatDensity];
  const float open_hats = lin(u[kOpenHats], 0.0f, 0.7f);
  const double swing = lin(u[kSwing], 0.0f, 0.3f);
  const double humanise = lin(u[kHumanise], 0.0f, 9.0f) * 1e-3 * sample_rate;
  const float accent = lin(u[kAccent], 0.1f, 0.6f);
  const bool half_time = u[kHalfTime] > 0.82f;
  const float spread = lin(u[kVelocitySpread], 0.0f, 0.35f);

  Pattern p;
  for (int s = 0; s < kSteps; ++s) {
    // Swing delays every second sixteenth; micro-timing nudges every step but the downbeat, which
    // anchors the loop to the bar line.
    const double nudge = s == 0 ? 0.0 : humanise * (2.0 * lane(u, kTimingLane, s) - 1.0);
    const double at = s * samples_per_step + (s % 2 ? swing * samples_per_step : 0.0) + nudge;
    // Metric weight: quarters loudest, then eighths, then sixteenths; `accent` sets the contrast.
    const float metric = s % 4 == 0 ? 1.0f : (s % 2 == 0 ? 0.8f : 0.6f);
    const float velocity =
        (1.0f - accent * (1.0f - metric)) * (1.0f - spread * lane(u, kVelocityLane, s));

    if (s == 0 || lane(u, kKickLane, s) < kKickChance[s] * kick_density) {
      p.kick.push_back({at, s == 0 ? 1.0f : 0.75f + 0.25f * velocity});
    }
    const bool backbeat = half_time ? s == 8 : (s == 4 || s == 12);
    if (backbeat) {
      p.snare.push_back({at, 1.0f - 0.1f * spread * lane(u, kVelocityLane, s)});
    } else if (lane(u, kSnareLane, s) < ghosts * kGhostChance[s]) {
      p.snare.push_back({at, 0.15f + 0.2f * lane(u, kVelocityLane, s)});
    }
    const float hat_chance = s % 2 == 0 ? 0.75f + 0.25f * hat_density : 0.9f * hat_density;
    if (lane(u, kHatLane, s) < hat_chance) {
      const bool open = s % 4 == 2 && lane(u, kOpenLane, s) < open_hats;
      // The hat gets its own small offset: a drummer's hands do not move together.
      const double hat_at = at + (s == 0 ? 0.0 : 0.3 * humanise * (lane(u, kOpenLane, s) - 0.5));
      (open ? p.open_hat : p.closed_hat).push_back({hat_at, velocity});
    }
  }
  return p;
}

// Adds `hit` at `position` into the bar, wrapping its tail around to the start so the loop is
// seamless; `length` cuts it short (with a 1.5 ms fade) to choke an open hat.
void add_hit(AudioBuffer& bar, const AudioBuffer& hit, double position, float gain,
             std::size_t length, std::size_t fade) {
  const std::size_t n = bar.size();
  length = std::min(length, hit.size());
  fade = std::min(fade, length);
  auto start = static_cast<long long>(std::llround(position)) % static_cast<long long>(n);
  if (start < 0) start += static_cast<long long>(n);
  std::size_t at = static_cast<std::size_t>(start);
  for (std::size_t i = 0; i < length; ++i) {
    const float fade_gain = i + fade >= length ? static_cast<float>(length - i) / (fade + 1) : 1.0f;
    bar[at] += hit[i] * gain * fade_gain;
    if (++at == n) at = 0;
  }
}

AudioBuffer prepared(AudioBuffer hit, double sample_rate) {
  PostProcessOptions post;
  post.sample_rate = sample_rate;
  post.peak = 1.0f;
  if (!post_process(hit, post)) hit.assign(1, 0.0f);  // a silent hit leaves a gap, not a failure
  return hit;
}

class LoopDecoder final : public Decoder {
 public:
  LoopDecoder()
      : pattern_map_(kBuiltinLatentSize, kLoopUnits, kPatternSeed, 48),
        kick_map_(kBuiltinLatentSize, kKickUnits, kPatternSeed + 1),
        snare_map_(kBuiltinLatentSize, kSnareUnits, kPatternSeed + 2),
        hat_map_(kBuiltinLatentSize, kHatUnits, kPatternSeed + 3) {
    info_.name = "loop";
    info_.latent_size = kBuiltinLatentSize;
    info_.kind = SoundKind::Loop;
    info_.loop_beats = kLoopBeats;
  }

  const DecoderInfo& info() const override { return info_; }

  Latent sample_prior(std::uint64_t seed) const override {
    return standard_normal_latent(kBuiltinLatentSize, seed);
  }

  Result<std::vector<AudioBuffer>> decode(std::span<const Latent> batch,
                                          const RenderContext& context) const override {
    return decode_each(batch, kBuiltinLatentSize, context,
                       [&](const Latent& z) { return render(z, context); });
  }

 private:
  static constexpr std::uint64_t kPatternSeed = 0x6C6F6F7000000010ull;

  Result<AudioBuffer> render(const Latent& z, const RenderContext& context) const {
    const double sr = context.sample_rate;
    const double samples_per_beat = 60.0 / context.tempo_bpm * sr;
    const std::vector<float> u = pattern_map_.apply(z);
    const Pattern pattern = draw_pattern(u, samples_per_beat / 4.0, sr);

    // The kit: a loop's kick is shorter than a lone kick's so that busy patterns stay clear.
    KickParams kick = kick_params(kick_map_.apply(z));
    kick.decay_s = std::min(kick.decay_s, 0.6f);
    const SnareParams snare = snare_params(snare_map_.apply(z));
    const std::vector<float> hat_units = hat_map_.apply(z);
    HatParams closed = hat_params(hat_units);
    HatParams open = closed;
    closed.decay_s = lin(hat_units[2], 0.04f, 0.12f);
    open.decay_s = lin(hat_units[2], 0.3f, 0.7f);

    const std::uint64_t seed = hash_latent(z, kPatternSeed);
    const AudioBuffer kick_hit = prepared(render_kick(kick, sr, seed), sr);
    const AudioBuffer snare_hit = prepared(render_snare(snare, sr, seed + 1), sr);
    const AudioBuffer closed_hit = prepared(render_hat(closed, sr, seed + 2), sr);
    const AudioBuffer open_hit = prepared(render_hat(open, sr, seed + 3), sr);

    AudioBuffer bar(static_cast<std::size_t>(std::llround(kLoopBeats * samples_per_beat)), 0.0f);
    const auto fade = static_cast<std::size_t>(0.0015 * sr);
    for (const Hit& h : pattern.kick)
      add_hit(bar, kick_hit, h.position, h.gain, kick_hit.size(), fade);
    const float snare_level = lin(u[kSnareLevel], 0.6f, 0.95f);
    for (const Hit& h : pattern.snare) {
      add_hit(bar, snare_hit, h.position, h.gain * snare_level, snare_hit.size(), fade);
    }
    const float hat_level = lin(u[kHatLevel], 0.25f, 0.6f);
    for (const Hit& h : pattern.closed_hat) {
      add_hit(bar, closed_hit, h.position, h.gain * hat_level, closed_hit.size(), fade);
    }
    for (const Hit& h : pattern.open_hat) {
      // A closed hat after an open one chokes it, as the foot closing the pedal does.
      double next = h.position + static_cast<double>(open_hit.size());
      for (const Hit& c : pattern.closed_hat) {
        if (c.position > h.position) next = std::min(next, c.position);
      }
      const auto length = static_cast<std::size_t>(std::max(next - h.position, 1.0));
      add_hit(bar, open_hit, h.position, h.gain * hat_level, length, fade);
    }

    const SoftClip bus(expo(u[kBusDrive], 1.0f, 3.0f));
    const float headroom = 1.0f / std::max(peak_of(bar), 1e-6f);
    for (float& v : bar) v = bus(v * headroom);

    PostProcessOptions post;
    post.sample_rate = sr;
    post.loop = true;
    if (auto status = post_process(bar, post); !status) return fail("loop: " + status.error());
    return bar;
  }

  DecoderInfo info_;
  LatentMap pattern_map_, kick_map_, snare_map_, hat_map_;
};

}  // namespace

DecoderPtr make_loop_decoder() {
  return std::make_shared<LoopDecoder>();
}

}  // namespace latentjam::models::synth
