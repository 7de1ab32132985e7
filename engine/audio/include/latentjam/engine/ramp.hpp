// A linear ramp towards a target over a fixed number of samples, after JUCE's SmoothedValue: an
// audible parameter (a fader, a loop's level, stop and play) never steps, it glides. Realtime-safe:
// no allocation, no locks; owned by the audio thread.
#pragma once

namespace latentjam::engine {

class Ramp {
 public:
  explicit Ramp(float value = 1.0f) : now_(value), target_(value) {}

  // Glides from where it is now to `target` in `samples` samples (at least one).
  void set(float target, int samples) {
    target_ = target;
    step_ = (target_ - now_) / static_cast<float>(samples > 0 ? samples : 1);
  }
  // Jumps: for a voice nothing is heard from yet.
  void jump(float value) {
    now_ = target_ = value;
    step_ = 0.0f;
  }
  // Moves `samples` samples on; the value after them.
  float advance(int samples) {
    if (now_ == target_) return now_;
    now_ += step_ * static_cast<float>(samples);
    if ((step_ > 0.0f && now_ >= target_) || (step_ < 0.0f && now_ <= target_) || step_ == 0.0f)
      now_ = target_;
    return now_;
  }
  float value() const { return now_; }
  float target() const { return target_; }
  bool moving() const { return now_ != target_; }

 private:
  float now_;
  float target_;
  float step_ = 0.0f;
};

// Within a block of `frames` samples over which a ramp went from `from` to `to`: the value at
// sample i (the ramp is linear, so this is the per-sample ramp, spread evenly over the block).
inline float ramp_at(float from, float to, int i, int frames) {
  return from + (to - from) * static_cast<float>(i + 1) / static_cast<float>(frames);
}

}  // namespace latentjam::engine
