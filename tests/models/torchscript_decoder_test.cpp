// TorchScript decoders with modules written at test time by Debian's python3-torch
// (tools/make_test_models.py), the same 1.13 line as the LibTorch we link.
#include "latentjam/models/torchscript_decoder.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "audio_features.hpp"

namespace latentjam::models {
namespace {

namespace fs = std::filesystem;

class TorchScriptDecoderTest : public ::testing::Test {
 protected:
  // ctest runs every test in its own process, and python3 takes seconds to import torch, so the
  // modules are made once per version of the script, in the build tree: written to a private
  // folder, then renamed into place, which is atomic when tests run in parallel.
  static void SetUpTestSuite() {
    const fs::path script = LATENTJAM_SOURCE_DIR "/tools/make_test_models.py";
    std::error_code ec;
    const auto stamp = std::to_string(fs::file_size(script, ec)) + "-" +
                       std::to_string(static_cast<std::uint64_t>(
                           fs::last_write_time(script, ec).time_since_epoch().count()));
    dir_ = new fs::path(fs::path(LATENTJAM_BINARY_DIR) / ("test_models-" + stamp));
    if (fs::exists(*dir_ / "bad_params.ts")) {
      made_ = true;
      return;
    }
    if (std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0) {
      delete dir_;
      dir_ = nullptr;
      return;
    }
    const fs::path scratch = dir_->string() + ".tmp" + std::to_string(::getpid());
    const std::string command =
        "/usr/bin/python3 " + script.string() + " " + scratch.string() + " >/dev/null 2>&1";
    made_ = std::system(command.c_str()) == 0;
    fs::rename(scratch, *dir_, ec);
    if (ec) fs::remove_all(scratch, ec);  // another test process was first: use its files
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!dir_) GTEST_SKIP() << "/usr/bin/python3 cannot import torch";
    ASSERT_TRUE(made_) << "tools/make_test_models.py failed";
  }
  static std::string model(const char* name) { return (*dir_ / name).string(); }
  static TorchLoadOptions cpu() {
    TorchLoadOptions o;
    o.prefer_cuda = false;
    return o;
  }

  static inline fs::path* dir_ = nullptr;
  static inline bool made_ = false;
};

TEST_F(TorchScriptDecoderTest, RaveLikeModuleLoadsAndDecodes) {
  auto loaded = load_torchscript_decoder(model("rave_like.ts"), cpu());
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  const DecoderPtr d = loaded.value();
  EXPECT_EQ(d->info().latent_size, 8u);
  EXPECT_EQ(d->info().kind, SoundKind::OneShot);
  EXPECT_EQ(d->info().device, "cpu");
  EXPECT_TRUE(d->info().prefers_batches);

  std::vector<Latent> batch = {d->sample_prior(1), d->sample_prior(2), d->sample_prior(3)};
  auto audio = d->decode(batch, {48000.0, 120.0});
  ASSERT_TRUE(audio.ok()) << audio.error();
  ASSERT_EQ(audio->size(), 3u);
  for (const AudioBuffer& a : audio.value()) {
    // One second of model audio (ceil(44100 / 256) frames of 256 samples), trimmed and resampled
    // from 44.1 to 48 kHz: at most 173 * 256 * 48000 / 44100 samples.
    EXPECT_GT(a.size(), 24000u);
    EXPECT_LE(a.size(), 48300u);
    EXPECT_NEAR(testing::peak(a), 0.891f, 0.01f);
    EXPECT_EQ(a.back(), 0.0f);
  }
  EXPECT_NE(audio->at(0), audio->at(1));
}

TEST_F(TorchScriptDecoderTest, RavePriorIsTheModelsAndSeeded) {
  auto d = load_torchscript_decoder(model("rave_like.ts"), cpu());
  ASSERT_TRUE(d.ok()) << d.error();
  const Latent a = d.value()->sample_prior(11), b = d.value()->sample_prior(11);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, d.value()->sample_prior(12));
  EXPECT_EQ(a.size(), 8u);
}

TEST_F(TorchScriptDecoderTest, DecodingIsDeterministic) {
  auto d = load_torchscript_decoder(model("plain.ts"), cpu());
  ASSERT_TRUE(d.ok()) << d.error();
  const Latent z = d.value()->sample_prior(4);
  auto x = d.value()->decode({&z, 1}, {});
  std::vector<AudioBuffer> y;
  std::thread other([&] { y = d.value()->decode({&z, 1}, {}).value(); });
  other.join();
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x.value(), y);
}

#if defined(__SSE__)
TEST_F(TorchScriptDecoderTest, DecodesWithDenormalsFlushedWhateverTheCallersMode) {
  auto d = load_torchscript_decoder(model("denormal.ts"), cpu());
  ASSERT_TRUE(d.ok()) << d.error();
  constexpr unsigned kFtzDaz = 0x8040;
  const Latent z(4, 0.0f);
  const unsigned before = _mm_getcsr();
  ASSERT_EQ(before & kFtzDaz, 0u) << "the test expects the default mode";
  auto plain = d.value()->decode({&z, 1}, {});
  EXPECT_EQ(_mm_getcsr(), before) << "decode changed the caller's mode";
  _mm_setcsr(before | kFtzDaz);
  auto flushed = d.value()->decode({&z, 1}, {});
  _mm_setcsr(before);
  ASSERT_TRUE(plain.ok() && flushed.ok());
  // The model's 1 kHz partial is scaled by a denormal product: it is there only if the decode
  // computed denormals, so the two decodes are the same exactly when decode() flushes itself.
  EXPECT_EQ(plain->front(), flushed->front());
  // And it is the pure 440 Hz sound (the two partials together centre near 720 Hz).
  EXPECT_LT(testing::spectral_centroid(plain->front(), 48000.0), 550.0);
}
#endif

TEST_F(TorchScriptDecoderTest, PlainModuleIsResampledToTheEngineRate) {
  auto d = load_torchscript_decoder(model("plain.ts"), cpu());
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(d.value()->info().latent_size, 16u);
  const Latent z = d.value()->sample_prior(1);
  // 22050 samples at 22050 Hz is one second: at most 48000 samples at 48 kHz after trimming.
  auto a = d.value()->decode({&z, 1}, {48000.0, 120.0});
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_GT(a->front().size(), 20000u);
  EXPECT_LE(a->front().size(), 48000u);
}

TEST_F(TorchScriptDecoderTest, LatentSizeIsInferredWithoutAnAttribute) {
  auto d = load_torchscript_decoder(model("plain_no_size.ts"), cpu());
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(d.value()->info().latent_size, 32u);
}

TEST_F(TorchScriptDecoderTest, LoopsAreFittedToTheTempo) {
  TorchLoadOptions options = cpu();
  options.kind = SoundKind::Loop;
  options.loop_beats = 4.0;
  for (const char* name : {"rave_like.ts", "plain.ts"}) {
    auto d = load_torchscript_decoder(model(name), options);
    ASSERT_TRUE(d.ok()) << d.error();
    EXPECT_EQ(d.value()->info().kind, SoundKind::Loop);
    const Latent z = d.value()->sample_prior(2);
    for (double tempo : {90.0, 140.0}) {
      auto a = d.value()->decode({&z, 1}, {48000.0, tempo});
      ASSERT_TRUE(a.ok()) << a.error();
      EXPECT_EQ(a->front().size(), static_cast<std::size_t>(std::llround(4 * 60.0 / tempo * 48000)))
          << name;
    }
  }
}

TEST_F(TorchScriptDecoderTest, WrongLatentSizeIsAnError) {
  auto d = load_torchscript_decoder(model("plain.ts"), cpu());
  ASSERT_TRUE(d.ok());
  const Latent z(5, 0.0f);
  auto a = d.value()->decode({&z, 1}, {});
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().find("expected 16"), std::string::npos) << a.error();
}

void expect_load_error(const std::string& path, const std::string& reason) {
  TorchLoadOptions o;
  o.prefer_cuda = false;
  auto d = load_torchscript_decoder(path, o);
  ASSERT_FALSE(d.ok()) << path;
  EXPECT_NE(d.error().find(reason), std::string::npos) << d.error();
}

TEST_F(TorchScriptDecoderTest, BadFilesAreErrorsWithReasons) {
  expect_load_error(model("does_not_exist.ts"), "no such file");
  expect_load_error(model("corrupt.ts"), "not a TorchScript file");
  expect_load_error(model("wrong_shape.ts"), "output has shape [1, 2, 3, 4]");
  expect_load_error(model("no_methods.ts"), "neither a decode method");
  expect_load_error(model("nan_output.ts"), "NaN");
  expect_load_error((*dir_).string(), "is a folder, not a model file");
  // A FIFO is refused at once (opening it would wait for a writer that never comes).
  const std::string fifo = (*dir_ / "pipe.ts").string();
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_load_error(fifo, "not a regular file");
  ::unlink(fifo.c_str());
}

TEST_F(TorchScriptDecoderTest, BadDecodeParamsAreAnError) {
  expect_load_error(model("bad_params.ts"), "decode_params has shape [3], expected 4 values");
}

TEST_F(TorchScriptDecoderTest, CudaIsUsedOnlyWhenAvailable) {
  TorchLoadOptions o;
  o.prefer_cuda = true;
  auto d = load_torchscript_decoder(model("rave_like.ts"), o);
  ASSERT_TRUE(d.ok()) << d.error();
  const std::string device = d.value()->info().device;
  EXPECT_TRUE(device == "cpu" || device == "cuda") << device;
  const Latent z = d.value()->sample_prior(1);
  EXPECT_TRUE(d.value()->decode({&z, 1}, {}).ok());
}

}  // namespace
}  // namespace latentjam::models
