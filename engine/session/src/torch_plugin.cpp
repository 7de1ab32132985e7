#include "latentjam/engine/torch_plugin.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <mutex>

namespace latentjam::engine {

namespace {
std::string plugin_path() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::filesystem::path dir = ec ? std::filesystem::path(".") : exe.parent_path();
  for (const auto& candidate :
       {dir / "liblatentjam_torch.so", dir / "../lib/latentjam/liblatentjam_torch.so"})
    if (std::filesystem::exists(candidate)) return candidate.string();
  return (dir / "liblatentjam_torch.so").string();
}
}  // namespace

Result<const TorchPlugin*> torch_plugin() {
  static std::once_flag once;
  static Result<const TorchPlugin*> loaded = fail("not loaded");
  std::call_once(once, [] {
    const std::string path = plugin_path();
    // Never closed: decoders made by the plugin live as long as the process.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = dlerror();
      loaded = fail("LibTorch plugin " + path + " not available (" + (why ? why : "?") +
                    "); this build plays only built-in decoders");
      return;
    }
    auto entry =
        reinterpret_cast<const TorchPlugin* (*)()>(dlsym(handle, "latentjam_torch_plugin"));
    if (!entry) {
      loaded = fail("LibTorch plugin " + path + " has no entry point");
      return;
    }
    loaded = entry();
  });
  return loaded;
}

}  // namespace latentjam::engine
