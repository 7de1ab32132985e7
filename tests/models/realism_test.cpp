// The realism measure (tools/realism) is sound: its classifiers learn what they should, its
// discriminator separates what differs and not what does not, and its type classifier knows real
// kicks, snares and hats from kits it never saw. Nothing here says the built-in synthesisers are
// realistic: realism_bench reports that (BENCHMARKS.md, docs/realism.md).
//
// The tests on real drums need tools/fetch_drums.sh (sonic-pi-samples, hydrogen-drumkits); without
// them they skip, unless CI=true, where they fail. LATENTJAM_DRUMS_ROOT moves /usr/share.
#include "realism.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "latentjam/models/decoder.hpp"

namespace latentjam::realism {
namespace {

const std::string kIndex = std::string(LATENTJAM_SOURCE_DIR) + "/tests/data/real_drums.tsv";

Eigen::MatrixXd gaussian(int rows, int cols, double shift, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> n(0.0, 1.0);
  Eigen::MatrixXd m(rows, cols);
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < cols; ++j) m(i, j) = n(rng) + (j < 3 ? shift : 0.0);
  }
  return m;
}

std::vector<float> decaying(double hz, double noise, double seconds, double attack_ms) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> x(static_cast<std::size_t>(seconds * kRate));
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double t = double(i) / kRate;
    const double env = std::min(1.0, 1000.0 * t / std::max(attack_ms, 1e-9)) * std::exp(-t / 0.08);
    x[i] =
        static_cast<float>(env * ((1.0 - noise) * std::sin(2.0 * M_PI * hz * t) + noise * u(rng)));
  }
  return x;
}

TEST(RealismClassifier, LearnsThreeSeparatedClasses) {
  Eigen::MatrixXd x(300, 10);
  std::vector<int> labels;
  for (int c = 0; c < 3; ++c) {
    Eigen::MatrixXd block = gaussian(100, 10, 0.0, 10 + c);
    block.col(c).array() += 4.0;
    x.middleRows(100 * c, 100) = block;
    labels.insert(labels.end(), 100, c);
  }
  LogisticRegression model;
  model.fit(x, labels, 3);
  EXPECT_EQ(model.classes(), 3);
  EXPECT_GE(balanced_accuracy(labels, model.predict(x), 3), 0.95);
  const Eigen::MatrixXd p = model.probabilities(x.topRows(5));
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(p.row(i).sum(), 1.0, 1e-9);

  LogisticRegression again;
  again.fit(x, labels, 3);
  EXPECT_EQ(again.probabilities(x), model.probabilities(x)) << "deterministic";
}

TEST(RealismClassifier, BalancedAccuracyIsTheMeanRecall) {
  const std::vector<int> truth = {0, 0, 0, 0, 1}, predicted = {0, 0, 0, 0, 0};
  EXPECT_DOUBLE_EQ(balanced_accuracy(truth, predicted, 2), 0.5);  // plain accuracy would be 0.8
}

TEST(RealismDiscriminator, ChanceForOneDistributionAndHighForTwo) {
  const Eigen::MatrixXd a = gaussian(120, 20, 0.0, 1), same = gaussian(120, 20, 0.0, 2);
  const Eigen::MatrixXd other = gaussian(80, 20, 3.0, 3);
  const double chance = discriminator_accuracy(a, same);
  EXPECT_GT(chance, 0.35);
  EXPECT_LT(chance, 0.65);
  EXPECT_GT(discriminator_accuracy(a, other), 0.95);
  EXPECT_EQ(discriminator_accuracy(a, other), discriminator_accuracy(a, other)) << "seeded";
}

TEST(RealismDiscriminator, GroupsStayInOneFold) {
  // Each group of set a has its own tell-tale feature (group g: feature g is raised). Folds that
  // split a group leak the tell into training and separate the sets; folds that keep groups whole
  // show the classifier tells it never trained on, and it falls back towards chance.
  constexpr int kGroups = 10, kPerGroup = 10, kDims = kGroups + 5;
  Eigen::MatrixXd a = gaussian(kGroups * kPerGroup, kDims, 0.0, 4);
  std::vector<int> groups;
  for (int i = 0; i < kGroups * kPerGroup; ++i) {
    a(i, i / kPerGroup) += 12.0;
    groups.push_back(i / kPerGroup);
  }
  const Eigen::MatrixXd b = gaussian(kGroups * kPerGroup, kDims, 0.0, 5);
  EXPECT_GT(discriminator_accuracy(a, b), 0.9);
  EXPECT_LT(discriminator_accuracy(a, b, groups, {}), 0.75);
}

TEST(RealismFeatures, DescribeWhatAListenerHears) {
  const Sound low = analyse(decaying(60.0, 0.0, 0.6, 8.0));
  const Sound bright = analyse(decaying(0.0, 1.0, 0.6, 0.0));
  EXPECT_EQ(low.features.size(), feature_count());
  EXPECT_EQ(feature_names().size(), feature_count());
  EXPECT_LT(low.descriptors.centroid_hz, 200.0);
  EXPECT_GT(bright.descriptors.centroid_hz, 4000.0);
  EXPECT_FALSE(low.descriptors.onset_step);
  EXPECT_TRUE(bright.descriptors.onset_step);
  EXPECT_GT(low.descriptors.attack_ms, 3.0);
  EXPECT_NEAR(low.descriptors.decay_s, 0.08 * std::log(100.0) + 0.008, 0.06);

  // Level and leading silence do not matter.
  std::vector<float> loud(480, 0.0f), quiet(4800, 0.0f);
  for (float v : decaying(60.0, 0.0, 0.6, 8.0)) {
    loud.push_back(v);
    quiet.push_back(0.1f * v);
  }
  const Sound a = analyse(loud), b = analyse(quiet);
  for (std::size_t i = 0; i < feature_count(); ++i) {
    EXPECT_NEAR(a.features[i], b.features[i], 1e-3) << feature_names()[i];
  }
}

TEST(RealismFeatures, LoadsAStereoFileAsAMonoOneShotAt48k) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("realism_test_" + std::to_string(::getpid()) + ".wav"))
                               .string();
  SF_INFO info{};
  info.samplerate = 44100;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  std::vector<float> frames(2 * 44100 * 3, 0.0f);  // 3 s: 0.5 s of silence, then a hit
  for (std::size_t i = 22050; i < 44100 * 3; ++i) {
    const double t = double(i - 22050) / 44100.0;
    frames[2 * i] = frames[2 * i + 1] =
        static_cast<float>(0.5 * std::exp(-t / 0.2) * std::sin(2.0 * M_PI * 100.0 * t + 1.0));
  }
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr);
  sf_writef_float(f, frames.data(), 44100 * 3);
  sf_close(f);
  auto sound = load_one_shot(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(sound.ok()) << sound.error();
  EXPECT_NEAR(double(sound->size()), 1.6 * kRate, 0.002 * kRate) << "cut at 1.6 s";
  EXPECT_LE(onset_index(*sound), std::size_t(0.0015 * kRate)) << "leading silence trimmed";

  EXPECT_FALSE(load_one_shot("/nonexistent/kick.wav").ok());
}

TEST(RealismIndex, SplitsByKitWithEveryClassOnBothSides) {
  auto index = read_index(kIndex);
  ASSERT_TRUE(index.ok()) << index.error();
  EXPECT_GE(index->size(), 200u);
  std::map<std::string, bool> kit_split;
  std::set<std::pair<bool, DrumClass>> seen;
  std::set<std::string> paths;
  for (const IndexEntry& e : *index) {
    const auto [it, fresh] = kit_split.emplace(e.kit, e.heldout);
    EXPECT_EQ(it->second, e.heldout) << e.kit << " is on both sides of the split";
    seen.insert({e.heldout, e.cls});
    EXPECT_TRUE(paths.insert(e.path).second) << e.path << " listed twice";
    EXPECT_FALSE(e.licence.empty()) << e.path;
  }
  EXPECT_EQ(seen.size(), 6u) << "kick, snare and hat in train and held-out kits";
}

// The real drums, loaded once for the tests that need them.
class RealDrums : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* root = std::getenv("LATENTJAM_DRUMS_ROOT");
    auto set = load_real_set(kIndex, root ? root : "/usr/share");
    if (set.ok()) {
      real_ = new RealSet(std::move(set.value()));
    } else {
      why_ = set.error();
    }
  }
  static void TearDownTestSuite() {
    delete real_;
    real_ = nullptr;
  }
  void SetUp() override {
    if (real_) return;
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") {
      FAIL() << why_;
    } else {
      GTEST_SKIP() << "no real drums (" << why_ << ")";
    }
  }
  static Eigen::MatrixXd of_class(DrumClass cls, std::vector<int>* kits = nullptr) {
    std::vector<Sound> sounds;
    for (std::size_t i = 0; i < real_->entries.size(); ++i) {
      if (real_->entries[i].cls != cls) continue;
      sounds.push_back(real_->sounds[i]);
      if (kits) kits->push_back(real_->kit_ids[i]);
    }
    return feature_matrix(sounds);
  }
  static RealSet* real_;
  static std::string why_;
};
RealSet* RealDrums::real_ = nullptr;
std::string RealDrums::why_;

TEST_F(RealDrums, TypeClassifierKnowsKitsItNeverSaw) {
  const TypeModel model = train_type_model(*real_);
  std::printf("type classifier on held-out kits: %.3f (kick %.3f, snare %.3f, hat %.3f)\n",
              model.heldout_accuracy, model.heldout_recall[0], model.heldout_recall[1],
              model.heldout_recall[2]);
  EXPECT_GE(model.heldout_accuracy, 0.80);
  for (int c = 0; c < kClassCount; ++c) {
    EXPECT_GE(model.heldout_recall[c], 0.65) << class_name(DrumClass(c));
  }
}

TEST_F(RealDrums, DiscriminatorSeparatesKicksFromHats) {
  std::vector<int> kick_kits, hat_kits;
  const Eigen::MatrixXd kicks = of_class(DrumClass::Kick, &kick_kits);
  const Eigen::MatrixXd hats = of_class(DrumClass::Hat, &hat_kits);
  const double accuracy = discriminator_accuracy(kicks, hats, kick_kits, hat_kits);
  std::printf("real kicks vs real hats: %.3f\n", accuracy);
  EXPECT_GE(accuracy, 0.95);
}

TEST_F(RealDrums, DiscriminatorIsNearChanceForTwoHalvesOfTheRealSet) {
  // Alternate hits of the index (sorted by path: each kit and class is split evenly).
  std::vector<Sound> even, odd;
  std::vector<int> even_kits, odd_kits;
  for (std::size_t i = 0; i < real_->sounds.size(); ++i) {
    (i % 2 ? odd : even).push_back(real_->sounds[i]);
    (i % 2 ? odd_kits : even_kits).push_back(real_->kit_ids[i]);
  }
  const double all = discriminator_accuracy(feature_matrix(even), feature_matrix(odd));
  const double grouped =
      discriminator_accuracy(feature_matrix(even), feature_matrix(odd), even_kits, odd_kits);
  std::printf("two halves of the real set: %.3f, with kits kept in one fold: %.3f\n", all, grouped);
  EXPECT_GT(all, 0.35);
  EXPECT_LT(all, 0.65);
  EXPECT_GT(grouped, 0.35);
  EXPECT_LT(grouped, 0.65);
}

TEST_F(RealDrums, ReportsTheBuiltInVoicesWithoutJudgingThem) {
  const TypeModel model = train_type_model(*real_);
  std::vector<VoiceReport> reports;
  for (DrumClass cls : {DrumClass::Kick, DrumClass::Snare, DrumClass::Hat}) {
    const auto source = decoder_source(models::make_builtin_decoder(class_name(cls)));
    auto r = evaluate_voice(*real_, model, *source, cls, 24);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->generated_count, 24);
    EXPECT_GT(r->real_count, 10);
    for (double v :
         {r->type_real, r->type_generated, r->discriminator, r->step_real, r->step_generated}) {
      EXPECT_GE(v, 0.0);
      EXPECT_LE(v, 1.0);
    }
    EXPECT_GT(r->median_real.centroid_hz, 0.0);
    EXPECT_GT(r->median_generated.centroid_hz, 0.0);
    reports.push_back(std::move(r.value()));
  }
  const std::string table = markdown_table(reports, model);
  EXPECT_NE(table.find("| kick | kick |"), std::string::npos) << table;
  EXPECT_NE(table.find("| hat | hat |"), std::string::npos) << table;

  const auto loop = decoder_source(models::make_builtin_decoder("loop"));
  EXPECT_FALSE(evaluate_voice(*real_, model, *loop, DrumClass::Kick, 4).ok()) << "not a one-shot";
}

// Hits handed over as they are: real train-kit hits standing in for a voice.
class HitsSource final : public latentjam::realism::SoundSource {
 public:
  HitsSource(std::string name, std::vector<latentjam::models::AudioBuffer> hits)
      : name_(std::move(name)), hits_(std::move(hits)) {}
  std::string name() const override { return name_; }
  latentjam::Result<std::vector<latentjam::models::AudioBuffer>> draw(
      int count, std::uint64_t) const override {
    std::vector<latentjam::models::AudioBuffer> out(
        hits_.begin(), hits_.begin() + std::min<std::size_t>(hits_.size(), count));
    return out;
  }

 private:
  std::string name_;
  std::vector<latentjam::models::AudioBuffer> hits_;
};

// Coverage and spread (issue 9, item 5): the train kits' own snares cover the held-out snares far
// better than one of them repeated, and only the varied set spans a range of decays and loudness.
TEST_F(RealDrums, CoverageAndSpreadTellAVariedVoiceFromOneRepeatedHit) {
  // Every second train-kit snare: real variety, but not the very hits coverage compares against.
  std::vector<latentjam::models::AudioBuffer> varied;
  int n = 0;
  for (const auto& e : real_->entries) {
    if (e.cls != DrumClass::Snare || e.heldout || n++ % 2) continue;
    auto hit = load_one_shot("/usr/share/" + e.path);
    ASSERT_TRUE(hit.ok()) << hit.error();
    varied.push_back(std::move(hit.value()));
  }
  ASSERT_GE(varied.size(), 20u);
  const std::vector<latentjam::models::AudioBuffer> repeated(varied.size(), varied[3]);
  const TypeModel model = train_type_model(*real_);
  auto a = evaluate_voice(*real_, model, HitsSource("train kits", varied), DrumClass::Snare,
                          static_cast<int>(varied.size()));
  auto b = evaluate_voice(*real_, model, HitsSource("one hit", repeated), DrumClass::Snare,
                          static_cast<int>(repeated.size()));
  ASSERT_TRUE(a.ok() && b.ok());
  std::printf("coverage of held-out snares: train kits %.2f, one hit repeated %.2f\n", a->coverage,
              b->coverage);
  EXPECT_GT(a->coverage, 0.3);
  EXPECT_LT(b->coverage, 0.1);
  EXPECT_GT(a->p90_generated.decay_s - a->p10_generated.decay_s, 0.05);
  EXPECT_GT(a->p90_generated.loudness_db - a->p10_generated.loudness_db, 2.0);
  EXPECT_DOUBLE_EQ(b->p90_generated.decay_s, b->p10_generated.decay_s);
  EXPECT_DOUBLE_EQ(b->p90_generated.loudness_db, b->p10_generated.loudness_db);
  const std::vector<VoiceReport> both = {*a, *b};
  EXPECT_NE(markdown_table(both, model).find("coverage of held-out real hits"), std::string::npos);
}

// realism_bench --explain: the features that alone tell a voice from real hits, most telling first.
// Real train-kit kicks with a bright click added (the learned kick's flaw before the attack loss)
// are given away by high-band energy in the first 21 ms; the same kicks without it are not.
TEST_F(RealDrums, GiveawaysNameTheFeatureThatSetsAVoiceApart) {
  std::vector<latentjam::models::AudioBuffer> plain, clicked;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> noise(-1.0f, 1.0f);
  for (const auto& e : real_->entries) {
    if (e.cls != DrumClass::Kick || e.heldout) continue;
    auto hit = load_one_shot("/usr/share/" + e.path);
    ASSERT_TRUE(hit.ok()) << hit.error();
    plain.push_back(hit.value());
    float peak = 0.0f;
    for (float v : *hit) peak = std::max(peak, std::abs(v));
    // 3 ms of white noise at a third of the peak, from the onset (1 ms into the trimmed hit).
    for (std::size_t i = 48; i < 192 && i < hit->size(); ++i) (*hit)[i] += 0.3f * peak * noise(rng);
    clicked.push_back(std::move(hit.value()));
  }
  ASSERT_GE(plain.size(), 20u);
  const TypeModel model = train_type_model(*real_);
  const int n = static_cast<int>(plain.size());
  auto a = evaluate_voice(*real_, model, HitsSource("train kicks", plain), DrumClass::Kick, n);
  auto b = evaluate_voice(*real_, model, HitsSource("clicked", clicked), DrumClass::Kick, n);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(b->giveaways.size(), feature_count());
  for (std::size_t i = 1; i < b->giveaways.size(); ++i) {
    EXPECT_GE(b->giveaways[i - 1].accuracy, b->giveaways[i].accuracy) << "most telling first";
  }
  const auto& top = b->giveaways.front();
  std::printf("clicked kicks' top giveaway: %s, %.2f alone (all features %.2f)\n",
              top.feature.c_str(), top.accuracy, b->discriminator);
  EXPECT_NE(top.feature.find(" 0-21 ms"), std::string::npos) << top.feature;
  EXPECT_GT(std::atof(top.feature.c_str() + top.feature.find(' ') + 1), 4000.0) << top.feature;
  EXPECT_GT(top.median_generated, top.median_real) << "more energy than real kicks, not less";
  EXPECT_GE(top.accuracy, 0.9);
  for (const auto& g : a->giveaways) {
    if (g.feature != top.feature) continue;
    std::printf("the same feature on the plain kicks: %.2f\n", g.accuracy);
    EXPECT_LT(g.accuracy, top.accuracy - 0.15);
  }
  const std::vector<VoiceReport> both = {*a, *b};
  EXPECT_NE(giveaway_tables(both, 3).find(top.feature), std::string::npos);
}

// A folder of renders with a broken link in it: the link is skipped, not thrown.
TEST(RealismFolder, SkipsALinkThatLeadsNowhere) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("latentjam-realism-links-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::create_symlink(dir / "loop", dir / "loop");  // a link to itself
  auto none = folder_source(dir.string())->draw(4, 0);
  EXPECT_FALSE(none.ok());
  EXPECT_NE(none.error().find("no readable audio files"), std::string::npos) << none.error();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace latentjam::realism
