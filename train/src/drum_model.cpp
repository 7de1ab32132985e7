// The learned drum model: weights and fixed buffers in C++, methods in TorchScript.
#include "drum_model.hpp"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <vector>

#include "drum_model_source.hpp"

namespace latentjam::train {

namespace {

constexpr std::int64_t kFft = 1024;
constexpr std::int64_t kHop = 256;

double hz_to_mel(double hz) {
  return 2595.0 * std::log10(1.0 + hz / 700.0);
}
double mel_to_hz(double mel) {
  return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
}

// A linear-phase FIR low-pass for conv1d, [1, 1, taps]: a Blackman-windowed sinc, unit gain at
// DC. 95 taps: below -70 dB from about 1.4 kHz above the cutoff at 48 kHz.
at::Tensor lowpass_taps(double cutoff_hz, std::int64_t sample_rate) {
  constexpr std::int64_t kTaps = 95;
  at::Tensor taps = torch::zeros({1, 1, kTaps});
  auto a = taps.accessor<float, 3>();
  const double fc = cutoff_hz / static_cast<double>(sample_rate);
  double sum = 0.0;
  std::vector<double> h(kTaps);
  for (std::int64_t i = 0; i < kTaps; ++i) {
    const double x = static_cast<double>(i - kTaps / 2);
    const double sinc = x == 0.0 ? 2.0 * fc : std::sin(2.0 * M_PI * fc * x) / (M_PI * x);
    const double w = 0.42 - 0.5 * std::cos(2.0 * M_PI * static_cast<double>(i) / (kTaps - 1)) +
                     0.08 * std::cos(4.0 * M_PI * static_cast<double>(i) / (kTaps - 1));
    h[static_cast<std::size_t>(i)] = sinc * w;
    sum += sinc * w;
  }
  for (std::int64_t i = 0; i < kTaps; ++i) a[0][0][i] = static_cast<float>(h[std::size_t(i)] / sum);
  return taps;
}

// Knot times: 0, then log-spaced from 3 ms to the end of the hit, so the attack gets most of them.
std::vector<double> knot_times(const DrumModelShape& s) {
  const double end = static_cast<double>(s.hit_length) / static_cast<double>(s.sample_rate);
  std::vector<double> t(static_cast<std::size_t>(s.knots), 0.0);
  for (std::int64_t k = 1; k < s.knots; ++k) {
    const double a = static_cast<double>(k - 1) / static_cast<double>(s.knots - 2);
    t[static_cast<std::size_t>(k)] = 0.003 * std::pow(end / 0.003, a);
  }
  return t;
}

// Linear interpolation weights from points at `at` (ascending) to the positions `to`: [to, at].
at::Tensor interpolation(const std::vector<double>& at_points, const std::vector<double>& to) {
  at::Tensor w = torch::zeros(
      {static_cast<std::int64_t>(to.size()), static_cast<std::int64_t>(at_points.size())});
  auto a = w.accessor<float, 2>();
  for (std::size_t i = 0; i < to.size(); ++i) {
    const double x = to[i];
    if (x <= at_points.front()) {
      a[static_cast<std::int64_t>(i)][0] = 1.0f;
      continue;
    }
    if (x >= at_points.back()) {
      a[static_cast<std::int64_t>(i)][static_cast<std::int64_t>(at_points.size() - 1)] = 1.0f;
      continue;
    }
    std::size_t k = 1;
    while (at_points[k] < x) ++k;
    const double f = (x - at_points[k - 1]) / (at_points[k] - at_points[k - 1]);
    a[static_cast<std::int64_t>(i)][static_cast<std::int64_t>(k - 1)] = static_cast<float>(1.0 - f);
    a[static_cast<std::int64_t>(i)][static_cast<std::int64_t>(k)] = static_cast<float>(f);
  }
  return w;
}

at::Tensor he_normal(torch::Generator& g, std::int64_t in, std::int64_t out, double gain = 1.0) {
  return at::normal(0.0, gain * std::sqrt(2.0 / static_cast<double>(in)), {in, out}, g);
}

// Buffers derived from the others for the fast noise path (shaped_noise in the source): the
// noise's STFT, each frequency bin's two neighbouring bands with their weights, and the inverse of
// the windows' overlap. Recomputed when a model from an earlier trainer is upgraded.
void set_derived_buffers(torch::jit::Module& m, bool exists) {
  const at::Tensor noise = m.attr("noise").toTensor();
  const at::Tensor window = m.attr("window").toTensor();
  // Centred frames (reflect padding by half a window), as torch.stft(center=True) makes them.
  const at::Tensor centred = at::stft(noise, kFft, kHop, kFft, window, /*center=*/true, "reflect",
                                      /*normalized=*/false, /*onesided=*/true,
                                      /*return_complex=*/true);
  const at::Tensor band_to_bin = m.attr("band_to_bin").toTensor();  // [bands, bins]
  const std::int64_t bands = band_to_bin.size(0), bins = band_to_bin.size(1);
  at::Tensor lo = torch::zeros({bins}, at::kLong), hi = torch::zeros({bins}, at::kLong);
  at::Tensor weight = torch::zeros({bins, 1});
  auto w = band_to_bin.accessor<float, 2>();
  for (std::int64_t k = 0; k < bins; ++k) {
    std::int64_t first = 0;
    while (first < bands - 1 && w[first][k] == 0.0f) ++first;
    lo[k] = first;
    hi[k] = std::min(first + 1, bands - 1);
    weight[k][0] = hi[k].item<std::int64_t>() == first ? 1.0f : w[first][k];
  }
  const std::int64_t frames = centred.size(1);
  const std::int64_t hit = noise.size(0);
  // Overlap of the squared windows over the padded signal, cut like the synthesiser's output.
  at::Tensor overlap = torch::zeros({(frames + 3) * kHop});
  const at::Tensor square = window * window;
  for (std::int64_t f = 0; f < frames; ++f) overlap.narrow(0, f * kHop, kFft).add_(square);
  const at::Tensor inverse = 1.0 / overlap.narrow(0, kFft / 2, hit).clamp_min(1e-11);
  const auto set = [&m, exists](const char* name, const at::Tensor& t) {
    if (exists)
      m.setattr(name, t.contiguous());
    else
      m.register_buffer(name, t.contiguous());
  };
  set("noise_re", at::real(centred));
  set("noise_im", at::imag(centred));
  set("bin_band_lo", lo);
  set("bin_band_hi", hi);
  set("bin_weight_lo", weight);
  set("inverse_overlap", inverse);
}

}  // namespace

torch::jit::Module make_drum_model(const DrumModelShape& s, std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  auto g = at::make_generator<at::CPUGeneratorImpl>(seed);
  torch::jit::Module m("LatentjamDrumModel");

  const std::int64_t bins = kFft / 2 + 1;
  const std::int64_t frames = s.hit_length / kHop + 1;

  // Fixed buffers: the time and frequency grids, the noise source, the windows.
  std::vector<double> frame_times(static_cast<std::size_t>(frames));
  for (std::int64_t t = 0; t < frames; ++t)
    frame_times[static_cast<std::size_t>(t)] =
        static_cast<double>(t * kHop) / static_cast<double>(s.sample_rate);
  const at::Tensor knot_to_frame = interpolation(knot_times(s), frame_times);  // [T, K]
  at::Tensor time_pool = knot_to_frame.t().contiguous();                       // [K, T]
  time_pool = time_pool / time_pool.sum(1, true).clamp_min(1e-6);

  const double top = 0.95 * static_cast<double>(s.sample_rate) / 2.0;
  std::vector<double> centres(static_cast<std::size_t>(s.noise_bands));
  for (std::int64_t b = 0; b < s.noise_bands; ++b) {
    const double a = static_cast<double>(b) / static_cast<double>(s.noise_bands - 1);
    centres[static_cast<std::size_t>(b)] =
        mel_to_hz(hz_to_mel(30.0) + a * (hz_to_mel(top) - hz_to_mel(30.0)));
  }
  std::vector<double> bin_hz(static_cast<std::size_t>(bins));
  for (std::int64_t k = 0; k < bins; ++k)
    bin_hz[static_cast<std::size_t>(k)] =
        static_cast<double>(k) * static_cast<double>(s.sample_rate) / static_cast<double>(kFft);
  const at::Tensor band_to_bin = interpolation(centres, bin_hz).t().contiguous();  // [bands, bins]
  at::Tensor band_pool = band_to_bin.t().contiguous();                             // [bins, bands]
  band_pool = band_pool / band_pool.sum(0, true).clamp_min(1e-6);

  // White noise whose STFT magnitude is about 1 per bin (a Hann window of 1024 sums to 384 in
  // power), so the noise grid speaks directly in STFT magnitudes.
  const at::Tensor noise = at::normal(0.0, 1.0 / std::sqrt(384.0), {s.hit_length}, g);
  at::Tensor transient_window = torch::ones({s.transient_length});
  const std::int64_t fade = s.transient_length / 4;
  for (std::int64_t i = 0; i < fade; ++i) {
    transient_window[s.transient_length - fade + i] =
        0.5 * (1.0 + std::cos(M_PI * static_cast<double>(i + 1) / static_cast<double>(fade)));
  }

  // Octave bands of a 2048-point spectrum, each a triangle two octaves wide (centres 25 Hz to
  // 12.8 kHz), for the broad-band term of the loss.
  {
    const std::int64_t wide_bins = 2048 / 2 + 1;
    std::vector<double> octave_centres;
    for (double c = 25.0; c < 0.5 * static_cast<double>(s.sample_rate); c *= 2.0)
      octave_centres.push_back(c);
    at::Tensor pool = torch::zeros({wide_bins, static_cast<std::int64_t>(octave_centres.size())});
    for (std::int64_t k = 1; k < wide_bins; ++k) {
      const double octave =
          std::log2(static_cast<double>(k) * static_cast<double>(s.sample_rate) / 2048.0 / 25.0);
      for (std::size_t b = 0; b < octave_centres.size(); ++b) {
        const double w = 1.0 - std::abs(octave - static_cast<double>(b));
        if (w > 0) pool[k][static_cast<std::int64_t>(b)] = w;
      }
    }
    m.register_buffer("octave_pool", pool);
  }
  m.register_buffer("window", torch::hann_window(kFft));
  m.register_buffer("knot_to_frame", knot_to_frame);
  m.register_buffer("time_pool", time_pool);
  m.register_buffer("band_to_bin", band_to_bin);
  m.register_buffer("band_pool", band_pool);
  m.register_buffer("noise", noise);
  m.register_buffer("transient_window", transient_window);
  m.register_buffer("transient_lowpass", lowpass_taps(kTransientCutoffHz, s.sample_rate));
  set_derived_buffers(m, /*exists=*/false);
  m.register_buffer("latent_mean", torch::zeros({s.latent_size}));
  m.register_buffer("latent_scale", torch::eye(s.latent_size));
  m.register_buffer("latent_unscale", torch::eye(s.latent_size));
  // The nn~ / RAVE convention: [in channels, in ratio, out channels, out ratio].
  m.register_buffer("encode_params", torch::tensor({1L, 1L, s.latent_size, s.hit_length}));
  m.register_buffer("decode_params", torch::tensor({s.latent_size, s.hit_length, 1L, 1L}));
  m.register_buffer("prior_params", torch::tensor({1L, s.hit_length, s.latent_size, s.hit_length}));
  // The prior's kernel centres and width (see prior() in the source): until fit_prior(), one
  // centre at the origin and width 1, a standard normal draw.
  m.register_buffer("prior_points", torch::zeros({1, s.latent_size}));
  m.register_buffer("prior_bandwidth", torch::ones({}));

  const auto int_attr = [&m](const char* name, std::int64_t v) {
    m.register_attribute(name, c10::IntType::get(), c10::IValue(v));
  };
  int_attr("sr", s.sample_rate);
  int_attr("latent_size", s.latent_size);
  int_attr("hit_length", s.hit_length);
  int_attr("sine_count", s.sine_count);
  // A one-shot is one frame of the latent: the daemon decodes one hit, not one per frame.
  int_attr("one_shot_frames", 1);
  m.register_attribute("model_kind", c10::StringType::get(), c10::IValue(kDrumModelKind));

  const std::int64_t features = s.knots * s.noise_bands;
  const std::int64_t sine_outputs = s.sine_count * (3 + s.knots);
  const auto param = [&m](const char* name, at::Tensor t) { m.register_parameter(name, t, false); };
  param("enc_w1", he_normal(g, features, s.encoder_hidden));
  param("enc_b1", torch::zeros({s.encoder_hidden}));
  param("enc_w2", he_normal(g, s.encoder_hidden, 2 * s.latent_size, 0.1));
  param("enc_b2", torch::zeros({2 * s.latent_size}));
  param("dec_w1", he_normal(g, s.latent_size, s.hidden));
  param("dec_b1", torch::zeros({s.hidden}));
  param("dec_w2", he_normal(g, s.hidden, s.hidden));
  param("dec_b2", torch::zeros({s.hidden}));
  param("noise_w", he_normal(g, s.hidden, s.knots * s.noise_bands, 0.1));
  // Noise starts quiet and decaying, so the first steps do not fight a wall of noise.
  at::Tensor noise_b = torch::zeros({s.knots, s.noise_bands});
  for (std::int64_t k = 0; k < s.knots; ++k) noise_b[k].fill_(-1.0 - 0.3 * static_cast<double>(k));
  param("noise_b", noise_b.flatten());
  param("sine_w", he_normal(g, s.hidden, sine_outputs, 0.1));
  // Sines start spread over 40 Hz .. 1.3 kHz, gliding down an octave, quiet and decaying.
  at::Tensor sine_b = torch::zeros({s.sine_count, 3 + s.knots});
  for (std::int64_t p = 0; p < s.sine_count; ++p) {
    const double hz = 40.0 * std::pow(2.0, static_cast<double>(p));
    sine_b[p][0] = std::log(hz);
    sine_b[p][1] = std::log(std::exp(std::log(2.0)) - 1.0);  // softplus^-1(ln 2)
    sine_b[p][2] = 0.0;
    for (std::int64_t k = 0; k < s.knots; ++k)
      sine_b[p][3 + k] = -1.0 - 0.3 * static_cast<double>(k);
  }
  param("sine_b", sine_b.flatten());
  param("transient_w", he_normal(g, s.hidden, s.transient_length, 0.05));
  param("transient_b", torch::zeros({s.transient_length}));
  param("attack_w", he_normal(g, s.hidden, 1, 0.1));
  param("attack_b", torch::zeros({1}));  // a 1 ms rise to start with

  m.define(kDrumModelSource);
  return m;
}

Result<torch::jit::Module> load_drum_model(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return fail("no model file " + path);
  torch::jit::Module m;
  try {
    m = torch::jit::load(path, at::kCPU);
  } catch (const c10::Error& e) {
    std::string what = e.what_without_backtrace();
    return fail("not a TorchScript file: " + path + ": " + what.substr(0, what.find('\n')));
  }
  const std::string kind = m.hasattr("model_kind") && m.attr("model_kind").isString()
                               ? m.attr("model_kind").toStringRef()
                               : std::string();
  if (kind == kDrumModelKind) return m;
  if (kind == kDrumModelKindV1 || kind == kDrumModelKindV2) return upgrade_drum_model(m);
  return fail(path + " is not a latentjam drum model (" + kDrumModelKind +
              "); only those can be fine-tuned");
}

torch::jit::Module upgrade_drum_model(const torch::jit::Module& old) {
  torch::NoGradGuard no_grad;
  torch::jit::Module m = make_drum_model(shape_of(old), 0);
  // Every weight and every buffer the old model has (the noise source included: the sound stays
  // the same); then the buffers derived from them.
  for (const auto& p : old.named_parameters(/*recurse=*/false)) m.setattr(p.name, p.value.clone());
  for (const auto& b : old.named_buffers(/*recurse=*/false)) {
    if (m.hasattr(b.name)) m.setattr(b.name, b.value.clone());
  }
  set_derived_buffers(m, /*exists=*/true);
  return m;
}

DrumModelShape shape_of(const torch::jit::Module& m) {
  DrumModelShape s;
  s.sample_rate = m.attr("sr").toInt();
  s.latent_size = m.attr("latent_size").toInt();
  s.hit_length = m.attr("hit_length").toInt();
  s.sine_count = m.attr("sine_count").toInt();
  s.knots = m.attr("knot_to_frame").toTensor().size(1);
  s.noise_bands = m.attr("band_to_bin").toTensor().size(0);
  s.hidden = m.attr("dec_b1").toTensor().size(0);
  s.encoder_hidden = m.attr("enc_b1").toTensor().size(0);
  s.transient_length = m.attr("transient_window").toTensor().size(0);
  return s;
}

void fit_latent_whitening(torch::jit::Module& m, const at::Tensor& means) {
  torch::NoGradGuard no_grad;
  const at::Tensor x = means.to(at::kDouble);
  const std::int64_t n = x.size(0), d = x.size(1);
  const at::Tensor mean = x.mean(0);
  const at::Tensor centred = x - mean;
  at::Tensor cov = n > 1 ? centred.t().matmul(centred) / static_cast<double>(n - 1)
                         : torch::zeros({d, d}, at::kDouble);
  // Ridge: a tenth of the average variance (or a small constant), so a direction the sounds do not
  // use still moves a little and the scale stays invertible.
  const double ridge = std::max(0.1 * cov.diagonal().mean().item<double>(), 1e-3);
  cov = cov + ridge * torch::eye(d, at::kDouble);
  const at::Tensor scale = at::linalg_cholesky(cov);
  const at::Tensor unscale = at::linalg_inv(scale);
  m.setattr("latent_mean", mean.to(at::kFloat).contiguous());
  m.setattr("latent_scale", scale.to(at::kFloat).contiguous());
  m.setattr("latent_unscale", unscale.to(at::kFloat).contiguous());
}

void fit_prior(torch::jit::Module& m, const at::Tensor& means, double bandwidth) {
  torch::NoGradGuard no_grad;
  const at::Tensor mean = m.attr("latent_mean").toTensor();
  const at::Tensor unscale = m.attr("latent_unscale").toTensor();
  const at::Tensor points = torch::matmul(means.to(at::kFloat) - mean, unscale.t());
  m.setattr("prior_points", points.contiguous());
  m.setattr("prior_bandwidth", torch::tensor(static_cast<float>(bandwidth)));
}

std::vector<at::Tensor> trainable_parameters(torch::jit::Module& m) {
  std::vector<at::Tensor> out;
  for (const auto& p : m.named_parameters(/*recurse=*/false)) {
    at::Tensor t = p.value;
    t.set_requires_grad(true);
    out.push_back(t);
  }
  return out;
}

}  // namespace latentjam::train
