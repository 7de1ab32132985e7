#include "latentjam/mappings/dataset.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <set>

#include "bytes.hpp"
#include "latentjam/base/durable_file.hpp"

namespace latentjam::mappings {

namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kRecordMagic = 0x31524A4C;  // "LJR1" in file order
constexpr char kSnapshotMagic[8] = {'L', 'J', 'S', 'N', 'A', 'P', '0', '1'};
constexpr std::uint32_t kSnapshotVersion = 1;
constexpr std::size_t kRecordHeader = 12;              // magic, length, crc
constexpr std::uint32_t kMaxRecordPayload = 1u << 20;  // far above any valid record
constexpr const char* kJournalName = "journal.ljj";
constexpr const char* kSnapshotName = "snapshot.ljs";
constexpr const char* kSavedDir = "saved";
constexpr const char* kSessionExtension = ".ljs";

enum RecordKind : std::uint8_t { kAdd = 1, kRemove = 2, kRelabel = 3, kUndo = 4 };

using base::errno_text;
using base::fsync_directory;
using base::write_all;
using base::write_file_durably;

Result<std::string> read_file(const std::string& path) {
  // Non-blocking open, then only a regular file is read: a FIFO in its place must not hang the
  // conductor waiting for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return fail("cannot open " + path + ": " + errno_text());
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(path + (S_ISDIR(st.st_mode) ? " is a folder, not a file"
                                            : " is not a regular file (a FIFO, socket or device)"));
  }
  std::string data;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return fail("cannot read " + path + ": " + errno_text());
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return data;
}

Status validate_voice(std::string_view voice) {
  if (voice.empty() || voice.size() > kMaxVoiceBytes) {
    return fail("voice name must be 1 to " + std::to_string(kMaxVoiceBytes) + " bytes");
  }
  for (char c : voice) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return fail("voice name may only contain a-z, 0-9, '_' and '-'");
    }
  }
  return Ok{};
}

Status validate_text(std::string_view text) {
  if (text.size() > kMaxTextBytes) {
    return fail("text longer than " + std::to_string(kMaxTextBytes) + " bytes");
  }
  return Ok{};
}

Status validate_vector(const std::vector<float>& v, const char* what) {
  if (v.empty() || v.size() > kMaxVectorSize) {
    return fail(std::string(what) + " must have 1 to " + std::to_string(kMaxVectorSize) +
                " values");
  }
  if (!std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); })) {
    return fail(std::string(what) + " contains NaN or infinity");
  }
  return Ok{};
}

void write_example(bytes::Writer& w, const std::string& voice, const Example& e) {
  w.i64(e.id);
  w.str(voice);
  w.str(e.text);
  w.i64(e.created_unix_ms);
  w.floats(e.embedding);
  w.floats(e.latent);
}

FoundExample read_example(bytes::Reader& r) {
  FoundExample f;
  f.example.id = r.i64();
  f.voice = r.str(kMaxVoiceBytes);
  f.example.text = r.str(kMaxTextBytes);
  f.example.created_unix_ms = r.i64();
  f.example.embedding = r.floats(kMaxVectorSize);
  f.example.latent = r.floats(kMaxVectorSize);
  return f;
}

}  // namespace

Status validate_session_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxSessionNameBytes) {
    return fail("session name must be 1 to " + std::to_string(kMaxSessionNameBytes) + " bytes");
  }
  if (name.front() == '.') return fail("session name must not start with '.'");
  if (name.find("..") != std::string_view::npos) return fail("session name must not contain '..'");
  for (char c : name) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == ' ' || c == '_' || c == '-' || c == '.';
    if (!allowed) {
      return fail("session name may only contain letters, digits, space, '_', '-' and '.'");
    }
  }
  return Ok{};
}

// One undoable edit, with what is needed to revert it: for an add the added example (its id is
// removed), for a remove or relabel the example as it was before.
struct HistoryEntry {
  UndoneEdit::Kind kind;
  std::string voice;
  Example before;
};

struct SessionStore::State {
  std::string dir;
  StoreOptions options;
  std::map<std::int64_t, FoundExample> examples;
  std::deque<HistoryEntry> history;
  std::int64_t next_id = 1;
  std::uint64_t seq = 0;            // sequence number of the last record applied
  std::size_t journal_records = 0;  // records in the journal file
  // replay() skipped a damaged record and kept what followed: the state is compacted into a
  // snapshot at open, so the damage is not replayed (and warned about) at every start.
  bool recovered = false;
  off_t journal_size = 0;
  int journal_fd = -1;
  int lock_fd = -1;  // holds an exclusive flock on <dir>/lock while the store is open

  std::string journal_path() const { return (fs::path(dir) / kJournalName).string(); }
  std::string snapshot_path() const { return (fs::path(dir) / kSnapshotName).string(); }

  void remember(HistoryEntry entry) {
    history.push_back(std::move(entry));
    while (history.size() > options.undo_depth) history.pop_front();
  }

  // The apply_* functions change memory only; they are shared by live edits and replay, which is
  // what makes a replayed session identical to the one that was running.
  void apply_add(const std::string& voice, Example e) {
    next_id = std::max(next_id, e.id + 1);
    remember({UndoneEdit::Kind::Add, voice, e});
    examples[e.id] = {voice, std::move(e)};
  }
  bool apply_remove(std::int64_t id) {
    auto it = examples.find(id);
    if (it == examples.end()) return false;
    remember({UndoneEdit::Kind::Remove, it->second.voice, it->second.example});
    examples.erase(it);
    return true;
  }
  bool apply_relabel(std::int64_t id, std::string text, std::vector<float> embedding) {
    auto it = examples.find(id);
    if (it == examples.end()) return false;
    remember({UndoneEdit::Kind::Relabel, it->second.voice, it->second.example});
    it->second.example.text = std::move(text);
    it->second.example.embedding = std::move(embedding);
    return true;
  }
  std::optional<UndoneEdit> apply_undo() {
    if (history.empty()) return std::nullopt;
    HistoryEntry h = std::move(history.back());
    history.pop_back();
    const UndoneEdit done{h.kind, h.voice, h.before.id};
    if (h.kind == UndoneEdit::Kind::Add) {
      examples.erase(h.before.id);
    } else {
      examples[h.before.id] = {h.voice, std::move(h.before)};
    }
    return done;
  }

  std::string snapshot_bytes() const {
    bytes::Writer p;
    p.u64(seq);
    p.i64(next_id);
    p.u32(static_cast<std::uint32_t>(examples.size()));
    for (const auto& [id, f] : examples) write_example(p, f.voice, f.example);
    p.u32(static_cast<std::uint32_t>(history.size()));
    for (const auto& h : history) {
      p.u8(static_cast<std::uint8_t>(h.kind));
      write_example(p, h.voice, h.before);
    }
    bytes::Writer file;
    file.raw(kSnapshotMagic, sizeof kSnapshotMagic);
    file.u32(kSnapshotVersion);
    file.u32(bytes::crc32(p.data().data(), p.data().size()));
    file.u64(p.data().size());
    file.raw(p.data().data(), p.data().size());
    return std::move(file.data());
  }

  // Parses a snapshot file into this state (examples, history, next id, seq).
  Status parse_snapshot(const std::string& data, const std::string& what) {
    bytes::Reader header(data.data(), data.size());
    char magic[8];
    for (char& c : magic) c = static_cast<char>(header.u8());
    const std::uint32_t version = header.u32();
    const std::uint32_t crc = header.u32();
    const std::uint64_t size = header.u64();
    if (!header.ok() || std::memcmp(magic, kSnapshotMagic, sizeof magic) != 0) {
      return fail(what + " is not a latentjam session file");
    }
    if (version != kSnapshotVersion) {
      return fail(what + " has unsupported version " + std::to_string(version));
    }
    if (size != header.remaining()) return fail(what + " is truncated");
    const char* payload = data.data() + (data.size() - size);
    if (bytes::crc32(payload, size) != crc) return fail(what + " is corrupt (checksum)");
    bytes::Reader r(payload, size);
    seq = r.u64();
    next_id = r.i64();
    const std::uint32_t count = r.u32();
    examples.clear();
    for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
      FoundExample f = read_example(r);
      next_id = std::max(next_id, f.example.id + 1);
      examples[f.example.id] = std::move(f);
    }
    const std::uint32_t hcount = r.u32();
    history.clear();
    for (std::uint32_t i = 0; i < hcount && r.ok(); ++i) {
      const auto kind = static_cast<UndoneEdit::Kind>(r.u8());
      FoundExample f = read_example(r);
      history.push_back({kind, std::move(f.voice), std::move(f.example)});
    }
    if (!r.ok() || !r.at_end()) return fail(what + " is corrupt (layout)");
    return Ok{};
  }

  // Applies one journal payload. Returns false when it is not understood (caller warns).
  bool apply_record(bytes::Reader& r, std::uint8_t kind) {
    switch (kind) {
      case kAdd: {
        FoundExample f = read_example(r);
        if (!r.ok() || examples.count(f.example.id)) return false;
        apply_add(f.voice, std::move(f.example));
        return true;
      }
      case kRemove: {
        const std::int64_t id = r.i64();
        return r.ok() && apply_remove(id);
      }
      case kRelabel: {
        const std::int64_t id = r.i64();
        std::string text = r.str(kMaxTextBytes);
        std::vector<float> embedding = r.floats(kMaxVectorSize);
        return r.ok() && apply_relabel(id, std::move(text), std::move(embedding));
      }
      case kUndo:
        return apply_undo().has_value();
      default:
        return false;
    }
  }

  // Replays the journal file. A damaged record with valid records after it (a bad sector, a bit
  // flip) is skipped and everything after it kept; the journal is then kept whole beside as
  // journal.ljj.damaged and compacted into a snapshot (see `recovered`). A damaged tail with
  // nothing valid after it is a torn write and is truncated.
  Status replay(std::vector<std::string>* warnings) {
    const std::string path = journal_path();
    if (!fs::exists(path)) return Ok{};
    auto data = read_file(path);
    if (!data) return fail(data.error());
    const std::string& d = data.value();
    // A record that is complete and whose checksum matches, at byte `at`.
    const auto valid_at = [&d](std::size_t at, bool* complete = nullptr) {
      bytes::Reader h(d.data() + at, d.size() - at);
      const std::uint32_t magic = h.u32(), length = h.u32(), crc = h.u32();
      const bool whole =
          h.ok() && magic == kRecordMagic && length <= kMaxRecordPayload && length <= h.remaining();
      if (complete) *complete = whole;
      return whole && bytes::crc32(d.data() + at + kRecordHeader, length) == crc;
    };
    std::size_t at = 0;
    while (at < d.size()) {
      bool complete = false;
      if (!valid_at(at, &complete)) {
        std::size_t next = at + 1;
        while (next + kRecordHeader <= d.size() && !valid_at(next)) ++next;
        if (next + kRecordHeader <= d.size()) {
          if (warnings) {
            warnings->push_back("journal " + path + ": record at byte " + std::to_string(at) +
                                " is damaged; skipped " + std::to_string(next - at) +
                                " bytes to the next valid record and kept the rest (the journal "
                                "as it was: " +
                                path + ".damaged)");
          }
          if (Status s = write_file_durably(path + ".damaged", d); !s.ok()) return s;
          recovered = true;
          at = next;
          continue;
        }
        if (warnings) {
          warnings->push_back(
              "journal " + path + ": record at byte " + std::to_string(at) + " is " +
              (complete ? "corrupt (checksum)" : "incomplete (torn write)") +
              "; discarded it and the " + std::to_string(d.size() - at) + " bytes from there on");
        }
        if (::truncate(path.c_str(), static_cast<off_t>(at)) != 0) {
          return fail("cannot truncate " + path + ": " + errno_text());
        }
        const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
          ::fsync(fd);
          ::close(fd);
        }
        break;
      }
      bytes::Reader h(d.data() + at, d.size() - at);
      h.u32();
      const std::uint32_t length = h.u32();
      bytes::Reader r(d.data() + at + kRecordHeader, length);
      const std::uint64_t record_seq = r.u64();
      const std::uint8_t kind = r.u8();
      // Records the snapshot already holds (a crash between snapshot and truncation) are skipped.
      if (record_seq > seq) {
        if (!apply_record(r, kind) && warnings) {
          warnings->push_back("journal " + path + ": record " + std::to_string(record_seq) +
                              " does not apply to the session; skipped");
        }
        seq = record_seq;
      }
      ++journal_records;
      at += kRecordHeader + length;
    }
    journal_size = static_cast<off_t>(at);
    return Ok{};
  }

  Status open_journal() {
    const std::string path = journal_path();
    const bool existed = fs::exists(path);
    journal_fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (journal_fd < 0) return fail("cannot open " + path + ": " + errno_text());
    if (!existed) return fsync_directory(dir);  // the new file's name must be durable too
    return Ok{};
  }

  // Appends one record and makes it durable; on failure the journal is cut back to where it was.
  Status append(std::uint8_t kind, const bytes::Writer& fields) {
    bytes::Writer payload;
    payload.u64(seq + 1);
    payload.u8(kind);
    payload.raw(fields.data().data(), fields.data().size());
    bytes::Writer record;
    record.u32(kRecordMagic);
    record.u32(static_cast<std::uint32_t>(payload.data().size()));
    record.u32(bytes::crc32(payload.data().data(), payload.data().size()));
    record.raw(payload.data().data(), payload.data().size());
    Status w = write_all(journal_fd, record.data().data(), record.data().size());
    if (w.ok() && ::fdatasync(journal_fd) != 0) w = fail(errno_text());
    if (!w.ok()) {
      if (::ftruncate(journal_fd, journal_size) == 0) ::fdatasync(journal_fd);
      return fail("cannot write the journal: " + w.error());
    }
    journal_size += static_cast<off_t>(record.data().size());
    ++journal_records;
    ++seq;
    return Ok{};
  }

  Status write_snapshot() {
    if (Status s = write_file_durably(snapshot_path(), snapshot_bytes()); !s.ok()) return s;
    if (::ftruncate(journal_fd, 0) != 0 || ::fsync(journal_fd) != 0) {
      return fail("cannot truncate the journal: " + errno_text());
    }
    journal_size = 0;
    journal_records = 0;
    return Ok{};
  }

  // Called after each edit. A failed compaction is not a failed edit (the record is durable), so
  // it is not reported as one; it is retried after the next edit.
  void maybe_snapshot() {
    if (journal_records >= options.snapshot_every) (void)write_snapshot();
  }
};

SessionStore::SessionStore(std::unique_ptr<State> state) : s_(std::move(state)) {}

SessionStore::~SessionStore() {
  if (s_ && s_->journal_fd >= 0) ::close(s_->journal_fd);
  if (s_ && s_->lock_fd >= 0) ::close(s_->lock_fd);  // releases the lock
}

namespace {

// Two daemons on one session folder would both acknowledge edits and one set would be lost: the
// folder is locked (flock on <dir>/lock, released by the kernel when the process dies, even by
// kill -9). The file holds the owner's pid, for the message.
Result<int> lock_session_directory(const std::string& directory) {
  const std::string path = (fs::path(directory) / "lock").string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return fail("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char pid[32] = {};
    const ssize_t n = ::pread(fd, pid, sizeof pid - 1, 0);
    ::close(fd);
    if (err == EWOULDBLOCK) {
      std::string owner = n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : "";
      while (!owner.empty() && (owner.back() == '\n' || owner.back() == ' ')) owner.pop_back();
      return fail("the session folder " + directory + " is in use by another latentjam" +
                  (owner.empty() ? "" : " (pid " + owner + ")") +
                  "; stop it, or give this one another --session-dir");
    }
    return fail("cannot lock " + path + ": " + std::strerror(err));
  }
  const std::string me = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) < 0) {
    // The lock holds without the pid; the message just cannot name the owner.
  }
  return fd;
}

}  // namespace

const std::string& SessionStore::directory() const {
  return s_->dir;
}

Result<std::unique_ptr<SessionStore>> SessionStore::open(const std::string& directory,
                                                         std::vector<std::string>* warnings,
                                                         StoreOptions options) {
  auto s = std::make_unique<State>();
  s->dir = directory;
  s->options = options;
  s->options.snapshot_every = std::max<std::size_t>(options.snapshot_every, 1);
  std::error_code ec;
  if (!fs::exists(directory, ec)) {
    fs::create_directories(directory, ec);
    if (ec) return fail("cannot create session directory " + directory + ": " + ec.message());
    const fs::path parent = fs::absolute(directory).lexically_normal().parent_path();
    if (Status st = fsync_directory(parent.string()); !st.ok()) return fail(st.error());
  } else if (!fs::is_directory(directory, ec)) {
    return fail(directory + " is not a directory");
  }
  auto lock = lock_session_directory(directory);
  if (!lock) return fail(lock.error());
  s->lock_fd = lock.value();
  // From here on an early return must not leak the lock.
  struct Unlock {
    State* s;
    ~Unlock() {
      if (s && s->lock_fd >= 0) ::close(s->lock_fd);
    }
  } unlock_on_error{s.get()};
  if (fs::exists(s->snapshot_path())) {
    auto data = read_file(s->snapshot_path());
    if (!data) return fail(data.error());
    if (Status st = s->parse_snapshot(data.value(), s->snapshot_path()); !st.ok()) {
      return fail(st.error());
    }
  }
  if (Status st = s->replay(warnings); !st.ok()) return fail(st.error());
  if (Status st = s->open_journal(); !st.ok()) return fail(st.error());
  if (s->recovered) {
    if (Status st = s->write_snapshot(); !st.ok()) return fail(st.error());
  }
  unlock_on_error.s = nullptr;
  return std::unique_ptr<SessionStore>(new SessionStore(std::move(s)));
}

Result<std::int64_t> SessionStore::add(std::string_view voice, std::string_view text,
                                       std::vector<float> embedding, std::vector<float> latent) {
  if (Status st = validate_voice(voice); !st.ok()) return fail(st.error());
  if (Status st = validate_text(text); !st.ok()) return fail(st.error());
  if (Status st = validate_vector(embedding, "embedding"); !st.ok()) return fail(st.error());
  if (Status st = validate_vector(latent, "latent"); !st.ok()) return fail(st.error());
  Example e;
  e.id = s_->next_id;
  e.text = std::string(text);
  e.embedding = std::move(embedding);
  e.latent = std::move(latent);
  e.created_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  bytes::Writer w;
  write_example(w, std::string(voice), e);
  if (Status st = s_->append(kAdd, w); !st.ok()) return fail(st.error());
  const std::int64_t id = e.id;
  s_->apply_add(std::string(voice), std::move(e));
  s_->maybe_snapshot();
  return id;
}

Status SessionStore::remove(std::int64_t id) {
  if (!s_->examples.count(id)) return fail("no example with id " + std::to_string(id));
  bytes::Writer w;
  w.i64(id);
  if (Status st = s_->append(kRemove, w); !st.ok()) return st;
  s_->apply_remove(id);
  s_->maybe_snapshot();
  return Ok{};
}

Status SessionStore::relabel(std::int64_t id, std::string_view text, std::vector<float> embedding) {
  if (!s_->examples.count(id)) return fail("no example with id " + std::to_string(id));
  if (Status st = validate_text(text); !st.ok()) return st;
  if (Status st = validate_vector(embedding, "embedding"); !st.ok()) return st;
  bytes::Writer w;
  w.i64(id);
  w.str(text);
  w.floats(embedding);
  if (Status st = s_->append(kRelabel, w); !st.ok()) return st;
  s_->apply_relabel(id, std::string(text), std::move(embedding));
  s_->maybe_snapshot();
  return Ok{};
}

Result<UndoneEdit> SessionStore::undo() {
  if (s_->history.empty()) return fail("nothing to undo");
  if (Status st = s_->append(kUndo, bytes::Writer{}); !st.ok()) return fail(st.error());
  UndoneEdit done = *s_->apply_undo();
  s_->maybe_snapshot();
  return done;
}

std::vector<Example> SessionStore::examples(std::string_view voice) const {
  std::vector<Example> out;
  for (const auto& [id, f] : s_->examples) {
    if (f.voice == voice) out.push_back(f.example);
  }
  return out;
}

std::optional<FoundExample> SessionStore::find(std::int64_t id) const {
  auto it = s_->examples.find(id);
  if (it == s_->examples.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> SessionStore::voices() const {
  std::set<std::string> v;
  for (const auto& [id, f] : s_->examples) v.insert(f.voice);
  return {v.begin(), v.end()};
}

std::size_t SessionStore::size() const {
  return s_->examples.size();
}
std::size_t SessionStore::undo_available() const {
  return s_->history.size();
}

Status SessionStore::snapshot() {
  return s_->write_snapshot();
}

Status SessionStore::save_as(std::string_view name) {
  if (Status st = validate_session_name(name); !st.ok()) return st;
  const fs::path saved = fs::path(s_->dir) / kSavedDir;
  std::error_code ec;
  if (!fs::exists(saved, ec)) {
    fs::create_directory(saved, ec);
    if (ec) return fail("cannot create " + saved.string() + ": " + ec.message());
    if (Status st = fsync_directory(s_->dir); !st.ok()) return st;
  }
  return write_file_durably((saved / (std::string(name) + kSessionExtension)).string(),
                            s_->snapshot_bytes());
}

Status SessionStore::load(std::string_view name) {
  if (Status st = validate_session_name(name); !st.ok()) return st;
  const std::string path =
      (fs::path(s_->dir) / kSavedDir / (std::string(name) + kSessionExtension)).string();
  if (!fs::exists(path)) return fail("no saved session named \"" + std::string(name) + "\"");
  auto data = read_file(path);
  if (!data) return fail(data.error());
  State loaded;
  if (Status st = loaded.parse_snapshot(data.value(), path); !st.ok()) return st;
  // Keep our own sequence numbers and never hand out an id again, whatever the file says.
  const std::int64_t next_id = std::max(s_->next_id, loaded.next_id);
  auto old_examples = std::move(s_->examples);
  auto old_history = std::move(s_->history);
  const std::int64_t old_next = s_->next_id;
  s_->examples = std::move(loaded.examples);
  s_->history.clear();
  s_->next_id = next_id;
  if (Status st = s_->write_snapshot(); !st.ok()) {
    s_->examples = std::move(old_examples);
    s_->history = std::move(old_history);
    s_->next_id = old_next;
    return st;
  }
  return Ok{};
}

std::vector<std::string> SessionStore::saved_sessions() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(s_->dir) / kSavedDir, ec)) {
    const fs::path p = entry.path();
    if (p.extension() == kSessionExtension) names.push_back(p.stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace latentjam::mappings
