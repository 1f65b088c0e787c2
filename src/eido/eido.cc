#include "eido/eido.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "common/text.h"
#include "intake/json_body.h"

namespace beacon::eido {

using nlohmann::json;

namespace {

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

const json* Find(const json& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return nullptr;
  return &*it;
}

// Optional string member; a non-string or an over-long one is refused.
Status OptString(const json& o, const std::string& path, std::string_view key, size_t max,
                 std::optional<std::string>& out) {
  out.reset();
  const json* v = Find(o, key);
  if (!v) return Status::Ok();
  std::string field = Join(path, key);
  if (!v->is_string())
    return Malformed(field + " must be a string, got " + intake::JsonTypeName(*v), field);
  const auto& s = v->get_ref<const std::string&>();
  if (s.size() > max) {
    return Invalid(field + " is longer than " + std::to_string(max) + " bytes", field);
  }
  out = s;
  return Status::Ok();
}

Status String(const json& o, const std::string& path, std::string_view key, size_t max,
              std::string& out) {
  std::optional<std::string> v;
  BEACON_RETURN_IF_ERROR(OptString(o, path, key, max, v));
  std::string field = Join(path, key);
  if (!v) return Malformed(field + " is required", field);
  if (v->empty()) return Invalid(field + " must not be empty", field);
  out = std::move(*v);
  return Status::Ok();
}

Status OptTime(const json& o, const std::string& path, std::string_view key,
               std::optional<TimeMs>& out) {
  std::optional<std::string> s;
  BEACON_RETURN_IF_ERROR(OptString(o, path, key, 64, s));
  out.reset();
  if (!s) return Status::Ok();
  out = ParseRfc3339(*s);
  if (!out) {
    std::string field = Join(path, key);
    return Invalid(field + " must be an RFC 3339 date-time, got \"" + *s + "\"", field);
  }
  return Status::Ok();
}

Status Time(const json& o, const std::string& path, std::string_view key, TimeMs& out) {
  std::optional<TimeMs> t;
  BEACON_RETURN_IF_ERROR(OptTime(o, path, key, t));
  if (!t) return Malformed(Join(path, key) + " is required", Join(path, key));
  out = *t;
  return Status::Ok();
}

// A ReferenceType: {"$ref": "<$id of a component>"}.
Status OptRef(const json& o, const std::string& path, std::string_view key,
              std::optional<std::string>& out) {
  out.reset();
  const json* v = Find(o, key);
  if (!v) return Status::Ok();
  std::string field = Join(path, key);
  if (!v->is_object()) {
    return Malformed(
        field + " must be a reference object {\"$ref\": ...}, got " + intake::JsonTypeName(*v),
        field);
  }
  std::string ref;
  BEACON_RETURN_IF_ERROR(String(*v, field, "$ref", kMaxIdBytes, ref));
  out = std::move(ref);
  return Status::Ok();
}

// An array of ReferenceType; each entry's field is returned alongside.
Status Refs(const json& o, const std::string& path, std::string_view key,
            std::vector<std::pair<std::string, std::string>>& out) {
  out.clear();
  const json* v = Find(o, key);
  if (!v) return Status::Ok();
  std::string field = Join(path, key);
  if (!v->is_array())
    return Malformed(field + " must be an array, got " + intake::JsonTypeName(*v), field);
  if (v->size() > kMaxComponents) {
    return Invalid(field + " has more than " + std::to_string(kMaxComponents) + " entries", field);
  }
  for (size_t i = 0; i < v->size(); ++i) {
    std::string f = Index(field, i);
    const json& r = (*v)[i];
    if (!r.is_object()) {
      return Malformed(
          f + " must be a reference object {\"$ref\": ...}, got " + intake::JsonTypeName(r), f);
    }
    std::string ref;
    BEACON_RETURN_IF_ERROR(String(r, f, "$ref", kMaxIdBytes, ref));
    out.emplace_back(std::move(ref), f + ".$ref");
  }
  return Status::Ok();
}

Status Strings(const json& o, const std::string& path, std::string_view key,
               std::vector<std::string>& out) {
  out.clear();
  const json* v = Find(o, key);
  if (!v) return Status::Ok();
  std::string field = Join(path, key);
  if (!v->is_array())
    return Malformed(field + " must be an array, got " + intake::JsonTypeName(*v), field);
  if (v->size() > kMaxComponents) {
    return Invalid(field + " has more than " + std::to_string(kMaxComponents) + " entries", field);
  }
  for (size_t i = 0; i < v->size(); ++i) {
    const json& s = (*v)[i];
    std::string f = Index(field, i);
    if (!s.is_string())
      return Malformed(f + " must be a string, got " + intake::JsonTypeName(s), f);
    if (s.get_ref<const std::string&>().size() > kMaxTextBytes) {
      return Invalid(f + " is longer than " + std::to_string(kMaxTextBytes) + " bytes", f);
    }
    out.push_back(s.get<std::string>());
  }
  return Status::Ok();
}

// One component array, indexed by $id (which must be present and unique).
struct Components {
  std::string name;
  std::vector<const json*> items;
  std::map<std::string, size_t> by_id;

  std::string Field(size_t i) const { return Index(name, i); }
};

Status ReadComponents(const json& doc, std::string_view key, Components& out) {
  out.name = std::string(key);
  const json* v = Find(doc, key);
  if (!v) return Status::Ok();
  if (!v->is_array())
    return Malformed(out.name + " must be an array, got " + intake::JsonTypeName(*v), out.name);
  if (v->size() > kMaxComponents) {
    return Invalid(out.name + " has more than " + std::to_string(kMaxComponents) + " entries",
                   out.name);
  }
  for (size_t i = 0; i < v->size(); ++i) {
    const json& c = (*v)[i];
    std::string f = out.Field(i);
    if (!c.is_object())
      return Malformed(f + " must be an object, got " + intake::JsonTypeName(c), f);
    std::string id;
    BEACON_RETURN_IF_ERROR(String(c, f, "$id", kMaxIdBytes, id));
    if (!out.by_id.emplace(id, i).second) {
      return Invalid(f + ".$id \"" + id + "\" is used twice in " + out.name, f + ".$id");
    }
    out.items.push_back(&c);
  }
  return Status::Ok();
}

Status Resolve(const Components& c, const std::string& ref, const std::string& field,
               size_t& index) {
  auto it = c.by_id.find(ref);
  if (it == c.by_id.end()) {
    return Invalid(field + " refers to \"" + ref + "\", which is not in " + c.name, field);
  }
  index = it->second;
  return Status::Ok();
}

// Decodes the entities EscapeMarkup writes (and &#39;); other markup is kept
// as text.
std::string UnescapeHtml(std::string_view s) {
  static const std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    bool done = false;
    if (s[i] == '&') {
      for (const auto& [e, c] : kEntities) {
        if (s.substr(i, e.size()) == e) {
          out.push_back(c);
          i += e.size();
          done = true;
          break;
        }
      }
    }
    if (!done) out.push_back(s[i++]);
  }
  return out;
}

// The text of the first element whose local name (namespace prefix
// removed) is `name`, up to the next '<'. A tolerant scan of PIDF-LO, not a
// general XML parser: Beacon reads only gml:pos, gs:radius and civic
// address parts (docs/eido.md).
std::optional<std::string_view> ElementText(std::string_view xml, std::string_view name) {
  size_t i = 0;
  while ((i = xml.find('<', i)) != std::string_view::npos) {
    ++i;
    size_t end = i;
    while (end < xml.size() && xml[end] != '>' && xml[end] != ' ' && xml[end] != '/' &&
           xml[end] != '\t' && xml[end] != '\n' && xml[end] != '\r') {
      ++end;
    }
    std::string_view tag = xml.substr(i, end - i);
    if (auto colon = tag.rfind(':'); colon != std::string_view::npos) tag = tag.substr(colon + 1);
    if (tag != name) continue;
    size_t gt = xml.find('>', end);
    if (gt == std::string_view::npos) return std::nullopt;
    if (gt > 0 && xml[gt - 1] == '/') return std::string_view{};  // <tag/>
    size_t lt = xml.find('<', gt + 1);
    if (lt == std::string_view::npos) return std::nullopt;
    return xml.substr(gt + 1, lt - gt - 1);
  }
  return std::nullopt;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<double> ParseDouble(std::string_view s) {
  s = Trim(s);
  if (s.empty() || s.size() > 64) return std::nullopt;
  std::string copy(s);
  char* end = nullptr;
  double d = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

Status ReadPidf(std::string_view xml, const std::string& field, Location& loc) {
  if (auto pos = ElementText(xml, "pos")) {
    std::string_view p = Trim(*pos);
    size_t sp = p.find_first_of(" \t\r\n");
    std::optional<double> lat, lon;
    if (sp != std::string_view::npos) {
      lat = ParseDouble(p.substr(0, sp));
      lon = ParseDouble(p.substr(sp + 1));
    }
    if (!lat || !lon || !ValidLatLon(*lat, *lon)) {
      return Invalid(field + ": gml:pos must be \"LAT LON\" in degrees (WGS 84), got \"" +
                         std::string(p.substr(0, 64)) + "\"",
                     field);
    }
    loc.point = LatLon{*lat, *lon};
    if (auto r = ElementText(xml, "radius")) {
      auto radius = ParseDouble(*r);
      if (!radius || *radius < 0 || *radius > 1e6) {
        return Invalid(field + ": gs:radius must be a number of metres from 0 to 1000000", field);
      }
      loc.radius_m = *radius;
    }
  }
  // Civic address (RFC 5139) in reading order: number, street, city, state,
  // country.
  static const std::vector<std::vector<std::string_view>> kParts = {
      {"HNO", "HNS", "PRD", "RD", "STS", "POD"}, {"LOC"}, {"A3"}, {"A1"}, {"country"}};
  std::string address;
  for (const auto& group : kParts) {
    std::string piece;
    for (auto name : group) {
      auto t = ElementText(xml, name);
      if (!t) continue;
      auto v = Trim(*t);
      if (v.empty()) continue;
      if (!piece.empty()) piece += ' ';
      piece += v;
    }
    if (piece.empty()) continue;
    if (!address.empty()) address += ", ";
    address += piece;
  }
  if (!address.empty()) {
    if (address.size() > kMaxTextBytes) address.resize(kMaxTextBytes);
    loc.address = UnescapeHtml(address);
  }
  return Status::Ok();
}

Status ReadLocation(const json& c, const std::string& field, Location& loc) {
  std::string type;
  BEACON_RETURN_IF_ERROR(
      String(c, field, "locationTypeDescriptionRegistryText", kMaxTextBytes, type));
  std::optional<std::string> pidf, text;
  BEACON_RETURN_IF_ERROR(OptString(c, field, "locationByValue", kMaxPidfBytes, pidf));
  BEACON_RETURN_IF_ERROR(OptString(c, field, "locationDescriptionText", kMaxTextBytes, text));
  if (pidf) BEACON_RETURN_IF_ERROR(ReadPidf(*pidf, Join(field, "locationByValue"), loc));
  // Beacon writes its free-text address here; it wins over civic parts.
  if (text && !text->empty()) loc.address = *text;
  return Status::Ok();
}

// Location components read so far, by index: each is read once however
// often it is referenced, so a document full of references costs no more
// than its size.
using LocationCache = std::vector<std::optional<Location>>;

// Merges the referenced locations: the first point and the first address.
Status ReadLocations(const json& owner, const std::string& path, std::string_view key,
                     const Components& locations, LocationCache& cache, Location& out) {
  std::vector<std::pair<std::string, std::string>> refs;
  BEACON_RETURN_IF_ERROR(Refs(owner, path, key, refs));
  for (const auto& [ref, field] : refs) {
    size_t i = 0;
    BEACON_RETURN_IF_ERROR(Resolve(locations, ref, field, i));
    if (!cache[i]) {
      Location read;
      BEACON_RETURN_IF_ERROR(ReadLocation(*locations.items[i], locations.Field(i), read));
      cache[i] = std::move(read);
    }
    const Location& l = *cache[i];
    if (!out.point && l.point) {
      out.point = l.point;
      out.radius_m = l.radius_m;
    }
    if (!out.address && l.address) out.address = l.address;
  }
  return Status::Ok();
}

std::optional<std::string> PhoneFromCallback(const json& cb) {
  auto it = cb.find("callBackInformationUri");
  if (it == cb.end() || !it->is_array()) return std::nullopt;
  std::optional<std::string> other;
  for (const auto& u : *it) {
    if (!u.is_string()) continue;
    const auto& s = u.get_ref<const std::string&>();
    if (s.rfind("tel:", 0) == 0) return s.substr(4);
    if (!other && s.rfind("sip:", 0) == 0) other = s;
  }
  return other;
}

// What one person component says about a caller; read once per person.
struct PersonInfo {
  bool is_caller = false;
  model::Caller caller;
};
using PersonCache = std::vector<std::optional<PersonInfo>>;

Status ReadPerson(const json& p, const std::string& pf, const Components& callbacks,
                  PersonInfo& out) {
  std::vector<std::string> roles;
  BEACON_RETURN_IF_ERROR(Strings(p, pf, "personIncidentRoleRegistryText", roles));
  out.is_caller = std::any_of(roles.begin(), roles.end(), [](const std::string& r) {
    std::string l;
    for (char c : r) l.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return l == "caller";
  });
  if (!out.is_caller) return Status::Ok();
  if (const json* nc = Find(p, "ncPersonComponent"); nc && nc->is_object()) {
    if (const json* name = Find(*nc, "PersonName"); name && name->is_object()) {
      BEACON_RETURN_IF_ERROR(OptString(*name, Join(Join(pf, "ncPersonComponent"), "PersonName"),
                                       "PersonFullName", 200, out.caller.name));
    }
  }
  std::optional<std::string> cb;
  BEACON_RETURN_IF_ERROR(OptRef(p, pf, "callBackReference", cb));
  if (cb) {
    size_t k = 0;
    BEACON_RETURN_IF_ERROR(Resolve(callbacks, *cb, Join(pf, "callBackReference.$ref"), k));
    out.caller.phone = PhoneFromCallback(*callbacks.items[k]);
  }
  return Status::Ok();
}

Status ReadCaller(const json& call, const std::string& path, const Components& persons,
                  const Components& callbacks, PersonCache& cache,
                  std::optional<model::Caller>& out) {
  model::Caller caller;
  std::vector<std::pair<std::string, std::string>> refs;
  BEACON_RETURN_IF_ERROR(Refs(call, path, "personReference", refs));
  for (const auto& [ref, field] : refs) {
    size_t i = 0;
    BEACON_RETURN_IF_ERROR(Resolve(persons, ref, field, i));
    if (!cache[i]) {
      PersonInfo info;
      BEACON_RETURN_IF_ERROR(ReadPerson(*persons.items[i], persons.Field(i), callbacks, info));
      cache[i] = std::move(info);
    }
    const PersonInfo& p = *cache[i];
    if (!p.is_caller) continue;
    if (!caller.name) caller.name = p.caller.name;
    if (!caller.phone) caller.phone = p.caller.phone;
  }
  if (!caller.phone) {
    std::optional<std::string> cb;
    BEACON_RETURN_IF_ERROR(OptRef(call, path, "callBackReference", cb));
    if (cb) {
      size_t k = 0;
      BEACON_RETURN_IF_ERROR(Resolve(callbacks, *cb, Join(path, "callBackReference.$ref"), k));
      caller.phone = PhoneFromCallback(*callbacks.items[k]);
    }
  }
  if (caller.phone && caller.phone->size() > 32) {
    return Invalid(path + ": the caller's call-back number is longer than 32 bytes",
                   Join(path, "callBackReference"));
  }
  if (caller.name || caller.phone) out = std::move(caller);
  return Status::Ok();
}

Status ReadNote(const json& n, const std::string& field, Note& out) {
  BEACON_RETURN_IF_ERROR(String(n, field, "$id", kMaxIdBytes, out.id));
  BEACON_RETURN_IF_ERROR(Time(n, field, "lastUpdateTimeStamp", out.time));
  std::string text;
  const json* v = Find(n, "notesActionComments");
  std::string f = Join(field, "notesActionComments");
  if (!v) return Malformed(f + " is required", f);
  if (!v->is_string())
    return Malformed(f + " must be a string, got " + intake::JsonTypeName(*v), f);
  if (v->get_ref<const std::string&>().size() > kMaxTextBytes) {
    return Invalid(f + " is longer than " + std::to_string(kMaxTextBytes) + " bytes", f);
  }
  out.text = UnescapeHtml(v->get_ref<const std::string&>());
  std::optional<std::string> agent, agency;
  BEACON_RETURN_IF_ERROR(OptRef(n, field, "updatedByAgentReference", agent));
  BEACON_RETURN_IF_ERROR(OptRef(n, field, "updatedByAgencyReference", agency));
  out.author = agent ? *agent : agency.value_or("");
  return Status::Ok();
}

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

}  // namespace

std::string IncidentTrackingId(IncidentId id, std::string_view agency) {
  return "urn:emergency:uid:incidentid:" + std::to_string(id.value()) + ":" + std::string(agency);
}

bool IsOwnId(std::string_view id, std::string_view agency) {
  std::string_view prefix = "urn:emergency:uid:";
  if (id.substr(0, prefix.size()) != prefix) return false;
  std::string suffix = ":" + std::string(agency);
  return id.size() > prefix.size() + suffix.size() &&
         id.substr(id.size() - suffix.size()) == suffix;
}

Result<Document> Parse(std::string_view body) {
  auto parsed = intake::ParseObject(body);
  if (!parsed) return parsed.error();
  const json& j = *parsed;
  Document doc;
  BEACON_RETURN_IF_ERROR(String(j, "", "$id", kMaxIdBytes, doc.incident_id));
  std::string version;
  BEACON_RETURN_IF_ERROR(String(j, "", "eidoVersion", 16, version));
  if (version != "1.0") {
    return Invalid("eidoVersion must be \"1.0\" (NENA-STA-021), got \"" + version + "\"",
                   "eidoVersion");
  }
  BEACON_RETURN_IF_ERROR(Time(j, "", "lastUpdateTimeStamp", doc.updated_at));
  std::optional<std::string> agency;
  BEACON_RETURN_IF_ERROR(OptRef(j, "", "updatedByAgencyReference", agency));
  if (!agency) return Malformed("updatedByAgencyReference is required", "updatedByAgencyReference");
  doc.agency = *agency;
  BEACON_RETURN_IF_ERROR(OptRef(j, "", "updatedByAgentReference", doc.agent));
  BEACON_RETURN_IF_ERROR(String(j, "", "issuingElementIdentification", kMaxIdBytes, doc.element));

  Components agencies, calls, locations, persons, callbacks, notes, resources;
  BEACON_RETURN_IF_ERROR(ReadComponents(j, "agencyComponent", agencies));
  if (!Find(j, "agencyComponent")) {
    return Malformed("agencyComponent is required (the agencies of the incident)",
                     "agencyComponent");
  }
  BEACON_RETURN_IF_ERROR(ReadComponents(j, "callComponent", calls));
  BEACON_RETURN_IF_ERROR(ReadComponents(j, "locationComponent", locations));
  BEACON_RETURN_IF_ERROR(ReadComponents(j, "personComponent", persons));
  BEACON_RETURN_IF_ERROR(ReadComponents(j, "callbackComponent", callbacks));
  BEACON_RETURN_IF_ERROR(ReadComponents(j, "notesComponent", notes));
  BEACON_RETURN_IF_ERROR(ReadComponents(j, "emergencyResourceComponent", resources));

  std::set<std::string> call_notes;
  LocationCache location_cache(locations.items.size());
  PersonCache person_cache(persons.items.size());
  for (size_t i = 0; i < calls.items.size(); ++i) {
    const json& c = *calls.items[i];
    Call call;
    call.field = calls.Field(i);
    call.id = c.at("$id").get<std::string>();
    BEACON_RETURN_IF_ERROR(Time(c, call.field, "callStartTimestamp", call.received_at));
    std::optional<std::string> local;
    BEACON_RETURN_IF_ERROR(OptString(c, call.field, "localCallType", 200, local));
    if (local && local->rfind("beacon:", 0) == 0) {
      std::string_view rest = std::string_view(*local).substr(7);
      size_t colon = rest.find(':');
      if (colon != std::string_view::npos) {
        call.channel = model::ParseChannel(rest.substr(0, colon));
        if (colon + 1 < rest.size()) call.incident_type = std::string(rest.substr(colon + 1));
      }
    }
    BEACON_RETURN_IF_ERROR(ReadLocations(c, call.field, "locationReference", locations,
                                         location_cache, call.location));
    std::vector<std::pair<std::string, std::string>> refs;
    BEACON_RETURN_IF_ERROR(Refs(c, call.field, "notesReference", refs));
    std::string narrative;
    for (const auto& [ref, field] : refs) {
      size_t k = 0;
      BEACON_RETURN_IF_ERROR(Resolve(notes, ref, field, k));
      Note n;
      BEACON_RETURN_IF_ERROR(ReadNote(*notes.items[k], notes.Field(k), n));
      if (!narrative.empty()) narrative += "\n";
      narrative += n.text;
      call_notes.insert(ref);
      if (narrative.size() > kMaxTextBytes) {
        return Invalid(call.field + ": the call's notes are longer than " +
                           std::to_string(kMaxTextBytes) + " bytes together",
                       Join(call.field, "notesReference"));
      }
    }
    if (!narrative.empty()) call.narrative = std::move(narrative);
    BEACON_RETURN_IF_ERROR(
        ReadCaller(c, call.field, persons, callbacks, person_cache, call.caller));
    doc.calls.push_back(std::move(call));
  }

  if (const json* inc = Find(j, "incidentComponent")) {
    const std::string f = "incidentComponent";
    if (!inc->is_object())
      return Malformed(f + " must be an object, got " + intake::JsonTypeName(*inc), f);
    for (const char* key : {"incidentTypeInternalCode", "incidentTypeInternalText",
                            "incidentTypeCommonRegistryText"}) {
      std::optional<std::string> v;
      BEACON_RETURN_IF_ERROR(OptString(*inc, f, key, 200, v));
      if (v && !v->empty()) doc.type_candidates.push_back(*v);
    }
    std::vector<std::string> status;
    BEACON_RETURN_IF_ERROR(Strings(*inc, f, "incidentStatusCommonRegistryText", status));
    for (const auto& s : status) doc.closed = doc.closed || Lower(s) == "closed";
    BEACON_RETURN_IF_ERROR(
        ReadLocations(*inc, f, "locationReference", locations, location_cache, doc.location));
    if (const json* disp = Find(*inc, "dispositionComponent")) {
      std::string df = Join(f, "dispositionComponent");
      if (!disp->is_array()) {
        return Malformed(df + " must be an array, got " + intake::JsonTypeName(*disp), df);
      }
      if (!disp->empty()) {
        const json& d = disp->front();
        std::string d0 = Index(df, 0);
        if (!d.is_object())
          return Malformed(d0 + " must be an object, got " + intake::JsonTypeName(d), d0);
        std::optional<std::string> code, text;
        BEACON_RETURN_IF_ERROR(OptString(d, d0, "dispositionCommonRegistryCode", 200, code));
        BEACON_RETURN_IF_ERROR(OptString(d, d0, "dispositionDescriptionText", 500, text));
        doc.disposition = text ? text : code;
      }
    }
  }

  for (size_t i = 0; i < notes.items.size(); ++i) {
    Note n;
    BEACON_RETURN_IF_ERROR(ReadNote(*notes.items[i], notes.Field(i), n));
    if (call_notes.count(n.id)) continue;
    doc.notes.push_back(std::move(n));
  }

  for (size_t i = 0; i < resources.items.size(); ++i) {
    const json& r = *resources.items[i];
    std::string f = resources.Field(i);
    model::ForeignResource res;
    res.id = r.at("$id").get<std::string>();
    std::optional<std::string> ag, name, type_text, type_common, status;
    BEACON_RETURN_IF_ERROR(OptRef(r, f, "updatedByAgencyReference", ag));
    BEACON_RETURN_IF_ERROR(OptString(r, f, "emergencyResourceName", 200, name));
    BEACON_RETURN_IF_ERROR(OptString(r, f, "emergencyResourceTypeInternalText", 200, type_text));
    BEACON_RETURN_IF_ERROR(
        OptString(r, f, "emergencyResourceTypeCommonRegistryText", 200, type_common));
    BEACON_RETURN_IF_ERROR(OptString(r, f, "primaryUnitStatusRegistryText", 200, status));
    res.agency = ag.value_or(doc.agency);
    res.name = name.value_or(res.id);
    res.unit_type = type_text ? *type_text : type_common.value_or("");
    res.status = status.value_or("");
    doc.resources.push_back(std::move(res));
  }

  // The incident's place: its own location, else its first call's.
  for (const auto& c : doc.calls) {
    if (!doc.location.point && c.location.point) {
      doc.location.point = c.location.point;
      doc.location.radius_m = c.location.radius_m;
    }
    if (!doc.location.address && c.location.address) doc.location.address = c.location.address;
  }
  return doc;
}

namespace {

json Ref(const std::string& id) { return {{"$ref", id}}; }

std::string Urn(std::string_view kind, const std::string& local, std::string_view agency) {
  return "urn:emergency:uid:" + std::string(kind) + ":" + local + ":" + std::string(agency);
}

// Shortest text that reads back as the same double, so coordinates survive
// a transfer exactly.
std::string Number(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc() ? std::string(buf, end) : "0";
}

std::string Pidf(const Location& l, const std::string& entity) {
  std::string pos = Number(l.point->lat) + " " + Number(l.point->lon);
  std::string shape;
  if (l.radius_m) {
    std::string r = Number(*l.radius_m);
    shape = R"(<gs:Circle srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>)" + std::string(pos) +
            R"(</gml:pos><gs:radius uom="urn:ogc:def:uom:EPSG::9001">)" + r +
            "</gs:radius></gs:Circle>";
  } else {
    shape = R"(<gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>)" + std::string(pos) +
            "</gml:pos></gml:Point>";
  }
  return R"(<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" )"
         R"(xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" xmlns:gml="http://www.opengis.net/gml" )"
         R"(xmlns:gs="http://www.opengis.net/pidflo/1.0" entity="pres:)" +
         EscapeMarkup(entity) + R"("><tuple id="location"><status><gp:geopriv><gp:location-info>)" +
         shape + "</gp:location-info></gp:geopriv></status></tuple></presence>";
}

// Collects agencies and agents as they are referenced, to list them once.
class Directory {
 public:
  explicit Directory(const Identity& self) : self_(self) { Agency(self.agency); }
  const std::string& Agency(const std::string& id) {
    if (std::find(agencies_.begin(), agencies_.end(), id) == agencies_.end()) {
      agencies_.push_back(id);
    }
    return id;
  }
  // Beacon user names become "<user>@<agency>"; references from other
  // centres (already "name@agency" or an agency) are kept as they came.
  std::string Agent(const std::string& user) {
    std::string id = user.find('@') == std::string::npos ? user + "@" + self_.agency : user;
    if (user.empty()) id = "system@" + self_.agency;
    if (std::find_if(agents_.begin(), agents_.end(), [&](const auto& a) { return a == id; }) ==
        agents_.end()) {
      agents_.push_back(id);
      Agency(id.substr(id.rfind('@') + 1));
    }
    return id;
  }
  json AgencyComponents(TimeMs now) const {
    json out = json::array();
    for (const auto& a : agencies_) {
      bool self = a == self_.agency;
      json c = {{"$id", a},
                {"lastUpdateTimeStamp", FormatRfc3339(now)},
                {"updatedByAgencyReference", Ref(a)},
                {"agencyRoleDescriptionRegistryText",
                 self ? json::array({"CallReceiving", "Dispatching"}) : json::array()},
                {"agencyType", self ? json::array({"psap"}) : json::array()}};
      if (self) c["incidentOwningAgencyIndicator"] = true;
      out.push_back(std::move(c));
    }
    return out;
  }
  json AgentComponents(TimeMs now) const {
    json out = json::array();
    for (const auto& a : agents_) {
      std::string agency = a.substr(a.rfind('@') + 1);
      out.push_back({{"$id", a},
                     {"lastUpdateTimeStamp", FormatRfc3339(now)},
                     {"updatedByAgencyReference", Ref(agency)},
                     {"agentRoleRegistryText", json::array({"Call Taking"})},
                     {"agencyReference", Ref(agency)}});
    }
    return out;
  }

 private:
  const Identity& self_;
  std::vector<std::string> agencies_;
  std::vector<std::string> agents_;
};

}  // namespace

json Export(const ExportInput& in) {
  const model::Incident& inc = *in.incident;
  const std::string& agency = in.self.agency;
  const std::string tracking =
      inc.eido ? inc.eido->incident_id : IncidentTrackingId(inc.id, agency);
  const std::string local = std::to_string(inc.id.value());
  Directory dir(in.self);
  if (inc.eido) dir.Agency(inc.eido->agency);
  auto prologue = [&](const std::string& id, TimeMs t, const std::string& by_agency) {
    return json{{"$id", id},
                {"lastUpdateTimeStamp", FormatRfc3339(t)},
                {"updatedByAgencyReference", Ref(dir.Agency(by_agency))}};
  };

  json calls = json::array(), locations = json::array(), persons = json::array(),
       callbacks = json::array(), notes = json::array(), resources = json::array(),
       dispatches = json::array();

  auto add_location = [&](const std::string& id, const std::string& type, TimeMs t,
                          const Location& l) {
    json c = prologue(id, t, agency);
    c["locationTypeDescriptionRegistryText"] = type;
    if (l.point) c["locationByValue"] = Pidf(l, id);
    if (l.address) c["locationDescriptionText"] = *l.address;
    locations.push_back(std::move(c));
  };
  auto add_note = [&](const std::string& id, TimeMs t, const std::string& user,
                      const std::string& text) {
    json n = prologue(id, t, agency);
    n["updatedByAgentReference"] = Ref(dir.Agent(user));
    n["notesActionComments"] = EscapeMarkup(text);
    notes.push_back(std::move(n));
  };

  for (const model::Call* c : in.calls) {
    std::string cid = std::to_string(c->id.value());
    std::string id = Urn("callid", local + "-" + cid, agency);
    if (inc.eido) {
      for (const auto& [eid, ours] : inc.eido->calls) {
        if (ours == c->id) id = eid;
      }
    }
    json call = prologue(id, c->created_at, agency);
    call["updatedByAgentReference"] = Ref(dir.Agent(c->created_by));
    call["standardPrimaryCallType"] = "emergency";
    call["direction"] = "incoming";
    call["callStartTimestamp"] = FormatRfc3339(c->received_at);
    call["callStateRegistryText"] = "callEnd";
    call["localCallType"] =
        "beacon:" + std::string(model::ToString(c->channel)) + ":" + c->incident_type;
    if (c->location || c->address) {
      std::string lid = Urn("locationid", local + "-call-" + cid, agency);
      add_location(lid, "Caller", c->created_at,
                   {c->location, c->location ? c->accuracy_m : std::nullopt, c->address});
      call["locationReference"] = json::array({Ref(lid)});
    }
    if (c->narrative) {
      std::string nid = Urn("noteid", local + "-call-" + cid, agency);
      add_note(nid, c->created_at, c->created_by, *c->narrative);
      call["notesReference"] = json::array({Ref(nid)});
    }
    if (c->caller) {
      std::string pid = Urn("personid", local + "-call-" + cid, agency);
      json p = prologue(pid, c->created_at, agency);
      p["personIncidentRoleRegistryText"] = json::array({"Caller"});
      p["callIdentifier"] = json::array({id});
      if (c->caller->name) {
        p["ncPersonComponent"] = {{"PersonName", {{"PersonFullName", *c->caller->name}}}};
      }
      if (c->caller->phone) {
        std::string cbid = Urn("callbackid", local + "-call-" + cid, agency);
        json cb = prologue(cbid, c->created_at, agency);
        cb["callBackInformationUri"] = json::array({"tel:" + *c->caller->phone});
        callbacks.push_back(std::move(cb));
        p["callBackReference"] = Ref(cbid);
        call["callBackReference"] = Ref(cbid);
      }
      persons.push_back(std::move(p));
      call["personReference"] = json::array({Ref(pid)});
    }
    calls.push_back(std::move(call));
  }

  // Beacon's own units, one resource per assignment.
  for (size_t k = 0; k < inc.assignments.size(); ++k) {
    const auto& a = inc.assignments[k];
    UnitInfo info{"unknown", "unknown", std::nullopt};
    for (const auto& [uid, u] : in.units) {
      if (uid == a.unit_id.value()) info = u;
    }
    bool active = !a.released_at && info.incident_id && *info.incident_id == inc.id;
    std::string rid =
        Urn("resourceid", local + "-" + a.unit_id.value() + "-" + std::to_string(k), agency);
    json r = prologue(rid, a.released_at.value_or(a.assigned_at), agency);
    r["agentReference"] = json::array();
    r["emergencyResourceTypeCommonRegistryText"] = info.unit_type;
    r["emergencyResourceTypeInternalText"] = info.unit_type;
    r["emergencyResourceName"] = a.unit_id.value();
    r["resourceAttributeRegistryText"] = json::array();
    r["primaryUnitStatusRegistryText"] = active ? info.status : "released";
    r["secondaryUnitStatusRegistryText"] = json::array();
    if (active) r["activeOnIncidentId"] = tracking;
    resources.push_back(std::move(r));
    json d =
        prologue(Urn("dispatchid", local + "-" + std::to_string(k), agency), a.assigned_at, agency);
    d["agencyReference"] = Ref(agency);
    d["emergencyResourceReference"] = json::array({Ref(rid)});
    dispatches.push_back(std::move(d));
  }
  // Units of other centres named by an imported EIDO, passed on as they came.
  if (inc.eido) {
    for (const auto& f : inc.eido->resources) {
      json r = prologue(f.id, inc.eido->updated_at, f.agency);
      r["agentReference"] = json::array();
      r["emergencyResourceTypeCommonRegistryText"] = f.unit_type;
      r["emergencyResourceTypeInternalText"] = f.unit_type;
      r["emergencyResourceName"] = f.name;
      r["resourceAttributeRegistryText"] = json::array();
      r["primaryUnitStatusRegistryText"] = f.status;
      r["secondaryUnitStatusRegistryText"] = json::array();
      resources.push_back(std::move(r));
    }
  }

  // The timeline, one note per entry; entries that came as EIDO notes keep
  // their $id so a receiving centre does not duplicate them.
  json incident_notes = json::array();
  for (size_t k = 0; k < inc.timeline.size(); ++k) {
    const auto& t = inc.timeline[k];
    std::string nid = Urn("noteid", local + "-" + std::to_string(k), agency);
    if (inc.eido) {
      for (const auto& [eid, n] : inc.eido->notes) {
        if (n == static_cast<std::int64_t>(k)) nid = eid;
      }
    }
    add_note(nid, t.time, t.user, t.text);
    incident_notes.push_back(Ref(nid));
  }

  json incident = prologue(Urn("incidentcomponentid", local, agency), in.now, agency);
  incident["incidentTypeCommonRegistryText"] = in.category.empty() ? "unknown" : in.category;
  incident["incidentTypeInternalCode"] = inc.incident_type;
  if (!in.type_name.empty()) incident["incidentTypeInternalText"] = in.type_name;
  bool open = inc.status == model::IncidentStatus::kOpen;
  incident["incidentStatusCommonRegistryText"] = json::array({open ? "Open" : "Closed"});
  incident["incidentStatusInternalText"] = json::array({std::string(model::ToString(inc.status))});
  incident["internalIncidentId"] = local;
  incident["incidentPriorityInternalText"] = std::to_string(inc.priority);
  if (inc.location || inc.address) {
    std::string lid = Urn("locationid", local + "-incident", agency);
    add_location(lid, "Incident", inc.opened_at, {inc.location, std::nullopt, inc.address});
    incident["locationReference"] = json::array({Ref(lid)});
  }
  if (!incident_notes.empty()) incident["notesReference"] = std::move(incident_notes);
  if (inc.disposition) {
    json d = prologue(Urn("dispositionid", local, agency), inc.closed_at.value_or(in.now), agency);
    d["dispositionCommonRegistryCode"] = "Other";
    d["dispositionPrimaryIndicator"] = true;
    d["dispositionDescriptionText"] = *inc.disposition;
    incident["dispositionComponent"] = json::array({std::move(d)});
  }

  json out = prologue(tracking, in.now, agency);
  out["eidoVersion"] = "1.0";
  out["issuingElementIdentification"] = in.self.element;
  out["incidentComponent"] = std::move(incident);
  out["callComponent"] = std::move(calls);
  if (!callbacks.empty()) out["callbackComponent"] = std::move(callbacks);
  if (!dispatches.empty()) out["dispatchComponent"] = std::move(dispatches);
  out["notesComponent"] = std::move(notes);
  if (!resources.empty()) out["emergencyResourceComponent"] = std::move(resources);
  out["agentComponent"] = dir.AgentComponents(in.now);
  out["agencyComponent"] = dir.AgencyComponents(in.now);
  if (!locations.empty()) out["locationComponent"] = std::move(locations);
  if (!persons.empty()) out["personComponent"] = std::move(persons);
  out["@context"] = {{"@vocab", "./JSON-LD_Contexts/EmergencyIncidentDataObjectType.jsonld"}};
  return out;
}

}  // namespace beacon::eido
