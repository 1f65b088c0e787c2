#include "model/types.h"

#include <array>
#include <cctype>
#include <cmath>

namespace beacon::model {
namespace {

using nlohmann::json;

constexpr std::array kChannels = {Channel::kPhone, Channel::kText, Channel::kWeb, Channel::kAlarm,
                                  Channel::kAgency};
constexpr std::array kRoles = {Role::kCallTaker,   Role::kDispatcher, Role::kSupervisor,
                               Role::kAnalyst,     Role::kAuditor,    Role::kAdmin,
                               Role::kFraudAnalyst};

json LocJson(const LatLon& l) { return {{"lat", l.lat}, {"lon", l.lon}}; }
LatLon LocFromJson(const json& j) { return {j.at("lat").get<double>(), j.at("lon").get<double>()}; }

template <typename T>
void PutOpt(json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}
template <typename T>
std::optional<T> GetOpt(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->template get<T>();
}

}  // namespace

std::string_view ToString(Channel c) {
  switch (c) {
    case Channel::kPhone:
      return "phone";
    case Channel::kText:
      return "text";
    case Channel::kWeb:
      return "web";
    case Channel::kAlarm:
      return "alarm";
    case Channel::kAgency:
      return "agency";
  }
  return "phone";
}

std::optional<Channel> ParseChannel(std::string_view text) {
  for (Channel c : kChannels) {
    if (ToString(c) == text) return c;
  }
  return std::nullopt;
}

std::string_view ToString(Role r) {
  switch (r) {
    case Role::kCallTaker:
      return "call_taker";
    case Role::kDispatcher:
      return "dispatcher";
    case Role::kSupervisor:
      return "supervisor";
    case Role::kAnalyst:
      return "analyst";
    case Role::kAuditor:
      return "auditor";
    case Role::kAdmin:
      return "admin";
    case Role::kFraudAnalyst:
      return "fraud_analyst";
  }
  return "analyst";
}

std::optional<Role> ParseRole(std::string_view text) {
  for (Role r : kRoles) {
    if (ToString(r) == text) return r;
  }
  return std::nullopt;
}

std::span<const Role> AllRoles() { return kRoles; }

std::string_view ToString(IncidentStatus s) {
  switch (s) {
    case IncidentStatus::kOpen:
      return "open";
    case IncidentStatus::kClosed:
      return "closed";
    case IncidentStatus::kMerged:
      return "merged";
  }
  return "open";
}

std::vector<UnitId> Incident::ActiveUnits() const {
  std::vector<UnitId> out;
  for (const auto& a : assignments) {
    if (!a.released_at) out.push_back(a.unit_id);
  }
  return out;
}

std::optional<TimeMs> Incident::PendingSince() const {
  if (status != IncidentStatus::kOpen) return std::nullopt;
  for (const auto& a : assignments) {
    if (!a.released_at) return std::nullopt;
  }
  if (pending_since) return pending_since;
  if (assignments.empty()) return opened_at;
  return std::nullopt;
}

void PutLocationInfo(json& j, const LocationInfo& info) {
  PutOpt(j, "location_source", info.source);
  PutOpt(j, "location_label", info.label);
  if (info.verified) j["location_verified"] = *info.verified;
}

LocationInfo LocationInfoFromJson(const json& j) {
  return {GetOpt<std::string>(j, "location_source"), GetOpt<std::string>(j, "location_label"),
          GetOpt<bool>(j, "location_verified")};
}

json ToJson(const Call& c, bool with_personal) {
  json j = {{"call_id", c.id.value()},
            {"incident_id", c.incident_id.value()},
            {"channel", ToString(c.channel)},
            {"received_at", FormatRfc3339(c.received_at)},
            {"created_at", FormatRfc3339(c.created_at)},
            {"created_by", c.created_by},
            {"incident_type", c.incident_type}};
  if (c.location) {
    j["location"] = LocJson(*c.location);
    if (c.accuracy_m) j["location"]["accuracy_m"] = *c.accuracy_m;
  }
  PutOpt(j, "address", c.address);
  PutLocationInfo(j, c.location_info);
  PutOpt(j, "narrative", c.narrative);
  if (c.duplicate_of) j["duplicate_of"] = c.duplicate_of->value();
  if (c.source) j["source"] = *c.source;
  PutOpt(j, "alarm_panel", c.alarm_panel);
  if (c.caller && with_personal) {
    json caller = json::object();
    PutOpt(caller, "name", c.caller->name);
    PutOpt(caller, "phone", c.caller->phone);
    j["caller"] = std::move(caller);
  }
  if (!c.corrections.empty()) {
    json corr = json::array();
    for (const auto& x : c.corrections) {
      json e = {{"time", FormatRfc3339(x.time)}, {"user", x.user}, {"field", x.field}};
      if (x.personal) e["personal"] = true;
      if (x.old_value && (with_personal || !x.personal)) e["old_value"] = *x.old_value;
      corr.push_back(std::move(e));
    }
    j["corrections"] = std::move(corr);
  }
  return j;
}

Call CallFromJson(const json& j) {
  Call c;
  c.id = CallId{j.at("call_id").get<std::int64_t>()};
  c.incident_id = IncidentId{j.at("incident_id").get<std::int64_t>()};
  c.channel = ParseChannel(j.at("channel").get<std::string>()).value_or(Channel::kPhone);
  c.received_at = ParseRfc3339(j.at("received_at").get<std::string>()).value_or(0);
  c.created_at = ParseRfc3339(j.at("created_at").get<std::string>()).value_or(0);
  c.created_by = j.value("created_by", "");
  c.incident_type = j.at("incident_type").get<std::string>();
  if (auto it = j.find("location"); it != j.end()) {
    c.location = LocFromJson(*it);
    c.accuracy_m = GetOpt<double>(*it, "accuracy_m");
  }
  c.address = GetOpt<std::string>(j, "address");
  c.location_info = LocationInfoFromJson(j);
  c.narrative = GetOpt<std::string>(j, "narrative");
  if (auto d = GetOpt<std::int64_t>(j, "duplicate_of")) c.duplicate_of = IncidentId{*d};
  if (auto it = j.find("source"); it != j.end() && it->is_object()) c.source = *it;
  if (auto it = j.find("caller"); it != j.end()) {
    c.caller = Caller{GetOpt<std::string>(*it, "name"), GetOpt<std::string>(*it, "phone")};
  }
  c.alarm_panel = GetOpt<std::string>(j, "alarm_panel");
  if (auto it = j.find("corrections"); it != j.end()) {
    for (const auto& e : *it) {
      c.corrections.push_back({ParseRfc3339(e.at("time").get<std::string>()).value_or(0),
                               e.value("user", ""), e.at("field").get<std::string>(),
                               GetOpt<std::string>(e, "old_value"), e.value("personal", false)});
    }
  }
  return c;
}

json ToJson(const TimelineEntry& t) {
  return {{"time", FormatRfc3339(t.time)}, {"kind", t.kind}, {"text", t.text}, {"user", t.user}};
}

TimelineEntry TimelineEntryFromJson(const json& t) {
  return {ParseRfc3339(t.at("time").get<std::string>()).value_or(0),
          t.at("kind").get<std::string>(), t.at("text").get<std::string>(),
          t.at("user").get<std::string>()};
}

json ToJson(const DuplicateSuggestion& d) {
  return {{"incident_id", d.incident_id.value()},
          {"distance_m", std::round(d.distance_m)},
          {"age_s", std::round(d.age_s)},
          {"reason", d.reason}};
}

json ToJson(const Incident& i, bool with_timeline) {
  json calls = json::array();
  for (auto id : i.call_ids) calls.push_back(id.value());
  json assignments = json::array();
  for (const auto& a : i.assignments) {
    json aj = {{"unit_id", a.unit_id.value()}, {"assigned_at", FormatRfc3339(a.assigned_at)}};
    if (a.released_at) aj["released_at"] = FormatRfc3339(*a.released_at);
    assignments.push_back(std::move(aj));
  }
  json units = json::array();
  for (const auto& u : i.ActiveUnits()) units.push_back(u.value());
  json j = {{"incident_id", i.id.value()},
            {"incident_type", i.incident_type},
            {"priority", i.priority},
            {"status", ToString(i.status)},
            {"opened_at", FormatRfc3339(i.opened_at)},
            {"last_call_at", FormatRfc3339(i.last_call_at)},
            {"call_ids", std::move(calls)},
            {"assigned_units", std::move(units)},
            {"assignments", std::move(assignments)}};
  if (with_timeline) {
    json timeline = json::array();
    for (const auto& t : i.timeline) timeline.push_back(ToJson(t));
    j["timeline"] = std::move(timeline);
  }
  if (i.location) j["location"] = LocJson(*i.location);
  PutOpt(j, "address", i.address);
  PutLocationInfo(j, i.location_info);
  if (i.closed_at) j["closed_at"] = FormatRfc3339(*i.closed_at);
  PutOpt(j, "disposition", i.disposition);
  if (i.merged_into) j["merged_into"] = i.merged_into->value();
  if (!i.possible_duplicates.empty()) {
    json dups = json::array();
    for (const auto& d : i.possible_duplicates) dups.push_back(ToJson(d));
    j["possible_duplicates"] = std::move(dups);
  }
  if (i.pending_since) j["pending_since"] = FormatRfc3339(*i.pending_since);
  if (i.eido) {
    json calls_map = json::array();
    for (const auto& [eid, cid] : i.eido->calls) calls_map.push_back({eid, cid.value()});
    json notes_map = json::array();
    for (const auto& [eid, n] : i.eido->notes) notes_map.push_back({eid, n});
    json resources = json::array();
    for (const auto& r : i.eido->resources) {
      resources.push_back({{"id", r.id},
                           {"agency", r.agency},
                           {"name", r.name},
                           {"unit_type", r.unit_type},
                           {"status", r.status}});
    }
    j["eido"] = {{"incident_id", i.eido->incident_id},
                 {"agency", i.eido->agency},
                 {"updated_at", FormatRfc3339(i.eido->updated_at)},
                 {"calls", std::move(calls_map)},
                 {"notes", std::move(notes_map)},
                 {"resources", std::move(resources)}};
  }
  return j;
}

Incident IncidentFromJson(const json& j) {
  Incident i;
  i.id = IncidentId{j.at("incident_id").get<std::int64_t>()};
  i.incident_type = j.at("incident_type").get<std::string>();
  i.priority = j.at("priority").get<int>();
  auto status = j.at("status").get<std::string>();
  i.status = status == "closed"   ? IncidentStatus::kClosed
             : status == "merged" ? IncidentStatus::kMerged
                                  : IncidentStatus::kOpen;
  i.opened_at = ParseRfc3339(j.at("opened_at").get<std::string>()).value_or(0);
  i.last_call_at = ParseRfc3339(j.at("last_call_at").get<std::string>()).value_or(0);
  for (const auto& c : j.at("call_ids")) i.call_ids.emplace_back(c.get<std::int64_t>());
  for (const auto& a : j.at("assignments")) {
    Assignment as{UnitId{a.at("unit_id").get<std::string>()},
                  ParseRfc3339(a.at("assigned_at").get<std::string>()).value_or(0), std::nullopt};
    if (auto r = GetOpt<std::string>(a, "released_at")) as.released_at = ParseRfc3339(*r);
    i.assignments.push_back(std::move(as));
  }
  if (auto it = j.find("timeline"); it != j.end()) {
    for (const auto& t : *it) i.timeline.push_back(TimelineEntryFromJson(t));
  }
  if (auto it = j.find("location"); it != j.end()) i.location = LocFromJson(*it);
  i.address = GetOpt<std::string>(j, "address");
  i.location_info = LocationInfoFromJson(j);
  if (auto c = GetOpt<std::string>(j, "closed_at")) i.closed_at = ParseRfc3339(*c);
  i.disposition = GetOpt<std::string>(j, "disposition");
  if (auto m = GetOpt<std::int64_t>(j, "merged_into")) i.merged_into = IncidentId{*m};
  if (auto it = j.find("possible_duplicates"); it != j.end()) {
    for (const auto& d : *it) {
      i.possible_duplicates.push_back({IncidentId{d.at("incident_id").get<std::int64_t>()},
                                       d.value("distance_m", 0.0), d.value("age_s", 0.0),
                                       d.value("reason", "")});
    }
  }
  if (auto p = GetOpt<std::string>(j, "pending_since")) i.pending_since = ParseRfc3339(*p);
  if (auto it = j.find("eido"); it != j.end() && it->is_object()) {
    EidoLink link;
    link.incident_id = it->at("incident_id").get<std::string>();
    link.agency = it->value("agency", "");
    link.updated_at = ParseRfc3339(it->value("updated_at", "")).value_or(0);
    for (const auto& c : it->at("calls")) {
      link.calls.emplace_back(c.at(0).get<std::string>(), CallId{c.at(1).get<std::int64_t>()});
    }
    for (const auto& n : it->at("notes")) {
      link.notes.emplace_back(n.at(0).get<std::string>(), n.at(1).get<std::int64_t>());
    }
    for (const auto& r : it->at("resources")) {
      link.resources.push_back({r.at("id").get<std::string>(), r.value("agency", ""),
                                r.value("name", ""), r.value("unit_type", ""),
                                r.value("status", "")});
    }
    i.eido = std::move(link);
  }
  return i;
}

json ToJson(const Unit& u) {
  json j = {{"unit_id", u.id.value()},
            {"unit_type", u.unit_type},
            {"status", ToString(u.status)},
            {"status_at", FormatRfc3339(u.status_at)}};
  if (u.station_id) j["station_id"] = u.station_id->value();
  if (u.position) j["position"] = LocJson(*u.position);
  if (u.position_at) j["position_at"] = FormatRfc3339(*u.position_at);
  if (u.incident_id) j["incident_id"] = u.incident_id->value();
  if (u.destination) j["destination"] = u.destination->value();
  PutOpt(j, "status_reason", u.status_reason);
  return j;
}

Unit UnitFromJson(const json& j) {
  Unit u;
  u.id = UnitId{j.at("unit_id").get<std::string>()};
  u.unit_type = j.at("unit_type").get<std::string>();
  u.status = ParseUnitStatus(j.at("status").get<std::string>()).value_or(UnitStatus::kAvailable);
  u.status_at = ParseRfc3339(j.at("status_at").get<std::string>()).value_or(0);
  if (auto s = GetOpt<std::string>(j, "station_id")) u.station_id = StationId{*s};
  if (auto it = j.find("position"); it != j.end()) u.position = LocFromJson(*it);
  if (auto p = GetOpt<std::string>(j, "position_at")) u.position_at = ParseRfc3339(*p);
  if (auto i = GetOpt<std::int64_t>(j, "incident_id")) u.incident_id = IncidentId{*i};
  if (auto d = GetOpt<std::string>(j, "destination")) u.destination = FacilityId{*d};
  u.status_reason = GetOpt<std::string>(j, "status_reason");
  return u;
}

json ToJson(const Station& s) {
  return {{"station_id", s.id.value()}, {"name", s.name}, {"location", LocJson(s.location)}};
}

Station StationFromJson(const json& j) {
  return {StationId{j.at("station_id").get<std::string>()}, j.at("name").get<std::string>(),
          LocFromJson(j.at("location"))};
}

json ToJson(const Camera& c) {
  return {{"id", c.id.value()},         {"name", c.name},
          {"lat", c.location.lat},      {"lon", c.location.lon},
          {"stream_url", c.stream_url}, {"created_at", FormatRfc3339(c.created_at)},
          {"created_by", c.created_by}};
}

Camera CameraFromJson(const json& j) {
  return {CameraId{j.at("id").get<std::int64_t>()},
          j.at("name").get<std::string>(),
          {j.at("lat").get<double>(), j.at("lon").get<double>()},
          j.at("stream_url").get<std::string>(),
          ParseRfc3339(j.at("created_at").get<std::string>()).value_or(0),
          j.value("created_by", "")};
}

std::string_view ToString(FacilityStatus s) {
  switch (s) {
    case FacilityStatus::kOpen:
      return "open";
    case FacilityStatus::kDiversion:
      return "diversion";
    case FacilityStatus::kClosed:
      return "closed";
  }
  return "open";
}

std::optional<FacilityStatus> ParseFacilityStatus(std::string_view text) {
  for (auto s : {FacilityStatus::kOpen, FacilityStatus::kDiversion, FacilityStatus::kClosed}) {
    if (ToString(s) == text) return s;
  }
  return std::nullopt;
}

json ToJson(const Facility& f) {
  json j = {{"facility_id", f.id.value()},
            {"name", f.name},
            {"kind", f.kind},
            {"location", LocJson(f.location)},
            {"status", ToString(f.status)},
            {"status_at", FormatRfc3339(f.status_at)},
            {"status_by", f.status_by}};
  PutOpt(j, "address", f.address);
  return j;
}

Facility FacilityFromJson(const json& j) {
  Facility f;
  f.id = FacilityId{j.at("facility_id").get<std::string>()};
  f.name = j.at("name").get<std::string>();
  f.kind = j.value("kind", "other");
  f.location = LocFromJson(j.at("location"));
  f.address = GetOpt<std::string>(j, "address");
  f.status = ParseFacilityStatus(j.value("status", "open")).value_or(FacilityStatus::kOpen);
  f.status_at = ParseRfc3339(j.value("status_at", "")).value_or(0);
  f.status_by = j.value("status_by", "");
  return f;
}

json ToJson(const Premise& p) {
  json j = {{"premise_id", p.id.value()},
            {"text", p.text},
            {"hazard", p.hazard},
            {"names_resident", p.names_resident},
            {"created_at", FormatRfc3339(p.created_at)},
            {"created_by", p.created_by}};
  PutOpt(j, "address", p.address);
  if (p.point) j["location"] = LocJson(*p.point);
  if (!p.polygon.empty()) {
    json ring = json::array();
    for (const auto& v : p.polygon) ring.push_back({v.lat, v.lon});
    j["polygon"] = std::move(ring);
  }
  PutOpt(j, "review_by", p.review_by);
  return j;
}

Premise PremiseFromJson(const json& j) {
  Premise p;
  p.id = PremiseId{j.at("premise_id").get<std::int64_t>()};
  p.text = j.at("text").get<std::string>();
  p.hazard = j.value("hazard", false);
  p.names_resident = j.value("names_resident", false);
  p.created_at = ParseRfc3339(j.value("created_at", "")).value_or(0);
  p.created_by = j.value("created_by", "");
  p.address = GetOpt<std::string>(j, "address");
  if (auto it = j.find("location"); it != j.end()) p.point = LocFromJson(*it);
  if (auto it = j.find("polygon"); it != j.end()) {
    for (const auto& v : *it) p.polygon.push_back({v.at(0).get<double>(), v.at(1).get<double>()});
  }
  p.review_by = GetOpt<std::string>(j, "review_by");
  return p;
}

namespace {
// Case and runs of spaces folded, so "12  Main st" is "12 MAIN ST".
std::string FoldAddress(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == ',') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}
}  // namespace

std::optional<double> PremiseDistanceM(const Premise& p, const std::optional<LatLon>& where,
                                       const std::optional<std::string>& address) {
  if (address && p.address && !p.address->empty() &&
      FoldAddress(*address) == FoldAddress(*p.address)) {
    return 0.0;
  }
  if (!where) return std::nullopt;
  if (!p.polygon.empty() && InsidePolygon(*where, p.polygon)) return 0.0;
  if (p.point) {
    double d = HaversineM(*where, *p.point);
    if (d <= kPremiseMatchM) return d;
  }
  return std::nullopt;
}

bool NeedsReview(const Premise& p, std::string_view today) {
  return p.review_by && *p.review_by < today;
}

}  // namespace beacon::model
