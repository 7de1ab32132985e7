// The trainer on real drums from Debian packages (tests/data/real_drums.tsv), end to end: folder
// reading, training, the model file the daemon's loader plays, renders, the command line.
#include <gtest/gtest.h>
#include <sndfile.h>
#include <sys/wait.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/script.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "drum_model.hpp"
#include "latentjam/models/torchscript_decoder.hpp"
#include "latentjam/train/trainer.hpp"
#include "realism.hpp"
#include "sound_folder.hpp"

namespace fs = std::filesystem;
namespace lt = latentjam::train;

namespace {

// The first `count` train-split hits of a class, from the index of real drums.
std::vector<fs::path> real_hits(latentjam::realism::DrumClass cls, std::size_t count) {
  auto index = latentjam::realism::read_index(LATENTJAM_SOURCE_DIR "/tests/data/real_drums.tsv");
  std::vector<fs::path> out;
  if (!index) return out;
  for (const auto& e : index.value()) {
    if (out.size() == count) break;
    if (e.cls == cls && !e.heldout && fs::exists("/usr/share/" + e.path))
      out.push_back("/usr/share/" + e.path);
  }
  return out;
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("latentjam-train-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(counter()++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

// A folder of `count` real kicks; skips the test (with the reason) when the kits are not installed.
bool kick_folder(const fs::path& dir, std::size_t count) {
  const auto hits = real_hits(latentjam::realism::DrumClass::Kick, count);
  if (hits.size() < count) return false;
  for (const auto& h : hits) fs::copy_file(h, dir / h.filename());
  return true;
}

#define REQUIRE_KITS(ok) \
  if (!(ok)) GTEST_SKIP() << "the real drums are not installed: run tools/fetch_drums.sh"

void write_wav(const fs::path& path, const std::vector<float>& x, int rate) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr);
  sf_writef_float(f, x.data(), static_cast<sf_count_t>(x.size()));
  sf_close(f);
}

std::vector<float> read_wav(const fs::path& path, int* rate = nullptr) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) return {};
  std::vector<float> x(static_cast<std::size_t>(info.frames));
  sf_readf_float(f, x.data(), info.frames);
  sf_close(f);
  if (rate) *rate = info.samplerate;
  return x;
}

lt::TrainOptions quick(const fs::path& folder, const fs::path& out, long steps) {
  lt::TrainOptions o;
  o.folder = folder.string();
  o.out_dir = out.string();
  o.steps = steps;
  o.batch = 2;
  o.threads = 1;
  o.prior_draws = 2;
  o.augment_semitones = 0.0;
  return o;
}

struct ProgramRun {
  int status = -1;
  std::string out;
};

// Runs the real latentjam-train program with `args` (split at spaces); `stop_after` sends it
// SIGTERM once that text has been printed.
ProgramRun run_trainer(const std::string& args, const std::string& stop_after = "") {
  std::vector<std::string> words = {LATENTJAM_BINARY_DIR "/latentjam-train"};
  std::istringstream split(args);
  for (std::string w; split >> w;) words.push_back(w);
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  int fds[2];
  ProgramRun r;
  if (pipe(fds) != 0) return r;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  char buf[4096];
  bool signalled = false;
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) {
    r.out.append(buf, static_cast<std::size_t>(n));
    if (!stop_after.empty() && !signalled && r.out.find(stop_after) != std::string::npos) {
      kill(pid, SIGTERM);
      signalled = true;
    }
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace

TEST(SoundFolder, ReadsRealDrumsTrimsThemAtTheOnsetAndSaysWhatItSkipped) {
  TempDir dir;
  REQUIRE_KITS(kick_folder(dir.path, 3));
  std::ofstream(dir.path / "notes.wav") << "not audio";
  fs::create_directories(dir.path / "quiet");
  write_wav(dir.path / "quiet" / "silence.wav", std::vector<float>(4410, 0.0f), 44100);
  // A click after 100 ms of silence, at 22.05 kHz: resampled, and trimmed 1 ms before its onset.
  std::vector<float> late(22050, 0.0f);
  for (int i = 0; i < 200; ++i) late[2205 + i] = 0.5f * std::exp(-i / 40.0f);
  write_wav(dir.path / "quiet" / "late.wav", late, 22050);

  auto folder = lt::read_sound_folder(dir.path.string(), 44100.0, 32768);
  ASSERT_TRUE(folder) << folder.error();
  ASSERT_EQ(folder->hits.size(), 4u);
  ASSERT_EQ(folder->skipped.size(), 2u);
  EXPECT_NE(folder->skipped[0].find("notes.wav"), std::string::npos);
  EXPECT_NE(folder->skipped[1].find("silent"), std::string::npos);
  const lt::Hit* late_hit = nullptr;
  for (const auto& h : folder->hits) {
    EXPECT_EQ(h.samples.size(), 32768u);
    float peak = 0;
    for (float v : h.samples) peak = std::max(peak, std::abs(v));
    EXPECT_NEAR(peak, 1.0f, 1e-4f) << h.name;
    if (h.name == "quiet/late.wav") late_hit = &h;
  }
  ASSERT_NE(late_hit, nullptr);
  EXPECT_EQ(late_hit->group, "quiet");
  std::size_t onset = 0;
  while (std::abs(late_hit->samples[onset]) < 0.01f) ++onset;
  EXPECT_NEAR(static_cast<double>(onset), 44.1, 3.0);  // 1 ms at 44.1 kHz
}

TEST(SoundFolder, FailsWithAReasonForMissingFoldersFilesAndTooFewSounds) {
  TempDir dir;
  auto missing = lt::read_sound_folder((dir.path / "nope").string(), 44100.0, 32768);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("no such folder"), std::string::npos);
  std::ofstream(dir.path / "file.txt") << "x";
  auto file = lt::read_sound_folder((dir.path / "file.txt").string(), 44100.0, 32768);
  ASSERT_FALSE(file);
  EXPECT_NE(file.error().find("not a folder"), std::string::npos);
  std::vector<float> one(4410, 0.0f);
  one[10] = 1.0f;
  write_wav(dir.path / "one.wav", one, 44100);
  auto few = lt::read_sound_folder(dir.path.string(), 44100.0, 32768);
  ASSERT_FALSE(few);
  EXPECT_NE(few.error().find("at least 2"), std::string::npos);
}

TEST(Trainer, LearnsRealKicksAndWritesAModelTheDaemonPlays) {
  TempDir dir;
  REQUIRE_KITS(kick_folder(dir.path, 4));
  const fs::path out = dir.path / "out";
  std::vector<lt::Event> events;
  lt::TrainCallbacks cb;
  cb.on_event = [&](const lt::Event& e) { events.push_back(e); };
  auto o = quick(dir.path, out, 60);
  auto model = lt::train_drum_model(o, cb);
  ASSERT_TRUE(model) << model.error();
  EXPECT_EQ(model.value(), (out / "model.ts").string());

  // It learned: the loss log falls. The first and last ten steps are compared, since single steps
  // see different sounds.
  std::ifstream log(out / "loss.tsv");
  std::string line;
  std::getline(log, line);
  std::vector<double> spectral;
  while (std::getline(log, line)) {
    std::istringstream row(line);
    double step, loss, s;
    row >> step >> loss >> s;
    spectral.push_back(s);
  }
  ASSERT_EQ(spectral.size(), 60u);
  double first = 0, last = 0;
  for (int i = 0; i < 10; ++i) first += spectral[static_cast<std::size_t>(i)];
  for (int i = 50; i < 60; ++i) last += spectral[static_cast<std::size_t>(i)];
  EXPECT_LT(last, 0.85 * first);

  // Stages in order and at least one progress report with the whole step count.
  std::vector<std::string> stages;
  bool saw_progress = false;
  for (const auto& e : events) {
    if (e.kind == lt::Event::Kind::Stage) stages.push_back(e.text);
    if (e.kind == lt::Event::Kind::Progress) saw_progress = e.progress.steps == 60;
  }
  const std::vector<std::string> expected = {"loading",   "augmenting", "training",
                                             "rendering", "pictures",   "exporting"};
  EXPECT_EQ(stages, expected);
  EXPECT_TRUE(saw_progress);

  // Renders: one reconstruction per sound and the random draws, at the model's rate.
  int rate = 0;
  EXPECT_EQ(read_wav(out / "renders" / "prior-01.wav", &rate).size(), 32768u);
  EXPECT_EQ(rate, 48000);
  std::size_t reconstructions = 0;
  for (const auto& f : fs::directory_iterator(out / "renders"))
    reconstructions += f.path().filename().string().rfind("prior-", 0) != 0;
  EXPECT_EQ(reconstructions, 4u);

  // Pictures to look at before playing it (docs/pictures.md).
  for (const char* png : {"loss.png", "envelopes.png", "latent-map.png"})
    EXPECT_GT(fs::file_size(out / "pictures" / png), 1000u) << png;
  std::size_t pairs = 0;
  for (const auto& f : fs::directory_iterator(out / "pictures"))
    pairs += f.path().filename().string().rfind("reconstruction-", 0) == 0;
  EXPECT_EQ(pairs, 4u);

  // The daemon's loader plays it: a one-shot of one hit, deterministic, not silent.
  auto decoder = latentjam::models::load_torchscript_decoder(model.value());
  ASSERT_TRUE(decoder) << decoder.error();
  EXPECT_EQ(decoder.value()->info().latent_size, 8u);
  const auto z = decoder.value()->sample_prior(3);
  auto a = decoder.value()->decode({&z, 1}, {48000.0, 120.0});
  auto b = decoder.value()->decode({&z, 1}, {48000.0, 120.0});
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a.value()[0], b.value()[0]);
  EXPECT_LE(a.value()[0].size(), 32768u);  // one hit of 0.68 s at 48 kHz, not two
  EXPECT_GE(a.value()[0].size(), 4800u);
  float peak = 0;
  for (float v : a.value()[0]) peak = std::max(peak, std::abs(v));
  EXPECT_GT(peak, 0.1f);
}

// The noise path as first written: the grid interpolated by matrix products, applied to the STFT
// of the model's noise buffer, back through torch's inverse STFT.
at::Tensor shaped_noise_by_istft(const torch::jit::Module& m, const at::Tensor& grid) {
  const at::Tensor noise = m.attr("noise").toTensor();
  const at::Tensor window = m.attr("window").toTensor();
  const at::Tensor log_mask = torch::matmul(torch::matmul(m.attr("knot_to_frame").toTensor(), grid),
                                            m.attr("band_to_bin").toTensor());
  const at::Tensor mask = torch::exp(torch::clamp(log_mask, -20.0, 8.0)).transpose(1, 2);
  const at::Tensor spectrum =
      torch::stft(noise, 1024, 256, 1024, window, true, "reflect", false, true, true);
  return torch::istft(spectrum * mask, 1024, 256, 1024, window, true, false, true, noise.size(0));
}

TEST(DrumModel, TheFastNoisePathIsTheInverseStftOfTheShapedNoise) {
  torch::jit::Module m = lt::make_drum_model({}, 3);
  auto g = at::make_generator<at::CPUGeneratorImpl>(11);
  const at::Tensor grid = at::normal(-1.0, 1.5, {2, 24, 32}, g).requires_grad_(true);
  const at::Tensor fast = m.run_method("shaped_noise", grid).toTensor();
  const at::Tensor slow = shaped_noise_by_istft(m, grid);
  ASSERT_EQ(fast.sizes(), slow.sizes());
  const float peak = slow.abs().max().item<float>();
  ASSERT_GT(peak, 0.01f);
  EXPECT_LT((fast - slow).abs().max().item<float>(), 1e-5f * peak);

  // The same gradients, so training is unchanged too.
  const at::Tensor weights = at::normal(0.0, 1.0, {2, fast.size(1)}, g);
  const at::Tensor fast_grad = torch::autograd::grad({(fast * weights).sum()}, {grid})[0];
  const at::Tensor slow_grad = torch::autograd::grad({(slow * weights).sum()}, {grid})[0];
  EXPECT_LT((fast_grad - slow_grad).abs().max().item<float>(),
            1e-4f * slow_grad.abs().max().item<float>());
}

// Energy above `hz` over all energy of x's first 1024 samples (Hann window), in dB.
double high_band_db(const at::Tensor& x, double hz) {
  const at::Tensor seg = x.flatten().slice(0, 0, 1024) * at::hann_window(1024);
  const at::Tensor power = at::fft_rfft(seg).abs().pow(2);
  const auto bin = static_cast<std::int64_t>(hz / 48000.0 * 1024.0);
  return 10.0 * std::log10(power.slice(0, bin).sum().item<double>() / power.sum().item<double>());
}

// The transient goes through the model's low-pass (version 3): a transient of white noise, with
// the noise and the sines silenced, leaves nothing above the stop band; through an identity filter
// the same transient is as bright as white noise.
TEST(DrumModel, TheTransientIsLowPassed) {
  torch::NoGradGuard no_grad;
  torch::jit::Module m = lt::make_drum_model({}, 7);
  EXPECT_EQ(m.attr("model_kind").toStringRef(), lt::kDrumModelKind);
  auto g = at::make_generator<at::CPUGeneratorImpl>(13);
  for (const char* w : {"noise_w", "sine_w", "transient_w", "attack_w"})
    m.attr(w).toTensor().zero_();
  m.attr("noise_b").toTensor().fill_(-40.0);  // log magnitudes, clamped at -20: silent
  m.attr("sine_b").toTensor().fill_(-40.0);   // the sines' log amplitudes too
  m.attr("attack_b").toTensor().fill_(10.0);  // a slow, smooth attack (20 ms)
  m.attr("transient_b").toTensor().copy_(at::normal(0.0, 1.0, {512}, g));
  const at::Tensor z = torch::zeros({1, m.attr("latent_size").toInt()});
  const at::Tensor filtered = m.run_method("synth", z).toTensor();
  ASSERT_GT(filtered.abs().max().item<float>(), 0.05f);
  const double cutoff = lt::kTransientCutoffHz;
  std::printf("transient of white noise: %.1f dB above %.0f Hz\n",
              high_band_db(filtered, cutoff + 1500.0), cutoff + 1500.0);
  EXPECT_LT(high_band_db(filtered, cutoff + 1500.0), -60.0);

  at::Tensor identity = torch::zeros_like(m.attr("transient_lowpass").toTensor());
  identity[0][0][identity.size(2) / 2] = 1.0;
  m.setattr("transient_lowpass", identity);
  const at::Tensor open = m.run_method("synth", z).toTensor();
  EXPECT_GT(high_band_db(open, cutoff + 1500.0), -10.0);
}

TEST(DrumModel, AFirstVersionModelIsUpgradedWithItsWeightsAndSound) {
  TempDir dir;
  // A model as the first trainer saved it: no buffers of the fast noise path, the first kind tag,
  // and a noise source of its own (the upgrade must derive the new buffers from it).
  torch::jit::Module current = lt::make_drum_model({}, 5);
  const std::set<std::string> derived = {"noise_re",    "noise_im",      "bin_band_lo",
                                         "bin_band_hi", "bin_weight_lo", "inverse_overlap"};
  torch::jit::Module first("LatentjamDrumModel");
  for (const auto& p : current.named_parameters(false))
    first.register_parameter(p.name, p.value.clone() + 0.25, false);
  for (const auto& b : current.named_buffers(false))
    if (!derived.count(b.name)) first.register_buffer(b.name, b.value.clone());
  auto g = at::make_generator<at::CPUGeneratorImpl>(12);
  first.setattr("noise", at::normal(0.0, 0.05, {32768}, g));
  for (const char* name : {"sr", "latent_size", "hit_length", "sine_count", "one_shot_frames"})
    first.register_attribute(name, c10::IntType::get(), current.attr(name));
  first.register_attribute("model_kind", c10::StringType::get(),
                           c10::IValue(std::string(lt::kDrumModelKindV1)));
  first.save((dir.path / "first.ts").string());

  auto written =
      lt::upgrade_model_file((dir.path / "first.ts").string(), (dir.path / "up/model.ts").string());
  ASSERT_TRUE(written) << written.error();
  torch::jit::Module up = torch::jit::load(written.value());
  EXPECT_EQ(up.attr("model_kind").toStringRef(), lt::kDrumModelKind);
  for (const auto& p : first.named_parameters(false))
    EXPECT_TRUE(torch::equal(up.attr(p.name).toTensor(), p.value)) << p.name;
  EXPECT_TRUE(torch::equal(up.attr("noise").toTensor(), first.attr("noise").toTensor()));
  // No prior fitted (no folder given): one kernel at the origin of width 1, a standard normal.
  EXPECT_EQ(up.attr("prior_points").toTensor().abs().max().item<float>(), 0.0f);
  EXPECT_EQ(up.attr("prior_bandwidth").toTensor().item<float>(), 1.0f);
  // Its noise path is the first version's, on its own noise.
  const at::Tensor grid = at::normal(-1.0, 1.0, {1, 24, 32}, g);
  torch::NoGradGuard no_grad;
  const at::Tensor fast = up.run_method("shaped_noise", grid).toTensor();
  const at::Tensor slow = shaped_noise_by_istft(first, grid);
  EXPECT_LT((fast - slow).abs().max().item<float>(), 1e-5f * slow.abs().max().item<float>());

  // A second-version model (no transient low-pass) gains the filter and keeps its weights.
  torch::jit::Module second("LatentjamDrumModel");
  for (const auto& p : current.named_parameters(false))
    second.register_parameter(p.name, p.value.clone() - 0.125, false);
  for (const auto& b : current.named_buffers(false))
    if (b.name != "transient_lowpass") second.register_buffer(b.name, b.value.clone());
  for (const char* name : {"sr", "latent_size", "hit_length", "sine_count", "one_shot_frames"})
    second.register_attribute(name, c10::IntType::get(), current.attr(name));
  second.register_attribute("model_kind", c10::StringType::get(),
                            c10::IValue(std::string(lt::kDrumModelKindV2)));
  second.save((dir.path / "second.ts").string());
  auto second_up = lt::upgrade_model_file((dir.path / "second.ts").string(),
                                          (dir.path / "up2/model.ts").string());
  ASSERT_TRUE(second_up) << second_up.error();
  torch::jit::Module up2 = torch::jit::load(second_up.value());
  EXPECT_EQ(up2.attr("model_kind").toStringRef(), lt::kDrumModelKind);
  for (const auto& p : second.named_parameters(false))
    EXPECT_TRUE(torch::equal(up2.attr(p.name).toTensor(), p.value)) << p.name;
  EXPECT_TRUE(torch::equal(up2.attr("transient_lowpass").toTensor(),
                           current.attr("transient_lowpass").toTensor()));

  // Anything else is refused with the reason, and nothing is written.
  torch::jit::Module other("Other");
  other.define("def forward(self, x):\n    return x\n");
  other.save((dir.path / "other.ts").string());
  auto refused =
      lt::upgrade_model_file((dir.path / "other.ts").string(), (dir.path / "x/model.ts").string());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("not a latentjam drum model"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.path / "x/model.ts"));
}

TEST(Trainer, TheLatentIsWhitenedOverTheTrainingSounds) {
  TempDir dir;
  REQUIRE_KITS(kick_folder(dir.path, 5));
  auto model = lt::train_drum_model(quick(dir.path, dir.path / "out", 3), {});
  ASSERT_TRUE(model) << model.error();
  torch::jit::Module m = torch::jit::load(model.value());
  auto folder = lt::read_sound_folder(dir.path.string(), 48000.0, 32768);  // as the model reads
  ASSERT_TRUE(folder);
  at::Tensor x = torch::empty({5, 1, 32768});
  for (int i = 0; i < 5; ++i)
    std::copy(folder->hits[static_cast<std::size_t>(i)].samples.begin(),
              folder->hits[static_cast<std::size_t>(i)].samples.end(), x[i][0].data_ptr<float>());
  torch::NoGradGuard no_grad;
  const at::Tensor u = m.get_method("encode")({x}).toTensor();
  ASSERT_EQ(u.sizes(), (std::vector<std::int64_t>{5, 8, 1}));
  // The sounds' codes average to the origin, so a standard normal draw lands among them.
  EXPECT_LT(u.mean(0).abs().max().item<float>(), 1e-3f);
  // decode(encode(x)) is the reconstruction: whitening is undone exactly.
  const at::Tensor round = m.get_method("decode")({u}).toTensor().squeeze(1);
  const at::Tensor direct = m.get_method("reconstruct")({x.squeeze(1)}).toTensor();
  EXPECT_LT((round - direct).abs().max().item<float>(), 1e-3f);
}

// The model's prior (what the daemon's random button draws) stays near the sounds it was trained
// on: a kernel around each sound's code, not a standard normal that lands between them.
TEST(Trainer, ThePriorDrawsAroundTheTrainingSounds) {
  TempDir dir;
  const fs::path sounds = dir.path / "sounds";
  fs::create_directories(sounds);
  REQUIRE_KITS(kick_folder(sounds, 6));
  auto o = quick(sounds, dir.path / "out", 3);
  o.prior_bandwidth = 0.25;
  auto trained = lt::train_drum_model(o, {});
  ASSERT_TRUE(trained) << trained.error();
  torch::jit::Module m = torch::jit::load(trained.value());
  torch::NoGradGuard no_grad;
  auto folder = lt::read_sound_folder(sounds.string(), 48000.0, 32768);
  ASSERT_TRUE(folder);
  at::Tensor x = torch::empty({6, 1, 32768});
  for (int i = 0; i < 6; ++i)
    std::copy(folder->hits[static_cast<std::size_t>(i)].samples.begin(),
              folder->hits[static_cast<std::size_t>(i)].samples.end(), x[i][0].data_ptr<float>());
  // The kernel centres are the sounds' own codes, as encode() gives them.
  const at::Tensor codes = m.get_method("encode")({x}).toTensor().select(2, 0);
  const at::Tensor points = m.attr("prior_points").toTensor();
  ASSERT_EQ(points.sizes(), codes.sizes());
  EXPECT_LT((points - codes).abs().max().item<float>(), 1e-3f);
  EXPECT_FLOAT_EQ(m.attr("prior_bandwidth").toTensor().item<float>(), 0.25f);

  // Draws (the nn~ / RAVE prior method) sit about one kernel width from a sound's code, much
  // nearer than standard normal draws do.
  torch::manual_seed(5);
  const at::Tensor draws =
      m.get_method("prior")({torch::ones({400, 1, 1})}).toTensor().select(2, 0);
  ASSERT_EQ(draws.sizes(), (std::vector<std::int64_t>{400, 8}));
  const auto nearest = [&](const at::Tensor& d) {
    return torch::cdist(d, points).amin(1);  // [draws]
  };
  const at::Tensor from_prior = nearest(draws);
  const at::Tensor from_normal = nearest(torch::randn({400, 8}));
  EXPECT_LT(from_prior.max().item<float>(), 0.25f * 8.0f);  // sqrt(8) x 0.25 is typical
  EXPECT_LT(from_prior.median().item<float>(), 0.5f * from_normal.median().item<float>());
  // Temperature 0 is a sound's code itself.
  const at::Tensor cold = m.get_method("prior")({torch::zeros({3, 1, 1})}).toTensor().select(2, 0);
  EXPECT_LT(cold.abs().max().item<float>(), 1e-6f);

  // The daemon's decoder draws through it too, the same latent for the same seed.
  auto decoder = latentjam::models::load_torchscript_decoder(trained.value(), {});
  ASSERT_TRUE(decoder) << decoder.error();
  const auto a = decoder.value()->sample_prior(11), b = decoder.value()->sample_prior(11);
  EXPECT_EQ(a, b);
  const at::Tensor drawn = torch::tensor(std::vector<float>(a.begin(), a.end())).unsqueeze(0);
  EXPECT_LT(nearest(drawn).item<float>(), 0.25f * 8.0f);

  // Upgrading with the folder fits the same prior to a model that had none.
  auto up =
      lt::upgrade_model_file(trained.value(), (dir.path / "up.ts").string(), sounds.string(), 0.5);
  ASSERT_TRUE(up) << up.error();
  torch::jit::Module u = torch::jit::load(up.value());
  EXPECT_LT((u.attr("prior_points").toTensor() - codes).abs().max().item<float>(), 1e-3f);
  EXPECT_FLOAT_EQ(u.attr("prior_bandwidth").toTensor().item<float>(), 0.5f);
}

TEST(Trainer, CancelledWritesNoModelAndFineTuningNeedsADrumModel) {
  TempDir dir;
  REQUIRE_KITS(kick_folder(dir.path, 2));
  std::atomic<bool> cancel{true};
  lt::TrainCallbacks cb;
  cb.cancel = &cancel;
  auto cancelled = lt::train_drum_model(quick(dir.path, dir.path / "out", 5), cb);
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error(), "cancelled");
  EXPECT_FALSE(fs::exists(dir.path / "out" / "model.ts"));

  // Not a drum model: a plain TorchScript file is refused with the reason.
  torch::jit::Module other("Other");
  other.define("def forward(self, x):\n    return x\n");
  other.save((dir.path / "other.ts").string());
  auto o = quick(dir.path, dir.path / "out2", 2);
  o.from = (dir.path / "other.ts").string();
  auto refused = lt::train_drum_model(o, {});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("not a latentjam drum model"), std::string::npos);

  // A drum model fine-tunes, keeping its shape.
  auto base = lt::train_drum_model(quick(dir.path, dir.path / "base", 2), {});
  ASSERT_TRUE(base) << base.error();
  o.from = base.value();
  o.latent_size = 4;  // ignored: the shape comes from the model being tuned
  auto tuned = lt::train_drum_model(o, {});
  ASSERT_TRUE(tuned) << tuned.error();
  EXPECT_EQ(torch::jit::load(tuned.value()).attr("latent_size").toInt(), 8);
}

TEST(TrainerProgram, SpeaksTheProgressProtocolAndStopsOnSigterm) {
  TempDir dir;
  REQUIRE_KITS(kick_folder(dir.path, 2));
  const std::string common = dir.path.string() + " --batch 2 --threads 1 --augment 0 --draws 1 ";
  const ProgramRun ok = run_trainer(common + "--out " + (dir.path / "a").string() +
                                    " --steps 2 --no-pictures --progress-lines");
  EXPECT_EQ(ok.status, 0) << ok.out;
  std::istringstream lines(ok.out);
  std::string line, done_path;
  long last_step = 0;
  while (std::getline(lines, line)) {
    auto e = lt::parse_event(line);
    if (!e) continue;
    if (e->kind == lt::Event::Kind::Progress) last_step = e->progress.step;
    if (e->kind == lt::Event::Kind::Done) done_path = e->text;
  }
  EXPECT_EQ(last_step, 2);
  EXPECT_EQ(done_path, (dir.path / "a" / "model.ts").string());
  EXPECT_TRUE(fs::exists(done_path));
  EXPECT_FALSE(fs::exists(dir.path / "a" / "pictures"));

  const ProgramRun stopped = run_trainer(
      common + "--out " + (dir.path / "b").string() + " --steps 100000 --progress-lines",
      "progress ");
  EXPECT_EQ(stopped.status, 130) << stopped.out;
  EXPECT_NE(stopped.out.find("error cancelled"), std::string::npos) << stopped.out;
  EXPECT_FALSE(fs::exists(dir.path / "b" / "model.ts"));

  const ProgramRun bad = run_trainer(common + "--steps zero --out x");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.out.find("--steps needs"), std::string::npos) << bad.out;
  const ProgramRun no_out = run_trainer(dir.path.string());
  EXPECT_EQ(no_out.status, 2);
  EXPECT_NE(no_out.out.find("--out DIR is required"), std::string::npos) << no_out.out;
  const ProgramRun missing = run_trainer((dir.path / "nothing").string() + " --out " +
                                         (dir.path / "c").string() + " --progress-lines");
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.out.find("error no such folder"), std::string::npos) << missing.out;
}
