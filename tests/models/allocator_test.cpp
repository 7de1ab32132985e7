// keep_freed_memory_for_reuse(): large blocks come from the heap and stay there once freed.
#include "latentjam/models/allocator.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace latentjam::models {
namespace {

#if defined(__GLIBC__)
TEST(Allocator, LargeBlocksComeFromTheHeapAndStayForTheNextDecode) {
  // With glibc's defaults a 4 MB block is mmap()ed (the first time) and unmapped on free.
  ASSERT_TRUE(keep_freed_memory_for_reuse());
  const std::size_t mapped_before = mallinfo2().hblkhd;
  void* block = std::malloc(4 << 20);
  ASSERT_NE(block, nullptr);
  static_cast<volatile char*>(block)[0] = 1;
  EXPECT_EQ(mallinfo2().hblkhd, mapped_before) << "a 4 MB block was mmap()ed";
  const std::size_t heap_with_block = mallinfo2().arena;
  std::free(block);
  // Freed, it stays in the heap (not trimmed away), ready for the next decode's tensors.
  EXPECT_GE(mallinfo2().arena, heap_with_block);
  EXPECT_GE(mallinfo2().fordblks, std::size_t{4 << 20});
}
#endif

}  // namespace
}  // namespace latentjam::models
