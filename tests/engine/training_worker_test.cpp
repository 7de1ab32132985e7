// The training worker's evaluation queue (issue 11): bounded, so a client repeating /jam/evaluate
// cannot grow it (or the wait at shutdown) without limit. The worker is held busy by an evaluation
// whose `done` blocks, so nothing here depends on timing.
#include "latentjam/engine/training_worker.hpp"

#include <gtest/gtest.h>

#include <future>

namespace latentjam::engine {
namespace {

std::vector<mappings::Example> two_examples() {
  return {{1, "a", {1.0f, 0.0f}, {1.0f, 0.0f}, 0}, {2, "b", {0.0f, 1.0f}, {0.0f, 1.0f}, 0}};
}

TEST(TrainingWorker, EvaluationsWaitingAreBounded) {
  std::promise<void> entered, release;
  auto released = release.get_future().share();
  std::atomic<int> done_calls{0};
  {
    TrainingWorker worker([](TrainingResult&&) {});
    EvaluationRequest busy;
    busy.examples = two_examples();
    busy.done = [&](Result<std::vector<mappings::ExampleError>> errors,
                    std::vector<mappings::Conflict>) {
      EXPECT_TRUE(errors.ok());
      entered.set_value();
      released.wait();  // holds the worker thread
    };
    ASSERT_TRUE(worker.evaluate(std::move(busy)));
    entered.get_future().wait();
    // The worker is busy: the queue takes kMaxWaitingEvaluations, then refuses.
    for (std::size_t i = 0; i < TrainingWorker::kMaxWaitingEvaluations; ++i) {
      EvaluationRequest r;
      r.examples = two_examples();
      r.done = [&](auto, auto) { ++done_calls; };
      EXPECT_TRUE(worker.evaluate(std::move(r))) << i;
    }
    EvaluationRequest refused;
    refused.examples = two_examples();
    bool refused_called = false;
    refused.done = [&](auto, auto) { refused_called = true; };
    EXPECT_FALSE(worker.evaluate(std::move(refused)));
    EXPECT_FALSE(refused_called);
    release.set_value();  // the worker runs on; whatever still waits at destruction is dropped
  }
}

}  // namespace
}  // namespace latentjam::engine
