// The real set, the type classifier, the sources of generated hits and the per-voice report.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "realism.hpp"

namespace latentjam::realism {
namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

Descriptors median_descriptors(const std::vector<const Sound*>& sounds) {
  std::vector<double> c, a, r, d;
  for (const Sound* s : sounds) {
    c.push_back(s->descriptors.centroid_hz);
    a.push_back(s->descriptors.attack_ms);
    r.push_back(s->descriptors.rise_ms);
    d.push_back(s->descriptors.decay_s);
  }
  Descriptors out;
  out.centroid_hz = median(c);
  out.attack_ms = median(a);
  out.rise_ms = median(r);
  out.decay_s = median(d);
  out.onset_step = out.rise_ms <= 0.3;
  return out;
}

// The q-quantile (0..1) of each descriptor, by the nearest rank.
Descriptors quantile_descriptors(const std::vector<const Sound*>& sounds, double q) {
  Descriptors out;
  if (sounds.empty()) return out;
  const auto pick = [&](auto member) {
    std::vector<double> v;
    for (const Sound* s : sounds) v.push_back(s->descriptors.*member);
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * double(v.size())))];
  };
  out.centroid_hz = pick(&Descriptors::centroid_hz);
  out.attack_ms = pick(&Descriptors::attack_ms);
  out.rise_ms = pick(&Descriptors::rise_ms);
  out.decay_s = pick(&Descriptors::decay_s);
  out.loudness_db = pick(&Descriptors::loudness_db);
  return out;
}

// See VoiceReport::coverage. Features are standardised with the real hits' statistics.
double coverage(const Eigen::MatrixXd& heldout, const Eigen::MatrixXd& train,
                const Eigen::MatrixXd& generated) {
  if (heldout.rows() == 0 || train.rows() == 0 || generated.rows() == 0) return 0.0;
  Eigen::MatrixXd real(heldout.rows() + train.rows(), heldout.cols());
  real << heldout, train;
  const Eigen::RowVectorXd mean = real.colwise().mean();
  Eigen::RowVectorXd scale =
      ((real.rowwise() - mean).array().square().colwise().mean()).sqrt().matrix();
  for (Eigen::Index j = 0; j < scale.size(); ++j)
    if (scale(j) < 1e-9) scale(j) = 1.0;
  const auto standard = [&](const Eigen::MatrixXd& m) -> Eigen::MatrixXd {
    return (m.rowwise() - mean).array().rowwise() / scale.array();
  };
  const Eigen::MatrixXd h = standard(heldout), t = standard(train), g = standard(generated);
  const auto nearest = [](const Eigen::RowVectorXd& x, const Eigen::MatrixXd& set) {
    return (set.rowwise() - x).rowwise().squaredNorm().minCoeff();
  };
  int covered = 0;
  for (Eigen::Index i = 0; i < h.rows(); ++i)
    covered += nearest(h.row(i), g) <= nearest(h.row(i), t);
  return double(covered) / double(h.rows());
}

std::vector<VoiceReport::Giveaway> giveaways(const Eigen::MatrixXd& real,
                                             const Eigen::MatrixXd& generated,
                                             std::span<const int> real_kits) {
  const std::vector<std::string> names = feature_names();
  std::vector<VoiceReport::Giveaway> out;
  for (Eigen::Index j = 0; j < real.cols(); ++j) {
    const Eigen::VectorXd a = real.col(j), b = generated.col(j);
    VoiceReport::Giveaway g;
    g.feature = names[std::size_t(j)];
    g.accuracy = discriminator_accuracy(a, b, real_kits, {});
    g.median_real = median(std::vector<double>(a.data(), a.data() + a.size()));
    g.median_generated = median(std::vector<double>(b.data(), b.data() + b.size()));
    out.push_back(std::move(g));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& x, const auto& y) { return x.accuracy > y.accuracy; });
  return out;
}

double step_fraction(const std::vector<const Sound*>& sounds) {
  if (sounds.empty()) return 0.0;
  double n = 0;
  for (const Sound* s : sounds) n += s->descriptors.onset_step;
  return n / double(sounds.size());
}

class DecoderSource final : public SoundSource {
 public:
  explicit DecoderSource(models::DecoderPtr decoder) : decoder_(std::move(decoder)) {}
  std::string name() const override { return decoder_->info().name; }
  Result<std::vector<AudioBuffer>> draw(int count, std::uint64_t seed) const override {
    if (decoder_->info().kind != models::SoundKind::OneShot) {
      return fail(decoder_->info().name + " is not a one-shot decoder");
    }
    std::vector<models::Latent> batch;
    for (int i = 0; i < count; ++i) batch.push_back(decoder_->sample_prior(seed + i));
    models::RenderContext context;
    context.sample_rate = kRate;
    return decoder_->decode(batch, context);
  }

 private:
  models::DecoderPtr decoder_;
};

class FolderSource final : public SoundSource {
 public:
  explicit FolderSource(std::string folder) : folder_(std::move(folder)) {}
  std::string name() const override { return folder_; }
  Result<std::vector<AudioBuffer>> draw(int count, std::uint64_t) const override {
    std::error_code ec;
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(folder_, ec)) {
      // The error_code overload: a broken or looping link is skipped, not thrown.
      std::error_code entry_ec;
      if (e.is_regular_file(entry_ec)) files.push_back(e.path().string());
    }
    if (ec) return fail("cannot list " + folder_ + ": " + ec.message());
    std::sort(files.begin(), files.end());
    std::vector<AudioBuffer> out;
    for (const std::string& f : files) {
      if (int(out.size()) >= count) break;
      auto sound = load_one_shot(f);
      if (sound.ok()) out.push_back(std::move(sound.value()));
    }
    if (out.empty()) return fail("no readable audio files in " + folder_);
    return out;
  }

 private:
  std::string folder_;
};

}  // namespace

std::string_view class_name(DrumClass c) {
  switch (c) {
    case DrumClass::Kick:
      return "kick";
    case DrumClass::Snare:
      return "snare";
    case DrumClass::Hat:
      return "hat";
  }
  return "?";
}

std::optional<DrumClass> parse_class(std::string_view name) {
  for (DrumClass c : {DrumClass::Kick, DrumClass::Snare, DrumClass::Hat}) {
    if (class_name(c) == name) return c;
  }
  return std::nullopt;
}

Result<std::vector<IndexEntry>> read_index(const std::string& tsv_path) {
  std::ifstream in(tsv_path);
  if (!in) return fail("cannot read " + tsv_path);
  std::vector<IndexEntry> entries;
  std::string line;
  bool header = true;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string col; std::getline(ss, col, '\t');) cols.push_back(col);
    const auto cls = cols.size() >= 5 ? parse_class(cols[2]) : std::nullopt;
    if (!cls || (cols[3] != "train" && cols[3] != "heldout")) {
      return fail(tsv_path + ":" + std::to_string(number) +
                  ": expected path, kit, class, split, licence");
    }
    entries.push_back({cols[0], cols[1], *cls, cols[3] == "heldout", cols[4]});
  }
  if (entries.empty()) return fail(tsv_path + ": no entries");
  return entries;
}

Result<RealSet> load_real_set(const std::string& tsv_path, const std::string& root) {
  auto entries = read_index(tsv_path);
  if (!entries) return Error{entries.error()};
  RealSet set;
  std::map<std::string, int> kits;
  for (const IndexEntry& e : *entries) {
    const std::string path = root + "/" + e.path;
    auto audio = load_one_shot(path);
    if (!audio) return fail(audio.error() + " (tools/fetch_drums.sh installs the real drums)");
    set.sounds.push_back(analyse(*audio));
    set.kit_ids.push_back(kits.emplace(e.kit, int(kits.size())).first->second);
    set.entries.push_back(e);
  }
  return set;
}

TypeModel train_type_model(const RealSet& real, const ClassifierOptions& options) {
  std::vector<Sound> train, heldout;
  std::vector<int> train_labels, heldout_labels;
  for (std::size_t i = 0; i < real.entries.size(); ++i) {
    const int label = static_cast<int>(real.entries[i].cls);
    if (real.entries[i].heldout) {
      heldout.push_back(real.sounds[i]);
      heldout_labels.push_back(label);
    } else {
      train.push_back(real.sounds[i]);
      train_labels.push_back(label);
    }
  }
  TypeModel model;
  model.classifier.fit(feature_matrix(train), train_labels, kClassCount, options);
  const std::vector<int> predicted = model.classifier.predict(feature_matrix(heldout));
  model.heldout_accuracy = balanced_accuracy(heldout_labels, predicted, kClassCount);
  for (int c = 0; c < kClassCount; ++c) {
    int total = 0, right = 0;
    for (std::size_t i = 0; i < predicted.size(); ++i) {
      if (heldout_labels[i] != c) continue;
      ++total;
      right += predicted[i] == c;
    }
    model.heldout_recall[c] = total ? double(right) / total : 0.0;
  }
  return model;
}

std::unique_ptr<SoundSource> decoder_source(models::DecoderPtr decoder) {
  return std::make_unique<DecoderSource>(std::move(decoder));
}

std::unique_ptr<SoundSource> folder_source(const std::string& folder) {
  return std::make_unique<FolderSource>(folder);
}

Result<VoiceReport> evaluate_voice(const RealSet& real, const TypeModel& type_model,
                                   const SoundSource& source, DrumClass cls, int count,
                                   std::uint64_t seed) {
  auto audio = source.draw(count, seed);
  if (!audio) return Error{audio.error()};
  std::vector<Sound> generated;
  for (const AudioBuffer& a : *audio) generated.push_back(analyse(a));
  if (generated.empty()) return fail(source.name() + " gave no sounds");

  std::vector<Sound> heldout, train;
  std::vector<int> heldout_kits, train_kits;
  std::vector<const Sound*> all_real, all_generated;
  for (std::size_t i = 0; i < real.entries.size(); ++i) {
    if (real.entries[i].cls != cls) continue;
    all_real.push_back(&real.sounds[i]);
    if (real.entries[i].heldout) {
      heldout.push_back(real.sounds[i]);
      heldout_kits.push_back(real.kit_ids[i]);
    } else {
      train.push_back(real.sounds[i]);
      train_kits.push_back(real.kit_ids[i]);
    }
  }
  for (const Sound& s : generated) all_generated.push_back(&s);

  VoiceReport r;
  r.voice = source.name();
  r.cls = cls;
  r.real_count = int(heldout.size());
  r.generated_count = int(generated.size());
  r.type_real = type_model.heldout_recall[static_cast<int>(cls)];
  const Eigen::MatrixXd gen = feature_matrix(generated);
  const std::vector<int> predicted = type_model.classifier.predict(gen);
  r.type_generated = double(std::count(predicted.begin(), predicted.end(), static_cast<int>(cls))) /
                     double(predicted.size());
  r.discriminator = discriminator_accuracy(feature_matrix(heldout), gen, heldout_kits, {});
  r.real_reference = discriminator_accuracy(feature_matrix(heldout), feature_matrix(train),
                                            heldout_kits, train_kits);
  r.median_real = median_descriptors(all_real);
  r.median_generated = median_descriptors(all_generated);
  r.step_real = step_fraction(all_real);
  r.step_generated = step_fraction(all_generated);
  r.coverage = coverage(feature_matrix(heldout), feature_matrix(train), gen);
  r.p10_real = quantile_descriptors(all_real, 0.1);
  r.p90_real = quantile_descriptors(all_real, 0.9);
  r.p10_generated = quantile_descriptors(all_generated, 0.1);
  r.p90_generated = quantile_descriptors(all_generated, 0.9);
  r.giveaways = giveaways(feature_matrix(heldout), gen, heldout_kits);
  return r;
}

std::string markdown_table(std::span<const VoiceReport> reports, const TypeModel& type_model) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line,
                "Type classifier on the held-out real kits: %.1f %% (balanced; chance 33 %%).\n\n",
                100.0 * type_model.heldout_accuracy);
  out += line;
  out +=
      "| voice | class | real held-out / generated | type acc. real held-out | type acc. generated "
      "| "
      "real-vs-generated acc. (50 % = indistinguishable) | real-vs-real acc. (other kits) | "
      "centroid median real / gen (Hz) | "
      "decay -40 dB median real / gen (s) | attack median real / gen (ms) | onset step real / gen "
      "|\n";
  out += "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const VoiceReport& r : reports) {
    std::snprintf(
        line, sizeof line,
        "| %s | %s | %d / %d | %.0f %% | %.0f %% | %.0f %% | %.0f %% | %.0f / %.0f | %.2f / %.2f | "
        "%.1f / %.1f | %.0f %% / %.0f %% |\n",
        r.voice.c_str(), std::string(class_name(r.cls)).c_str(), r.real_count, r.generated_count,
        100.0 * r.type_real, 100.0 * r.type_generated, 100.0 * r.discriminator,
        100.0 * r.real_reference, r.median_real.centroid_hz, r.median_generated.centroid_hz,
        r.median_real.decay_s, r.median_generated.decay_s, r.median_real.attack_ms,
        r.median_generated.attack_ms, 100.0 * r.step_real, 100.0 * r.step_generated);
    out += line;
  }
  out +=
      "\n| voice | coverage of held-out real hits | centroid p10 to p90 real / gen (Hz) | decay "
      "p10 to p90 real / gen (s) | loudness at equal peak p10 to p90 real / gen (dB RMS) |\n"
      "|---|---|---|---|---|\n";
  for (const VoiceReport& r : reports) {
    std::snprintf(line, sizeof line,
                  "| %s | %.0f %% | %.0f to %.0f / %.0f to %.0f | %.2f to %.2f / %.2f to %.2f | "
                  "%.1f to %.1f / %.1f to %.1f |\n",
                  r.voice.c_str(), 100.0 * r.coverage, r.p10_real.centroid_hz,
                  r.p90_real.centroid_hz, r.p10_generated.centroid_hz, r.p90_generated.centroid_hz,
                  r.p10_real.decay_s, r.p90_real.decay_s, r.p10_generated.decay_s,
                  r.p90_generated.decay_s, r.p10_real.loudness_db, r.p90_real.loudness_db,
                  r.p10_generated.loudness_db, r.p90_generated.loudness_db);
    out += line;
  }
  return out;
}

std::string giveaway_tables(std::span<const VoiceReport> reports, int top) {
  std::string out;
  char line[512];
  for (const VoiceReport& r : reports) {
    std::snprintf(line, sizeof line,
                  "%s (%s): told from real by all features %.0f %%; by one feature alone:\n\n"
                  "| feature | accuracy alone | median real | median generated |\n"
                  "|---|---:|---:|---:|\n",
                  r.voice.c_str(), std::string(class_name(r.cls)).c_str(), 100.0 * r.discriminator);
    out += line;
    for (int i = 0; i < top && i < int(r.giveaways.size()); ++i) {
      const auto& g = r.giveaways[std::size_t(i)];
      std::snprintf(line, sizeof line, "| %s | %.0f %% | %.3g | %.3g |\n", g.feature.c_str(),
                    100.0 * g.accuracy, g.median_real, g.median_generated);
      out += line;
    }
    out += "\n";
  }
  return out;
}

}  // namespace latentjam::realism
