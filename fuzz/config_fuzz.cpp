// libFuzzer target: any bytes as the TOML configuration file (load_config_file, then
// validate_config). A bad file must give an error message, never a crash or an exception.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "latentjam/engine/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  static const std::string path = (std::filesystem::temp_directory_path() /
                                   ("latentjam-fuzz-config-" + std::to_string(getpid()) + ".toml"))
                                      .string();
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  latentjam::engine::Config config;
  auto loaded = latentjam::engine::load_config_file(path, config);
  if (!loaded.ok()) {
    if (loaded.error().empty()) std::abort();  // every refusal says why
    return 0;
  }
  auto valid = latentjam::engine::validate_config(config);
  if (!valid.ok() && valid.error().empty()) std::abort();
  return 0;
}
