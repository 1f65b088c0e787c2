// Store: Beacon's durable state. Every change is a Batch: events appended to
// the event log, current-state documents upserted, audit records chained, all
// in one transaction. Submit() group-commits: concurrent batches share one
// transaction and one fsync, and each `done` runs only once the data is
// durable. Implementations: sqlite/ (embedded default). Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_chain.h"
#include "common/clock.h"
#include "common/status.h"
#include "model/types.h"

namespace beacon::store {

struct Event {
  std::int64_t seq = 0;
  TimeMs time = 0;
  std::string type;  // "call.created", "unit.status", ...
  std::string data;  // JSON object text
};

// kCameras, kAlerts and kPremises are keyed by decimal integer ids like
// calls; kFacilities by the facility's code; kTimers by the timer's id
// ("incident/17/pending", "unit/E7/dispatched"). kScamReports (the fraud
// reports of the anti-scam desk) and kScamActions (its analysts' splits
// and pin-outs) by decimal integer ids.
enum class Table {
  kCalls,
  kIncidents,
  kUnits,
  kStations,
  kCameras,
  kAlerts,
  kPremises,
  kFacilities,
  kTimers,
  kScamReports,
  kScamActions,
};
inline constexpr int kTableCount = 11;

struct Upsert {
  Table table;
  std::string id;   // decimal for calls/incidents, call sign for units/stations
  std::string doc;  // JSON text of the record (model::ToJson); empty: delete the record
};

// One incident timeline entry, appended (entries are never rewritten).
struct TimelineRow {
  std::int64_t incident_id = 0;
  std::int64_t n = 0;  // 0, 1, 2... per incident
  std::string doc;     // JSON of the entry
};

struct User {
  std::string name;
  model::Role role = model::Role::kAnalyst;
  std::string password_hash;  // libsodium crypto_pwhash_str
  TimeMs created_at = 0;
  // A disabled user cannot log in and has no sessions (docs/security.md).
  bool disabled = false;
};

struct Session {
  std::string token_hash;  // hex BLAKE2b of the bearer token; tokens are never stored
  std::string user;
  model::Role role = model::Role::kAnalyst;
  TimeMs expires_at = 0;
};

struct Batch {
  std::vector<Event> events;
  std::vector<Upsert> upserts;
  std::vector<TimelineRow> timeline;
  std::vector<audit::Record> audit;
  std::vector<User> users;  // insert; a name that exists is a conflict
  std::vector<Session> sessions;
  // Sessions ended: by token hash (logout), and every session of a user
  // (revocation, disabling).
  std::vector<std::string> revoked_sessions;
  std::vector<std::string> revoked_users;
  // Users whose disabled flag is set (true) or cleared (false); a name that
  // does not exist is ignored.
  std::vector<std::pair<std::string, bool>> user_disabled;
  bool empty() const {
    return events.empty() && upserts.empty() && timeline.empty() && audit.empty() &&
           users.empty() && sessions.empty() && revoked_sessions.empty() && revoked_users.empty() &&
           user_disabled.empty();
  }
};

struct Snapshot {
  std::vector<std::string> calls, incidents, units, stations, cameras, alerts, premises, facilities,
      timers;                                           // JSON docs
  std::vector<std::string> scam_reports, scam_actions;  // JSON docs, ascending id
  std::vector<TimelineRow> timeline;                    // by incident, then n
  // Sessions of users that exist and are not disabled (expired ones too:
  // api::Auth::Restore drops those).
  std::vector<Session> sessions;
  std::int64_t last_event_seq = 0;
};

struct AuditQuery {
  std::optional<TimeMs> from, to;
  std::optional<std::string> user;
  std::int64_t after_seq = 0;
  size_t limit = 1000;
};

class Store {
 public:
  virtual ~Store() = default;

  // Queues `batch` for the next group commit; `done` is called exactly once,
  // on the store's commit thread, after the transaction is durable (or failed).
  // After a failed commit the store refuses all writes (kUnavailable).
  virtual void Submit(Batch batch, std::function<void(const Status&)> done) = 0;
  // Submit and wait.
  Status Commit(Batch batch);

  virtual Result<Snapshot> Load() = 0;
  // Events with since < seq, ascending, at most `limit`.
  virtual Result<std::vector<Event>> EventsSince(std::int64_t since, size_t limit) = 0;
  virtual Result<std::optional<User>> FindUser(const std::string& name) = 0;
  virtual Result<std::vector<audit::Entry>> ReadAudit(const AuditQuery& q) = 0;
  // Verifies the whole audit chain.
  virtual Result<audit::VerifyReport> VerifyAudit() = 0;

  // False for a store that keeps nothing of a batch but that it happened (a
  // simulation, e.g. MemoryStore for an in-process replay): writers may then
  // leave out the documents, timeline rows, event payloads and audit records
  // they would otherwise render only to have them thrown away (service::Center
  // does; users and sessions are still passed). Durable stores keep records.
  virtual bool KeepsRecords() const { return true; }
};

}  // namespace beacon::store
