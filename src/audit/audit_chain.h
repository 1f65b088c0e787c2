// The tamper-evident audit chain. Each entry's hash is a keyed BLAKE2b
// (libsodium crypto_generichash) over the previous entry's hash and the
// entry's own fields; a keyed "head" record seals the last entry so that
// truncation is detected too. Format and threat model: docs/audit.md.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace beacon::audit {

constexpr size_t kKeyBytes = 32;
using Key = std::string;  // kKeyBytes raw bytes

// What a caller records; seq and hashes are assigned when it is appended.
struct Record {
  TimeMs time = 0;
  std::string user;
  std::string role;
  std::string action;  // "call.create", "incident.read", "login", ...
  std::string object;  // "incident/12", "unit/E21", ...
  std::string reason;  // from the Beacon-Reason header; may be empty
};

struct Entry {
  std::int64_t seq = 0;
  Record record;
  std::string prev_hash;  // hex; kGenesis for the first entry
  std::string hash;       // hex
};

struct Head {
  std::int64_t seq = 0;
  std::string hash;
  std::string seal;  // keyed hash over (seq, hash)
};

inline constexpr const char* kGenesis = "genesis";

// Creates a fresh random key (libsodium must be initialised; see Init()).
Key NewKey();
// Initialises libsodium; returns false if it cannot be.
bool Init();

std::string EntryHash(const Key& key, std::int64_t seq, const Record& r,
                      const std::string& prev_hash);
Head SealHead(const Key& key, std::int64_t seq, const std::string& hash);

// Appends records after `head` (or from genesis when nullopt); returns the
// entries and updates `head` in place.
std::vector<Entry> Chain(const Key& key, std::optional<Head>& head,
                         std::span<const Record> records);

struct VerifyReport {
  bool ok = false;
  std::int64_t entries = 0;
  std::optional<std::int64_t> first_bad_seq;  // the first entry that fails
  std::string problem;                        // what failed, for people
};

// Entries in storage order (ascending seq as stored). Detects modified,
// deleted, inserted, reordered and truncated entries.
VerifyReport Verify(const Key& key, std::span<const Entry> entries,
                    const std::optional<Head>& head);

}  // namespace beacon::audit
