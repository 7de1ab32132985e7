// Worker threads that turn latents into sounds and hand them to the mixer by pointer.
// Latest wins per voice: at most one decode in flight and one pending; a newer request replaces
// the pending one, so a slider moving at 1 kHz never queues 1000 decodes. Pending requests of
// several voices that share a batching decoder are decoded in one batch.
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "latentjam/engine/mixer.hpp"
#include "latentjam/models/decoder.hpp"

namespace latentjam::engine {

struct RenderJob {
  int voice = 0;
  std::uint64_t sound_id = 0;
  models::Latent latent;
  models::DecoderPtr decoder;
  models::RenderContext context;
  std::int64_t requested_ns = 0;  // steady-clock time the command arrived, for latency stats
};

struct RenderStats {
  std::uint64_t submitted = 0;
  std::uint64_t decoded = 0;     // jobs decoded and handed to the mixer
  std::uint64_t superseded = 0;  // pending jobs replaced by a newer one before they started
  std::uint64_t failed = 0;      // decoder errors
  std::uint64_t dropped = 0;     // mixer inbox full
  std::uint64_t batches = 0;     // decode calls (< decoded when batching happened)
};

class RenderPipeline {
 public:
  RenderPipeline(Mixer& mixer, int threads);
  ~RenderPipeline();
  RenderPipeline(const RenderPipeline&) = delete;
  RenderPipeline& operator=(const RenderPipeline&) = delete;

  void submit(RenderJob job);
  // Blocks until nothing is pending or in flight (bounce, tests, shutdown).
  void wait_idle();
  void stop();

  RenderStats stats() const;
  // Milliseconds from request to hand-off for every job decoded since the last call.
  std::vector<double> take_latencies_ms();
  // The sound id last handed to the mixer for a voice (0: none yet).
  std::uint64_t last_delivered(int voice) const;

  static std::int64_t now_ns();

 private:
  struct Slot {
    std::optional<RenderJob> pending;
    bool in_flight = false;
    std::uint64_t delivered = 0;
  };
  void work();
  std::vector<RenderJob> take_batch();  // under the lock
  void deliver(RenderJob& job, models::AudioBuffer&& audio);

  Mixer& mixer_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::array<Slot, Mixer::kMaxVoices> slots_{};
  std::size_t next_voice_ = 0;  // round-robin start, so one busy voice cannot starve the others
  bool stopping_ = false;
  RenderStats stats_;
  std::vector<double> latencies_ms_;
  std::vector<std::thread> workers_;
};

}  // namespace latentjam::engine
