// Center::Tx: one command's changes, accumulated under Center::mu_ and
// rendered into a store::Batch (events, current-state documents, timeline
// rows, audit records). Private to src/service/: every command file of the
// Center includes it. Not thread-safe on its own; used under the mutex.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "dispatch/timers.h"
#include "service/center.h"

namespace beacon::service {

using model::Incident;
using model::IncidentStatus;
using model::Unit;
using model::UnitStatus;

// Accumulates one command's changes. Used under Center::mu_.
class Center::Tx {
 public:
  Tx(Center& c, const Actor& a)
      : c_(c), actor_(a), now_(c.clock_.Now()), records_(c.store_.KeepsRecords()) {}
  TimeMs now() const { return now_; }

  // With a store that keeps no records (store::Store::KeepsRecords) the
  // methods below change only the in-memory state (timeline, event
  // sequence numbers) and render nothing.
  void Put(const model::Call& x) {
    if (!records_) return;
    batch_.upserts.push_back(
        {store::Table::kCalls, std::to_string(x.id.value()), model::ToJson(x, true).dump()});
  }
  void Put(const model::Station& x) {
    if (!records_) return;
    batch_.upserts.push_back({store::Table::kStations, x.id.value(), model::ToJson(x).dump()});
  }
  void Event(std::string type, const Json& data) {
    if (!records_) {
      ++c_.seq_;
      return;
    }
    Event(std::move(type), data.dump());
  }
  void Event(std::string type, std::string data) {
    if (!records_) {
      ++c_.seq_;
      return;
    }
    batch_.events.push_back({++c_.seq_, now_, std::move(type), std::move(data)});
  }
  // Stores the record and emits `type` with it, rendering the JSON once.
  // Remembers the incident or unit as touched: its timers are refreshed
  // before the batch is submitted (Center::Submit).
  void PutEvent(std::string type, const Incident& x) {
    touched_incidents_.insert(x.id.value());
    if (!records_) {
      ++c_.seq_;
      return;
    }
    std::string doc = model::ToJson(x, /*with_timeline=*/false).dump();
    std::string added = "[";
    for (const auto& entry : added_[x.id.value()]) {
      if (added.size() > 1) added += ',';
      added += entry;
    }
    added += ']';
    added_.erase(x.id.value());
    Event(std::move(type), R"({"incident":)" + doc + R"(,"timeline_added":)" + added + "}");
    batch_.upserts.push_back(
        {store::Table::kIncidents, std::to_string(x.id.value()), std::move(doc)});
  }
  void PutEvent(std::string type, const Unit& x) {
    touched_units_.insert(x.id.value());
    if (!records_) {
      ++c_.seq_;
      return;
    }
    std::string doc = model::ToJson(x).dump();
    Event(std::move(type), R"({"unit":)" + doc + "}");
    batch_.upserts.push_back({store::Table::kUnits, x.id.value(), std::move(doc)});
  }
  void Audit(std::string action, std::string object) {
    if (!records_) return;
    batch_.audit.push_back({now_, actor_.user, std::string(model::ToString(actor_.role)),
                            std::move(action), std::move(object), actor_.reason});
  }
  // Appends to the incident's timeline; the entry is stored as its own row
  // and streamed with the incident's next event, so a long incident does
  // not cost more per change than a short one.
  void Timeline(Incident& i, std::string kind, std::string text) {
    i.timeline.push_back({now_, std::move(kind), std::move(text), actor_.user});
    if (!records_) return;
    std::string doc = model::ToJson(i.timeline.back()).dump();
    added_[i.id.value()].push_back(doc);
    batch_.timeline.push_back(
        {i.id.value(), static_cast<std::int64_t>(i.timeline.size()) - 1, std::move(doc)});
  }
  // A timeline entry with its own time and author (an imported EIDO note).
  void TimelineAs(Incident& i, TimeMs time, std::string user, std::string kind, std::string text) {
    i.timeline.push_back({time, std::move(kind), std::move(text), std::move(user)});
    if (!records_) return;
    std::string doc = model::ToJson(i.timeline.back()).dump();
    added_[i.id.value()].push_back(doc);
    batch_.timeline.push_back(
        {i.id.value(), static_cast<std::int64_t>(i.timeline.size()) - 1, std::move(doc)});
  }
  void Put(const model::Camera& x) {
    if (!records_) return;
    batch_.upserts.push_back(
        {store::Table::kCameras, std::to_string(x.id.value()), model::ToJson(x).dump()});
  }
  void Put(const model::Facility& x) {
    if (!records_) return;
    batch_.upserts.push_back({store::Table::kFacilities, x.id.value(), model::ToJson(x).dump()});
  }
  void Put(const model::Premise& x) {
    if (!records_) return;
    batch_.upserts.push_back(
        {store::Table::kPremises, std::to_string(x.id.value()), model::ToJson(x).dump()});
  }
  // A fired timer's record and its event, rendering the JSON once.
  void PutEvent(std::string type, const dispatch::Timer& x) {
    if (!records_) {
      ++c_.seq_;
      return;
    }
    std::string doc = dispatch::ToJson(x).dump();
    Event(std::move(type), R"({"timer":)" + doc + "}");
    batch_.upserts.push_back({store::Table::kTimers, x.id, std::move(doc)});
  }
  // A cleared timer's record goes.
  void EraseTimer(const std::string& id) {
    if (!records_) return;
    batch_.upserts.push_back({store::Table::kTimers, id, std::string()});
  }
  store::Batch& batch() { return batch_; }
  const std::set<std::int64_t>& touched_incidents() const { return touched_incidents_; }
  const std::set<std::string>& touched_units() const { return touched_units_; }

 private:
  Center& c_;
  const Actor& actor_;
  TimeMs now_;
  bool records_;
  store::Batch batch_;
  // Timeline entries (JSON) added since the incident's last event.
  std::map<std::int64_t, std::vector<std::string>> added_;
  std::set<std::int64_t> touched_incidents_;
  std::set<std::string> touched_units_;
};

inline std::string IncidentObject(IncidentId id) {
  return "incident/" + std::to_string(id.value());
}
inline std::string UnitObject(const UnitId& id) { return "unit/" + id.value(); }
inline Json CallEvent(const model::Call& c) { return {{"call", model::ToJson(c, false)}}; }

}  // namespace beacon::service
