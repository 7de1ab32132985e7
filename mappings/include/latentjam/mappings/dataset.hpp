// The examples every mapping is trained from, kept so that an acknowledged edit survives kill -9
// and power loss.
//
// On disk, under the session directory:
//   journal.ljj      append-only edit records since the snapshot
//   snapshot.ljs     every example, the next id, the undo history, and the sequence number of the
//                    last journal record it contains
//   saved/NAME.ljs   named sessions (save_as / load), in the snapshot format
//
// Journal record: u32 magic "LJR1" | u32 payload length | u32 CRC-32 of the payload | payload.
// Payload: u64 sequence number, u8 kind (1 add, 2 remove, 3 relabel, 4 undo), then the kind's
// fields (add: id, voice, text, created ms, embedding, latent; remove: id; relabel: id, text,
// embedding). Every edit appends one record and fdatasync()s the journal before the call returns
// (the directory too, when the file is created), so /done is only sent for durable edits.
//
// Opening replays the snapshot, then the journal records whose sequence number is newer than it.
// A record that is incomplete or fails its CRC (a torn write at power loss) ends the replay: it and
// anything after it is reported as a warning and truncated away, so later appends are clean.
// Every `snapshot_every` records the state is compacted into a new snapshot (temporary file,
// fsync, rename, fsync of the directory) and the journal is emptied; a crash between the rename and
// the truncation is harmless because replay skips records the snapshot already holds.
//
// Undo reverts the latest edit not yet undone, whatever its voice (up to `undo_depth` edits); the
// undo is itself a journal record, so it survives a restart. Loading a named session clears the
// undo history (a load is not an edit). Ids are unique across voices and never reused, not even
// after undoing an add or loading an older session.
//
// Bounds: text <= 256 bytes; voice names 1..32 bytes of [a-z0-9_-]; embeddings and latents
// 1..4096 floats, all finite. Session names: see validate_session_name.
//
// Not thread-safe: the conductor is the single writer and reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "latentjam/base/result.hpp"

namespace latentjam::mappings {

inline constexpr std::size_t kMaxTextBytes = 256;
inline constexpr std::size_t kMaxVoiceBytes = 32;
inline constexpr std::size_t kMaxSessionNameBytes = 64;
inline constexpr std::size_t kMaxVectorSize = 4096;

struct Example {
  std::int64_t id = 0;
  std::string text;
  std::vector<float> embedding;
  std::vector<float> latent;
  std::int64_t created_unix_ms = 0;
};

struct FoundExample {
  std::string voice;
  Example example;
};

// What undo() reverted, so the caller knows which voice to retrain.
struct UndoneEdit {
  enum class Kind { Add, Remove, Relabel } kind = Kind::Add;  // the kind of edit that was undone
  std::string voice;
  std::int64_t id = 0;
};

struct StoreOptions {
  std::size_t snapshot_every = 1000;  // journal records between automatic snapshots
  std::size_t undo_depth = 64;        // edits that can be undone
};

// A session name is 1..64 bytes of [A-Za-z0-9 _.-], must not start with '.' and must not contain
// "..": it is a plain file name inside <session dir>/saved/, never a path.
Status validate_session_name(std::string_view name);

class SessionStore {
 public:
  // Opens (creating it if needed) the session in `directory`. Problems that were recovered from
  // (a torn last journal record) are appended to `warnings` in words.
  static Result<std::unique_ptr<SessionStore>> open(const std::string& directory,
                                                    std::vector<std::string>* warnings = nullptr,
                                                    StoreOptions options = {});
  ~SessionStore();
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  // Each edit returns only after its journal record is on disk.
  Result<std::int64_t> add(std::string_view voice, std::string_view text,
                           std::vector<float> embedding, std::vector<float> latent);
  Status remove(std::int64_t id);
  Status relabel(std::int64_t id, std::string_view text, std::vector<float> embedding);
  Result<UndoneEdit> undo();  // error "nothing to undo" when the history is empty

  std::vector<Example> examples(std::string_view voice) const;  // in id order
  std::optional<FoundExample> find(std::int64_t id) const;
  std::vector<std::string> voices() const;  // voices that have examples, sorted
  std::size_t size() const;                 // examples over all voices
  std::size_t undo_available() const;

  // Named sessions in <directory>/saved/. save_as overwrites a session of the same name.
  Status save_as(std::string_view name);
  Status load(std::string_view name);
  std::vector<std::string> saved_sessions() const;

  // Compacts the journal into a new snapshot now (also done automatically).
  Status snapshot();

  const std::string& directory() const;

 private:
  struct State;
  explicit SessionStore(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

}  // namespace latentjam::mappings
