// Prints the probe benchmark's numbers for converted word vectors: the embedding's nearest-label
// rate per split, the mean cosine of opposite sound words, and the general checks (Spearman on
// tests/data/general_similarity.tsv; with --raw, nearest-neighbour overlap@10 against the raw
// vectors). Used to tune the retrofit on the tune split; docs/mappings.md, "Probe benchmark".
//
// Usage: probe_report VECTORS.bin [--raw RAW.bin] [--probes PROBES.tsv] [--pairs PAIRS.tsv]
//                     [--misses tune|heldout|all]
#include <cstdio>
#include <cstring>
#include <string>

#include "latentjam/mappings/word_vectors.hpp"
#include "probe_set.hpp"

using namespace latentjam;

namespace {

void report(const char* title, const mappings::WordVectorEncoder& enc,
            const bench::ProbeBenchmark& probes, const std::vector<bench::ScoredPair>& pairs,
            const char* misses) {
  std::printf("%s:\n", title);
  for (bench::Split s : {bench::Split::kTune, bench::Split::kHeldout, bench::Split::kAll}) {
    const auto r = bench::embedding_report(enc, probes, s);
    std::printf("  embedding rate %-7s %5.1f %% (%zu/%zu)\n", bench::split_name(s),
                100.0 * r.rate(), r.right, r.total);
    if (misses && std::strcmp(misses, bench::split_name(s)) == 0) {
      for (const auto& m : r.misses) std::printf("    miss %s\n", m.c_str());
    }
  }
  std::printf("  sound antonyms mean cosine %.3f\n",
              bench::mean_cosine(enc, bench::sound_antonyms()));
  std::printf("  general pairs Spearman %.3f\n", bench::spearman(enc, pairs));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: probe_report VECTORS.bin [--raw RAW.bin] [--probes PROBES.tsv] "
                 "[--pairs PAIRS.tsv] [--misses tune|heldout|all]\n");
    return 2;
  }
  std::string raw, probes_path = std::string(LATENTJAM_SOURCE_DIR) + "/tests/data/sound_probes.tsv";
  std::string pairs_path = std::string(LATENTJAM_SOURCE_DIR) + "/tests/data/general_similarity.tsv";
  const char* misses = nullptr;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--raw") {
      raw = argv[i + 1];
    } else if (a == "--probes") {
      probes_path = argv[i + 1];
    } else if (a == "--pairs") {
      pairs_path = argv[i + 1];
    } else if (a == "--misses") {
      misses = argv[i + 1];
    } else {
      std::fprintf(stderr, "probe_report: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  auto probes = bench::read_probe_benchmark(probes_path);
  auto pairs = bench::read_scored_pairs(pairs_path);
  auto enc = mappings::open_word_vector_encoder(argv[1]);
  for (const std::string* err :
       {probes.ok() ? nullptr : &probes.error(), pairs.ok() ? nullptr : &pairs.error(),
        enc.ok() ? nullptr : &enc.error()}) {
    if (err) {
      std::fprintf(stderr, "probe_report: %s\n", err->c_str());
      return 1;
    }
  }
  if (!raw.empty()) {
    auto before = mappings::open_word_vector_encoder(raw);
    if (!before) {
      std::fprintf(stderr, "probe_report: %s\n", before.error().c_str());
      return 1;
    }
    report(raw.c_str(), *before.value(), probes.value(), pairs.value(), misses);
    report(argv[1], *enc.value(), probes.value(), pairs.value(), misses);
    const auto o = bench::neighbour_overlap(*before.value(), *enc.value(), 1000, 1000, 10, 50000);
    std::printf(
        "neighbour overlap@10 (1000 words from rank 1000, among the first 50000): all %.3f, "
        "unmoved %.3f (%zu of %zu words unmoved)\n",
        o.all, o.unchanged, o.unchanged_words, o.words);
  } else {
    report(argv[1], *enc.value(), probes.value(), pairs.value(), misses);
  }
  return 0;
}
