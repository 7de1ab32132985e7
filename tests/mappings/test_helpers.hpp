// Paths and small helpers shared by the mappings tests.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace latentjam::mappings::testing {

inline std::string source_dir() {
  return LATENTJAM_SOURCE_DIR;
}

// The committed subset of the word vectors (tests/data/word-vectors-subset.bin).
inline std::string subset_vectors() {
  return source_dir() + "/tests/data/word-vectors-subset.bin";
}

// The full converted word vectors, from LATENTJAM_WORD_VECTORS or <source>/data/word-vectors.bin.
inline std::string full_vectors() {
  if (const char* env = std::getenv("LATENTJAM_WORD_VECTORS"); env && *env) return env;
  return source_dir() + "/data/word-vectors.bin";
}

inline bool ci() {
  const char* env = std::getenv("CI");
  return env && std::string(env) == "true";
}

inline float distance(const std::vector<float>& a, const std::vector<float>& b) {
  double d = 0.0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    d += double(a[i] - b[i]) * (a[i] - b[i]);
  return static_cast<float>(std::sqrt(d));
}

// A fresh, empty directory under the build tree, removed first if a previous run left it.
inline std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::path(LATENTJAM_BINARY_DIR) / "test-tmp" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace latentjam::mappings::testing
