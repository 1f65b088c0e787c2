// SqliteStore: the embedded Store backend. One SQLite database in WAL mode
// with synchronous=FULL under the data directory; a single commit thread
// owns the write connection and group-commits queued batches; reads use a
// separate connection guarded by a mutex. Schema: docs/storage.md.
// Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "store/store.h"

struct sqlite3;

namespace beacon::store {

class SqliteStore final : public Store {
 public:
  // Opens (creating when missing) DIR/beacon.db and DIR/audit.key.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& dir);
  ~SqliteStore() override;

  void Submit(Batch batch, std::function<void(const Status&)> done) override;
  Result<Snapshot> Load() override;
  Result<std::vector<Event>> EventsSince(std::int64_t since, size_t limit) override;
  Result<std::optional<User>> FindUser(const std::string& name) override;
  Result<std::vector<audit::Entry>> ReadAudit(const AuditQuery& q) override;
  Result<audit::VerifyReport> VerifyAudit() override;

  // Commits (transactions) and batches written so far, for metrics.
  std::uint64_t commits() const { return commits_; }

 public:
  struct Statements;  // defined in the .cc; used only by the commit thread

 private:
  SqliteStore() = default;
  void CommitLoop();
  struct Pending {
    Batch batch;
    std::function<void(const Status&)> done;
  };
  // Writes every batch in one transaction; per-batch conflicts go to
  // `outcomes`, a returned error fails them all.
  Status WriteAll(std::vector<Pending>& work, std::vector<Status>& outcomes);

  sqlite3* writer_ = nullptr;
  sqlite3* reader_ = nullptr;
  std::mutex reader_mu_;
  audit::Key key_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Pending> queue_;
  bool stop_ = false;
  bool failed_ = false;
  std::atomic<std::uint64_t> commits_{0};
  std::unique_ptr<Statements> stmts_;  // commit thread only
  std::thread committer_;
};

}  // namespace beacon::store
