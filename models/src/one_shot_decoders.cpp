// The kick, snare and hat decoders: latent -> LatentMap units -> voice parameters -> one hit.
#include <functional>
#include <string>

#include "builtin_common.hpp"
#include "builtin_voices.hpp"
#include "drum_voices.hpp"
#include "latent_map.hpp"
#include "latentjam/models/post_process.hpp"
#include "rng.hpp"

namespace latentjam::models::synth {

namespace {

using RenderUnits = std::function<AudioBuffer(std::span<const float> units, double sample_rate,
                                              std::uint64_t noise_seed)>;

class OneShotDecoder final : public Decoder {
 public:
  OneShotDecoder(std::string name, std::size_t units, std::uint64_t map_seed, RenderUnits render)
      : map_(kBuiltinLatentSize, units, map_seed), seed_(map_seed), render_(std::move(render)) {
    info_.name = std::move(name);
    info_.latent_size = kBuiltinLatentSize;
    info_.kind = SoundKind::OneShot;
  }

  const DecoderInfo& info() const override { return info_; }

  Latent sample_prior(std::uint64_t seed) const override {
    return standard_normal_latent(kBuiltinLatentSize, seed);
  }

  Result<std::vector<AudioBuffer>> decode(std::span<const Latent> batch,
                                          const RenderContext& context) const override {
    return decode_each(
        batch, kBuiltinLatentSize, context, [&](const Latent& z) -> Result<AudioBuffer> {
          const std::vector<float> units = map_.apply(z);
          AudioBuffer audio = render_(units, context.sample_rate, hash_latent(z, seed_));
          PostProcessOptions post;
          post.sample_rate = context.sample_rate;
          post.max_seconds = kMaxOneShotSeconds;
          if (auto status = post_process(audio, post); !status) {
            return fail(info_.name + ": " + status.error());
          }
          return audio;
        });
  }

 private:
  DecoderInfo info_;
  LatentMap map_;
  std::uint64_t seed_;
  RenderUnits render_;
};

}  // namespace

// The seeds freeze each voice's map: changing one changes every saved sound of that voice.
DecoderPtr make_kick_decoder() {
  return std::make_shared<OneShotDecoder>(
      "kick", kKickUnits, 0x6B69636B00000001ull,
      [](std::span<const float> u, double sr, std::uint64_t seed) {
        return render_kick(kick_params(u), sr, seed);
      });
}

DecoderPtr make_snare_decoder() {
  return std::make_shared<OneShotDecoder>(
      "snare", kSnareUnits, 0x736E617265000002ull,
      [](std::span<const float> u, double sr, std::uint64_t seed) {
        return render_snare(snare_params(u), sr, seed);
      });
}

DecoderPtr make_hat_decoder() {
  return std::make_shared<OneShotDecoder>(
      "hat", kHatUnits, 0x6861740000000003ull,
      [](std::span<const float> u, double sr, std::uint64_t seed) {
        return render_hat(hat_params(u), sr, seed);
      });
}

}  // namespace latentjam::models::synth
