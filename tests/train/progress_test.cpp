// The trainer's progress lines: what the trainer writes, the daemon reads back.
#include "latentjam/train/progress.hpp"

#include <gtest/gtest.h>

namespace lt = latentjam::train;

TEST(TrainProgress, EveryEventSurvivesTheRoundTrip) {
  lt::Progress p{120, 1500, 7, 2.5, 1.25, 0.75, 12.5, 33.3, 400.0};
  const auto e = lt::parse_event(lt::format_progress(p));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, lt::Event::Kind::Progress);
  EXPECT_EQ(e->progress.step, 120);
  EXPECT_EQ(e->progress.steps, 1500);
  EXPECT_EQ(e->progress.epoch, 7);
  EXPECT_DOUBLE_EQ(e->progress.loss, 2.5);
  EXPECT_DOUBLE_EQ(e->progress.spectral, 1.25);
  EXPECT_DOUBLE_EQ(e->progress.envelope, 0.75);
  EXPECT_DOUBLE_EQ(e->progress.kl, 12.5);
  EXPECT_NEAR(e->progress.elapsed_s, 33.3, 1e-9);
  EXPECT_NEAR(e->progress.left_s, 400.0, 1e-9);

  const auto stage = lt::parse_event(lt::format_stage("training") + "\n");
  ASSERT_TRUE(stage);
  EXPECT_EQ(stage->kind, lt::Event::Kind::Stage);
  EXPECT_EQ(stage->text, "training");

  const auto done = lt::parse_event(lt::format_done("/a folder/with spaces/model.ts"));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->kind, lt::Event::Kind::Done);
  EXPECT_EQ(done->text, "/a folder/with spaces/model.ts");

  const auto error = lt::parse_event(lt::format_error("two\nlines"));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, lt::Event::Kind::Error);
  EXPECT_EQ(error->text, "two lines");
}

TEST(TrainProgress, OtherLinesAreNotEvents) {
  EXPECT_FALSE(lt::parse_event(""));
  EXPECT_FALSE(lt::parse_event("progress"));
  EXPECT_FALSE(lt::parse_event("progress step=abc steps=3"));
  EXPECT_FALSE(lt::parse_event("progress step=1"));  // too little to be a report
  EXPECT_FALSE(lt::parse_event("done"));
  EXPECT_FALSE(lt::parse_event("done path=/x"));
  EXPECT_FALSE(lt::parse_event("Warning: something from LibTorch"));
  // Fields added by a later trainer are skipped, not fatal.
  const auto e = lt::parse_event("progress step=2 steps=9 lr=0.001");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->progress.step, 2);
  EXPECT_EQ(e->progress.steps, 9);
}
