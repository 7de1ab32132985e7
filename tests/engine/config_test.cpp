// The configuration reader on numbers a hand-edited file (or fuzz_config) can hold.
#include "latentjam/engine/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

using latentjam::engine::Config;
using latentjam::engine::load_config_file;

namespace {

// Writes `text` to a fresh file and loads it over the defaults.
latentjam::Status load(const std::string& text, Config& config) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("latentjam-config-test-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << text;
  auto status = load_config_file(path.string(), config);
  std::filesystem::remove(path);
  return status;
}

}  // namespace

// fuzz_config's find: a float far past any integer in a list of controller numbers was converted
// by toml++ with undefined behaviour. It is refused with the reason.
TEST(Config, AHugeFloatWhereAControllerNumberGoesIsRefused) {
  Config config;
  const auto status = load("[midi]\nslider_ccs = [1e233]\n", config);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().find("slider_ccs"), std::string::npos) << status.error();
}

// A whole number past the setting's type is refused, not wrapped (4294967297 would become port 1).
TEST(Config, AWholeNumberPastTheSettingsRangeIsRefusedNotWrapped) {
  Config config;
  const auto status = load("[osc]\nport = 4294967297\n", config);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().find("[osc] port must be a whole number"), std::string::npos)
      << status.error();
  Config huge;
  EXPECT_FALSE(load("[osc]\nport = 1e300\n", huge).ok());
  Config fraction;
  EXPECT_FALSE(load("[osc]\nport = 9000.5\n", fraction).ok());
}

// What a person writes still reads: integers, and a float with a whole value (as OSC accepts).
TEST(Config, WholeNumbersReadAsIntegersOrWholeFloats) {
  Config config;
  ASSERT_TRUE(load("[osc]\nport = 9123\n[midi]\nslider_ccs = [20, 21.0, 22]\n", config).ok());
  EXPECT_EQ(config.osc_port, 9123);
  EXPECT_EQ(config.midi_slider_ccs, (std::vector<int>{20, 21, 22}));
  Config as_float;
  ASSERT_TRUE(load("[osc]\nport = 9124.0\n", as_float).ok());
  EXPECT_EQ(as_float.osc_port, 9124);
}
