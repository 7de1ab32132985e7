#include "latentjam/mappings/evaluation.hpp"

#include <cmath>
#include <cstdio>

#include "latentjam/mappings/mapping.hpp"
#include "latentjam/mappings/text_encoder.hpp"

namespace latentjam::mappings {

namespace {

float distance(const std::vector<float>& a, const std::vector<float>& b) {
  double d = 0.0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    d += double(a[i] - b[i]) * (a[i] - b[i]);
  }
  return static_cast<float>(std::sqrt(d));
}

// RMS distance of the latents from their mean; 1 when they all coincide (avoids dividing by 0).
float spread(const std::vector<Example>& examples) {
  if (examples.empty()) return 1.0f;
  std::vector<double> mean(examples[0].latent.size(), 0.0);
  for (const auto& e : examples) {
    for (std::size_t i = 0; i < mean.size() && i < e.latent.size(); ++i) mean[i] += e.latent[i];
  }
  for (double& m : mean) m /= static_cast<double>(examples.size());
  double total = 0.0;
  for (const auto& e : examples) {
    for (std::size_t i = 0; i < mean.size() && i < e.latent.size(); ++i) {
      total += (e.latent[i] - mean[i]) * (e.latent[i] - mean[i]);
    }
  }
  const double rms = std::sqrt(total / static_cast<double>(examples.size()));
  return rms > 1e-12 ? static_cast<float>(rms) : 1.0f;
}

}  // namespace

Result<std::vector<ExampleError>> leave_one_out(const std::vector<Example>& examples,
                                                const MappingOptions& options,
                                                const std::atomic<bool>* cancel) {
  if (examples.size() < 2) return fail("leave-one-out needs at least two examples");
  const float scale = spread(examples);
  std::vector<ExampleError> out;
  out.reserve(examples.size());
  std::vector<TrainingExample> others;
  for (std::size_t k = 0; k < examples.size(); ++k) {
    if (cancel && cancel->load(std::memory_order_relaxed)) return fail("cancelled");
    others.clear();
    for (std::size_t j = 0; j < examples.size(); ++j) {
      if (j != k) others.push_back({examples[j].embedding, examples[j].latent});
    }
    auto m = train_mapping(others, options);
    if (!m) return fail("example " + std::to_string(examples[k].id) + ": " + m.error());
    const auto predicted = m.value()->predict(examples[k].embedding);
    out.push_back({examples[k].id, distance(predicted, examples[k].latent) / scale});
  }
  return out;
}

std::vector<Conflict> find_conflicts(const std::vector<Example>& examples,
                                     const ConflictOptions& options) {
  std::vector<Conflict> out;
  const float scale = spread(examples);
  for (std::size_t a = 0; a < examples.size(); ++a) {
    for (std::size_t b = a + 1; b < examples.size(); ++b) {
      const float similarity = cosine(examples[a].embedding, examples[b].embedding);
      const float far = distance(examples[a].latent, examples[b].latent) / scale;
      if (similarity <= options.similar_text || far <= options.far_latent) continue;
      Conflict c{
          examples[a].id, examples[b].id, examples[a].text, examples[b].text, similarity, far, {}};
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.2f", similarity);
      c.message = "examples " + std::to_string(c.first_id) + " (\"" + c.first_text + "\") and " +
                  std::to_string(c.second_id) + " (\"" + c.second_text +
                  "\") have similar labels (similarity " + buf +
                  ") but very different sounds; relabel or delete one";
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace latentjam::mappings
