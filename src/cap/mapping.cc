#include "cap/mapping.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace beacon::cap {
namespace {

using nlohmann::json;

constexpr size_t kMaxNarrative = 8192;  // as intake::kMaxNarrative
constexpr size_t kMaxAddress = 512;     // as intake::kMaxAddress

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Cuts at `max` bytes without splitting a UTF-8 sequence.
std::string Cut(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

std::string Trimmed(std::string_view s) {
  auto sp = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && sp(s.front())) s.remove_prefix(1);
  while (!s.empty() && sp(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::optional<LatLon> Centroid(const std::vector<LatLon>& ring) {
  // Planar shoelace over (lon, lat): fine for the size of a warning area
  // (not across the antimeridian). Degenerate rings use the vertex mean.
  double a = 0, cx = 0, cy = 0;
  for (size_t i = 0; i + 1 < ring.size(); ++i) {
    double x0 = ring[i].lon, y0 = ring[i].lat, x1 = ring[i + 1].lon, y1 = ring[i + 1].lat;
    double cross = x0 * y1 - x1 * y0;
    a += cross;
    cx += (x0 + x1) * cross;
    cy += (y0 + y1) * cross;
  }
  if (std::fabs(a) < 1e-12) {
    double lat = 0, lon = 0;
    size_t n = ring.size() - 1;
    for (size_t i = 0; i < n; ++i) {
      lat += ring[i].lat;
      lon += ring[i].lon;
    }
    return LatLon{lat / static_cast<double>(n), lon / static_cast<double>(n)};
  }
  a *= 0.5;
  return LatLon{cy / (6 * a), cx / (6 * a)};
}

std::optional<LatLon> GeocodePoint(const std::string& v) {
  std::string t = Trimmed(v);
  if (t.find(',') == std::string::npos) return std::nullopt;
  return ParseLatLon(t);
}

}  // namespace

Result<CallMapping> CallMapping::Parse(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Invalid("cap mapping is not a JSON object");
  CallMapping m;
  auto str = [&](const json& o, const char* key, const std::string& path,
                 bool required) -> Result<std::optional<std::string>> {
    auto it = o.find(key);
    if (it == o.end()) {
      if (required) return Invalid(path + " is required", path);
      return std::optional<std::string>();
    }
    if (!it->is_string() || it->get<std::string>().empty()) {
      return Invalid(path + " must be a non-empty string", path);
    }
    return std::optional<std::string>(it->get<std::string>());
  };
  if (j.value("version", 0) != 1) return Invalid("cap mapping version must be 1", "version");
  auto lang = str(j, "language", "language", false);
  if (!lang) return lang.error();
  if (*lang) m.language_ = Lower(**lang);
  auto def = str(j, "default_incident_type", "default_incident_type", true);
  if (!def) return def.error();
  m.default_type_ = **def;
  auto rules = j.find("rules");
  if (rules == j.end() || !rules->is_array()) return Invalid("rules must be an array", "rules");
  for (size_t i = 0; i < rules->size(); ++i) {
    const json& r = (*rules)[i];
    std::string path = "rules[" + std::to_string(i) + "]";
    if (!r.is_object()) return Invalid(path + " must be an object", path);
    for (auto it = r.begin(); it != r.end(); ++it) {
      static const char* kKeys[] = {"category", "event_contains", "severity", "incident_type"};
      if (std::find_if(std::begin(kKeys), std::end(kKeys),
                       [&](const char* k) { return it.key() == k; }) == std::end(kKeys)) {
        return Invalid(path + "." + it.key() + " is not a rule field", path + "." + it.key());
      }
    }
    MappingRule rule;
    auto type = str(r, "incident_type", path + ".incident_type", true);
    if (!type) return type.error();
    rule.incident_type = **type;
    auto cat = str(r, "category", path + ".category", false);
    if (!cat) return cat.error();
    rule.category = *cat;
    for (const char* list : {"event_contains", "severity"}) {
      auto it = r.find(list);
      if (it == r.end()) continue;
      std::string lp = path + "." + list;
      if (!it->is_array() || it->empty()) return Invalid(lp + " must be a non-empty array", lp);
      for (const auto& v : *it) {
        if (!v.is_string() || v.get<std::string>().empty()) {
          return Invalid(lp + " must hold non-empty strings", lp);
        }
        if (std::string(list) == "event_contains") {
          rule.event_contains.push_back(Lower(v.get<std::string>()));
        } else {
          rule.severity.push_back(v.get<std::string>());
        }
      }
    }
    m.rules_.push_back(std::move(rule));
  }
  return m;
}

std::vector<std::string> CallMapping::IncidentTypes() const {
  std::vector<std::string> out = {default_type_};
  for (const auto& r : rules_) out.push_back(r.incident_type);
  return out;
}

const Info& CallMapping::ChooseInfo(const Alert& a) const {
  for (const auto& i : a.infos) {
    std::string l = Lower(i.Language());
    if (l == language_ || l.rfind(language_ + "-", 0) == 0) return i;
  }
  return a.infos.front();
}

std::string CallMapping::IncidentType(const Info& info) const {
  std::string event = Lower(info.event);
  for (const auto& r : rules_) {
    if (r.category && std::find(info.categories.begin(), info.categories.end(), *r.category) ==
                          info.categories.end()) {
      continue;
    }
    if (!r.event_contains.empty() &&
        std::none_of(r.event_contains.begin(), r.event_contains.end(),
                     [&](const std::string& w) { return event.find(w) != std::string::npos; })) {
      continue;
    }
    if (!r.severity.empty() &&
        std::find(r.severity.begin(), r.severity.end(), info.severity) == r.severity.end()) {
      continue;
    }
    return r.incident_type;
  }
  return default_type_;
}

Status CheckAcceptable(const Alert& a) {
  if (a.status != "Actual" && a.status != "Exercise") {
    return Invalid("beacon.status: status " + a.status +
                       " is not taken as a call; Beacon takes Actual and Exercise alerts",
                   "alert/status");
  }
  if (a.msg_type == "Ack" || a.msg_type == "Error") {
    return Invalid("beacon.msgType: msgType " + a.msg_type +
                       " is not taken as a call; Beacon takes Alert, Update and Cancel",
                   "alert/msgType");
  }
  if (a.msg_type != "Cancel" && a.infos.empty()) {
    return Invalid("beacon.info: an " + a.msg_type + " needs at least one <info> to become a call",
                   "alert/info");
  }
  return Status::Ok();
}

std::optional<LatLon> AreaLocation(const Info& info) {
  for (const auto& area : info.areas) {
    if (!area.circles.empty()) return area.circles.front().centre;
    if (!area.polygons.empty()) return Centroid(area.polygons.front());
    for (const auto& g : area.geocodes) {
      if (auto p = GeocodePoint(g.value)) return p;
    }
  }
  return std::nullopt;
}

model::CallInput ToCallInput(const Alert& a, const CallMapping& mapping) {
  const Info& info = mapping.ChooseInfo(a);
  model::CallInput in;
  in.channel = model::Channel::kAgency;
  in.incident_type = mapping.IncidentType(info);
  in.location = AreaLocation(info);
  std::string narrative;
  if (a.status == "Exercise") narrative += "EXERCISE. ";
  narrative += "CAP " + a.msg_type + " from " + info.sender_name.value_or(a.sender) + ": " +
               Trimmed(info.headline.value_or(info.event));
  if (info.description && !Trimmed(*info.description).empty()) {
    narrative += "\n" + Trimmed(*info.description);
  }
  if (info.instruction && !Trimmed(*info.instruction).empty()) {
    narrative += "\nInstruction: " + Trimmed(*info.instruction);
  }
  in.narrative = Cut(std::move(narrative), kMaxNarrative);
  std::string address;
  for (const auto& area : info.areas) {
    std::string d = Trimmed(area.desc);
    if (d.empty()) continue;
    address += (address.empty() ? "" : "; ") + d;
  }
  if (!address.empty()) in.address = Cut(std::move(address), kMaxAddress);
  return in;
}

}  // namespace beacon::cap
