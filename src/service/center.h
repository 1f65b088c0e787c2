// Center: the dispatch centre's live state and every command on it.
//
// Owns the in-memory projection (calls, incidents, units, stations), loaded
// from the Store at start. A command is validated and applied under one
// mutex, turned into a store::Batch (events + current-state documents +
// audit records) and submitted for group commit while still holding the
// mutex, so event sequence numbers are committed in order. `done` runs on
// the store's commit thread once the batch is durable, and committed events
// are then handed to the EventSink. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cap/alert.h"
#include "common/clock.h"
#include "correlate/duplicate_detector.h"
#include "correlate/incident_index.h"
#include "dispatch/response_plan.h"
#include "dispatch/timers.h"
#include "dispatch/travel_times.h"
#include "eido/eido.h"
#include "intake/requests.h"
#include "model/types.h"
#include "service/locations.h"
#include "store/store.h"

namespace beacon::service {

// Who is acting, for permission checks and the audit log.
struct Actor {
  std::string user;
  model::Role role = model::Role::kAnalyst;
  std::string reason;  // Beacon-Reason header, may be empty
};

// Receives committed events in sequence order (called on the commit thread).
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void Publish(const std::vector<store::Event>& events) = 0;
};

using Json = nlohmann::json;
using Done = std::function<void(Result<Json>)>;

struct CenterStats {
  std::int64_t calls = 0;
  std::int64_t open_incidents = 0;
  std::int64_t units = 0;
  std::int64_t last_seq = 0;
};

class Center {
 public:
  // References must outlive the Center.
  Center(store::Store& store, const dispatch::ResponsePlans& plans,
         const dispatch::TravelTimes& travel_times, const Clock& clock, EventSink& sink);

  // Loads the current state from a store snapshot. Call once, first.
  Status Load(const store::Snapshot& snap);
  // Geocoding on intake (docs/geocoding.md): a call with an address and no
  // location is placed at the resolver's best candidate; one with both
  // keeps its location and gets the nearest address as its label. Without
  // a resolver an address-only call stays unplaced and flagged. Set before
  // serving; the resolver must outlive the Center.
  void SetLocationResolver(const LocationResolver* resolver) { resolver_ = resolver; }

  // Writes. The Json passed to `done` is the response body.
  void CreateCall(const Actor& a, model::CallInput in, Done done);
  // Sends `unit` to `incident`. Only an available unit, unless `divert`:
  // then a unit dispatched or en route to another incident is taken from it
  // (that incident's plan is unmet again; audited).
  void Assign(const Actor& a, IncidentId incident, UnitId unit, Done done, bool divert = false);
  void Merge(const Actor& a, IncidentId from, IncidentId into, Done done);
  void Split(const Actor& a, IncidentId from, std::vector<CallId> calls, Done done);
  void Close(const Actor& a, IncidentId incident, std::string disposition, Done done);
  void CreateUnit(const Actor& a, intake::UnitCreateRequest req, Done done);
  // The status machine; `transporting` may name a destination facility (not
  // a closed one; one on diversion is accepted with a warning in the body),
  // `out_of_service` carries a reason.
  void SetUnitStatus(const Actor& a, UnitId unit, intake::UnitStatusRequest req, Done done);
  void SetUnitPosition(const Actor& a, UnitId unit, LatLon position, Done done);
  void CreateStation(const Actor& a, intake::StationCreateRequest req, Done done);

  // Reads. Those that return caller personal data append an audit entry
  // first and answer once it is durable.
  void GetCall(const Actor& a, CallId id, Done done);
  void GetIncident(const Actor& a, IncidentId id, Done done);
  Result<Json> ListIncidents(std::string_view status_filter) const;
  // Ranked available units for the plan, then (with `include_divert`) units
  // committed to lower-priority incidents that would arrive sooner, each
  // marked "divert_from" (docs/dispatch.md).
  Result<Json> Recommend(IncidentId id, bool include_divert = true) const;
  Json ListUnits() const;
  Json ListStations() const;
  Json IncidentTypes() const;

  // ---- The dispatch floor: calls and incidents that change (docs/dispatch.md).
  // Every change is an event, a timeline entry with who and when (the old
  // value in its text) and an audit record.
  //
  // A note on an open or closed incident (not a merged one): 201 body
  // {incident_id, note}.
  void AddNote(const Actor& a, IncidentId incident, std::string text, Done done);
  // Type (the response plan, and with it the priority unless given),
  // priority, location, address, disposition of an open incident.
  void PatchIncident(const Actor& a, IncidentId incident, intake::IncidentPatchRequest req,
                     Done done);
  // A call-taker's corrections: caller name and callback number (the old
  // value kept in the call's corrections), narrative appended.
  void PatchCall(const Actor& a, CallId call, intake::CallPatchRequest req, Done done);
  // What POST /calls would answer as possible duplicates for such a call.
  Result<Json> PossibleDuplicates(const intake::DuplicateQuery& q) const;

  // ---- Timers (docs/dispatch.md): an incident waiting for a unit beyond
  // its priority's threshold, a unit in a status beyond the status's.
  // Fires the timers due now: `beacon serve` calls it every second. Events
  // timer.raised / timer.cleared / timer.acknowledged; records in the store
  // so a restart neither forgets nor re-fires a crossing.
  void EvaluateTimers();
  // {"timers": [...]}: raised and acknowledged timers, longest raised first.
  Json ListTimers() const;
  // Silences a raised timer until its next threshold (audited).
  void AcknowledgeTimer(const Actor& a, const std::string& timer_id, Done done);
  // Fired-or-not watches (benchmarks and tests).
  size_t TimerWatchCount() const;

  // ---- Facilities: hospitals and yards units transport to (facilities.cc).
  void CreateFacility(const Actor& a, intake::FacilityCreateRequest req, Done done);
  void SetFacilityStatus(const Actor& a, FacilityId id, model::FacilityStatus status, Done done);
  Json ListFacilities() const;

  // ---- Premise notes (premises.cc): hazards and what responders should
  // know about a place. Notes that can name a resident are redacted for
  // roles without personal-data access and audited when read.
  void CreatePremise(const Actor& a, intake::PremiseCreateRequest req, Done done);
  // All notes, or those applying at `near` (within kPremiseMatchM or inside).
  void ListPremises(const Actor& a, std::optional<LatLon> near, Done done);

  CenterStats Stats() const;
  const dispatch::ResponsePlans& plans() const { return plans_; }

  // Commits a batch built outside the Center (the anti-scam desk,
  // service::ScamDesk) on the same path: its events are numbered in the
  // Center's event sequence under the Center's mutex, so the event log and
  // the stream stay in commit order. `done` runs on the commit thread once
  // the batch is durable and its events are published.
  void SubmitBatch(store::Batch batch, std::function<void(const Status&)> done);

  // EIDO exchange (docs/eido.md). Import creates the incident of an EIDO
  // the first time its tracking id is seen and updates it on every re-send
  // (calls, notes and other centres' units matched by their EIDO $id);
  // the body says {"created": true} for a new incident. Export answers the
  // EIDO document, caller data included, after an audit entry is durable.
  void ImportIncident(const Actor& a, eido::Document doc, const eido::Identity& self, Done done);
  void ExportIncident(const Actor& a, IncidentId id, const eido::Identity& self, Done done);

  // Camera registry. Beacon stores cameras and hands out stream URLs; it
  // never looks at video. ViewCamera answers the stream URL only after the
  // audit entry (who, which camera, which incident) is durable.
  void CreateCamera(const Actor& a, intake::CameraCreateRequest req, Done done);
  Json ListCameras() const;
  Result<Json> NearestCameras(IncidentId id, size_t limit) const;
  void ViewCamera(const Actor& a, IncidentId incident, CameraId camera, Done done);

  // CAP 1.2 in and out (docs/cap.md).
  //
  // A received message, already accepted by cap::Parse and
  // cap::CheckAcceptable. `call` is the call an Alert or Update becomes
  // (absent for a Cancel); `xml_base64` the original bytes (stored so,
  // whatever their encoding; signatures stay intact) and `sha256` their hex
  // digest.
  struct ReceivedCap {
    cap::Alert alert;
    std::optional<model::CallInput> call;
    std::string xml_base64;
    std::string sha256;
  };
  // Body {alert_id, identifier, sender, sent, msg_type, call_id?,
  // incident_id?, linked_to?}. An Update whose <references> names an alert
  // received earlier adds its call to that alert's incident (when still
  // open); a Cancel records a timeline entry on it. The same
  // sender+identifier+sent again answers the first body with
  // "duplicate": true and changes nothing when the bytes are identical;
  // Conflict when they differ.
  void ReceiveCap(const Actor& a, ReceivedCap in, Done done);
  // Issues a CAP alert from a POST /api/v1/alerts body (a JSON object; see
  // intake/alert_request.h). An Update or Cancel overlays the body on the
  // request of the alert it references and references it and its chain.
  void IssueAlert(const Actor& a, Json body, const std::string& sender, Done done);
  // The CAP XML of an issued alert, byte for byte as first served.
  Result<std::string> IssuedAlertXml(std::int64_t id) const;
  struct IssuedAlertSummary {
    std::int64_t id = 0;
    std::string identifier, sender, sent, msg_type, title, summary;
  };
  // Newest first, at most `limit`.
  std::vector<IssuedAlertSummary> IssuedAlerts(size_t limit) const;

 private:
  class Tx;
  void Submit(Tx& tx, Json body, Done done);  // requires mu_
  std::vector<model::Station> StationList() const;
  model::Incident* OpenIncident(IncidentId id, Status& err);
  void ReleaseUnit(Tx& tx, model::Unit& u, const std::string& why);

  // Timers (timers.cc; require mu_). Refresh re-derives the watches of the
  // incidents and units a command touched and clears those that ended, in
  // the command's own batch; Watch* without a Tx only set up the watch (Load).
  void RefreshTimers(Tx& tx);
  void WatchIncident(const model::Incident& inc, Tx* tx);
  void WatchUnit(const model::Unit& u, Tx* tx);
  void ClearTimer(Tx& tx, const dispatch::Timer& t);
  bool timers_enabled_ = false;
  dispatch::TimerBoard timers_;
  std::map<std::string, std::string> unit_timer_;  // unit -> its status timer's id
  std::vector<std::string> stale_timers_;          // stored, without a watch: clear next
  // Premise notes applying to an incident (hazards only, or all), as a role
  // that may or may not read personal data sees them; the ids of notes whose
  // resident-naming text was shown go to `personal_read`, for the audit log
  // (requires mu_).
  Json PremiseNotes(const model::Incident& inc, bool may_read_personal, bool hazards_only,
                    std::vector<PremiseId>& personal_read) const;
  // Audit records "premise.read" for notes naming a resident that were shown.
  static void AuditPremiseReads(Tx& tx, const std::vector<PremiseId>& ids,
                                const std::string& context);
  std::map<std::string, model::Facility> facilities_;
  std::map<std::int64_t, model::Premise> premises_;
  std::int64_t next_premise_ = 1;
  // Fills the call's location and location_info from its address or
  // location (no lock: geocoding runs before the command takes mu_);
  // returns the fields the POST /calls answer adds (locations.cc).
  Json ResolveLocation(model::CallInput& in) const;
  const LocationResolver* resolver_ = nullptr;

  store::Store& store_;
  const dispatch::ResponsePlans& plans_;
  const dispatch::TravelTimes& travel_times_;
  const Clock& clock_;
  EventSink& sink_;

  mutable std::mutex mu_;
  std::map<std::int64_t, model::Call> calls_;
  std::map<std::int64_t, model::Incident> incidents_;
  std::map<std::string, model::Unit> units_;
  std::map<std::string, model::Station> stations_;
  // Open incidents with a location, for duplicate detection.
  correlate::IncidentIndex open_index_;
  std::int64_t next_call_ = 1;
  std::int64_t next_incident_ = 1;
  std::int64_t seq_ = 0;
  // EIDO incident tracking id -> incident, rebuilt from the incidents on Load.
  std::map<std::string, std::int64_t> eido_incidents_;
  std::map<std::int64_t, model::Camera> cameras_;
  std::int64_t next_camera_ = 1;

  // Duplicate handling on intake (requires mu_): an open incident a call is
  // certainly part of (same callback number or alarm panel within the
  // window), and the possible duplicates by place, time and category.
  struct RecentKey {
    IncidentId incident;
    TimeMs last = 0;
  };
  std::optional<IncidentId> CertainMatch(const std::optional<model::Caller>& caller,
                                         const std::optional<std::string>& panel,
                                         TimeMs received) const;
  void RememberKeys(const model::Call& call);
  std::vector<correlate::Match> Candidates(LatLon where, const std::string& category,
                                           TimeMs received) const;
  std::map<std::string, RecentKey> recent_phones_;  // normalised digits -> incident
  std::map<std::string, RecentKey> recent_panels_;

  // CAP (requires mu_ unless noted).
  Result<Json> AddCall(Tx& tx, const Actor& a, model::CallInput in,
                       std::optional<correlate::Match> link);
  void LoadAlerts(const store::Snapshot& snap);  // throws Json::exception
  // The open incident an earlier received alert led to, following merges.
  model::Incident* CapIncident(const std::string& key);
  struct CapReceived {
    std::int64_t alert_id = 0;
    std::optional<std::int64_t> call_id, incident_id;
    std::string sha256;
    Json result;
  };
  std::map<std::string, CapReceived> cap_received_;  // by sender,identifier,sent
  struct IssuedAlert {
    Json doc;  // the stored record without the XML
    std::string xml;
  };
  std::map<std::int64_t, IssuedAlert> issued_;
  std::int64_t next_alert_ = 1;
};

}  // namespace beacon::service
