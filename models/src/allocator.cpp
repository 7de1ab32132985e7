#include "latentjam/models/allocator.hpp"

#include <cstdlib>  // defines __GLIBC__ where it applies

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace latentjam::models {

bool keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
  // Blocks up to 32 MB (glibc's largest mmap threshold on 64-bit) come from the heap, and the heap
  // is trimmed only when 256 MB lie free at its top. Fixed values also turn off glibc's dynamic
  // threshold, so the behaviour no longer depends on the sizes decoded so far.
  const bool mmap_ok = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1;
  const bool trim_ok = mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024) == 1;
  return mmap_ok && trim_ok;
#else
  return false;
#endif
}

}  // namespace latentjam::models
