// Flush-to-zero for the decoders (built-in and TorchScript) and the audio callback, on the thread
// that runs them. Realtime-safe: two writes of the SSE control register.
#pragma once

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace latentjam::models {

// Flushes denormal floats to zero while it lives, and restores the caller's mode after. The
// synthesisers' envelopes and filters, and the learned models' exponential glides, decay through
// the denormal range, where every operation costs ~100 cycles; flushing made decodes 1.3-2.3 times
// faster (BENCHMARKS.md). The result stays deterministic: only values below 1e-38 change, to zero.
// It covers the calling thread only: the TorchScript decoders run LibTorch with one intra-op
// thread, the caller's.
class ScopedFlushDenormals {
 public:
#if defined(__SSE__)
  ScopedFlushDenormals() : saved_(_mm_getcsr()) {
    _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero);
  }
  ~ScopedFlushDenormals() {
    _mm_setcsr(saved_);
  }

 private:
  static constexpr unsigned kFlushToZero = 0x8000;       // MXCSR.FTZ
  static constexpr unsigned kDenormalsAreZero = 0x0040;  // MXCSR.DAZ
  unsigned saved_;
#endif
};

}  // namespace latentjam::models
