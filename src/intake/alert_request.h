// The body of POST /api/v1/alerts (issue a CAP 1.2 public warning), read
// strictly like every other request body. For an Update or Cancel the API
// first overlays the given fields on the referenced alert's request, so
// this parser always sees a complete request. Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/geo.h"
#include "common/ids.h"
#include "common/status.h"

namespace beacon::intake {

struct AlertText {
  std::string language;  // RFC 3066, e.g. en-US
  std::string event;
  std::optional<std::string> headline, description, instruction;
};

struct AlertArea {
  std::string description;
  std::vector<LatLon> polygon;  // closed (first == last) once parsed
  std::optional<LatLon> circle_centre;
  double circle_radius_km = 0;
};

struct AlertIssueRequest {
  // What the warning is about: an incident, or a scam campaign of the
  // anti-scam desk (campaign_id, set only by POST
  // /scam/campaigns/{id}/warning; then incident_id is 0).
  IncidentId incident_id;
  std::optional<std::int64_t> campaign_id;
  std::string msg_type = "Alert";  // Alert, Update, Cancel
  std::optional<std::int64_t> references_alert_id;
  std::string status = "Actual";  // Actual, Exercise, System, Test, Draft
  std::string category;
  std::string urgency, severity, certainty;
  std::vector<std::string> response_types;
  std::optional<TimeMs> expires;
  std::vector<AlertText> languages;
  AlertArea area;
};

// Parses the request JSON (already a complete object).
Result<AlertIssueRequest> ReadAlertIssueRequest(const nlohmann::json& j);

}  // namespace beacon::intake
