// latentjam-train FOLDER --out DIR [options]: fits a drum model to a folder of one-shots.
// Run `latentjam-train --help` for the options; the daemon's /jam/train runs this same program.
#include <sched.h>
#include <sys/resource.h>

#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include "latentjam/models/allocator.hpp"
#include "latentjam/train/trainer.hpp"

namespace {

std::atomic<bool> g_cancel{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

extern "C" void on_signal(int) {
  g_cancel.store(true);
}

constexpr const char* kUsage = R"(usage: latentjam-train FOLDER --out DIR [options]
       latentjam-train --upgrade MODEL --out FILE [FOLDER [--prior-width W]]

Fits a learned drum model to the one-shots in FOLDER (WAV, FLAC, AIFF, OGG; sub-folders are
groups) and writes DIR/model.ts (load it with /jam/model/load VOICE DIR/model.ts), renders of
every sound's reconstruction and of random draws (DIR/renders/), pictures (DIR/pictures/) and the
loss log (DIR/loss.tsv).

options:
  --out DIR            where everything is written (required)
  --steps N            optimiser steps (default 1500)
  --max-minutes M      stop training after M minutes and finish with what was reached
  --from MODEL         fine-tune a model this trainer wrote (e.g. a pre-trained voice)
  --seed S             the same seed and folder give the same model (default 1)
  --batch N            sounds per step (default 8)
  --learning-rate R    Adam's rate (default 0.002, or 0.0005 with --from)
  --beta B             weight of the KL term (default 0.01; warmed up from 0 unless --from)
  --augment SEMITONES  also train on each sound pitched down and up (default 1, 0: off)
  --latent-size N      latent dimensions of a fresh model (default 8)
  --threads N          LibTorch threads (default 2)
  --draws N            random draws rendered to DIR/renders (default 8)
  --no-pictures        skip the pictures
  --idle               run at idle priority (SCHED_IDLE, nice 19): a live rig keeps playing
  --progress-lines     machine-readable progress on stdout (train/progress.hpp) instead of a bar
  --prior-width W      width of the prior around each sound's code (default 0.25; the codes
                       have unit variance): smaller draws stay closer to your sounds
  --upgrade MODEL      rewrite a model an earlier latentjam-train wrote with the current code
                       (same weights and sound, faster to decode) as FILE; no training; with
                       FOLDER (the sounds it was trained on), also fit its prior to them
  --help               this text
exit status: 0 done, 1 failed, 2 bad arguments, 130 cancelled (SIGINT/SIGTERM)
)";

template <class T>
bool number(std::string_view text, T& out) {
  if constexpr (std::is_floating_point_v<T>) {
    try {
      std::size_t used = 0;
      out = static_cast<T>(std::stod(std::string(text), &used));
      return used == text.size();
    } catch (const std::exception&) {
      return false;
    }
  } else {
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && p == text.data() + text.size();
  }
}

void draw_bar(const latentjam::train::Progress& p) {
  const int width = 30;
  const int filled = p.steps > 0 ? static_cast<int>(width * p.step / p.steps) : 0;
  std::fprintf(stderr,
               "\r[%-*s] %ld/%ld  loss %.3f (spectral %.3f, envelope %.3f, kl %.2f)  %.0f s left ",
               width, std::string(static_cast<std::size_t>(filled), '#').c_str(), p.step, p.steps,
               p.loss, p.spectral, p.envelope, p.kl, p.left_s);
  std::fflush(stderr);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace latentjam::train;
  latentjam::models::keep_freed_memory_for_reuse();  // as the daemon: no page faults per step
  TrainOptions o;
  std::string upgrade;
  bool lines = false, idle = false;
  const auto bad = [](const std::string& why) {
    std::fprintf(stderr, "latentjam-train: %s\n(see latentjam-train --help)\n", why.c_str());
    return 2;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const auto value = [&](const char* what) -> const char* {
      if (i + 1 >= argc) return nullptr;
      (void)what;
      return argv[++i];
    };
    const auto need = [&](auto& field) -> bool {
      const char* v = value(argv[i]);
      return v && number(std::string_view(v), field);
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--out") {
      const char* v = value("--out");
      if (!v) return bad("--out needs a folder");
      o.out_dir = v;
    } else if (a == "--from") {
      const char* v = value("--from");
      if (!v) return bad("--from needs a model file");
      o.from = v;
    } else if (a == "--upgrade") {
      const char* v = value("--upgrade");
      if (!v) return bad("--upgrade needs a model file");
      upgrade = v;
    } else if (a == "--steps") {
      if (!need(o.steps) || o.steps < 1) return bad("--steps needs a whole number of at least 1");
    } else if (a == "--max-minutes") {
      if (!need(o.max_minutes) || !(o.max_minutes > 0))
        return bad("--max-minutes needs a positive number");
    } else if (a == "--seed") {
      if (!need(o.seed)) return bad("--seed needs a whole number");
    } else if (a == "--batch") {
      if (!need(o.batch) || o.batch < 1 || o.batch > 1024) return bad("--batch needs 1..1024");
    } else if (a == "--learning-rate") {
      if (!need(o.learning_rate) || !(o.learning_rate > 0 && o.learning_rate < 1))
        return bad("--learning-rate needs a number between 0 and 1");
    } else if (a == "--beta") {
      if (!need(o.beta) || !(o.beta >= 0 && o.beta <= 10)) return bad("--beta needs 0..10");
    } else if (a == "--augment") {
      if (!need(o.augment_semitones) || !(o.augment_semitones >= 0 && o.augment_semitones <= 12))
        return bad("--augment needs 0..12 semitones");
    } else if (a == "--latent-size") {
      if (!need(o.latent_size) || o.latent_size < 1 || o.latent_size > 128)
        return bad("--latent-size needs 1..128");
    } else if (a == "--threads") {
      if (!need(o.threads) || o.threads < 1 || o.threads > 256)
        return bad("--threads needs 1..256");
    } else if (a == "--draws") {
      if (!need(o.prior_draws) || o.prior_draws < 0 || o.prior_draws > 1000)
        return bad("--draws needs 0..1000");
    } else if (a == "--prior-width") {
      if (!need(o.prior_bandwidth) || !(o.prior_bandwidth > 0 && o.prior_bandwidth <= 4))
        return bad("--prior-width needs a number above 0, at most 4");
    } else if (a == "--no-pictures") {
      o.pictures = false;
    } else if (a == "--idle") {
      idle = true;
    } else if (a == "--progress-lines") {
      lines = true;
    } else if (!a.empty() && a[0] == '-') {
      return bad("unknown option " + std::string(a));
    } else if (o.folder.empty()) {
      o.folder = a;
    } else {
      return bad("one folder only (got " + o.folder + " and " + std::string(a) + ")");
    }
  }
  if (!upgrade.empty()) {
    if (o.out_dir.empty()) return bad("--upgrade needs --out FILE");
    auto written = upgrade_model_file(upgrade, o.out_dir, o.folder, o.prior_bandwidth);
    if (!written) {
      std::fprintf(stderr, "latentjam-train: %s\n", written.error().c_str());
      return 1;
    }
    std::fprintf(stderr, "wrote %s\n", written.value().c_str());
    return 0;
  }
  if (o.folder.empty()) return bad("no folder of sounds given");
  if (o.out_dir.empty()) return bad("--out DIR is required");

  if (idle) {
    // Best effort: a rig without the right to lower priority still trains, just less politely.
    sched_param param{};
    if (sched_setscheduler(0, SCHED_IDLE, &param) != 0) setpriority(PRIO_PROCESS, 0, 19);
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  TrainCallbacks callbacks;
  callbacks.cancel = &g_cancel;
  callbacks.on_event = [lines](const Event& e) {
    if (lines) {
      std::string line =
          e.kind == Event::Kind::Stage ? format_stage(e.text) : format_progress(e.progress);
      std::fprintf(stdout, "%s\n", line.c_str());
      std::fflush(stdout);
    } else if (e.kind == Event::Kind::Progress) {
      draw_bar(e.progress);
    } else {
      std::fprintf(stderr, "\n%s...", e.text.c_str());
      std::fflush(stderr);
    }
  };
  auto result = train_drum_model(o, callbacks);
  if (!lines) std::fputc('\n', stderr);
  if (!result) {
    const bool was_cancelled = g_cancel.load();
    if (lines) {
      std::fprintf(stdout, "%s\n", format_error(result.error()).c_str());
      std::fflush(stdout);
    }
    std::fprintf(stderr, "latentjam-train: %s\n", result.error().c_str());
    return was_cancelled ? 130 : 1;
  }
  if (lines) {
    std::fprintf(stdout, "%s\n", format_done(result.value()).c_str());
    std::fflush(stdout);
  } else {
    std::fprintf(stderr, "wrote %s\n", result.value().c_str());
  }
  return 0;
}
