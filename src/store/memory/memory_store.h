// MemoryStore: a Store that keeps everything in memory and commits
// synchronously: Submit applies the batch and runs `done` on the caller's
// thread before it returns. Nothing survives the process, so it is for
// replays, simulations and tests, never for a real centre (only cli/ picks
// it, for `beacon replay` without --server). Keeps the current documents,
// the users and sessions, the audit chain (keyed with a random key) and,
// unless told otherwise, the event log. Thread-safe (one mutex).
#pragma once

#include <map>
#include <mutex>

#include "store/store.h"

namespace beacon::store {

class MemoryStore final : public Store {
 public:
  // `keep_events` false: events are counted, not kept (EventsSince then
  // returns nothing), which saves memory on long replays.
  explicit MemoryStore(bool keep_events = true);
  enum class Records { kKeep, kNone };
  // Records::kNone: KeepsRecords() is false, so service::Center submits
  // batches without documents, timeline, events or audit records (only
  // users and sessions); Load then has no documents and the audit log stays
  // empty. For `beacon replay` in-process, which reads only the Center's
  // in-memory state (docs/replay.md).
  MemoryStore(bool keep_events, Records records);
  bool KeepsRecords() const override { return records_ == Records::kKeep; }

  void Submit(Batch batch, std::function<void(const Status&)> done) override;
  Result<Snapshot> Load() override;
  Result<std::vector<Event>> EventsSince(std::int64_t since, size_t limit) override;
  Result<std::optional<User>> FindUser(const std::string& name) override;
  Result<std::vector<audit::Entry>> ReadAudit(const AuditQuery& q) override;
  Result<audit::VerifyReport> VerifyAudit() override;

  std::int64_t events() const;
  std::int64_t batches() const;

 private:
  mutable std::mutex mu_;
  bool keep_events_;
  Records records_ = Records::kKeep;
  audit::Key key_;
  std::optional<audit::Head> head_;
  std::map<std::string, std::string> docs_[kTableCount];  // per Table
  std::vector<TimelineRow> timeline_;
  std::vector<Event> events_;
  std::int64_t event_count_ = 0;
  std::int64_t last_seq_ = 0;
  std::int64_t batches_ = 0;
  std::vector<audit::Entry> audit_;
  std::map<std::string, User> users_;
  std::vector<Session> sessions_;
};

}  // namespace beacon::store
