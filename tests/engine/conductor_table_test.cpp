#include <gtest/gtest.h>

#include <set>
#include <string>

#include "latentjam/control/command_table.hpp"
#include "latentjam/engine/conductor.hpp"

using latentjam::engine::command_table;
using latentjam::engine::Conductor;

// The table the parser and the docs read is the conductor's rows, in the same order, each with a
// handler: a command cannot be documented and accepted without something to run it.
TEST(ConductorTable, TheCommandTableIsTheConductorsRowsEachWithAHandler) {
  const auto& rows = Conductor::command_rows();
  const auto specs = command_table().specs();
  ASSERT_EQ(specs.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(specs[i].address, rows[i].spec.address);
    EXPECT_NE(rows[i].handler, nullptr) << rows[i].spec.address;
    EXPECT_EQ(command_table().index_of(specs[i]), i);
  }
}

// What the conductor's line does with a command is said by its row: only queries and the drum hit
// skip the line, and every command that picks a new sound holds back the same client's triggers.
TEST(ConductorTable, RowsSayWhichCommandsSkipTheLineAndWhichChangeTheSound) {
  std::set<std::string> skip, change;
  for (const auto& row : Conductor::command_rows()) {
    if (row.skips_the_line) skip.insert(std::string(row.spec.address));
    if (row.changes_sound) change.insert(std::string(row.spec.address));
  }
  EXPECT_EQ(skip, (std::set<std::string>{"/jam/status", "/jam/help", "/jam/trigger"}));
  for (const char* a : {"/jam/random", "/jam/prompt", "/jam/vary", "/jam/slider/*", "/jam/xy",
                        "/jam/focus", "/jam/model/load", "/jam/load", "/jam/slot/recall"})
    EXPECT_EQ(change.count(a), 1u) << a;
  for (const char* a : {"/jam/label", "/jam/status", "/jam/trigger", "/jam/gain", "/jam/tempo"})
    EXPECT_EQ(change.count(a), 0u) << a;
}

// A table with two rows for one address is a programming error found at start-up, not a command
// that silently goes to the first row.
TEST(ConductorTable, ATableWithTwoRowsForOneAddressIsRefused) {
  using latentjam::control::CommandSpec;
  using latentjam::control::CommandTable;
  std::vector<CommandSpec> specs = {CommandSpec{"/jam/a", {}, "a", "/done"},
                                    CommandSpec{"/jam/a", {}, "again", "/done"}};
  EXPECT_THROW(CommandTable{specs}, std::invalid_argument);
  const std::vector<CommandSpec> no_slash = {CommandSpec{"jam/b", {}, "b", "/done"}};
  EXPECT_THROW(CommandTable{no_slash}, std::invalid_argument);
  const CommandTable ok{{CommandSpec{"/jam/a", {}, "a", "/done"}}};
  EXPECT_THROW(ok.index_of(command_table().specs()[0]), std::logic_error);
}
