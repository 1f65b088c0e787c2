#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "common/log.h"

namespace beacon::store {
namespace {

constexpr int kSchemaVersion = 6;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY, time INTEGER NOT NULL,
  type TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS calls(id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS incidents(id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS units(id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stations(id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cameras(id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alerts(id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS premises(id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS facilities(id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS timers(id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scam_reports(id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scam_actions(id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS timeline(incident_id INTEGER NOT NULL, n INTEGER NOT NULL,
  doc TEXT NOT NULL, PRIMARY KEY(incident_id, n));
CREATE TABLE IF NOT EXISTS users(name TEXT PRIMARY KEY, role TEXT NOT NULL,
  password_hash TEXT NOT NULL, created_at INTEGER NOT NULL, disabled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sessions(token_hash TEXT PRIMARY KEY, user TEXT NOT NULL,
  role TEXT NOT NULL, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audit(seq INTEGER PRIMARY KEY, time INTEGER NOT NULL,
  user TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, object TEXT NOT NULL,
  reason TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
)sql";

// A prepared statement that finalizes itself.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK) s_ = nullptr;
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return s_ != nullptr; }
  Stmt& Bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  // SQLITE_STATIC: the caller's string must outlive the next Step().
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  // A temporary dies before Step() (ASan saw it): SQLite copies it.
  Stmt& Bind(int i, std::string&& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(s_); }
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::int64_t Int(int c) const { return sqlite3_column_int64(s_, c); }
  std::string Text(int c) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
    return p ? std::string(p, sqlite3_column_bytes(s_, c)) : std::string();
  }

 private:
  sqlite3_stmt* s_ = nullptr;
};

Status DbError(sqlite3* db, const std::string& what) {
  int code = sqlite3_errcode(db);
  Code c = (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? Code::kUnavailable : Code::kInternal;
  return Status(c, what + ": " + sqlite3_errmsg(db));
}

Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status(Code::kInternal, std::string("sqlite: ") + msg);
  }
  return Status::Ok();
}

Result<sqlite3*> OpenDb(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status(Code::kUnavailable, "cannot open database " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 10000);
  // WAL + synchronous=FULL: a COMMIT returns only after the WAL is fsynced.
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    auto s = Exec(db, pragma);
    if (!s.ok()) {
      sqlite3_close(db);
      return Status(Code::kUnavailable, path + ": " + s.message());
    }
  }
  return db;
}

Result<audit::Key> LoadOrCreateKey(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    audit::Key k = audit::NewKey();
    bool ok = ::write(fd, k.data(), k.size()) == static_cast<ssize_t>(k.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) return Status(Code::kUnavailable, "cannot write audit key " + path);
    return k;
  }
  if (errno != EEXIST) {
    return Status(Code::kUnavailable,
                  "cannot create audit key " + path + ": " + std::strerror(errno));
  }
  std::ifstream in(path, std::ios::binary);
  audit::Key k((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (k.size() != audit::kKeyBytes) {
    return Status(Code::kUnavailable, "audit key " + path + " must hold exactly " +
                                          std::to_string(audit::kKeyBytes) +
                                          " bytes; restore it from backup");
  }
  return k;
}

const char* TableName(Table t) {
  switch (t) {
    case Table::kCalls:
      return "calls";
    case Table::kIncidents:
      return "incidents";
    case Table::kUnits:
      return "units";
    case Table::kStations:
      return "stations";
    case Table::kCameras:
      return "cameras";
    case Table::kAlerts:
      return "alerts";
    case Table::kPremises:
      return "premises";
    case Table::kFacilities:
      return "facilities";
    case Table::kTimers:
      return "timers";
    case Table::kScamReports:
      return "scam_reports";
    case Table::kScamActions:
      return "scam_actions";
  }
  return "calls";
}

// Tables whose id column is an INTEGER (the others are keyed by text).
bool IntegerKeyed(Table t) {
  return t == Table::kCalls || t == Table::kIncidents || t == Table::kCameras ||
         t == Table::kAlerts || t == Table::kPremises || t == Table::kScamReports ||
         t == Table::kScamActions;
}

Result<std::optional<audit::Head>> ReadHead(sqlite3* db) {
  Stmt s(db, "SELECT value FROM meta WHERE key='audit_head'");
  if (!s.ok()) return DbError(db, "read audit head");
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<audit::Head>{};
  if (rc != SQLITE_ROW) return DbError(db, "read audit head");
  // "seq hash seal"
  std::string v = s.Text(0);
  audit::Head h;
  auto sp1 = v.find(' ');
  auto sp2 = v.find(' ', sp1 == std::string::npos ? sp1 : sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos) {
    return std::optional<audit::Head>{audit::Head{-1, "", ""}};
  }
  try {
    h.seq = std::stoll(v.substr(0, sp1));
  } catch (...) {
    h.seq = -1;
  }
  h.hash = v.substr(sp1 + 1, sp2 - sp1 - 1);
  h.seal = v.substr(sp2 + 1);
  return std::optional<audit::Head>{h};
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status(Code::kUnavailable, "cannot create data dir " + dir + ": " + ec.message());
  if (!audit::Init()) return Status(Code::kInternal, "libsodium failed to initialise");
  std::unique_ptr<SqliteStore> st(new SqliteStore());
  auto key = LoadOrCreateKey(dir + "/audit.key");
  if (!key) return key.error();
  st->key_ = *key;
  std::string path = dir + "/beacon.db";
  auto w = OpenDb(path);
  if (!w) return w.error();
  st->writer_ = *w;
  BEACON_RETURN_IF_ERROR(Exec(st->writer_, kSchema));
  {
    Stmt get(st->writer_, "SELECT value FROM meta WHERE key='schema_version'");
    if (get.Step() == SQLITE_ROW) {
      const std::string v = get.Text(0);
      if (v == "2" || v == "3" || v == "4" || v == "5") {
        // Versions 3, 4 and 5 only added tables (cameras and alerts;
        // premises, facilities and timers; scam_reports and scam_actions),
        // which kSchema has just created. Version 6 added users.disabled.
        BEACON_RETURN_IF_ERROR(Exec(st->writer_,
                                    "BEGIN IMMEDIATE;"
                                    "ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL "
                                    "DEFAULT 0;"
                                    "UPDATE meta SET value='6' WHERE key='schema_version';"
                                    "COMMIT"));
      } else if (get.Text(0) != std::to_string(kSchemaVersion)) {
        return Status(Code::kUnavailable, path + " has schema version " + get.Text(0) +
                                              "; this beacon needs " +
                                              std::to_string(kSchemaVersion));
      }
    } else {
      Stmt put(st->writer_, "INSERT INTO meta(key, value) VALUES('schema_version', ?)");
      put.Bind(1, std::to_string(kSchemaVersion));
      if (put.Step() != SQLITE_DONE) return DbError(st->writer_, "write schema version");
    }
  }
  auto r = OpenDb(path);
  if (!r) return r.error();
  st->reader_ = *r;
  st->committer_ = std::thread([s = st.get()] { s->CommitLoop(); });
  return st;
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (committer_.joinable()) committer_.join();
  stmts_.reset();  // finalized before their connection closes
  sqlite3_close(reader_);
  sqlite3_close(writer_);
}

void SqliteStore::Submit(Batch batch, std::function<void(const Status&)> done) {
  {
    std::lock_guard lock(mu_);
    if (!stop_) {
      queue_.push_back({std::move(batch), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  done(Status(Code::kUnavailable, "store is shutting down"));
}

void SqliteStore::CommitLoop() {
  std::vector<Pending> work;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stop_ and drained
      work.swap(queue_);
    }
    // Per-batch outcomes: a batch refused for a conflict (duplicate user)
    // is rolled back alone; a storage error fails the whole transaction and
    // the store for good, because callers may already have applied the
    // changes in memory.
    std::vector<Status> outcomes(work.size());
    Status s = failed_ ? Status(Code::kUnavailable,
                                "storage failed earlier; writes are refused until restart")
                       : WriteAll(work, outcomes);
    if (!s.ok() && !failed_) {
      failed_ = true;
      Log(Level::kError, "store.commit_failed", {{"message", s.message()}});
    }
    ++commits_;
    for (size_t i = 0; i < work.size(); ++i) work[i].done(s.ok() ? outcomes[i] : s);
    work.clear();
  }
}

// The write connection's prepared statements, prepared once and reused by
// every group commit (preparing them costs more than a small batch).
struct SqliteStore::Statements {
  explicit Statements(sqlite3* db)
      : ev(db, "INSERT INTO events(seq, time, type, data) VALUES(?,?,?,?)"),
        tl(db, "INSERT OR REPLACE INTO timeline(incident_id, n, doc) VALUES(?,?,?)"),
        au(db,
           "INSERT INTO audit(seq, time, user, role, action, object, reason, prev_hash, hash) "
           "VALUES(?,?,?,?,?,?,?,?,?)"),
        user(db, "INSERT INTO users(name, role, password_hash, created_at) VALUES(?,?,?,?)"),
        sess(db,
             "INSERT OR REPLACE INTO sessions(token_hash, user, role, expires_at) "
             "VALUES(?,?,?,?)"),
        revoke(db, "DELETE FROM sessions WHERE token_hash=?"),
        revoke_user(db, "DELETE FROM sessions WHERE user=?"),
        disable(db, "UPDATE users SET disabled=? WHERE name=?") {
    for (int t = 0; t < kTableCount; ++t) {
      std::string name = TableName(static_cast<Table>(t));
      up[t] = std::make_unique<Stmt>(
          db, ("INSERT OR REPLACE INTO " + name + "(id, doc) VALUES(?,?)").c_str());
      del[t] = std::make_unique<Stmt>(db, ("DELETE FROM " + name + " WHERE id=?").c_str());
    }
  }
  bool ok() const {
    for (int t = 0; t < kTableCount; ++t) {
      if (!up[t]->ok() || !del[t]->ok()) return false;
    }
    return ev.ok() && tl.ok() && au.ok() && user.ok() && sess.ok() && revoke.ok() &&
           revoke_user.ok() && disable.ok();
  }
  Stmt ev, tl, au, user, sess, revoke, revoke_user, disable;
  std::unique_ptr<Stmt> up[kTableCount], del[kTableCount];
};

namespace {

// Events, documents and sessions of one batch (users and audit are
// handled by the caller).
Status WriteBatch(sqlite3* db, const Batch& b, SqliteStore::Statements& st) {
  for (const auto& e : b.events) {
    st.ev.Bind(1, e.seq).Bind(2, e.time).Bind(3, e.type).Bind(4, e.data);
    if (st.ev.Step() != SQLITE_DONE) return DbError(db, "append event " + std::to_string(e.seq));
    st.ev.Reset();
  }
  for (const auto& u : b.upserts) {
    const int t = static_cast<int>(u.table);
    Stmt& s = u.doc.empty() ? *st.del[t] : *st.up[t];
    if (IntegerKeyed(u.table)) {
      s.Bind(1, static_cast<std::int64_t>(std::stoll(u.id)));
    } else {
      s.Bind(1, u.id);
    }
    if (!u.doc.empty()) s.Bind(2, u.doc);
    if (s.Step() != SQLITE_DONE) {
      return DbError(db,
                     std::string(u.doc.empty() ? "delete from " : "upsert ") + TableName(u.table));
    }
    s.Reset();
  }
  for (const auto& t : b.timeline) {
    st.tl.Bind(1, t.incident_id).Bind(2, t.n).Bind(3, t.doc);
    if (st.tl.Step() != SQLITE_DONE) return DbError(db, "append timeline entry");
    st.tl.Reset();
  }
  for (const auto& x : b.sessions) {
    st.sess.Bind(1, x.token_hash)
        .Bind(2, x.user)
        .Bind(3, std::string(model::ToString(x.role)))
        .Bind(4, x.expires_at);
    if (st.sess.Step() != SQLITE_DONE) return DbError(db, "insert session");
    st.sess.Reset();
  }
  for (const auto& h : b.revoked_sessions) {
    st.revoke.Bind(1, h);
    if (st.revoke.Step() != SQLITE_DONE) return DbError(db, "revoke session");
    st.revoke.Reset();
  }
  for (const auto& u : b.revoked_users) {
    st.revoke_user.Bind(1, u);
    if (st.revoke_user.Step() != SQLITE_DONE) return DbError(db, "revoke sessions of user");
    st.revoke_user.Reset();
  }
  for (const auto& [name, disabled] : b.user_disabled) {
    st.disable.Bind(1, static_cast<std::int64_t>(disabled ? 1 : 0)).Bind(2, name);
    if (st.disable.Step() != SQLITE_DONE) return DbError(db, "set user disabled");
    st.disable.Reset();
  }
  return Status::Ok();
}

}  // namespace

Status SqliteStore::WriteAll(std::vector<Pending>& work, std::vector<Status>& outcomes) {
  sqlite3* db = writer_;
  BEACON_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  auto fail = [&](const std::string& what) {
    Status s = DbError(db, what);
    Exec(db, "ROLLBACK").ok();
    return s;
  };
  if (!stmts_) {
    stmts_ = std::make_unique<Statements>(db);
    if (!stmts_->ok()) {
      stmts_.reset();
      return fail("prepare");
    }
  }
  Statements& st = *stmts_;
  // The audit head is read inside the transaction: other processes
  // (beacon user add) may have appended since our last commit.
  auto head = ReadHead(db);
  if (!head) {
    Exec(db, "ROLLBACK").ok();
    return head.error();
  }
  std::vector<audit::Record> records;
  for (size_t i = 0; i < work.size(); ++i) {
    auto& b = work[i].batch;
    if (b.users.empty()) {
      if (auto e = WriteBatch(db, b, st); !e.ok()) return fail(e.message());
      records.insert(records.end(), b.audit.begin(), b.audit.end());
      continue;
    }
    // Only user creation can conflict; give it a savepoint of its own.
    if (auto e = Exec(db, "SAVEPOINT batch"); !e.ok()) return fail(e.message());
    bool conflict = false;
    for (auto& x : b.users) {
      st.user.Bind(1, x.name)
          .Bind(2, std::string(model::ToString(x.role)))
          .Bind(3, x.password_hash)
          .Bind(4, x.created_at);
      int rc = st.user.Step();
      st.user.Reset();
      if (rc == SQLITE_CONSTRAINT) {
        outcomes[i] = Conflict("user " + x.name + " already exists", "username");
        conflict = true;
        break;
      }
      if (rc != SQLITE_DONE) return fail("insert user");
    }
    if (conflict) {
      if (auto e = Exec(db, "ROLLBACK TO batch"); !e.ok()) return fail(e.message());
      if (auto e = Exec(db, "RELEASE batch"); !e.ok()) return fail(e.message());
      continue;
    }
    if (auto e = WriteBatch(db, b, st); !e.ok()) return fail(e.message());
    if (auto e = Exec(db, "RELEASE batch"); !e.ok()) return fail(e.message());
    records.insert(records.end(), b.audit.begin(), b.audit.end());
  }
  if (!records.empty()) {
    std::optional<audit::Head> h = *head;
    if (h && h->seq < 0) return fail("audit head is corrupt; run beacon audit verify");
    auto entries = audit::Chain(key_, h, records);
    for (auto& e : entries) {
      st.au.Bind(1, e.seq)
          .Bind(2, e.record.time)
          .Bind(3, e.record.user)
          .Bind(4, e.record.role)
          .Bind(5, e.record.action)
          .Bind(6, e.record.object)
          .Bind(7, e.record.reason)
          .Bind(8, e.prev_hash)
          .Bind(9, e.hash);
      if (st.au.Step() != SQLITE_DONE) return fail("append audit entry");
      st.au.Reset();
    }
    Stmt put(db, "INSERT OR REPLACE INTO meta(key, value) VALUES('audit_head', ?)");
    std::string v = std::to_string(h->seq) + " " + h->hash + " " + h->seal;
    put.Bind(1, v);
    if (put.Step() != SQLITE_DONE) return fail("write audit head");
  }
  if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("commit");
  return Status::Ok();
}

Result<Snapshot> SqliteStore::Load() {
  std::lock_guard lock(reader_mu_);
  Snapshot snap;
  auto read_docs = [&](const char* sql, std::vector<std::string>& out) -> Status {
    Stmt s(reader_, sql);
    if (!s.ok()) return DbError(reader_, sql);
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) out.push_back(s.Text(0));
    if (rc != SQLITE_DONE) return DbError(reader_, sql);
    return Status::Ok();
  };
  BEACON_RETURN_IF_ERROR(read_docs("SELECT doc FROM calls ORDER BY id", snap.calls));
  BEACON_RETURN_IF_ERROR(read_docs("SELECT doc FROM incidents ORDER BY id", snap.incidents));
  BEACON_RETURN_IF_ERROR(read_docs("SELECT doc FROM units ORDER BY id", snap.units));
  BEACON_RETURN_IF_ERROR(read_docs("SELECT doc FROM stations ORDER BY id", snap.stations));
  BEACON_RETURN_IF_ERROR(read_docs("SELECT doc FROM cameras ORDER BY id", snap.cameras));
  BEACON_RETURN_IF_ERROR(read_docs("SELECT doc FROM premises ORDER BY id", snap.premises));
  BEACON_RETURN_IF_ERROR(read_docs("SELECT doc FROM facilities ORDER BY id", snap.facilities));
  BEACON_RETURN_IF_ERROR(read_docs("SELECT doc FROM timers ORDER BY id", snap.timers));
  BEACON_RETURN_IF_ERROR(read_docs("SELECT doc FROM alerts ORDER BY id", snap.alerts));
  BEACON_RETURN_IF_ERROR(read_docs("SELECT doc FROM scam_reports ORDER BY id", snap.scam_reports));
  BEACON_RETURN_IF_ERROR(read_docs("SELECT doc FROM scam_actions ORDER BY id", snap.scam_actions));
  {
    Stmt s(reader_, "SELECT incident_id, n, doc FROM timeline ORDER BY incident_id, n");
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) snap.timeline.push_back({s.Int(0), s.Int(1), s.Text(2)});
    if (rc != SQLITE_DONE) return DbError(reader_, "read timeline");
  }
  {
    Stmt s(reader_, "SELECT COALESCE(MAX(seq), 0) FROM events");
    if (s.Step() != SQLITE_ROW) return DbError(reader_, "max event seq");
    snap.last_event_seq = s.Int(0);
  }
  {
    // A session outlives neither its user nor the user's being disabled.
    Stmt s(reader_,
           "SELECT s.token_hash, s.user, s.role, s.expires_at FROM sessions s "
           "JOIN users u ON u.name = s.user WHERE u.disabled = 0");
    while (s.Step() == SQLITE_ROW) {
      auto role = model::ParseRole(s.Text(2));
      if (!role) continue;
      snap.sessions.push_back({s.Text(0), s.Text(1), *role, s.Int(3)});
    }
  }
  return snap;
}

Result<std::vector<Event>> SqliteStore::EventsSince(std::int64_t since, size_t limit) {
  std::lock_guard lock(reader_mu_);
  Stmt s(reader_, "SELECT seq, time, type, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?");
  if (!s.ok()) return DbError(reader_, "read events");
  s.Bind(1, since).Bind(2, static_cast<std::int64_t>(limit));
  std::vector<Event> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back({s.Int(0), s.Int(1), s.Text(2), s.Text(3)});
  if (rc != SQLITE_DONE) return DbError(reader_, "read events");
  return out;
}

Result<std::optional<User>> SqliteStore::FindUser(const std::string& name) {
  std::lock_guard lock(reader_mu_);
  Stmt s(reader_,
         "SELECT name, role, password_hash, created_at, disabled FROM users WHERE name = ?");
  if (!s.ok()) return DbError(reader_, "find user");
  s.Bind(1, name);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<User>{};
  if (rc != SQLITE_ROW) return DbError(reader_, "find user");
  auto role = model::ParseRole(s.Text(1));
  if (!role) return Status(Code::kInternal, "user " + name + " has an unknown role");
  return std::optional<User>{User{s.Text(0), *role, s.Text(2), s.Int(3), s.Int(4) != 0}};
}

Result<std::vector<audit::Entry>> SqliteStore::ReadAudit(const AuditQuery& q) {
  std::lock_guard lock(reader_mu_);
  Stmt s(reader_,
         "SELECT seq, time, user, role, action, object, reason, prev_hash, hash FROM audit "
         "WHERE seq > ? AND time >= ? AND time <= ? AND (? = '' OR user = ?) "
         "ORDER BY seq LIMIT ?");
  if (!s.ok()) return DbError(reader_, "read audit");
  std::string user = q.user.value_or("");
  s.Bind(1, q.after_seq)
      .Bind(2, q.from.value_or(INT64_MIN))
      .Bind(3, q.to.value_or(INT64_MAX))
      .Bind(4, user)
      .Bind(5, user)
      .Bind(6, static_cast<std::int64_t>(q.limit));
  std::vector<audit::Entry> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    out.push_back({s.Int(0),
                   {s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6)},
                   s.Text(7),
                   s.Text(8)});
  }
  if (rc != SQLITE_DONE) return DbError(reader_, "read audit");
  return out;
}

Result<audit::VerifyReport> SqliteStore::VerifyAudit() {
  std::vector<audit::Entry> entries;
  std::optional<audit::Head> head;
  {
    std::lock_guard lock(reader_mu_);
    // One read transaction so entries and head are a consistent snapshot.
    BEACON_RETURN_IF_ERROR(Exec(reader_, "BEGIN"));
    // Storage order (rowid), not seq order: a reordering must be visible.
    Stmt s(reader_,
           "SELECT seq, time, user, role, action, object, reason, prev_hash, hash FROM audit "
           "ORDER BY rowid");
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      entries.push_back({s.Int(0),
                         {s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6)},
                         s.Text(7),
                         s.Text(8)});
    }
    auto h = ReadHead(reader_);
    Exec(reader_, "COMMIT").ok();
    if (rc != SQLITE_DONE) return DbError(reader_, "read audit");
    if (!h) return h.error();
    head = *h;
  }
  return audit::Verify(key_, entries, head);
}

}  // namespace beacon::store
