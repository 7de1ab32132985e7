// Process-wide memory allocator settings for programs that decode or train with LibTorch.
#pragma once

namespace latentjam::models {

// Keeps freed memory in the process instead of returning it to the system. A learned decode
// allocates and frees a few hundred kilobytes to a few megabytes per tensor; with glibc's defaults
// those blocks are mmap()ed and unmapped, or the heap is trimmed, on every call, and faulting the
// pages back in costs about as much as the decode itself (2.0 vs 3.8 ms per hit, BENCHMARKS.md).
// Call once at program start, before threads are started; the cost is up to a few tens of
// megabytes of resident memory that the next decode reuses. Returns false where the C library has
// no such settings (then nothing changed).
bool keep_freed_memory_for_reuse();

}  // namespace latentjam::models
