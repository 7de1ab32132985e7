// TorchScript decoders: the only file of models/ that sees LibTorch, so that nothing else pays its
// compile time. Conventions and options are described in torchscript_decoder.hpp.
#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/script.h>
#include <torch/utils.h>
#include <torch/version.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <sstream>

#include "builtin_common.hpp"
#include "latentjam/models/flush_denormals.hpp"
#include "latentjam/models/post_process.hpp"
#include "latentjam/models/resampler.hpp"
#include "latentjam/models/time_stretch.hpp"
#include "latentjam/models/torchscript_decoder.hpp"

namespace latentjam::models {

namespace {

enum class Convention { Rave, Plain };

constexpr std::array<std::int64_t, 8> kLatentSizeGuesses = {128, 512, 256, 100, 64, 32, 16, 8};
constexpr double kDefaultModelRate = 44100.0;

std::string shape_of(const at::Tensor& t) {
  std::ostringstream s;
  s << "[";
  for (std::int64_t d = 0; d < t.dim(); ++d) s << (d ? ", " : "") << t.size(d);
  s << "]";
  return s.str();
}

// LibTorch's messages carry a C++ backtrace and, for script errors, the whole TorchScript source;
// the first line is what a performer can act on.
std::string first_line(const char* what) {
  std::string s(what);
  const auto end = s.find('\n');
  return end == std::string::npos ? s : s.substr(0, end);
}

std::optional<double> number_attribute(const torch::jit::Module& m, const char* name) {
  if (!m.hasattr(name)) return std::nullopt;
  const c10::IValue v = m.attr(name);
  if (v.isInt()) return static_cast<double>(v.toInt());
  if (v.isDouble()) return v.toDouble();
  return std::nullopt;
}

// The `<method>_params` buffer of the nn~ convention: four integers.
Result<std::array<std::int64_t, 4>> method_params(const torch::jit::Module& m,
                                                  const std::string& method) {
  const std::string name = method + "_params";
  for (const auto& buffer : m.named_buffers(/*recurse=*/false)) {
    if (buffer.name != name) continue;
    const at::Tensor t = buffer.value.to(at::kCPU).to(at::kLong).flatten();
    if (t.numel() != 4) {
      return fail(name + " has shape " + shape_of(buffer.value) + ", expected 4 values");
    }
    std::array<std::int64_t, 4> p{};
    for (int i = 0; i < 4; ++i) p[i] = t[i].item<std::int64_t>();
    return p;
  }
  return fail("the module has a " + method + " method but no " + name + " buffer");
}

// [batch, samples] or [batch, channels, samples] -> [batch, samples] on the CPU, mixed to mono.
Result<at::Tensor> mono_output(const c10::IValue& value, std::int64_t batch) {
  if (!value.isTensor()) return fail("the model returned a " + value.tagKind() + ", not a tensor");
  at::Tensor out = value.toTensor();
  const std::string expected = ", expected [batch, samples] or [batch, channels, samples]";
  if (out.dim() == 3) {
    out = out.mean(1);
  } else if (out.dim() != 2) {
    return fail("output has shape " + shape_of(out) + expected);
  }
  if (out.size(0) != batch || out.size(1) == 0) {
    return fail("output has shape " + shape_of(value.toTensor()) + " for a batch of " +
                std::to_string(batch) + expected);
  }
  return out.to(at::kCPU, at::kFloat).contiguous();
}

// Why `path` cannot be read as a model file, in words a performer can act on; nullopt when it can.
std::optional<std::string> unreadable(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found) return "no such file: " + path;
  if (ec) return "cannot read " + path + ": " + ec.message();  // e.g. a folder on the way denied
  if (st.type() == fs::file_type::directory) return path + " is a folder, not a model file";
  if (st.type() != fs::file_type::regular)
    return path + " is not a regular file (a FIFO, socket or device), not a model file";
  if (::access(path.c_str(), R_OK) != 0) return "cannot read " + path + ": " + std::strerror(errno);
  return std::nullopt;
}

struct Layout {
  Convention convention = Convention::Plain;
  std::int64_t latent_size = 0;
  std::int64_t ratio = 1;  // RAVE: samples per latent frame
  double model_rate = kDefaultModelRate;
  bool has_prior = false;
  std::int64_t prior_inputs = 1;
  // A model whose one latent frame is a whole hit (latentjam's trainer writes one_shot_frames = 1)
  // is decoded for that many frames; otherwise for one_shot_seconds.
  std::int64_t one_shot_frames = 0;
};

class TorchScriptDecoder final : public Decoder {
 public:
  TorchScriptDecoder(torch::jit::Module module, Layout layout, DecoderInfo info,
                     const TorchLoadOptions& options, at::Device device)
      : module_(std::move(module)),
        layout_(layout),
        info_(std::move(info)),
        options_(options),
        device_(device) {}

  const DecoderInfo& info() const override { return info_; }

  Latent sample_prior(std::uint64_t seed) const override {
    if (layout_.has_prior) {
      if (auto z = model_prior(seed)) return *z;
    }
    return synth::standard_normal_latent(info_.latent_size, seed);
  }

  Result<std::vector<AudioBuffer>> decode(std::span<const Latent> batch,
                                          const RenderContext& context) const override {
    try {
      if (auto status = synth::check_request(batch, info_.latent_size, context); !status) {
        return fail(status.error());
      }
      if (batch.empty()) return std::vector<AudioBuffer>{};
      const auto rows = run(batch, context);
      if (!rows) return fail(rows.error());
      return finish(rows.value(), context);
    } catch (const c10::Error& e) {
      return fail("TorchScript decode failed: " + first_line(e.what_without_backtrace()));
    } catch (const std::exception& e) {
      return fail(std::string("TorchScript decode failed: ") + first_line(e.what()));
    }
  }

 private:
  double loop_seconds(const RenderContext& context) const {
    return info_.loop_beats * 60.0 / context.tempo_bpm;
  }

  // Runs the module; returns [batch, samples] at the model's rate.
  Result<at::Tensor> run(std::span<const Latent> batch, const RenderContext& context) const {
    const auto b = static_cast<std::int64_t>(batch.size());
    at::Tensor z = torch::empty({b, layout_.latent_size}, at::kFloat);
    for (std::int64_t i = 0; i < b; ++i) {
      std::copy(batch[i].begin(), batch[i].end(), z[i].data_ptr<float>());
    }
    // One decode at a time per model: LibTorch would run them concurrently, but on this 2-core
    // machine they would only fight each other (and the audio thread) for the cores.
    std::lock_guard lock(mutex_);
    c10::InferenceMode inference;
    const ScopedFlushDenormals flush;  // a model's decays reach the denormal range too
    z = z.to(device_);
    if (layout_.convention == Convention::Plain) {
      return mono_output(module_.forward({z}), b);
    }
    const double seconds =
        info_.kind == SoundKind::Loop ? loop_seconds(context) : options_.one_shot_seconds;
    const auto frames = info_.kind == SoundKind::OneShot && layout_.one_shot_frames > 0
                            ? layout_.one_shot_frames
                            : std::max<std::int64_t>(
                                  1, static_cast<std::int64_t>(
                                         std::ceil(seconds * layout_.model_rate / layout_.ratio)));
    // A static latent held for every frame: the sound of that point of the latent space.
    const at::Tensor held = z.unsqueeze(2).expand({b, layout_.latent_size, frames}).contiguous();
    return mono_output(module_.get_method("decode")({held}), b);
  }

  Result<std::vector<AudioBuffer>> finish(const at::Tensor& rows,
                                          const RenderContext& context) const {
    std::vector<AudioBuffer> out;
    for (std::int64_t i = 0; i < rows.size(0); ++i) {
      const float* data = rows[i].data_ptr<float>();
      std::span<const float> samples(data, static_cast<std::size_t>(rows.size(1)));
      AudioBuffer audio;
      PostProcessOptions post;
      post.sample_rate = context.sample_rate;
      if (info_.kind == SoundKind::Loop) {
        // RAVE renders as many samples as a bar needs at the model's rate; a plain model renders
        // its own fixed length, which is time-stretched (same pitch) to the bar at the session
        // tempo. Then the bar is converted to the engine's rate.
        const auto needed = std::max<std::size_t>(
            static_cast<std::size_t>(std::llround(loop_seconds(context) * layout_.model_rate)), 1);
        AudioBuffer stretched;
        if (layout_.convention == Convention::Rave) {
          samples = samples.first(std::min(samples.size(), needed));
        } else if (samples.size() != needed) {
          stretched = stretch_to_length(samples, needed, layout_.model_rate);
          samples = stretched;
        }
        const auto bar =
            static_cast<std::size_t>(std::llround(loop_seconds(context) * context.sample_rate));
        audio = resample_to_length(samples, bar, /*periodic=*/true);
        post.loop = true;
      } else {
        audio = resample(samples, layout_.model_rate, context.sample_rate);
      }
      if (auto status = post_process(audio, post); !status) {
        return fail(info_.name + ": " + status.error());
      }
      out.push_back(std::move(audio));
    }
    return out;
  }

  std::optional<Latent> model_prior(std::uint64_t seed) const {
    try {
      std::lock_guard lock(mutex_);
      c10::InferenceMode inference;
      // The prior samples with torch's global generator; seeding it under our lock makes the same
      // seed give the same latent.
      torch::manual_seed(seed);
      const at::Tensor temperature = torch::ones({1, layout_.prior_inputs, 1}, device_);
      const c10::IValue v = module_.get_method("prior")({temperature});
      if (!v.isTensor()) return std::nullopt;
      at::Tensor t = v.toTensor().to(at::kCPU, at::kFloat);
      if (t.dim() == 3) t = t.select(2, 0);  // [1, latent, frames]: the first frame
      if (t.dim() != 2 || t.size(0) != 1 || t.size(1) != layout_.latent_size) return std::nullopt;
      t = t.contiguous();
      Latent z(t.data_ptr<float>(), t.data_ptr<float>() + layout_.latent_size);
      for (float v2 : z) {
        if (!std::isfinite(v2)) return std::nullopt;
      }
      return z;
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

  mutable torch::jit::Module module_;
  Layout layout_;
  DecoderInfo info_;
  TorchLoadOptions options_;
  at::Device device_;
  mutable std::mutex mutex_;
};

Result<Layout> read_layout(torch::jit::Module& module, const TorchLoadOptions& options,
                           at::Device device) {
  Layout layout;
  const auto rate = number_attribute(module, "sr") ? number_attribute(module, "sr")
                                                   : number_attribute(module, "sampling_rate");
  layout.model_rate =
      rate ? *rate : (options.sample_rate_hint > 0 ? options.sample_rate_hint : kDefaultModelRate);
  if (!(layout.model_rate >= 4000.0 && layout.model_rate <= 384000.0)) {
    return fail("the model's sample rate " + std::to_string(layout.model_rate) +
                " Hz is outside 4000..384000 Hz");
  }

  if (module.find_method("decode")) {
    layout.convention = Convention::Rave;
    const auto params = method_params(module, "decode");
    if (!params) return fail(params.error());
    layout.latent_size = params.value()[0];
    layout.ratio = params.value()[1];
    if (layout.latent_size <= 0 || layout.ratio <= 0) {
      return fail("decode_params gives latent channels " + std::to_string(layout.latent_size) +
                  " and ratio " + std::to_string(layout.ratio) + "; both must be positive");
    }
    if (const auto frames = number_attribute(module, "one_shot_frames")) {
      layout.one_shot_frames = std::clamp<std::int64_t>(static_cast<std::int64_t>(*frames), 0, 64);
    }
    if (module.find_method("prior")) {
      layout.has_prior = true;
      if (const auto prior = method_params(module, "prior")) layout.prior_inputs = prior.value()[0];
    }
    return layout;
  }

  if (!module.find_method("forward")) {
    return fail("the module has neither a decode method (RAVE / nn~) nor a forward method");
  }
  layout.convention = Convention::Plain;
  if (const auto size = number_attribute(module, "latent_size")) {
    layout.latent_size = static_cast<std::int64_t>(*size);
    if (layout.latent_size <= 0) return fail("latent_size attribute must be positive");
    return layout;
  }
  c10::InferenceMode inference;
  for (std::int64_t guess : kLatentSizeGuesses) {
    try {
      const c10::IValue out = module.forward({torch::zeros({1, guess}, device)});
      if (mono_output(out, 1)) {
        layout.latent_size = guess;
        return layout;
      }
    } catch (const std::exception&) {
      // The wrong size: try the next.
    }
  }
  return fail(
      "the module has no latent_size attribute and forward accepted none of the sizes "
      "128, 512, 256, 100, 64, 32, 16, 8; add an integer latent_size attribute");
}

}  // namespace

Result<DecoderPtr> load_torchscript_decoder(const std::string& path,
                                            const TorchLoadOptions& options) {
  // LibTorch would otherwise start one intra-op thread per core; on a 2-core machine the audio and
  // conductor threads need theirs, and small decoders gain little from splitting. The worker pool
  // gives parallelism across voices instead.
  static std::once_flag threads_once;
  std::call_once(threads_once, [] { at::set_num_threads(1); });

  if (auto why = unreadable(path)) return fail(*why);
  try {
    const bool cuda = options.prefer_cuda && torch::cuda::is_available();
    const at::Device device = cuda ? at::Device(at::kCUDA) : at::Device(at::kCPU);
    torch::jit::Module module;
    try {
      module = torch::jit::load(path, device);
    } catch (const c10::Error& e) {
      return fail("not a TorchScript file (or exported by a newer torch than LibTorch " +
                  std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) +
                  "): " + path + ": " + first_line(e.what_without_backtrace()));
    }
    module.eval();
    auto layout = read_layout(module, options, device);
    if (!layout) return fail(path + ": " + layout.error());

    DecoderInfo info;
    info.name = path;
    info.latent_size = static_cast<std::size_t>(layout->latent_size);
    info.kind = options.kind.value_or(SoundKind::OneShot);
    info.loop_beats = info.kind == SoundKind::Loop ? options.loop_beats : 0.0;
    info.device = cuda ? "cuda" : "cpu";
    info.prefers_batches = true;
    if (info.kind == SoundKind::Loop && !(info.loop_beats > 0.0)) {
      return fail("loop_beats must be positive for a loop model");
    }
    auto decoder = std::make_shared<TorchScriptDecoder>(std::move(module), layout.value(), info,
                                                        options, device);

    // The warm-up: the first run of a TorchScript module optimises its graph (and on CUDA loads
    // kernels), which must not happen on the first note; it also proves the output is audio.
    const Latent z = decoder->sample_prior(0);
    auto warm = decoder->decode({&z, 1}, RenderContext{});
    if (!warm) return fail(path + ": warm-up decode failed: " + warm.error());
    return DecoderPtr(std::move(decoder));
  } catch (const c10::Error& e) {
    return fail(path + ": " + first_line(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    return fail(path + ": " + first_line(e.what()));
  }
}

}  // namespace latentjam::models
