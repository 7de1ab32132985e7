#include "latentjam/engine/render_pipeline.hpp"

#include <pthread.h>

#include <chrono>

#include "latentjam/engine/log.hpp"

namespace latentjam::engine {

std::int64_t RenderPipeline::now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

RenderPipeline::RenderPipeline(Mixer& mixer, int threads) : mixer_(mixer) {
  for (int i = 0; i < threads; ++i)
    workers_.emplace_back([this, i] {
      std::string name = "lj-render-" + std::to_string(i);
      pthread_setname_np(pthread_self(), name.c_str());
      work();
    });
}

RenderPipeline::~RenderPipeline() {
  stop();
}

void RenderPipeline::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
  workers_.clear();
}

void RenderPipeline::submit(RenderJob job) {
  {
    std::lock_guard lock(mutex_);
    Slot& slot = slots_.at(static_cast<std::size_t>(job.voice));
    if (slot.pending) ++stats_.superseded;
    slot.pending = std::move(job);
    ++stats_.submitted;
  }
  wake_.notify_one();
}

std::vector<RenderJob> RenderPipeline::take_batch() {
  std::vector<RenderJob> batch;
  for (std::size_t k = 0; k < slots_.size(); ++k) {
    std::size_t v = (next_voice_ + k) % slots_.size();
    Slot& slot = slots_[v];
    if (!slot.pending || slot.in_flight) continue;
    if (batch.empty()) {
      next_voice_ = v + 1;
    } else if (slot.pending->decoder != batch.front().decoder ||
               !batch.front().decoder->info().prefers_batches) {
      continue;
    }
    batch.push_back(std::move(*slot.pending));
    slot.pending.reset();
    slot.in_flight = true;
  }
  return batch;
}

void RenderPipeline::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    std::vector<RenderJob> batch;
    wake_.wait(lock, [&] { return stopping_ || !(batch = take_batch()).empty(); });
    if (stopping_) {
      for (auto& job : batch) slots_[static_cast<std::size_t>(job.voice)].in_flight = false;
      idle_.notify_all();
      return;
    }
    lock.unlock();
    std::vector<models::Latent> latents;
    latents.reserve(batch.size());
    for (auto& job : batch) latents.push_back(job.latent);
    auto decoded = batch.front().decoder->decode(latents, batch.front().context);
    if (decoded.ok() && decoded->size() == batch.size()) {
      for (std::size_t i = 0; i < batch.size(); ++i) deliver(batch[i], std::move((*decoded)[i]));
    } else {
      log::warn("decode failed for ", batch.front().decoder->info().name, ": ",
                decoded.ok() ? "wrong batch size" : decoded.error());
    }
    lock.lock();
    ++stats_.batches;
    if (!decoded.ok()) stats_.failed += batch.size();
    for (auto& job : batch) slots_[static_cast<std::size_t>(job.voice)].in_flight = false;
    idle_.notify_all();
  }
}

void RenderPipeline::deliver(RenderJob& job, models::AudioBuffer&& audio) {
  auto* sound = new Sound;
  sound->id = job.sound_id;
  sound->voice = job.voice;
  const auto& info = job.decoder->info();
  sound->loop_beats = info.kind == models::SoundKind::Loop ? info.loop_beats : 0.0;
  sound->samples = std::move(audio);
  const bool posted = mixer_.post({AudioMessage::Kind::SetSound, job.voice, 0.0f, sound});
  const double ms = double(now_ns() - job.requested_ns) / 1e6;
  std::lock_guard lock(mutex_);
  if (!posted) {
    delete sound;
    ++stats_.dropped;
    return;
  }
  ++stats_.decoded;
  slots_[static_cast<std::size_t>(job.voice)].delivered = job.sound_id;
  if (latencies_ms_.size() < 100000) latencies_ms_.push_back(ms);
}

void RenderPipeline::wait_idle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] {
    for (const auto& s : slots_)
      if (s.pending || s.in_flight) return stopping_;
    return true;
  });
}

RenderStats RenderPipeline::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::vector<double> RenderPipeline::take_latencies_ms() {
  std::lock_guard lock(mutex_);
  return std::exchange(latencies_ms_, {});
}

std::uint64_t RenderPipeline::last_delivered(int voice) const {
  std::lock_guard lock(mutex_);
  return slots_.at(static_cast<std::size_t>(voice)).delivered;
}

}  // namespace latentjam::engine
