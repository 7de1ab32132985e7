// How often a trained mapping lands a probe word nearest the example of its expected label, next
// to how often the embedding alone says so (probe_set.hpp): the measure of "the mapping keeps what
// the embedding knows" (issue 8; docs/mappings.md, "Probe benchmark").
//
// For every set of the benchmark and every trial, each label is given `examples_per_label` sounds
// (latents drawn by a LatentSource), the mapping is trained on (embed(label), latent) pairs, and
// each probe of the split is predicted; it is right when the nearest example latent (Euclidean)
// belongs to the expected label.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "latentjam/mappings/mapping.hpp"
#include "probe_set.hpp"

namespace latentjam::bench {

// Where the example latents come from.
// (Only the relative geometry of the latents matters to both mappings: any shift or common scale of
// the draws gives the same rates, so "sounds near each other" is no separate case.)
enum class LatentSource {
  kRandom,   // independent standard-normal 64-d draws
  kDecoder,  // the prior of the set's voice's built-in decoder (kick, snare, hat, loop)
};
const char* latent_source_name(LatentSource source);

struct MappingRateOptions {
  mappings::MappingOptions mapping;
  LatentSource latents = LatentSource::kRandom;
  std::size_t examples_per_label = 1;
  std::size_t trials = 5;  // latent draws per set; the rate counts every trial
  std::uint64_t seed = 1;
};

// Rates for both splits from the same trained mappings.
struct MappingRates {
  RateReport tune, heldout;
  double train_ms = 0.0;  // total time spent training, for the table
};

Result<MappingRates> mapping_rates(const mappings::TextEncoder& encoder,
                                   const ProbeBenchmark& bench, const MappingRateOptions& options);

}  // namespace latentjam::bench
