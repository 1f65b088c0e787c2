// Beacon's domain records: calls, incidents, units, stations, and the
// roles of the people who use them. Plain value types with JSON mapping
// (the storage and wire format of each record; see docs/api.md).
// Thread-compatible.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/geo.h"
#include "common/ids.h"
#include "model/unit_status.h"

namespace beacon::model {

enum class Channel { kPhone, kText, kWeb, kAlarm, kAgency };
std::string_view ToString(Channel c);
std::optional<Channel> ParseChannel(std::string_view text);

// kFraudAnalyst: the anti-scam desk's analyst (docs/scam.md, docs/roles.md).
enum class Role { kCallTaker, kDispatcher, kSupervisor, kAnalyst, kAuditor, kAdmin, kFraudAnalyst };
std::string_view ToString(Role r);
std::optional<Role> ParseRole(std::string_view text);
std::span<const Role> AllRoles();

struct Caller {
  std::optional<std::string> name;
  std::optional<std::string> phone;
};

// Where a call's or incident's location came from (docs/geocoding.md):
// source "reported" (coordinates in the call), "pidf" (a PIDF-LO shape),
// "geocoded" (from the address text) or "manual" (set by a dispatcher);
// the label of the place (the geocoded candidate, or the reverse-geocoded
// nearest address); verified false flags a location to check (an address
// that was not found, or not clearly).
struct LocationInfo {
  std::optional<std::string> source;
  std::optional<std::string> label;
  std::optional<bool> verified;
};

// A call as reported: one phone call, text, web report, alarm or alert.
struct CallInput {
  Channel channel = Channel::kPhone;
  std::optional<TimeMs> received_at;
  std::optional<LatLon> location;
  std::optional<double> accuracy_m;
  std::optional<std::string> address;
  std::string incident_type;
  std::optional<std::string> narrative;
  std::optional<Caller> caller;
  // Where an agency call came from (a JSON object: the standard and the
  // message's identifiers, e.g. CAP identifier/sender/sent); see docs/cap.md.
  std::optional<nlohmann::json> source;
  // The alarm panel or account an alarm call comes from: a second signal of
  // the same panel within the duplicate window is linked for certain.
  std::optional<std::string> alarm_panel;
  // The open incident the call-taker confirmed this call reports.
  std::optional<IncidentId> link_to;
  // Where the location came from and how sure it is (docs/geocoding.md):
  // set on intake, not by the request's JSON.
  LocationInfo location_info;
};

// A correction of a call after it was taken (PATCH /calls/{id}): the old
// value is kept. `personal` marks caller data (shown only to roles that may
// read it).
struct CallCorrection {
  TimeMs time = 0;
  std::string user;
  std::string field;  // "caller.phone", "caller.name", "narrative"
  std::optional<std::string> old_value;
  bool personal = false;
};

struct Call {
  CallId id;
  IncidentId incident_id;
  Channel channel = Channel::kPhone;
  TimeMs received_at = 0;
  TimeMs created_at = 0;
  std::string created_by;
  std::optional<LatLon> location;
  std::optional<double> accuracy_m;
  std::optional<std::string> address;
  std::string incident_type;
  std::optional<std::string> narrative;
  std::optional<Caller> caller;
  std::optional<IncidentId> duplicate_of;  // set when linked on intake
  std::optional<nlohmann::json> source;    // as CallInput::source
  std::optional<std::string> alarm_panel;  // as CallInput::alarm_panel
  std::vector<CallCorrection> corrections;
  LocationInfo location_info;
};

// An open incident a new call may report (docs/dispatch.md, duplicate
// suggestions): the call-taker or a supervisor decides.
struct DuplicateSuggestion {
  IncidentId incident_id;
  double distance_m = 0;
  double age_s = 0;  // since the suggested incident's last call
  std::string reason;
};

enum class IncidentStatus { kOpen, kClosed, kMerged };
std::string_view ToString(IncidentStatus s);

struct TimelineEntry {
  TimeMs time = 0;
  std::string kind;  // "opened", "call_linked", "assigned", "unit_status", ...
  std::string text;  // human-readable why
  std::string user;
};

struct Assignment {
  UnitId unit_id;
  TimeMs assigned_at = 0;
  std::optional<TimeMs> released_at;
};

// An EIDO emergency resource of another centre named in an imported
// incident: not one of our units, kept so it can be shown and re-exported.
struct ForeignResource {
  std::string id;  // EIDO $id
  std::string agency;
  std::string name;
  std::string unit_type;
  std::string status;
};

// Where an incident imported by EIDO came from, and which of its parts came
// with it, so a re-sent EIDO updates rather than duplicates (docs/eido.md).
struct EidoLink {
  std::string incident_id;                            // the EIDO incident tracking id ($id)
  std::string agency;                                 // updatedByAgencyReference of the last import
  TimeMs updated_at = 0;                              // lastUpdateTimeStamp of the last import
  std::vector<std::pair<std::string, CallId>> calls;  // EIDO call $id -> call
  std::vector<std::pair<std::string, std::int64_t>> notes;  // EIDO note $id -> timeline index
  std::vector<ForeignResource> resources;
};

struct Incident {
  IncidentId id;
  std::string incident_type;
  int priority = 3;
  IncidentStatus status = IncidentStatus::kOpen;
  std::optional<LatLon> location;
  std::optional<std::string> address;
  TimeMs opened_at = 0;
  TimeMs last_call_at = 0;
  std::optional<TimeMs> closed_at;
  std::optional<std::string> disposition;
  std::optional<IncidentId> merged_into;
  std::vector<CallId> call_ids;
  std::vector<Assignment> assignments;
  std::vector<TimelineEntry> timeline;
  std::optional<EidoLink> eido;  // set on incidents imported by EIDO
  // Open incidents the first call of this one may also report (suggested on
  // intake, not linked).
  std::vector<DuplicateSuggestion> possible_duplicates;
  // Set when a divert took the incident's last unit: it waits for a unit
  // again from then (docs/dispatch.md, timers).
  std::optional<TimeMs> pending_since;
  LocationInfo location_info;  // of its location (from its first call, or set later)

  // Units currently committed to this incident (not yet released).
  std::vector<UnitId> ActiveUnits() const;
  // Since when the incident has been waiting for a unit, or nullopt when it
  // is not: open, no unit committed, and no unit ever assigned (waiting
  // since it opened) or its last one diverted away (since then). An
  // incident whose crews were released while it stays open is not waiting.
  std::optional<TimeMs> PendingSince() const;
};

struct Station {
  StationId id;
  std::string name;
  LatLon location;
};

struct Unit {
  UnitId id;
  std::string unit_type;
  std::optional<StationId> station_id;
  UnitStatus status = UnitStatus::kAvailable;
  std::optional<LatLon> position;  // last reported; station location when absent
  std::optional<TimeMs> position_at;
  std::optional<IncidentId> incident_id;
  TimeMs status_at = 0;
  // The facility a transporting unit is taking a patient to (kept while at
  // hospital, cleared by any other status).
  std::optional<FacilityId> destination;
  // Why a unit is out of service (required for that status).
  std::optional<std::string> status_reason;
};

// A hospital, trauma centre or apparatus yard units take patients or go to.
enum class FacilityStatus { kOpen, kDiversion, kClosed };
std::string_view ToString(FacilityStatus s);
std::optional<FacilityStatus> ParseFacilityStatus(std::string_view text);

struct Facility {
  FacilityId id;
  std::string name;
  std::string kind;  // hospital, trauma_centre, station_yard, other
  LatLon location;
  std::optional<std::string> address;
  FacilityStatus status = FacilityStatus::kOpen;
  TimeMs status_at = 0;
  std::string status_by;
};

// A premise note: what responders should know about a place (a hazard, an
// access code, a resident needing help), at an address, a point or inside
// a polygon. `names_resident` marks a note that can identify a person: only
// roles that read personal data see its text, and each read is audited.
struct Premise {
  PremiseId id;
  std::optional<std::string> address;
  std::optional<LatLon> point;
  std::vector<LatLon> polygon;  // a closed ring (first point == last), or empty
  std::string text;
  bool hazard = false;
  bool names_resident = false;
  std::optional<std::string> review_by;  // YYYY-MM-DD
  TimeMs created_at = 0;
  std::string created_by;
};
// Notes within this distance of an incident's location apply to it.
constexpr double kPremiseMatchM = 30;
// How far `p` is from a place: 0 inside its polygon or at its address (same
// text, case and spacing folded), the distance to its point, or nullopt when
// the note does not apply there (farther than kPremiseMatchM).
std::optional<double> PremiseDistanceM(const Premise& p, const std::optional<LatLon>& where,
                                       const std::optional<std::string>& address);
// True when the note's review_by date is before `today` (YYYY-MM-DD).
bool NeedsReview(const Premise& p, std::string_view today);

// A traffic or site camera of the registry. Beacon stores and hands out
// the stream URL only; it never analyses video.
struct Camera {
  CameraId id;
  std::string name;
  LatLon location;
  std::string stream_url;
  TimeMs created_at = 0;
  std::string created_by;
};

// JSON mapping. `with_personal` controls whether caller name/phone appear.
// LocationInfo appears as top-level keys location_source, location_label,
// location_verified (each only when set).
void PutLocationInfo(nlohmann::json& j, const LocationInfo& info);
LocationInfo LocationInfoFromJson(const nlohmann::json& j);
nlohmann::json ToJson(const Call& c, bool with_personal);
// Without the timeline for storage and events: the timeline grows with every
// linked call and is stored and streamed entry by entry instead.
nlohmann::json ToJson(const Incident& i, bool with_timeline = true);
nlohmann::json ToJson(const TimelineEntry& t);
nlohmann::json ToJson(const DuplicateSuggestion& d);
TimelineEntry TimelineEntryFromJson(const nlohmann::json& j);
nlohmann::json ToJson(const Unit& u);
nlohmann::json ToJson(const Station& s);
// Inverse of ToJson (with personal data) for records we stored ourselves.
// Throws nlohmann::json::exception on a malformed record.
Call CallFromJson(const nlohmann::json& j);
Incident IncidentFromJson(const nlohmann::json& j);
Unit UnitFromJson(const nlohmann::json& j);
Station StationFromJson(const nlohmann::json& j);
// The whole camera record, stream_url included (storage and POST answer).
nlohmann::json ToJson(const Camera& c);
Camera CameraFromJson(const nlohmann::json& j);
nlohmann::json ToJson(const Facility& f);
Facility FacilityFromJson(const nlohmann::json& j);
// The whole note (storage); the API redacts names_resident notes for roles
// that may not read personal data.
nlohmann::json ToJson(const Premise& p);
Premise PremiseFromJson(const nlohmann::json& j);

}  // namespace beacon::model
