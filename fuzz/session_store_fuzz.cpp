// libFuzzer target: any bytes as a session's journal or snapshot (the first byte chooses), opened
// by SessionStore as after a crash. Opening must never crash or read out of bounds, whatever the
// damage; whatever it opens must be readable and hold only examples within the documented bounds.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "latentjam/mappings/dataset.hpp"

namespace {

const std::filesystem::path& session_dir() {
  static const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("latentjam-fuzz-store-" + std::to_string(getpid()));
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& dir = session_dir();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const char* name = (data[0] & 1) ? "snapshot.ljs" : "journal.ljj";
  std::ofstream(dir / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  std::vector<std::string> warnings;
  auto store = latentjam::mappings::SessionStore::open(dir.string(), &warnings);
  if (!store.ok()) return 0;
  for (const auto& voice : store.value()->voices())
    for (const auto& e : store.value()->examples(voice))
      if (e.text.size() > 256 || e.latent.empty() || e.latent.size() > 4096) std::abort();
  return 0;
}
