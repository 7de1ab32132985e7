#include <gtest/gtest.h>

#include "latentjam/control/command_table.hpp"
#include "latentjam/engine/conductor.hpp"

// Every address of the one command table is executed by the conductor: none answers
// "no handler".
TEST(ConductorTable, EveryCommandHasAHandler) {
  for (const auto& spec : latentjam::control::command_table())
    EXPECT_TRUE(latentjam::engine::Conductor::handles(spec.id)) << spec.address;
}
