// Feedback for the performer about their examples (Fiebrink's "human model evaluation"):
//
// - leave-one-out error: for each example, train a mapping on all the others (same options),
//   predict from its text and measure the distance to its latent, divided by the examples' spread
//   (RMS distance of their latents from their mean). About 0 = the others already imply this
//   example; about 1 or more = the mapping cannot guess it (a new idea, or a contradiction).
//   Costs one training per example; run it on a worker.
// - conflicts: pairs of examples whose label embeddings are very similar (cosine above
//   `similar_text`) but whose latents are far apart (distance above `far_latent` times the spread):
//   the two labels pull the mapping in opposite directions. Each comes with a sentence naming both.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "latentjam/base/result.hpp"
#include "latentjam/mappings/dataset.hpp"
#include "latentjam/mappings/mapping.hpp"

namespace latentjam::mappings {

struct ExampleError {
  std::int64_t id = 0;
  float error = 0.0f;  // normalised, see above
};

struct Conflict {
  std::int64_t first_id = 0, second_id = 0;
  std::string first_text, second_text;
  float text_similarity = 0.0f;  // cosine of the embeddings
  float latent_distance = 0.0f;  // normalised like ExampleError
  std::string message;
};

struct ConflictOptions {
  float similar_text = 0.9f;
  float far_latent = 1.0f;
};

// Needs at least two examples.
// `cancel`, when given and set (from any thread), stops between folds with the error "cancelled":
// one fold trains one mapping, so a shutdown waits for one training, not for all of them.
Result<std::vector<ExampleError>> leave_one_out(const std::vector<Example>& examples,
                                                const MappingOptions& options = {},
                                                const std::atomic<bool>* cancel = nullptr);

std::vector<Conflict> find_conflicts(const std::vector<Example>& examples,
                                     const ConflictOptions& options = {});

}  // namespace latentjam::mappings
