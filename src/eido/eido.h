// EIDO: the NENA-STA-021 Emergency Incident Data Object, Beacon's format for
// handing an incident to another centre and taking one over from it.
//
// Export maps an incident with its calls, locations, dispatched units and
// timeline to an EIDO JSON document (valid against the NENA schema, checked
// in tests/integration/eido_test.cc). Parse reads an EIDO from outside into
// the parts Beacon models, refusing anything malformed with a Status that
// names the offending field as a JSON path ("callComponent[0].$id").
// The mapping, field by field, is in docs/eido.md.
//
// Pure functions of their arguments (no I/O, no clock); thread-safe. Parse is
// fuzzed (tests/fuzz/eido_fuzz.cc).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/geo.h"
#include "common/status.h"
#include "model/types.h"

namespace beacon::eido {

// Limits on what an EIDO may carry; beyond them Parse refuses the document.
constexpr size_t kMaxComponents = 1000;  // entries per component array
constexpr size_t kMaxIdBytes = 512;      // a $id or $ref
constexpr size_t kMaxTextBytes = 8192;   // notes, addresses, names
constexpr size_t kMaxPidfBytes = 65536;  // one locationByValue (PIDF-LO XML)

// A location as Beacon keeps it: a point (from the PIDF-LO gml:pos), its
// uncertainty radius, and a free-text address.
struct Location {
  std::optional<LatLon> point;
  std::optional<double> radius_m;
  std::optional<std::string> address;
};

struct Note {
  std::string id;  // EIDO $id
  TimeMs time = 0;
  std::string author;  // agent (or agency) reference
  std::string text;    // notesActionComments with HTML entities decoded
};

struct Call {
  std::string id;     // EIDO $id
  std::string field;  // "callComponent[i]", for error messages
  TimeMs received_at = 0;
  // From Beacon's own localCallType "beacon:<channel>:<incident type>".
  std::optional<model::Channel> channel;
  std::optional<std::string> incident_type;
  Location location;
  std::optional<std::string> narrative;  // the call's notes, joined
  std::optional<model::Caller> caller;
};

// What Parse reads from an EIDO.
struct Document {
  std::string incident_id;  // top-level $id: the incident tracking id
  TimeMs updated_at = 0;    // lastUpdateTimeStamp
  std::string agency;       // updatedByAgencyReference
  std::optional<std::string> agent;
  std::string element;  // issuingElementIdentification
  // incidentTypeInternalCode, incidentTypeInternalText,
  // incidentTypeCommonRegistryText, in that order, where present.
  std::vector<std::string> type_candidates;
  bool closed = false;  // incidentStatusCommonRegistryText has "Closed"
  std::optional<std::string> disposition;
  Location location;  // the incident's first referenced location
  std::vector<Call> calls;
  std::vector<Note> notes;  // notes not attached to a call
  std::vector<model::ForeignResource> resources;
};

Result<Document> Parse(std::string_view body);

// Who Beacon is in the EIDOs it writes.
struct Identity {
  std::string agency = "beacon.invalid";          // agency id, a domain name
  std::string element = "beacon.beacon.invalid";  // issuingElementIdentification
};

// The unit behind an assignment, as the export needs it.
struct UnitInfo {
  std::string unit_type;
  std::string status;  // Beacon unit status
  std::optional<IncidentId> incident_id;
};

struct ExportInput {
  const model::Incident* incident = nullptr;
  std::vector<const model::Call*> calls;  // the incident's calls, in order
  // Unit id -> unit, for every unit in incident->assignments (missing ones
  // are exported with an unknown type).
  std::vector<std::pair<std::string, UnitInfo>> units;
  std::string type_name;  // response plan name of incident->incident_type
  std::string category;   // its category
  Identity self;
  TimeMs now = 0;
};

// The EIDO of an incident, caller name and phone included.
nlohmann::json Export(const ExportInput& in);

// The tracking id Beacon gives its own incidents:
// "urn:emergency:uid:incidentid:<id>:<agency>".
std::string IncidentTrackingId(IncidentId id, std::string_view agency);
// True when `id` is a component id Beacon made as `agency`
// ("urn:emergency:uid:<kind>:<local>:<agency>"): such parts of an EIDO
// coming back describe this centre's own records and are not imported.
bool IsOwnId(std::string_view id, std::string_view agency);

}  // namespace beacon::eido
