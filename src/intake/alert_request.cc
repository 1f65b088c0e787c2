#include "intake/alert_request.h"

#include <algorithm>

#include "intake/json_body.h"
#include "intake/requests.h"

namespace beacon::intake {
namespace {

using nlohmann::json;

Status OneOf(const std::string& v, std::initializer_list<std::string_view> values,
             const std::string& field) {
  if (std::find(values.begin(), values.end(), v) != values.end()) return Status::Ok();
  std::string list;
  for (auto x : values) list += (list.empty() ? "" : ", ") + std::string(x);
  return Invalid(field + " must be one of " + list + " (got \"" + v + "\")", field);
}

bool ValidLanguage(const std::string& v) {
  if (v.empty() || v.size() > 35) return false;
  size_t len = 0, part = 0;
  for (char c : v) {
    if (c == '-') {
      if (len == 0) return false;
      ++part;
      len = 0;
    } else if (std::isalpha(static_cast<unsigned char>(c)) ||
               (part > 0 && std::isdigit(static_cast<unsigned char>(c)))) {
      if (++len > 8) return false;
    } else {
      return false;
    }
  }
  return len > 0;
}

// Text that goes into XML: no control characters but tab and newlines, and
// not U+FFFE/U+FFFF (XML 1.0 allows neither). The body is valid UTF-8.
Status XmlText(const std::string& v, const std::string& field) {
  for (size_t i = 0; i < v.size(); ++i) {
    auto c = static_cast<unsigned char>(v[i]);
    bool control = c < 0x20 && c != '\t' && c != '\n' && c != '\r';
    bool nonchar = c == 0xEF && i + 2 < v.size() && static_cast<unsigned char>(v[i + 1]) == 0xBF &&
                   (static_cast<unsigned char>(v[i + 2]) & 0xFE) == 0xBE;
    if (control || nonchar) {
      return Invalid(
          field + " contains a character XML cannot carry (byte " + std::to_string(i) + ")", field);
    }
  }
  return Status::Ok();
}

Result<LatLon> Pair(const json& v, const std::string& field) {
  if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number()) {
    return Malformed(field + " must be [lat, lon]", field);
  }
  double lat = v[0].get<double>(), lon = v[1].get<double>();
  if (!ValidLatLon(lat, lon)) {
    return Invalid(field + " must have lat in [-90, 90] and lon in [-180, 180]", field);
  }
  return LatLon{lat, lon};
}

}  // namespace

Result<AlertIssueRequest> ReadAlertIssueRequest(const json& j) {
  if (!j.is_object()) return Malformed("the body must be a JSON object");
  JsonObject obj(j, "");
  BEACON_RETURN_IF_ERROR(obj.OnlyKeys(
      {"incident_id", "campaign_id", "msg_type", "references_alert_id", "status", "category",
       "urgency", "severity", "certainty", "response_types", "expires", "languages", "area"}));
  AlertIssueRequest r;
  auto msg = obj.OptString("msg_type", 16);
  if (!msg) return msg.error();
  if (*msg) r.msg_type = **msg;
  BEACON_RETURN_IF_ERROR(OneOf(r.msg_type, {"Alert", "Update", "Cancel"}, "msg_type"));
  if (const json* ref = obj.Find("references_alert_id")) {
    if (!ref->is_number_integer() || ref->get<std::int64_t>() <= 0) {
      return Malformed("references_alert_id must be a positive integer id", "references_alert_id");
    }
    r.references_alert_id = ref->get<std::int64_t>();
  }
  if (r.msg_type != "Alert" && !r.references_alert_id) {
    return Invalid("an " + r.msg_type + " needs references_alert_id (the alert it replaces)",
                   "references_alert_id");
  }
  if (r.msg_type == "Alert" && r.references_alert_id) {
    return Invalid("references_alert_id is only for msg_type Update or Cancel",
                   "references_alert_id");
  }
  const json* inc = obj.Find("incident_id");
  const json* campaign = obj.Find("campaign_id");
  if (campaign) {
    // A scam campaign's warning (the desk fills it in; docs/scam.md).
    if (inc) return Invalid("give incident_id or campaign_id, not both", "incident_id");
    if (!campaign->is_number_integer() || campaign->get<std::int64_t>() <= 0) {
      return Malformed("campaign_id must be a positive integer id", "campaign_id");
    }
    r.campaign_id = campaign->get<std::int64_t>();
  } else {
    if (!inc) return Malformed("incident_id is required", "incident_id");
    if (!inc->is_number_integer() || inc->get<std::int64_t>() <= 0) {
      return Malformed("incident_id must be a positive integer id", "incident_id");
    }
    r.incident_id = IncidentId{inc->get<std::int64_t>()};
  }
  auto status = obj.OptString("status", 16);
  if (!status) return status.error();
  if (*status) r.status = **status;
  BEACON_RETURN_IF_ERROR(
      OneOf(r.status, {"Actual", "Exercise", "System", "Test", "Draft"}, "status"));

  struct EnumField {
    const char* key;
    std::string* out;
    std::initializer_list<std::string_view> values;
  };
  const EnumField enums[] = {
      {"category",
       &r.category,
       {"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
        "CBRNE", "Other"}},
      {"urgency", &r.urgency, {"Immediate", "Expected", "Future", "Past", "Unknown"}},
      {"severity", &r.severity, {"Extreme", "Severe", "Moderate", "Minor", "Unknown"}},
      {"certainty", &r.certainty, {"Observed", "Likely", "Possible", "Unlikely", "Unknown"}},
  };
  for (const auto& e : enums) {
    auto v = obj.String(e.key, 32);
    if (!v) return v.error();
    BEACON_RETURN_IF_ERROR(OneOf(*v, e.values, e.key));
    *e.out = *v;
  }
  if (const json* rt = obj.Find("response_types")) {
    if (!rt->is_array() || rt->size() > 9) {
      return Malformed("response_types must be an array of at most 9 strings", "response_types");
    }
    for (size_t i = 0; i < rt->size(); ++i) {
      std::string f = "response_types[" + std::to_string(i) + "]";
      if (!(*rt)[i].is_string()) return Malformed(f + " must be a string", f);
      BEACON_RETURN_IF_ERROR(OneOf((*rt)[i].get<std::string>(),
                                   {"Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor",
                                    "Assess", "AllClear", "None"},
                                   f));
      r.response_types.push_back((*rt)[i].get<std::string>());
    }
  }
  auto expires = obj.OptString("expires", 64);
  if (!expires) return expires.error();
  if (*expires) {
    r.expires = ParseRfc3339(**expires);
    if (!r.expires) {
      return Invalid("expires must be an RFC 3339 time such as 2024-05-01T18:00:00Z", "expires");
    }
  }

  const json* langs = obj.Find("languages");
  if (!langs) return Malformed("languages is required (one entry per language)", "languages");
  if (!langs->is_array() || langs->empty() || langs->size() > 20) {
    return Malformed("languages must be an array of 1 to 20 objects", "languages");
  }
  for (size_t i = 0; i < langs->size(); ++i) {
    std::string p = "languages[" + std::to_string(i) + "]";
    const json& l = (*langs)[i];
    if (!l.is_object()) return Malformed(p + " must be an object", p);
    JsonObject lo(l, p);
    BEACON_RETURN_IF_ERROR(
        lo.OnlyKeys({"language", "event", "headline", "description", "instruction"}));
    AlertText t;
    auto lang = lo.String("language", 35);
    if (!lang) return lang.error();
    if (!ValidLanguage(*lang)) {
      return Invalid(p + ".language must be an RFC 3066 code such as en-US", p + ".language");
    }
    t.language = *lang;
    for (const auto& other : r.languages) {
      if (other.language == t.language) {
        return Invalid(p + ".language " + t.language + " is given twice", p + ".language");
      }
    }
    auto event = lo.String("event", 200);
    if (!event) return event.error();
    if (event->empty()) return Invalid(p + ".event must not be empty", p + ".event");
    t.event = *event;
    auto headline = lo.OptString("headline", 160);
    if (!headline) return headline.error();
    t.headline = *headline;
    auto description = lo.OptString("description", kMaxNarrative);
    if (!description) return description.error();
    t.description = *description;
    auto instruction = lo.OptString("instruction", kMaxNarrative);
    if (!instruction) return instruction.error();
    t.instruction = *instruction;
    BEACON_RETURN_IF_ERROR(XmlText(t.event, p + ".event"));
    BEACON_RETURN_IF_ERROR(XmlText(t.headline.value_or(""), p + ".headline"));
    BEACON_RETURN_IF_ERROR(XmlText(t.description.value_or(""), p + ".description"));
    BEACON_RETURN_IF_ERROR(XmlText(t.instruction.value_or(""), p + ".instruction"));
    r.languages.push_back(std::move(t));
  }

  auto area = obj.OptObject("area");
  if (!area) return area.error();
  if (!*area) return Malformed("area is required ({description, polygon | circle})", "area");
  BEACON_RETURN_IF_ERROR((*area)->OnlyKeys({"description", "polygon", "circle"}));
  auto desc = (*area)->String("description", kMaxAddress);
  if (!desc) return desc.error();
  if (desc->empty()) return Invalid("area.description must not be empty", "area.description");
  r.area.description = *desc;
  BEACON_RETURN_IF_ERROR(XmlText(r.area.description, "area.description"));
  const json* poly = (*area)->Find("polygon");
  auto circle = (*area)->OptObject("circle");
  if (!circle) return circle.error();
  if ((poly != nullptr) == circle->has_value()) {
    return Invalid("area needs exactly one of polygon or circle", "area");
  }
  if (poly) {
    if (!poly->is_array() || poly->size() < 3 || poly->size() > 1000) {
      return Malformed("area.polygon must be an array of 3 to 1000 [lat, lon] points",
                       "area.polygon");
    }
    for (size_t i = 0; i < poly->size(); ++i) {
      auto p = Pair((*poly)[i], "area.polygon[" + std::to_string(i) + "]");
      if (!p) return p.error();
      r.area.polygon.push_back(*p);
    }
    // CAP wants the ring closed; close it when the caller did not.
    const auto& f = r.area.polygon.front();
    const auto& b = r.area.polygon.back();
    if (f.lat != b.lat || f.lon != b.lon) r.area.polygon.push_back(f);
    if (r.area.polygon.size() < 4) {
      return Invalid("area.polygon needs at least 3 distinct points", "area.polygon");
    }
  } else {
    BEACON_RETURN_IF_ERROR((*circle)->OnlyKeys({"lat", "lon", "radius_km"}));
    auto c = ReadLatLon(**circle);
    if (!c) return c.error();
    auto radius = (*circle)->Number("radius_km");
    if (!radius) return radius.error();
    if (!(*radius >= 0 && *radius <= 20000)) {
      return Invalid("area.circle.radius_km must be between 0 and 20000", "area.circle.radius_km");
    }
    r.area.circle_centre = *c;
    r.area.circle_radius_km = *radius;
  }
  return r;
}

}  // namespace beacon::intake
