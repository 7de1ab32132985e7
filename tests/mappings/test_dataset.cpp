#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "latentjam/mappings/dataset.hpp"
#include "test_helpers.hpp"

namespace latentjam::mappings {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;

std::unique_ptr<SessionStore> open_store(const fs::path& dir,
                                         std::vector<std::string>* warnings = nullptr,
                                         StoreOptions options = {}) {
  auto r = SessionStore::open(dir.string(), warnings, options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return r.ok() ? std::move(r).value() : nullptr;
}

std::vector<float> vec(float a, std::size_t n = 4) {
  return std::vector<float>(n, a);
}

// Issue 11: a saved session that is a FIFO or a folder is refused with the reason, at once.
TEST(SessionStore, LoadingAFifoOrAFolderIsAnErrorNotAHang) {
  const fs::path dir = fresh_dir("load-fifo");
  auto store = open_store(dir);
  ASSERT_TRUE(store);
  fs::create_directories(dir / "saved");
  ASSERT_EQ(::mkfifo((dir / "saved" / "pipe.ljs").c_str(), 0600), 0);
  const Status fifo = store->load("pipe");
  ASSERT_FALSE(fifo.ok());
  EXPECT_NE(fifo.error().find("not a regular file"), std::string::npos) << fifo.error();
  fs::create_directories(dir / "saved" / "folder.ljs");
  const Status folder = store->load("folder");
  ASSERT_FALSE(folder.ok());
  EXPECT_NE(folder.error().find("is a folder"), std::string::npos) << folder.error();
  fs::remove_all(dir);
}

TEST(SessionStore, AddIsVisibleAfterReopen) {
  const auto dir = fresh_dir("store-reopen");
  std::int64_t kick_id = 0, hat_id = 0;
  {
    auto store = open_store(dir);
    kick_id = store->add("kick", "boomy deep", vec(1), vec(0.5f, 8)).value();
    hat_id = store->add("hat", "crisp", vec(2), vec(-0.5f, 8)).value();
    EXPECT_NE(kick_id, hat_id);
  }  // no explicit flush or close step: every add was already durable
  auto store = open_store(dir);
  ASSERT_EQ(store->size(), 2u);
  const auto kicks = store->examples("kick");
  ASSERT_EQ(kicks.size(), 1u);
  EXPECT_EQ(kicks[0].id, kick_id);
  EXPECT_EQ(kicks[0].text, "boomy deep");
  EXPECT_EQ(kicks[0].embedding, vec(1));
  EXPECT_EQ(kicks[0].latent, vec(0.5f, 8));
  EXPECT_GT(kicks[0].created_unix_ms, 1600000000000);
  EXPECT_EQ(store->find(hat_id)->voice, "hat");
  EXPECT_EQ(store->voices(), (std::vector<std::string>{"hat", "kick"}));
  // Ids continue after the highest one seen.
  EXPECT_GT(store->add("kick", "x", vec(3), vec(3, 8)).value(), hat_id);
}

TEST(SessionStore, RemoveRelabelAndUndoSurviveReopen) {
  const auto dir = fresh_dir("store-edits");
  std::int64_t a = 0, b = 0;
  {
    auto store = open_store(dir);
    a = store->add("snare", "tight", vec(1), vec(1)).value();
    b = store->add("snare", "loose", vec(2), vec(2)).value();
    ASSERT_TRUE(store->relabel(a, "tight snappy", vec(5)).ok());
    ASSERT_TRUE(store->remove(b).ok());
    EXPECT_FALSE(store->remove(b).ok());  // already gone
    EXPECT_FALSE(store->relabel(999, "x", vec(1)).ok());
    // Undo the remove: b is back.
    auto undone = store->undo();
    ASSERT_TRUE(undone.ok());
    EXPECT_EQ(undone->kind, UndoneEdit::Kind::Remove);
    EXPECT_EQ(undone->voice, "snare");
    EXPECT_EQ(undone->id, b);
    EXPECT_TRUE(store->find(b).has_value());
  }
  {
    auto store = open_store(dir);
    EXPECT_EQ(store->examples("snare").size(), 2u);
    EXPECT_EQ(store->find(a)->example.text, "tight snappy");
    // The undo history survived too: next undo reverts the relabel.
    auto undone = store->undo();
    ASSERT_TRUE(undone.ok());
    EXPECT_EQ(undone->kind, UndoneEdit::Kind::Relabel);
    EXPECT_EQ(store->find(a)->example.text, "tight");
    EXPECT_EQ(store->find(a)->example.embedding, vec(1));
    // Then the adds, then nothing.
    EXPECT_EQ(store->undo()->kind, UndoneEdit::Kind::Add);
    EXPECT_EQ(store->undo()->kind, UndoneEdit::Kind::Add);
    EXPECT_EQ(store->size(), 0u);
    auto none = store->undo();
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error(), "nothing to undo");
    // An undone add's id is never handed out again.
    EXPECT_GT(store->add("snare", "new", vec(1), vec(1)).value(), b);
  }
}

TEST(SessionStore, TruncatedLastRecordIsSkippedWithAWarningAndAppendsContinue) {
  const auto dir = fresh_dir("store-torn");
  std::int64_t first = 0;
  {
    auto store = open_store(dir);
    first = store->add("kick", "one", vec(1), vec(1)).value();
    store->add("kick", "two", vec(2), vec(2)).value();
  }
  const auto journal = dir / "journal.ljj";
  const auto full = fs::file_size(journal);
  fs::resize_file(journal, full - 7);  // tear the last record, as a power cut mid-write would
  std::vector<std::string> warnings;
  {
    auto store = open_store(dir, &warnings);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("incomplete"), std::string::npos) << warnings[0];
    ASSERT_EQ(store->size(), 1u);
    EXPECT_TRUE(store->find(first).has_value());
    EXPECT_TRUE(store->add("kick", "three", vec(3), vec(3)).ok());
  }
  warnings.clear();
  auto store = open_store(dir, &warnings);
  EXPECT_TRUE(warnings.empty());  // the torn bytes were truncated away, the new record is clean
  const auto kicks = store->examples("kick");
  ASSERT_EQ(kicks.size(), 2u);
  EXPECT_EQ(kicks[1].text, "three");
}

TEST(SessionStore, CorruptChecksumIsDetected) {
  const auto dir = fresh_dir("store-crc");
  {
    auto store = open_store(dir);
    store->add("kick", "one", vec(1), vec(1)).value();
    store->add("kick", "two", vec(2), vec(2)).value();
  }
  const auto journal = dir / "journal.ljj";
  {
    std::fstream f(journal, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(journal) - 3));
    f.put('\x7f');
  }
  std::vector<std::string> warnings;
  auto store = open_store(dir, &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("checksum"), std::string::npos) << warnings[0];
  EXPECT_EQ(store->size(), 1u);
}

// Issue 11: one damaged record in the middle (a bad sector, a flipped bit) costs that record only;
// the valid records after it are kept, the journal as it was is kept beside it, and the recovered
// state is compacted so the next start is clean.
TEST(SessionStore, ADamagedRecordInTheMiddleLosesOnlyThatRecord) {
  const auto dir = fresh_dir("store-middle");
  std::int64_t one = 0, two = 0, three = 0;
  {
    auto store = open_store(dir);
    one = store->add("kick", "one", vec(1), vec(1)).value();
    two = store->add("kick", "two", vec(2), vec(2)).value();
    three = store->add("kick", "three", vec(3), vec(3)).value();
  }
  const auto journal = dir / "journal.ljj";
  std::string bytes;
  {
    std::ifstream in(journal, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // The second record starts after the first: header (12 bytes) plus its payload length.
  std::uint32_t first_length = 0;
  std::memcpy(&first_length, bytes.data() + 4, 4);
  const std::size_t second = 12 + first_length;
  ASSERT_LT(second + 20, bytes.size());
  {
    std::fstream f(journal, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(second + 16));  // inside its payload
    f.put(static_cast<char>(bytes[second + 16] ^ 0x5a));
  }
  std::vector<std::string> warnings;
  {
    auto store = open_store(dir, &warnings);
    ASSERT_TRUE(store);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("skipped"), std::string::npos) << warnings[0];
    EXPECT_TRUE(store->find(one).has_value());
    EXPECT_FALSE(store->find(two).has_value());
    EXPECT_TRUE(store->find(three).has_value()) << "a valid record after the damage is kept";
    EXPECT_TRUE(fs::exists(dir / "journal.ljj.damaged"));
    EXPECT_EQ(fs::file_size(dir / "journal.ljj.damaged"), bytes.size());
  }
  warnings.clear();
  auto store = open_store(dir, &warnings);
  EXPECT_TRUE(warnings.empty()) << warnings[0];
  EXPECT_EQ(store->size(), 2u);
  EXPECT_TRUE(store->find(three).has_value());
}

TEST(SessionStore, SnapshotsCompactTheJournalAndKeepEverything) {
  const auto dir = fresh_dir("store-snapshot");
  StoreOptions options;
  options.snapshot_every = 5;
  {
    auto store = open_store(dir, nullptr, options);
    for (int i = 0; i < 12; ++i) {
      ASSERT_TRUE(store->add("loop", "take " + std::to_string(i), vec(float(i)), vec(1)).ok());
    }
    ASSERT_TRUE(store->remove(1).ok());
  }
  // 13 records with a snapshot every 5: the journal holds only the last 3.
  EXPECT_TRUE(fs::exists(dir / "snapshot.ljs"));
  EXPECT_LT(fs::file_size(dir / "journal.ljj"), 3 * 200u);
  auto store = open_store(dir, nullptr, options);
  EXPECT_EQ(store->size(), 11u);
  EXPECT_FALSE(store->find(1).has_value());
  EXPECT_EQ(store->undo()->kind, UndoneEdit::Kind::Remove);  // history crosses the snapshot
  EXPECT_TRUE(store->find(1).has_value());
}

TEST(SessionStore, SaveAsAndLoadByName) {
  const auto dir = fresh_dir("store-named");
  auto store = open_store(dir);
  const auto a = store->add("kick", "boomy", vec(1), vec(1)).value();
  ASSERT_TRUE(store->save_as("My set_1.v2").ok());
  const auto b = store->add("kick", "tight", vec(2), vec(2)).value();
  EXPECT_EQ(store->saved_sessions(), (std::vector<std::string>{"My set_1.v2"}));
  ASSERT_TRUE(store->load("My set_1.v2").ok());
  EXPECT_EQ(store->size(), 1u);
  EXPECT_TRUE(store->find(a).has_value());
  EXPECT_FALSE(store->find(b).has_value());
  EXPECT_EQ(store->undo_available(), 0u);
  EXPECT_GT(store->add("kick", "new", vec(3), vec(3)).value(), b);  // ids never reused
  EXPECT_FALSE(store->load("missing").ok());
  store.reset();
  // The loaded state is what a restart finds.
  store = open_store(dir);
  EXPECT_EQ(store->examples("kick").size(), 2u);
}

TEST(SessionStore, SessionNamesAreConfinedToTheFolder) {
  for (const char* bad :
       {"", "../evil", "a/b", "..", ".hidden", "x..y", "semi;colon", "tab\tname", "ünïcode"}) {
    EXPECT_FALSE(validate_session_name(bad).ok()) << bad;
  }
  EXPECT_FALSE(validate_session_name(std::string(65, 'a')).ok());
  EXPECT_TRUE(validate_session_name(std::string(64, 'a')).ok());
  for (const char* good : {"gig", "Set 2", "a.b", "snare-test_3"}) {
    EXPECT_TRUE(validate_session_name(good).ok()) << good;
  }
  const auto dir = fresh_dir("store-names");
  auto store = open_store(dir);
  EXPECT_FALSE(store->save_as("../outside").ok());
  EXPECT_FALSE(store->load("../../etc/passwd").ok());
  EXPECT_FALSE(fs::exists(dir.parent_path() / "outside.ljs"));
}

TEST(SessionStore, RejectsBadInput) {
  const auto dir = fresh_dir("store-bad");
  auto store = open_store(dir);
  EXPECT_FALSE(store->add("Kick!", "x", vec(1), vec(1)).ok());
  EXPECT_FALSE(store->add("", "x", vec(1), vec(1)).ok());
  EXPECT_FALSE(store->add("kick", std::string(257, 'a'), vec(1), vec(1)).ok());
  EXPECT_TRUE(store->add("kick", std::string(256, 'a'), vec(1), vec(1)).ok());
  EXPECT_FALSE(store->add("kick", "x", {}, vec(1)).ok());
  EXPECT_FALSE(store->add("kick", "x", vec(1), {std::nanf("")}).ok());
  EXPECT_FALSE(store->relabel(1, std::string(300, 'b'), vec(1)).ok());
  EXPECT_EQ(store->size(), 1u);
}

}  // namespace
}  // namespace latentjam::mappings

namespace latentjam::mappings {
namespace {

// Two daemons on one folder would both acknowledge edits and lose one set: the second is refused.
TEST(SessionStore, ASecondStoreOnTheSameFolderIsRefusedUntilTheFirstCloses) {
  const auto dir = testing::fresh_dir("store-lock");
  auto first = SessionStore::open(dir.string());
  ASSERT_TRUE(first.ok()) << first.error();
  auto second = SessionStore::open(dir.string());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().find("in use by another latentjam"), std::string::npos)
      << second.error();
  EXPECT_NE(second.error().find("pid " + std::to_string(getpid())), std::string::npos)
      << second.error();
  first.value().reset();  // closing releases the lock
  auto third = SessionStore::open(dir.string());
  EXPECT_TRUE(third.ok()) << third.error();
}

}  // namespace
}  // namespace latentjam::mappings
