// word_bench: the probe benchmark's table (BENCHMARKS.md, docs/mappings.md): for each word-vector
// file given, the embedding's own nearest-label rate and, for each candidate mapping and each
// source of example latents, how often the trained mapping lands a probe nearest its expected
// label, per split (tune / heldout), with the ratio to the embedding's rate.
//
// Usage: word_bench [--probes FILE] [--trials N] VECTORS.bin [MORE.bin ...]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "latentjam/mappings/word_vectors.hpp"
#include "mapping_rate.hpp"

namespace lb = latentjam::bench;
namespace lm = latentjam::mappings;

namespace {

struct Candidate {
  std::string name;
  lm::MappingOptions options;
};

std::vector<Candidate> candidates() {
  std::vector<Candidate> out;
  for (float t : {0.01f, 0.02f, 0.05f, 0.1f, 0.2f}) {
    lm::MappingOptions o;
    o.kind = lm::MappingKind::Kernel;
    o.temperature = t;
    char name[64];
    std::snprintf(name, sizeof name, "kernel, temperature %.2f%s", t,
                  t == lm::kDefaultKernelTemperature ? " (default)" : "");
    out.push_back({name, o});
  }
  for (std::size_t hidden : {32, 64}) {
    lm::MappingOptions o;
    o.kind = lm::MappingKind::Mlp;
    o.mlp.hidden = hidden;
    out.push_back({"mlp (paper), " + std::to_string(hidden) + " hidden", o});
  }
  return out;
}

std::string percent(const lb::RateReport& r) {
  char s[32];
  std::snprintf(s, sizeof s, "%.1f %%", 100.0 * r.rate());
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::string probes = std::string(LATENTJAM_SOURCE_DIR) + "/tests/data/sound_probes.tsv";
  lb::MappingRateOptions base;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--probes" && i + 1 < argc) {
      probes = argv[++i];
    } else if (a == "--trials" && i + 1 < argc) {
      base.trials = static_cast<std::size_t>(std::atoi(argv[++i]));
    } else if (a == "--help" || a.rfind("--", 0) == 0) {
      std::fprintf(stderr,
                   "usage: word_bench [--probes FILE] [--trials N] VECTORS.bin "
                   "[MORE.bin ...]\n");
      return a == "--help" ? 0 : 2;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty() || base.trials == 0) {
    std::fprintf(stderr, "word_bench: give at least one word-vector file (and N >= 1)\n");
    return 2;
  }
  auto bench = lb::read_probe_benchmark(probes);
  if (!bench.ok()) {
    std::fprintf(stderr, "word_bench: %s\n", bench.error().c_str());
    return 1;
  }
  std::printf("probe benchmark: %zu sets, %zu probes; %zu trials of latents per set\n\n",
              bench.value().sets.size(), bench.value().probes.size(), base.trials);
  for (const auto& file : files) {
    auto encoder = lm::open_word_vectors(file);
    if (!encoder.ok()) {
      std::fprintf(stderr, "word_bench: %s: %s\n", file.c_str(), encoder.error().c_str());
      return 1;
    }
    const auto& enc = *encoder.value();
    const auto tune = lb::embedding_report(enc, bench.value(), lb::Split::kTune);
    const auto held = lb::embedding_report(enc, bench.value(), lb::Split::kHeldout);
    std::printf("## %s\n\n", file.c_str());
    std::printf(
        "| mapping | latents | sounds per label | tune | heldout | heldout / embedding | train "
        "ms |\n");
    std::printf("|---|---|---:|---:|---:|---:|---:|\n");
    std::printf("| embedding alone (nearest label) | - | - | %s | %s | 1.000 | - |\n",
                percent(tune).c_str(), percent(held).c_str());
    struct Case {
      lb::LatentSource source;
      std::size_t per_label;
    };
    for (const auto& c : candidates()) {
      for (const Case k : {Case{lb::LatentSource::kRandom, 1}, Case{lb::LatentSource::kDecoder, 1},
                           Case{lb::LatentSource::kDecoder, 2}}) {
        lb::MappingRateOptions o = base;
        o.mapping = c.options;
        o.latents = k.source;
        o.examples_per_label = k.per_label;
        auto r = lb::mapping_rates(enc, bench.value(), o);
        if (!r.ok()) {
          std::fprintf(stderr, "word_bench: %s\n", r.error().c_str());
          return 1;
        }
        std::printf("| %s | %s | %zu | %s | %s | %.3f | %.1f |\n", c.name.c_str(),
                    lb::latent_source_name(k.source), k.per_label, percent(r.value().tune).c_str(),
                    percent(r.value().heldout).c_str(),
                    held.rate() > 0 ? r.value().heldout.rate() / held.rate() : 0.0,
                    r.value().train_ms);
      }
    }
    std::printf("\n");
  }
  return 0;
}
