#include "sound_folder.hpp"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "latentjam/models/resampler.hpp"

namespace latentjam::train {

namespace fs = std::filesystem;

namespace {

bool is_audio_file(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext == ".wav" || ext == ".flac" || ext == ".aif" || ext == ".aiff" || ext == ".ogg";
}

Result<std::vector<float>> read_mono(const fs::path& path, double& rate) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (!file) return fail(sf_strerror(nullptr));
  if (info.frames <= 0 || info.channels <= 0) {
    sf_close(file);
    return fail("no audio in it");
  }
  // Drums longer than 10 s are not one-shots; reading only the start bounds the memory.
  const sf_count_t frames = std::min<sf_count_t>(info.frames, 10 * info.samplerate);
  std::vector<float> interleaved(static_cast<std::size_t>(frames * info.channels));
  const sf_count_t got = sf_readf_float(file, interleaved.data(), frames);
  sf_close(file);
  std::vector<float> mono(static_cast<std::size_t>(std::max<sf_count_t>(got, 0)));
  for (std::size_t i = 0; i < mono.size(); ++i) {
    double sum = 0.0;
    for (int c = 0; c < info.channels; ++c) sum += interleaved[i * info.channels + c];
    mono[i] = static_cast<float>(sum / info.channels);
  }
  rate = info.samplerate;
  return mono;
}

// Trim at the onset, cut or pad to one hit, peak-normalise; fails for silence.
Result<std::vector<float>> shape_hit(const std::vector<float>& x, double sample_rate,
                                     std::size_t hit_length) {
  float peak = 0.0f;
  for (float v : x) peak = std::max(peak, std::abs(v));
  if (!(peak > 1e-5f)) return fail("silent");
  const std::size_t start = onset_start(x, sample_rate);
  std::vector<float> hit(hit_length, 0.0f);
  const std::size_t n = std::min(hit_length, x.size() - start);
  for (std::size_t i = 0; i < n; ++i) hit[i] = x[start + i] / peak;
  // A sound cut at the end of the hit fades over its last 10 ms rather than stopping with a click.
  if (x.size() - start > hit_length) {
    const std::size_t fade = static_cast<std::size_t>(0.01 * sample_rate);
    for (std::size_t i = 0; i < fade; ++i)
      hit[hit_length - 1 - i] *= static_cast<float>(i) / static_cast<float>(fade);
  }
  return hit;
}

}  // namespace

std::size_t onset_start(const std::vector<float>& x, double sample_rate) {
  float peak = 0.0f;
  for (float v : x) peak = std::max(peak, std::abs(v));
  const float threshold = peak * 0.01f;  // -40 dB
  std::size_t onset = 0;
  while (onset < x.size() && std::abs(x[onset]) < threshold) ++onset;
  const auto lead = static_cast<std::size_t>(0.001 * sample_rate);
  return onset > lead ? onset - lead : 0;
}

Result<FolderReport> read_sound_folder(const std::string& folder, double sample_rate,
                                       std::size_t hit_length) {
  std::error_code ec;
  if (!fs::exists(folder, ec)) return fail("no such folder: " + folder);
  if (!fs::is_directory(folder, ec)) return fail("not a folder: " + folder);
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
  if (ec) return fail("cannot read " + folder + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return fail("cannot read " + folder + ": " + ec.message());
    if (it->is_regular_file(ec) && is_audio_file(it->path())) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());

  FolderReport report;
  for (const fs::path& path : files) {
    // Lexically: fs::relative would follow a linked file to wherever it points.
    const std::string name = path.lexically_relative(folder).string();
    double rate = 0.0;
    auto audio = read_mono(path, rate);
    if (!audio) {
      report.skipped.push_back(name + ": " + audio.error());
      continue;
    }
    std::vector<float> at_rate = rate == sample_rate
                                     ? std::move(audio.value())
                                     : models::resample(audio.value(), rate, sample_rate);
    auto hit = shape_hit(at_rate, sample_rate, hit_length);
    if (!hit) {
      report.skipped.push_back(name + ": " + hit.error());
      continue;
    }
    const fs::path parent = fs::path(name).parent_path();
    report.hits.push_back({name, parent.string(), std::move(hit.value())});
  }
  if (report.hits.size() < 2) {
    return fail(folder + " has " + std::to_string(report.hits.size()) +
                " usable sound(s) (WAV, FLAC, AIFF or OGG); at least 2 are needed" +
                (report.skipped.empty() ? "" : "; skipped " + report.skipped.front()));
  }
  return report;
}

std::vector<Hit> augment_pitch(const std::vector<Hit>& hits, double semitones, double sample_rate,
                               std::size_t hit_length) {
  std::vector<Hit> out;
  for (const Hit& h : hits) {
    for (double sign : {-1.0, 1.0}) {
      const double ratio = std::pow(2.0, sign * semitones / 12.0);
      // Playing `ratio` times faster: the same samples squeezed into 1/ratio of the length.
      const auto length = static_cast<std::size_t>(std::llround(h.samples.size() / ratio));
      auto pitched = models::resample_to_length(h.samples, length);
      auto hit = shape_hit(pitched, sample_rate, hit_length);
      if (hit) out.push_back({h.name, h.group, std::move(hit.value())});
    }
  }
  return out;
}

}  // namespace latentjam::train
