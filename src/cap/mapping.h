// From a received CAP alert to a Beacon call: which <info> block to use,
// which incident type (a small data-driven table, config/cap_mapping.json),
// the narrative, the address and the location. Pure; CallMapping is
// immutable after Parse and thread-safe to share. See docs/cap.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cap/alert.h"
#include "common/status.h"
#include "model/types.h"

namespace beacon::cap {

// First matching rule wins; a rule matches when every condition it gives
// holds: `category` among the info's categories, any of `event_contains`
// in the event (case-insensitive), `severity` among the listed ones.
struct MappingRule {
  std::optional<std::string> category;
  std::vector<std::string> event_contains;  // lower-case
  std::vector<std::string> severity;
  std::string incident_type;
};

class CallMapping {
 public:
  // Parses config/cap_mapping.json (format in docs/cap.md). Errors name the
  // JSON path of the bad field.
  static Result<CallMapping> Parse(std::string_view json_text);

  // The centre's language ("en"): the <info> whose language starts with it
  // is used, else the first.
  const std::string& language() const { return language_; }
  const std::string& default_incident_type() const { return default_type_; }
  const std::vector<MappingRule>& rules() const { return rules_; }

  // Every incident type the mapping can produce (to check against the plans).
  std::vector<std::string> IncidentTypes() const;
  const Info& ChooseInfo(const Alert& a) const;  // requires !a.infos.empty()
  std::string IncidentType(const Info& info) const;

 private:
  std::string language_ = "en";
  std::string default_type_;
  std::vector<MappingRule> rules_;
};

// Refuses (kInvalid, "beacon.*" rules) valid CAP that Beacon does not take:
// status Test/System/Draft, msgType Ack/Error, an Alert or Update without
// <info>.
Status CheckAcceptable(const Alert& a);

// Circle centre, else polygon centroid, else a geocode whose value is
// "lat,lon", from the first area that has one; nullopt when the areas give
// no coordinates (a geocode such as a SAME or FIPS code is not resolved).
std::optional<LatLon> AreaLocation(const Info& info);

// The call for an acceptable Alert or Update: channel agency, received now
// (received_at unset), incident type from the mapping, narrative from the
// chosen info (headline, description, instruction), address from the area
// descriptions, location from AreaLocation.
model::CallInput ToCallInput(const Alert& a, const CallMapping& mapping);

}  // namespace beacon::cap
