#include "mapping_rate.hpp"

#include <chrono>
#include <map>
#include <random>

#include "latentjam/mappings/text_encoder.hpp"
#include "latentjam/models/decoder.hpp"

namespace latentjam::bench {

namespace {

constexpr std::size_t kRandomLatentSize = 64;

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  // splitmix64 of a combination: decorrelated seeds for (set, trial, label, example).
  std::uint64_t z = a * 0x9E3779B97F4A7C15ull + b + 0x632BE59BD9B4E019ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::uint64_t name_hash(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

float squared_distance(const std::vector<float>& a, const std::vector<float>& b) {
  float d = 0.0f;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) d += (a[i] - b[i]) * (a[i] - b[i]);
  return d;
}

class LatentDraws {
 public:
  LatentDraws(LatentSource source, const std::string& voice, std::uint64_t seed)
      : source_(source), seed_(seed) {
    if (source != LatentSource::kRandom) decoder_ = models::make_builtin_decoder(voice);
  }
  bool ok() const { return source_ == LatentSource::kRandom || decoder_ != nullptr; }

  std::vector<float> draw(std::uint64_t key) const {
    const std::uint64_t seed = mix(seed_, key);
    if (source_ == LatentSource::kRandom) {
      std::mt19937_64 rng(seed);
      std::normal_distribution<float> g;
      std::vector<float> v(kRandomLatentSize);
      for (float& x : v) x = g(rng);
      return v;
    }
    return decoder_->sample_prior(seed);
  }

 private:
  LatentSource source_;
  std::uint64_t seed_;
  models::DecoderPtr decoder_;
};

}  // namespace

const char* latent_source_name(LatentSource source) {
  switch (source) {
    case LatentSource::kRandom:
      return "random";
    case LatentSource::kDecoder:
      return "decoder";
  }
  return "?";
}

Result<MappingRates> mapping_rates(const mappings::TextEncoder& encoder,
                                   const ProbeBenchmark& bench, const MappingRateOptions& options) {
  MappingRates out;
  std::map<std::string, std::vector<float>> cache;
  auto embed = [&](const std::string& text) -> const std::vector<float>& {
    auto it = cache.find(text);
    if (it == cache.end()) it = cache.emplace(text, encoder.embed(text)).first;
    return it->second;
  };
  for (const ProbeSet& set : bench.sets) {
    for (std::size_t trial = 0; trial < options.trials; ++trial) {
      LatentDraws draws(options.latents, set.voice, mix(options.seed, name_hash(set.name) + trial));
      if (!draws.ok())
        return fail("set " + set.name + ": no built-in decoder for voice \"" + set.voice + "\"");
      std::vector<mappings::TrainingExample> examples;
      std::vector<std::size_t> label_of;
      for (std::size_t j = 0; j < set.labels.size(); ++j) {
        for (std::size_t e = 0; e < options.examples_per_label; ++e) {
          examples.push_back({embed(set.labels[j]), draws.draw(j * 1000 + e)});
          label_of.push_back(j);
        }
      }
      const auto t0 = std::chrono::steady_clock::now();
      auto mapping = mappings::train_mapping(examples, options.mapping);
      out.train_ms +=
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (!mapping.ok()) return fail("set " + set.name + ": " + mapping.error());
      for (const Probe& p : bench.probes) {
        if (p.set != set.name) continue;
        const std::vector<float> predicted = mapping.value()->predict(embed(p.word));
        std::size_t nearest = 0;
        for (std::size_t k = 1; k < examples.size(); ++k) {
          if (squared_distance(predicted, examples[k].latent) <
              squared_distance(predicted, examples[nearest].latent))
            nearest = k;
        }
        const std::string& landed = set.labels[label_of[nearest]];
        RateReport& report = p.heldout ? out.heldout : out.tune;
        ++report.total;
        if (landed == p.expected) {
          ++report.right;
        } else if (trial == 0) {
          report.misses.push_back(set.name + ": " + p.word + " -> " + landed + " (" + p.expected +
                                  ")");
        }
      }
    }
  }
  return out;
}

}  // namespace latentjam::bench
