// Parsers for every JSON request body the API accepts. Each takes the raw
// bytes from outside and returns a typed request or a Status naming the
// field at fault. Pure functions (fuzzed in tests/fuzz/); thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/types.h"

namespace beacon::intake {

// Limits on free text, in bytes.
constexpr size_t kMaxNarrative = 8192;
constexpr size_t kMaxAddress = 512;
constexpr size_t kMaxName = 200;
constexpr size_t kMaxPhone = 32;
constexpr size_t kMaxCode = 64;
constexpr size_t kMaxPassword = 1024;

struct LoginRequest {
  std::string username;
  std::string password;
};

struct UnitCreateRequest {
  UnitId unit_id;
  std::string unit_type;
  std::optional<StationId> station_id;
  std::optional<LatLon> position;
};

struct StationCreateRequest {
  StationId station_id;
  std::string name;
  LatLon location;
};

struct SplitRequest {
  std::vector<CallId> call_ids;
};

struct AssignmentRequest {
  UnitId unit_id;
  bool divert = false;  // may take a unit committed to another incident
};

// PATCH /incidents/{id}: every field optional, at least one given.
struct IncidentPatchRequest {
  std::optional<std::string> incident_type;
  std::optional<int> priority;
  std::optional<LatLon> location;
  std::optional<std::string> address;
  std::optional<std::string> disposition;
};

// PATCH /calls/{id}: a call-taker's corrections. The narrative is appended,
// never overwritten.
struct CallPatchRequest {
  std::optional<std::string> caller_name;
  std::optional<std::string> caller_phone;
  std::optional<std::string> narrative;
};

// GET /duplicates?lat=&lon=&incident_type=[&phone=][&alarm_panel=]: what
// POST /calls would answer as possible duplicates, before the call is taken.
struct DuplicateQuery {
  LatLon location;
  std::string incident_type;
  std::optional<std::string> phone;
  std::optional<std::string> alarm_panel;
};

struct UserCreateRequest {
  std::string username;
  model::Role role;
  std::string password;
};

struct CameraCreateRequest {
  std::string name;
  LatLon location;
  std::string stream_url;
};

// Limit on a camera stream URL, in bytes.
constexpr size_t kMaxUrl = 2000;

// POST /units/{id}/status: the new status; `destination` (a facility code)
// only with transporting; `reason` required with out_of_service.
struct UnitStatusRequest {
  model::UnitStatus status = model::UnitStatus::kAvailable;
  std::optional<FacilityId> destination;
  std::optional<std::string> reason;
};

// POST /facilities.
struct FacilityCreateRequest {
  FacilityId facility_id;
  std::string name;
  std::string kind;  // hospital, trauma_centre, station_yard, other
  LatLon location;
  std::optional<std::string> address;
  model::FacilityStatus status = model::FacilityStatus::kOpen;
};
// Facility kinds, for messages and the docs.
inline constexpr const char* kFacilityKinds[] = {"hospital", "trauma_centre", "station_yard",
                                                 "other"};

// POST /premises: a note at an address, a point {lat, lon} or inside a
// polygon [[lat, lon], ...] closed by repeating its first point (at most
// kMaxPolygonPoints); at least a point, a polygon or an address.
struct PremiseCreateRequest {
  std::optional<std::string> address;
  std::optional<LatLon> location;
  std::vector<LatLon> polygon;
  std::string text;
  bool hazard = false;
  bool names_resident = false;
  std::optional<std::string> review_by;  // YYYY-MM-DD
};
constexpr size_t kMaxPolygonPoints = 1000;
constexpr size_t kMaxNote = 2000;

Result<model::CallInput> ParseCallRequest(std::string_view body);
Result<LoginRequest> ParseLoginRequest(std::string_view body);
Result<UnitCreateRequest> ParseUnitCreateRequest(std::string_view body);
Result<StationCreateRequest> ParseStationCreateRequest(std::string_view body);
Result<UnitStatusRequest> ParseUnitStatusRequest(std::string_view body);
Result<LatLon> ParsePositionRequest(std::string_view body);
Result<AssignmentRequest> ParseAssignmentRequest(std::string_view body);
Result<IncidentPatchRequest> ParseIncidentPatchRequest(std::string_view body);
Result<CallPatchRequest> ParseCallPatchRequest(std::string_view body);
// {"text"}: a note on an incident (1 to kMaxNarrative bytes).
Result<std::string> ParseNoteRequest(std::string_view body);
Result<IncidentId> ParseMergeRequest(std::string_view body);
Result<SplitRequest> ParseSplitRequest(std::string_view body);
Result<std::string> ParseCloseRequest(std::string_view body);
Result<UserCreateRequest> ParseUserCreateRequest(std::string_view body);
// {"name", "lat", "lon", "stream_url"}: an http, https or rtsp URL with a host.
Result<CameraCreateRequest> ParseCameraCreateRequest(std::string_view body);
Result<FacilityCreateRequest> ParseFacilityCreateRequest(std::string_view body);
// {"status": "open" | "diversion" | "closed"}.
Result<model::FacilityStatus> ParseFacilityStatusRequest(std::string_view body);
Result<PremiseCreateRequest> ParsePremiseCreateRequest(std::string_view body);

}  // namespace beacon::intake
