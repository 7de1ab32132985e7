// What a screen shows of the sounds (the browser surface, docs/browser.md): outlines of waveforms
// and the map of a voice's examples on the XY pad. Outlines need a decode, so they run on the pool
// as staged commands; the map is arithmetic on latents the conductor already holds.
#include <algorithm>
#include <cmath>

#include "latentjam/engine/conductor.hpp"

namespace latentjam::engine {

using control::Command;
using control::Reply;

namespace {

constexpr std::int32_t kDefaultPoints = 128;

// The peak level of each of `points` equal slices of the sound, 0..1.
std::vector<float> outline(const std::vector<float>& samples, std::size_t points) {
  std::vector<float> peaks(points, 0.0f);
  if (samples.empty()) return peaks;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    float& peak = peaks[i * points / samples.size()];
    peak = std::max(peak, std::min(1.0f, std::fabs(samples[i])));
  }
  return peaks;
}

}  // namespace

Conductor::Outcome Conductor::answer_outline(const Command& cmd, models::DecoderPtr decoder,
                                             models::Latent latent, Reply head) {
  if (latent.size() != decoder->info().latent_size)
    return fail("that sound was made by another model (latent size " +
                std::to_string(latent.size()) + ", the voice's model has " +
                std::to_string(decoder->info().latent_size) + ")");
  const auto points = static_cast<std::size_t>(cmd.integer("points", kDefaultPoints));
  const bool taken = stage(cmd, [decoder = std::move(decoder), latent = std::move(latent),
                                 context = render_context(), points, head = std::move(head),
                                 to = cmd.reply, address = cmd.address, this]() mutable {
    auto audio = decoder->decode({&latent, 1}, context);
    return std::function<void()>([this, audio = std::move(audio), points, head = std::move(head),
                                  to, address]() mutable {
      if (!audio.ok() || audio.value().empty()) {
        reply(to,
              {"/fail", {address, "decode failed: " + (audio.ok() ? "no sound" : audio.error())}});
        return;
      }
      for (float peak : outline(audio.value().front(), points)) head.args.emplace_back(peak);
      reply(to, head);
    });
  });
  if (!taken) return fail("the daemon is stopping");
  return deferred();
}

Conductor::Outcome Conductor::on_waveform(const Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  const VoiceState& v = **voice;
  if (v.sound_id == 0) return fail("voice " + v.name + " has no sound yet: /jam/random first");
  return answer_outline(cmd, v.decoder, v.latent,
                        {"/jam/waveform.reply", {v.name, static_cast<std::int32_t>(v.sound_id)}});
}

Conductor::Outcome Conductor::on_example_waveform(const Command& cmd) {
  const std::int64_t id = cmd.integer("id");
  auto found = store_->find(id);
  if (!found) return fail("no example with id " + std::to_string(id));
  const int index = voice_index(found->voice);
  if (index < 0)
    return fail("example " + std::to_string(id) + " belongs to voice " + found->voice +
                ", which this daemon does not play");
  return answer_outline(cmd, voices_[static_cast<std::size_t>(index)].decoder,
                        std::move(found->example.latent),
                        {"/jam/example/waveform.reply", {static_cast<std::int32_t>(id)}});
}

Conductor::Outcome Conductor::on_map(const Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  const VoiceState& v = **voice;
  Reply r{"/jam/map.reply", {v.name}};
  // Without a current sound or sliders there is no pad to place the examples on: an empty map.
  const bool placeable = v.sound_id != 0 && v.pca && v.pca->components() >= 2;
  for (const auto& e : store_->examples(v.name)) {
    if (!placeable || e.latent.size() != v.anchor.size()) continue;
    const auto at = v.pca->positions(v.anchor, e.latent);
    r.args.emplace_back(static_cast<std::int32_t>(e.id));
    r.args.emplace_back(e.text);
    r.args.emplace_back(at[0]);
    r.args.emplace_back(at[1]);
  }
  if (const std::size_t size = control::encoded_size(r); size > control::kMaxReplyBytes)
    return fail("the map of " + v.name + " takes " + std::to_string(size) +
                " bytes, more than one reply holds (" + std::to_string(control::kMaxReplyBytes) +
                ")");
  return r;
}

}  // namespace latentjam::engine
