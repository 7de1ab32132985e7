// realism_bench: how real the drum voices sound, measured against real kits (docs/realism.md).
//
//   realism_bench [--index TSV] [--root DIR] [--draws N] [--seed S] [--explain K]
//                 [--voice CLASS=SOURCE]...
//
// SOURCE is builtin:NAME (a built-in decoder), dir:FOLDER (audio files rendered by anything), or a
// TorchScript file (.ts/.pt; only in builds with LibTorch). CLASS is kick, snare or hat: the type
// the voice is meant to be. Without --voice: the built-in kick, snare and hat. Prints a markdown
// table; --explain K adds, per voice, the K features that alone tell its hits from real ones best.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "latentjam/models/decoder.hpp"
#include "realism.hpp"
#ifdef LATENTJAM_REALISM_TORCH
#include "latentjam/models/torchscript_decoder.hpp"
#endif

using namespace latentjam;
using namespace latentjam::realism;

namespace {

struct VoiceArg {
  DrumClass cls;
  std::string source;
};

int usage() {
  std::fprintf(
      stderr,
      "usage: realism_bench [--index TSV] [--root DIR] [--draws N] [--seed S] [--explain K]\n"
      "                     [--voice kick|snare|hat=builtin:NAME|dir:FOLDER|MODEL.ts]...\n");
  return 2;
}

Result<std::unique_ptr<SoundSource>> make_source(const std::string& spec) {
  if (spec.rfind("builtin:", 0) == 0) {
    const std::string name = spec.substr(8);
    models::DecoderPtr decoder = models::make_builtin_decoder(name);
    if (!decoder) return fail("no built-in decoder named " + name);
    return decoder_source(std::move(decoder));
  }
  if (spec.rfind("dir:", 0) == 0) return folder_source(spec.substr(4));
#ifdef LATENTJAM_REALISM_TORCH
  auto decoder = models::load_torchscript_decoder(spec);
  if (!decoder) return Error{decoder.error()};
  return decoder_source(std::move(decoder.value()));
#else
  return fail(spec + ": TorchScript models need a build with LATENTJAM_TORCH=ON");
#endif
}

}  // namespace

int main(int argc, char** argv) {
  std::string index = std::string(LATENTJAM_SOURCE_DIR) + "/tests/data/real_drums.tsv";
  std::string root = "/usr/share";
  int draws = 100;
  int explain = 0;
  std::uint64_t seed = 0;
  std::vector<VoiceArg> voices;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage();
    const std::string value = argv[++i];
    if (arg == "--index") {
      index = value;
    } else if (arg == "--root") {
      root = value;
    } else if (arg == "--draws") {
      draws = std::atoi(value.c_str());
    } else if (arg == "--explain") {
      explain = std::atoi(value.c_str());
    } else if (arg == "--seed") {
      seed = std::strtoull(value.c_str(), nullptr, 10);
    } else if (arg == "--voice") {
      const auto eq = value.find('=');
      const auto cls = eq == std::string::npos ? std::nullopt : parse_class(value.substr(0, eq));
      if (!cls) return usage();
      voices.push_back({*cls, value.substr(eq + 1)});
    } else {
      return usage();
    }
  }
  if (draws < 2) return usage();
  if (voices.empty()) {
    voices = {{DrumClass::Kick, "builtin:kick"},
              {DrumClass::Snare, "builtin:snare"},
              {DrumClass::Hat, "builtin:hat"}};
  }

  const auto start = std::chrono::steady_clock::now();
  auto real = load_real_set(index, root);
  if (!real) {
    std::fprintf(stderr, "realism_bench: %s\n", real.error().c_str());
    return 1;
  }
  const TypeModel type_model = train_type_model(*real);
  std::vector<VoiceReport> reports;
  for (const VoiceArg& v : voices) {
    auto source = make_source(v.source);
    if (!source) {
      std::fprintf(stderr, "realism_bench: %s\n", source.error().c_str());
      return 1;
    }
    auto report = evaluate_voice(*real, type_model, **source, v.cls, draws, seed);
    if (!report) {
      std::fprintf(stderr, "realism_bench: %s: %s\n", v.source.c_str(), report.error().c_str());
      return 1;
    }
    report->voice = v.source;
    reports.push_back(std::move(report.value()));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%zu real hits (%s), %d draws per voice from seed %llu, %.1f s.\n\n",
              real->entries.size(), index.c_str(), draws, static_cast<unsigned long long>(seed),
              seconds);
  std::printf("%s", markdown_table(reports, type_model).c_str());
  if (explain > 0) std::printf("\n%s", giveaway_tables(reports, explain).c_str());
  return 0;
}
