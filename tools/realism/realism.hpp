// The realism measure: how far generated drum hits are from real ones (issue 9, item 5).
//
// Real hits come from Debian packages (tests/data/real_drums.tsv, written by tools/fetch_drums.sh),
// split by kit into train and held-out kits. Every sound, real or generated, goes through the same
// path: mono at 48 kHz, trimmed at its onset, peak-normalised, described by a fixed vector of
// features (log-mel energies over four time segments plus spectral and envelope summaries). Two
// classifiers, both multinomial logistic regression on standardised features (Eigen, full-batch,
// deterministic):
//   - the type classifier, trained on the real train kits (kick/snare/hat). Its accuracy on the
//     held-out kits is the reference; the fraction of a voice's generated hits it labels as the
//     intended type is the voice's type accuracy.
//   - the discriminator, real held-out hits of a class against a voice's generated hits, k-fold
//     cross-validated with the real hits of one kit always in the same fold. Balanced accuracy:
//     50 % means indistinguishable, 100 % means every hit is told apart.
// See docs/realism.md.
#pragma once

#include <Eigen/Dense>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "latentjam/base/result.hpp"
#include "latentjam/models/decoder.hpp"

namespace latentjam::realism {

using models::AudioBuffer;

enum class DrumClass { Kick = 0, Snare = 1, Hat = 2 };
inline constexpr int kClassCount = 3;
std::string_view class_name(DrumClass c);
std::optional<DrumClass> parse_class(std::string_view name);

inline constexpr double kRate = 48000.0;
// Features look at this much of a hit after its onset.
inline constexpr std::size_t kWindow = 24000;  // 0.5 s
// Envelope measurements (decay) look at this much.
inline constexpr std::size_t kLongWindow = 72000;  // 1.5 s, the built-in one-shots' longest

// ---- Sounds --------------------------------------------------------------------------------

// A file as a one-shot: mono mixdown (libsndfile: WAV, FLAC, AIFF, ...), leading silence removed
// (everything before the first sample within 40 dB of the peak, less 1 ms), at most 1.6 s kept,
// resampled to 48 kHz.
Result<AudioBuffer> load_one_shot(const std::string& path);

// The first sample within 40 dB of the peak; 0 for silence.
std::size_t onset_index(std::span<const float> x);

// What a listener would note about a hit (at 48 kHz).
struct Descriptors {
  double centroid_hz = 0;   // energy-weighted spectral centroid of the first 0.5 s
  double attack_ms = 0;     // onset (-40 dB) to the peak sample
  double rise_ms = 0;       // onset (-40 dB) to the first sample at half the peak (-6 dB)
  double decay_s = 0;       // peak to the last 2 ms block above -40 dB, at most 1.5 s
  bool onset_step = false;  // rise_ms <= 0.3: the hit starts with a (near) full-level step
  // RMS of the first 0.5 s at equal peak (dB): how loud the hit sounds when every hit peaks at the
  // same level, as the engine plays them (a click is quiet, a boom loud).
  double loudness_db = 0;
};

// A hit ready for the classifiers.
struct Sound {
  std::vector<double> features;
  Descriptors descriptors;
};

// Audio at 48 kHz -> features and descriptors. Level does not matter (peak-normalised first).
Sound analyse(std::span<const float> audio);
std::size_t feature_count();
std::vector<std::string> feature_names();

Eigen::MatrixXd feature_matrix(std::span<const Sound> sounds);

// ---- Classifiers ---------------------------------------------------------------------------

struct ClassifierOptions {
  double l2 = 0.05;       // ridge penalty on the weights (features are standardised)
  int iterations = 1500;  // full-batch Nesterov gradient steps
  bool balanced = true;   // weight each class equally, whatever its count
};

// Multinomial logistic regression with standardised features. Deterministic.
class LogisticRegression {
 public:
  void fit(const Eigen::MatrixXd& x, std::span<const int> labels, int classes,
           const ClassifierOptions& options = {});
  Eigen::MatrixXd probabilities(const Eigen::MatrixXd& x) const;  // rows sum to 1
  std::vector<int> predict(const Eigen::MatrixXd& x) const;
  int classes() const { return static_cast<int>(weights_.cols()); }

 private:
  Eigen::RowVectorXd mean_, scale_;
  Eigen::MatrixXd weights_;  // (features + 1) x classes, the last row is the bias
};

// Mean of the per-class recalls (so 1/classes is chance whatever the class sizes).
double balanced_accuracy(std::span<const int> truth, std::span<const int> predicted, int classes);

// Cross-validated balanced accuracy of telling set a (label 0) from set b (label 1). Samples that
// share a group id (e.g. the hits of one kit) always land in the same fold; pass empty spans for
// one group per sample. Folds are stratified and seeded.
double discriminator_accuracy(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b,
                              std::span<const int> groups_a = {},
                              std::span<const int> groups_b = {}, int folds = 5,
                              std::uint64_t seed = 1, const ClassifierOptions& options = {});

// ---- Real drums ----------------------------------------------------------------------------

struct IndexEntry {
  std::string path;  // relative to the root (/usr/share)
  std::string kit;
  DrumClass cls = DrumClass::Kick;
  bool heldout = false;
  std::string licence;
};

// Reads tests/data/real_drums.tsv (comment lines start with '#'; one header line).
Result<std::vector<IndexEntry>> read_index(const std::string& tsv_path);

struct RealSet {
  std::vector<IndexEntry> entries;
  std::vector<Sound> sounds;  // one per entry
  std::vector<int> kit_ids;   // one per entry, an id per distinct kit
};

// Loads and analyses every hit of the index under root. Fails (with the first missing file named)
// when the packages are not installed.
Result<RealSet> load_real_set(const std::string& tsv_path, const std::string& root = "/usr/share");

// The type classifier: trained on the real set's train kits.
struct TypeModel {
  LogisticRegression classifier;
  double heldout_accuracy = 0;                       // balanced, over the held-out kits
  std::array<double, kClassCount> heldout_recall{};  // per class, over the held-out kits
};
TypeModel train_type_model(const RealSet& real, const ClassifierOptions& options = {});

// ---- Generated drums -----------------------------------------------------------------------

// Where generated hits come from. The extension point for new models: anything that can hand over
// a batch of one-shots at 48 kHz. decoder_source() wraps any models::Decoder (the built-ins, or a
// TorchScript decoder from latentjam_models_torch); folder_source() reads audio files rendered by
// anything else.
class SoundSource {
 public:
  virtual ~SoundSource() = default;
  virtual std::string name() const = 0;
  // `count` hits, drawn with seeds seed, seed + 1, ... where the source is random.
  virtual Result<std::vector<AudioBuffer>> draw(int count, std::uint64_t seed) const = 0;
};
std::unique_ptr<SoundSource> decoder_source(models::DecoderPtr decoder);
// Every audio file in the folder (sorted by name; at most `count` of them are used).
std::unique_ptr<SoundSource> folder_source(const std::string& folder);

struct VoiceReport {
  std::string voice;
  DrumClass cls = DrumClass::Kick;
  int real_count = 0;         // held-out real hits of the class
  int generated_count = 0;    // generated hits
  double type_real = 0;       // recall of the class on the held-out kits (the reference)
  double type_generated = 0;  // generated hits the type classifier labels as cls
  double discriminator = 0;   // cross-validated balanced accuracy, real held-out vs generated
  // The same discriminator between two sets of real kits (train vs held-out kits of the class):
  // how far apart real kits are; a generated voice near this is as real as another real kit.
  double real_reference = 0;
  Descriptors median_real, median_generated;  // medians over all real hits of the class
  double step_real = 0, step_generated = 0;   // fractions with an onset step
  // Coverage of the real range: the fraction of held-out real hits whose nearest generated hit (in
  // the standardised feature space) is no farther than their nearest real hit of the train kits.
  // A voice that draws the same few sounds leaves most real hits uncovered; the train kits would
  // cover about as well as another real kit.
  double coverage = 0;
  // 10th and 90th percentiles over the real hits of the class and over the generated hits:
  // whether the voice spans short and long, dark and bright, soft and loud hits as real kits do.
  Descriptors p10_real, p90_real, p10_generated, p90_generated;
  // What gives the voice away: the features that alone tell its hits from the held-out real ones
  // best (the same cross-validated discriminator on one feature), most telling first.
  struct Giveaway {
    std::string feature;
    double accuracy = 0;  // balanced, 50 % = this feature alone tells nothing
    double median_real = 0, median_generated = 0;  // in the feature's own units (see sound.cpp)
  };
  std::vector<Giveaway> giveaways;
};

Result<VoiceReport> evaluate_voice(const RealSet& real, const TypeModel& type_model,
                                   const SoundSource& source, DrumClass cls, int count,
                                   std::uint64_t seed = 0);

// The markdown table of the reports.
std::string markdown_table(std::span<const VoiceReport> reports, const TypeModel& type_model);
// A markdown table per voice of its `top` giveaways (realism_bench --explain).
std::string giveaway_tables(std::span<const VoiceReport> reports, int top);

}  // namespace latentjam::realism
