#include "store/memory/memory_store.h"

#include <algorithm>

namespace beacon::store {

MemoryStore::MemoryStore(bool keep_events) : keep_events_(keep_events) {
  audit::Init();
  key_ = audit::NewKey();
}

MemoryStore::MemoryStore(bool keep_events, Records records) : MemoryStore(keep_events) {
  records_ = records;
}

void MemoryStore::Submit(Batch batch, std::function<void(const Status&)> done) {
  Status status;
  {
    std::lock_guard lock(mu_);
    for (const auto& u : batch.users) {
      if (users_.count(u.name)) {
        status = Conflict("user " + u.name + " already exists", "username");
        break;
      }
    }
    if (status.ok()) {
      for (auto& u : batch.users) users_[u.name] = std::move(u);
      for (auto& s : batch.sessions) sessions_.push_back(std::move(s));
      std::erase_if(sessions_, [&](const Session& s) {
        return std::find(batch.revoked_sessions.begin(), batch.revoked_sessions.end(),
                         s.token_hash) != batch.revoked_sessions.end() ||
               std::find(batch.revoked_users.begin(), batch.revoked_users.end(), s.user) !=
                   batch.revoked_users.end();
      });
      for (const auto& [name, disabled] : batch.user_disabled) {
        if (auto it = users_.find(name); it != users_.end()) it->second.disabled = disabled;
      }
      for (auto& up : batch.upserts) {
        auto& table = docs_[static_cast<int>(up.table)];
        if (up.doc.empty()) {
          table.erase(up.id);
        } else {
          table[up.id] = std::move(up.doc);
        }
      }
      for (auto& t : batch.timeline) timeline_.push_back(std::move(t));
      for (auto& e : batch.events) {
        last_seq_ = std::max(last_seq_, e.seq);
        ++event_count_;
        if (keep_events_) events_.push_back(std::move(e));
      }
      if (!batch.audit.empty()) {
        auto entries = audit::Chain(key_, head_, batch.audit);
        audit_.insert(audit_.end(), std::make_move_iterator(entries.begin()),
                      std::make_move_iterator(entries.end()));
      }
      ++batches_;
    }
  }
  done(status);
}

Result<Snapshot> MemoryStore::Load() {
  std::lock_guard lock(mu_);
  Snapshot s;
  auto docs = [&](Table t) {
    std::vector<std::string> out;
    for (const auto& [id, d] : docs_[static_cast<int>(t)]) out.push_back(d);
    return out;
  };
  s.calls = docs(Table::kCalls);
  s.incidents = docs(Table::kIncidents);
  s.units = docs(Table::kUnits);
  s.stations = docs(Table::kStations);
  s.cameras = docs(Table::kCameras);
  s.alerts = docs(Table::kAlerts);
  s.premises = docs(Table::kPremises);
  s.facilities = docs(Table::kFacilities);
  s.timers = docs(Table::kTimers);
  s.scam_reports = docs(Table::kScamReports);
  s.scam_actions = docs(Table::kScamActions);
  s.timeline = timeline_;
  std::stable_sort(s.timeline.begin(), s.timeline.end(), [](const auto& a, const auto& b) {
    return a.incident_id != b.incident_id ? a.incident_id < b.incident_id : a.n < b.n;
  });
  for (const auto& x : sessions_) {
    auto it = users_.find(x.user);
    if (it != users_.end() && !it->second.disabled) s.sessions.push_back(x);
  }
  s.last_event_seq = last_seq_;
  return s;
}

Result<std::vector<Event>> MemoryStore::EventsSince(std::int64_t since, size_t limit) {
  std::lock_guard lock(mu_);
  std::vector<Event> out;
  auto it = std::upper_bound(events_.begin(), events_.end(), since,
                             [](std::int64_t s, const Event& e) { return s < e.seq; });
  for (; it != events_.end() && out.size() < limit; ++it) out.push_back(*it);
  return out;
}

Result<std::optional<User>> MemoryStore::FindUser(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = users_.find(name);
  if (it == users_.end()) return std::optional<User>();
  return std::optional<User>(it->second);
}

Result<std::vector<audit::Entry>> MemoryStore::ReadAudit(const AuditQuery& q) {
  std::lock_guard lock(mu_);
  std::vector<audit::Entry> out;
  for (const auto& e : audit_) {
    if (e.seq <= q.after_seq) continue;
    if (q.from && e.record.time < *q.from) continue;
    if (q.to && e.record.time > *q.to) continue;
    if (q.user && e.record.user != *q.user) continue;
    out.push_back(e);
    if (out.size() >= q.limit) break;
  }
  return out;
}

Result<audit::VerifyReport> MemoryStore::VerifyAudit() {
  std::lock_guard lock(mu_);
  return audit::Verify(key_, audit_, head_);
}

std::int64_t MemoryStore::events() const {
  std::lock_guard lock(mu_);
  return event_count_;
}

std::int64_t MemoryStore::batches() const {
  std::lock_guard lock(mu_);
  return batches_;
}

}  // namespace beacon::store
