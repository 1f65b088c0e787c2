#include "intake/requests.h"

#include <cctype>

#include "intake/json_body.h"
#include "pidf/pidf.h"

namespace beacon::intake {

using nlohmann::json;

namespace {

// Parses the body and checks its keys; the object is owned by `holder`.
Result<JsonObject> Open(std::string_view body, json& holder,
                        std::initializer_list<std::string_view> keys) {
  auto parsed = ParseObject(body);
  if (!parsed) return parsed.error();
  holder = std::move(*parsed);
  JsonObject obj(holder, "");
  BEACON_RETURN_IF_ERROR(obj.OnlyKeys(keys));
  return obj;
}

Result<std::string> Identifier(const JsonObject& obj, std::string_view key) {
  auto s = obj.String(key, 64);
  if (!s) return s.error();
  if (!ValidIdentifier(*s)) {
    return Invalid(obj.Field(key) + " must be 1-32 characters of A-Z a-z 0-9 _ . -",
                   obj.Field(key));
  }
  return s;
}

bool ValidPhone(std::string_view p) {
  int digits = 0;
  for (char c : p) {
    if (c >= '0' && c <= '9')
      ++digits;
    else if (c != '+' && c != ' ' && c != '-' && c != '(' && c != ')' && c != '.')
      return false;
  }
  return digits >= 3;
}

// The optional "caller" {name?, phone?} of a call or a correction.
Result<model::Caller> ReadCaller(const JsonObject& obj) {
  model::Caller c;
  auto caller = obj.OptObject("caller");
  if (!caller) return caller.error();
  if (!*caller) return c;
  BEACON_RETURN_IF_ERROR((*caller)->OnlyKeys({"name", "phone"}));
  auto name = (*caller)->OptString("name", kMaxName);
  if (!name) return name.error();
  c.name = *name;
  auto phone = (*caller)->OptString("phone", kMaxPhone);
  if (!phone) return phone.error();
  if (*phone && !ValidPhone(**phone)) {
    return Invalid("caller.phone may hold only digits, spaces and + - ( ) .", "caller.phone");
  }
  c.phone = *phone;
  return c;
}

Result<std::int64_t> PositiveId(const json& v, const std::string& field) {
  if (!v.is_number_integer()) return Malformed(field + " must be an integer id", field);
  auto id = v.get<std::int64_t>();
  if (id <= 0) return Invalid(field + " must be a positive id", field);
  return id;
}

// location_pidf: an NG911 PIDF-LO document (docs/geocoding.md). Its shape
// gives the location and accuracy; a civic address becomes the address
// (geocoded on intake) unless the call has one.
Status ReadPidf(const JsonObject& obj, model::CallInput& in) {
  auto text = obj.OptString("location_pidf", pidf::kMaxBytes);
  if (!text) return text.error();
  if (!*text) return Status::Ok();
  if (in.location) {
    return Invalid("give location or location_pidf, not both", "location_pidf");
  }
  auto loc = pidf::Parse(**text);
  if (!loc) {
    const std::string& at = loc.error().field();
    return Invalid(loc.error().message(), at.empty() ? "location_pidf" : "location_pidf/" + at);
  }
  if (loc->point) {
    in.location = loc->point;
    in.accuracy_m = loc->accuracy_m;
    in.location_info.source = "pidf";
  }
  if (!in.address && loc->civic) in.address = loc->civic;
  return Status::Ok();
}

}  // namespace

Result<model::CallInput> ParseCallRequest(std::string_view body) {
  json holder;
  auto obj = Open(body, holder,
                  {"channel", "received_at", "location", "address", "incident_type", "narrative",
                   "caller", "link_to", "alarm_panel", "location_pidf"});
  if (!obj) return obj.error();
  model::CallInput in;

  auto channel = obj->String("channel", kMaxCode);
  if (!channel) return channel.error();
  auto ch = model::ParseChannel(*channel);
  if (!ch) {
    return Invalid("channel must be one of phone, text, web, alarm, agency", "channel");
  }
  in.channel = *ch;

  auto received = obj->OptString("received_at", 64);
  if (!received) return received.error();
  if (*received) {
    in.received_at = ParseRfc3339(**received);
    if (!in.received_at) {
      return Invalid("received_at must be an RFC 3339 time such as 2024-05-01T12:00:00Z",
                     "received_at");
    }
  }

  auto loc = obj->OptObject("location");
  if (!loc) return loc.error();
  if (*loc) {
    BEACON_RETURN_IF_ERROR((*loc)->OnlyKeys({"lat", "lon", "accuracy_m"}));
    auto ll = ReadLatLon(**loc);
    if (!ll) return ll.error();
    in.location = *ll;
    auto acc = (*loc)->OptNumber("accuracy_m");
    if (!acc) return acc.error();
    if (*acc && (**acc < 0 || **acc > 100000)) {
      return Invalid("location.accuracy_m must be between 0 and 100000", "location.accuracy_m");
    }
    in.accuracy_m = *acc;
  }

  auto address = obj->OptString("address", kMaxAddress);
  if (!address) return address.error();
  if (*address && (*address)->empty()) return Invalid("address must not be empty", "address");
  in.address = *address;
  BEACON_RETURN_IF_ERROR(ReadPidf(*obj, in));
  if (!in.location && !in.address) {
    return Invalid("a call needs a location {lat, lon} or an address (or both)", "location");
  }

  auto type = obj->String("incident_type", kMaxCode);
  if (!type) return type.error();
  in.incident_type = *type;

  auto narrative = obj->OptString("narrative", kMaxNarrative);
  if (!narrative) return narrative.error();
  in.narrative = *narrative;

  auto caller = ReadCaller(*obj);
  if (!caller) return caller.error();
  if (caller->name || caller->phone) in.caller = std::move(*caller);

  if (const json* v = obj->Find("link_to")) {
    auto id = PositiveId(*v, "link_to");
    if (!id) return id.error();
    in.link_to = IncidentId{*id};
  }
  auto panel = obj->OptString("alarm_panel", kMaxCode);
  if (!panel) return panel.error();
  if (*panel && (*panel)->empty()) return Invalid("alarm_panel must not be empty", "alarm_panel");
  in.alarm_panel = *panel;
  return in;
}

Result<LoginRequest> ParseLoginRequest(std::string_view body) {
  json holder;
  auto obj = Open(body, holder, {"username", "password"});
  if (!obj) return obj.error();
  auto user = obj->String("username", 64);
  if (!user) return user.error();
  auto pass = obj->String("password", kMaxPassword);
  if (!pass) return pass.error();
  return LoginRequest{std::move(*user), std::move(*pass)};
}

Result<UnitCreateRequest> ParseUnitCreateRequest(std::string_view body) {
  json holder;
  auto obj = Open(body, holder, {"unit_id", "unit_type", "station_id", "position"});
  if (!obj) return obj.error();
  UnitCreateRequest r;
  auto id = Identifier(*obj, "unit_id");
  if (!id) return id.error();
  r.unit_id = UnitId{*id};
  auto type = obj->String("unit_type", kMaxCode);
  if (!type) return type.error();
  r.unit_type = *type;
  if (obj->Find("station_id")) {
    auto st = Identifier(*obj, "station_id");
    if (!st) return st.error();
    r.station_id = StationId{*st};
  }
  auto pos = obj->OptObject("position");
  if (!pos) return pos.error();
  if (*pos) {
    BEACON_RETURN_IF_ERROR((*pos)->OnlyKeys({"lat", "lon"}));
    auto ll = ReadLatLon(**pos);
    if (!ll) return ll.error();
    r.position = *ll;
  }
  return r;
}

Result<StationCreateRequest> ParseStationCreateRequest(std::string_view body) {
  json holder;
  auto obj = Open(body, holder, {"station_id", "name", "location"});
  if (!obj) return obj.error();
  auto id = Identifier(*obj, "station_id");
  if (!id) return id.error();
  auto name = obj->String("name", kMaxName);
  if (!name) return name.error();
  auto loc = obj->OptObject("location");
  if (!loc) return loc.error();
  if (!*loc) return Malformed("location is required", "location");
  BEACON_RETURN_IF_ERROR((*loc)->OnlyKeys({"lat", "lon"}));
  auto ll = ReadLatLon(**loc);
  if (!ll) return ll.error();
  return StationCreateRequest{StationId{*id}, *name, *ll};
}

Result<UnitStatusRequest> ParseUnitStatusRequest(std::string_view body) {
  json holder;
  auto obj = Open(body, holder, {"status", "destination", "reason"});
  if (!obj) return obj.error();
  auto s = obj->String("status", kMaxCode);
  if (!s) return s.error();
  auto st = model::ParseUnitStatus(*s);
  if (!st) {
    std::string list;
    for (auto x : model::AllUnitStatuses())
      list += (list.empty() ? "" : ", ") + std::string(model::ToString(x));
    return Invalid("status must be one of " + list, "status");
  }
  UnitStatusRequest req;
  req.status = *st;
  if (obj->Find("destination")) {
    if (*st != model::UnitStatus::kTransporting) {
      return Invalid("destination is only given with status transporting", "destination");
    }
    auto d = Identifier(*obj, "destination");
    if (!d) return d.error();
    req.destination = FacilityId{*d};
  }
  auto reason = obj->OptString("reason", kMaxName);
  if (!reason) return reason.error();
  if (*reason && (*reason)->empty()) return Invalid("reason must not be empty", "reason");
  if (*st == model::UnitStatus::kOutOfService && !*reason) {
    return Invalid("a unit goes out of service with a reason (e.g. \"mechanical\")", "reason");
  }
  req.reason = *reason;
  return req;
}

Result<LatLon> ParsePositionRequest(std::string_view body) {
  json holder;
  auto obj = Open(body, holder, {"lat", "lon"});
  if (!obj) return obj.error();
  return ReadLatLon(*obj);
}

Result<AssignmentRequest> ParseAssignmentRequest(std::string_view body) {
  json holder;
  auto obj = Open(body, holder, {"unit_id", "divert"});
  if (!obj) return obj.error();
  auto id = Identifier(*obj, "unit_id");
  if (!id) return id.error();
  AssignmentRequest req{UnitId{*id}, false};
  if (const json* v = obj->Find("divert")) {
    if (!v->is_boolean()) {
      return Malformed(std::string("divert must be a boolean, got ") + JsonTypeName(*v), "divert");
    }
    req.divert = v->get<bool>();
  }
  return req;
}

Result<IncidentPatchRequest> ParseIncidentPatchRequest(std::string_view body) {
  json holder;
  auto obj =
      Open(body, holder, {"incident_type", "priority", "location", "address", "disposition"});
  if (!obj) return obj.error();
  IncidentPatchRequest req;
  auto type = obj->OptString("incident_type", kMaxCode);
  if (!type) return type.error();
  req.incident_type = *type;
  if (const json* v = obj->Find("priority")) {
    if (!v->is_number_integer()) {
      return Malformed(std::string("priority must be an integer, got ") + JsonTypeName(*v),
                       "priority");
    }
    auto p = v->get<std::int64_t>();
    if (p < 1 || p > 5) return Invalid("priority must be from 1 (most urgent) to 5", "priority");
    req.priority = static_cast<int>(p);
  }
  auto loc = obj->OptObject("location");
  if (!loc) return loc.error();
  if (*loc) {
    BEACON_RETURN_IF_ERROR((*loc)->OnlyKeys({"lat", "lon"}));
    auto ll = ReadLatLon(**loc);
    if (!ll) return ll.error();
    req.location = *ll;
  }
  auto address = obj->OptString("address", kMaxAddress);
  if (!address) return address.error();
  if (*address && (*address)->empty()) return Invalid("address must not be empty", "address");
  req.address = *address;
  auto disp = obj->OptString("disposition", kMaxName);
  if (!disp) return disp.error();
  if (*disp && (*disp)->empty()) return Invalid("disposition must not be empty", "disposition");
  req.disposition = *disp;
  if (!req.incident_type && !req.priority && !req.location && !req.address && !req.disposition) {
    return Invalid(
        "nothing to change: give incident_type, priority, location, address or disposition",
        "incident_type");
  }
  return req;
}

Result<CallPatchRequest> ParseCallPatchRequest(std::string_view body) {
  json holder;
  auto obj = Open(body, holder, {"caller", "narrative"});
  if (!obj) return obj.error();
  CallPatchRequest req;
  auto caller = ReadCaller(*obj);
  if (!caller) return caller.error();
  req.caller_name = std::move(caller->name);
  req.caller_phone = std::move(caller->phone);
  auto narrative = obj->OptString("narrative", kMaxNarrative);
  if (!narrative) return narrative.error();
  if (*narrative && (*narrative)->empty()) {
    return Invalid("narrative must not be empty (it is appended to the call's)", "narrative");
  }
  req.narrative = *narrative;
  if (!req.caller_name && !req.caller_phone && !req.narrative) {
    return Invalid("nothing to change: give caller {name, phone} or narrative", "caller");
  }
  return req;
}

Result<std::string> ParseNoteRequest(std::string_view body) {
  json holder;
  auto obj = Open(body, holder, {"text"});
  if (!obj) return obj.error();
  auto text = obj->String("text", kMaxNarrative);
  if (!text) return text.error();
  bool blank = true;
  for (char c : *text) blank = blank && std::isspace(static_cast<unsigned char>(c));
  if (blank) return Invalid("text must not be empty", "text");
  return text;
}

Result<IncidentId> ParseMergeRequest(std::string_view body) {
  json holder;
  auto obj = Open(body, holder, {"into"});
  if (!obj) return obj.error();
  const json* v = obj->Find("into");
  if (!v) return Malformed("into is required", "into");
  auto id = PositiveId(*v, "into");
  if (!id) return id.error();
  return IncidentId{*id};
}

Result<SplitRequest> ParseSplitRequest(std::string_view body) {
  json holder;
  auto obj = Open(body, holder, {"call_ids"});
  if (!obj) return obj.error();
  const json* v = obj->Find("call_ids");
  if (!v) return Malformed("call_ids is required", "call_ids");
  if (!v->is_array()) return Malformed("call_ids must be an array of call ids", "call_ids");
  if (v->empty()) return Invalid("call_ids must not be empty", "call_ids");
  if (v->size() > 1000) return Invalid("call_ids may hold at most 1000 ids", "call_ids");
  SplitRequest r;
  for (size_t i = 0; i < v->size(); ++i) {
    auto id = PositiveId((*v)[i], "call_ids[" + std::to_string(i) + "]");
    if (!id) return id.error();
    r.call_ids.emplace_back(*id);
  }
  return r;
}

Result<std::string> ParseCloseRequest(std::string_view body) {
  json holder;
  auto obj = Open(body, holder, {"disposition"});
  if (!obj) return obj.error();
  return obj->String("disposition", kMaxName);
}

Result<UserCreateRequest> ParseUserCreateRequest(std::string_view body) {
  json holder;
  auto obj = Open(body, holder, {"username", "role", "password"});
  if (!obj) return obj.error();
  auto name = Identifier(*obj, "username");
  if (!name) return name.error();
  auto role_text = obj->String("role", kMaxCode);
  if (!role_text) return role_text.error();
  auto role = model::ParseRole(*role_text);
  if (!role) {
    return Invalid(
        "role must be one of call_taker, dispatcher, supervisor, analyst, auditor, admin", "role");
  }
  auto pass = obj->String("password", kMaxPassword);
  if (!pass) return pass.error();
  if (pass->size() < 8) return Invalid("password must be at least 8 characters", "password");
  return UserCreateRequest{*name, *role, *pass};
}

Result<CameraCreateRequest> ParseCameraCreateRequest(std::string_view body) {
  json holder;
  auto obj = Open(body, holder, {"name", "lat", "lon", "stream_url"});
  if (!obj) return obj.error();
  auto name = obj->String("name", kMaxName);
  if (!name) return name.error();
  auto ll = ReadLatLon(*obj);
  if (!ll) return ll.error();
  auto url = obj->String("stream_url", kMaxUrl);
  if (!url) return url.error();
  // The URL is handed to a video player, never fetched by the server; it
  // must still be a plain URL of a streaming scheme, with no spaces or
  // control characters that could smuggle anything else.
  std::string lower;
  for (char c : *url)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  size_t host = 0;
  for (const char* scheme : {"http://", "https://", "rtsp://"}) {
    if (lower.rfind(scheme, 0) == 0) host = std::string_view(scheme).size();
  }
  bool clean = true;
  for (unsigned char c : *url) clean = clean && c > 0x20 && c != 0x7f;
  if (host == 0 || host >= url->size() || (*url)[host] == '/' || !clean) {
    return Invalid(
        "stream_url must be an http://, https:// or rtsp:// URL with a host and no spaces",
        "stream_url");
  }
  return CameraCreateRequest{std::move(*name), *ll, std::move(*url)};
}

namespace {

Result<bool> OptBool(const JsonObject& obj, std::string_view key) {
  const json* v = obj.Find(key);
  if (!v) return false;
  if (!v->is_boolean()) {
    return Malformed(obj.Field(key) + " must be a boolean, got " + JsonTypeName(*v),
                     obj.Field(key));
  }
  return v->get<bool>();
}

// A calendar date YYYY-MM-DD with a month 01-12 and a day 01-31.
bool ValidDate(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(d[i]))) return false;
  }
  int month = (d[5] - '0') * 10 + (d[6] - '0');
  int day = (d[8] - '0') * 10 + (d[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

Result<model::FacilityStatus> ReadFacilityStatus(const JsonObject& obj) {
  auto s = obj.String("status", kMaxCode);
  if (!s) return s.error();
  auto st = model::ParseFacilityStatus(*s);
  if (!st) return Invalid("status must be one of open, diversion, closed", "status");
  return *st;
}

}  // namespace

Result<FacilityCreateRequest> ParseFacilityCreateRequest(std::string_view body) {
  json holder;
  auto obj = Open(body, holder, {"facility_id", "name", "kind", "location", "address", "status"});
  if (!obj) return obj.error();
  FacilityCreateRequest req;
  auto id = Identifier(*obj, "facility_id");
  if (!id) return id.error();
  req.facility_id = FacilityId{*id};
  auto name = obj->String("name", kMaxName);
  if (!name) return name.error();
  if (name->empty()) return Invalid("name must not be empty", "name");
  req.name = *name;
  auto kind = obj->String("kind", kMaxCode);
  if (!kind) return kind.error();
  bool known = false;
  std::string kinds;
  for (const char* k : kFacilityKinds) {
    known = known || *kind == k;
    kinds += (kinds.empty() ? "" : ", ") + std::string(k);
  }
  if (!known) return Invalid("kind must be one of " + kinds, "kind");
  req.kind = *kind;
  auto loc = obj->OptObject("location");
  if (!loc) return loc.error();
  if (!*loc) return Invalid("location {lat, lon} is required", "location");
  auto ll = ReadLatLon(**loc);
  if (!ll) return ll.error();
  req.location = *ll;
  auto address = obj->OptString("address", kMaxAddress);
  if (!address) return address.error();
  req.address = *address;
  if (obj->Find("status")) {
    auto st = ReadFacilityStatus(*obj);
    if (!st) return st.error();
    req.status = *st;
  }
  return req;
}

Result<model::FacilityStatus> ParseFacilityStatusRequest(std::string_view body) {
  json holder;
  auto obj = Open(body, holder, {"status"});
  if (!obj) return obj.error();
  return ReadFacilityStatus(*obj);
}

Result<PremiseCreateRequest> ParsePremiseCreateRequest(std::string_view body) {
  json holder;
  auto obj =
      Open(body, holder,
           {"address", "location", "polygon", "text", "hazard", "names_resident", "review_by"});
  if (!obj) return obj.error();
  PremiseCreateRequest req;
  auto text = obj->String("text", kMaxNote);
  if (!text) return text.error();
  if (text->empty()) return Invalid("text must not be empty", "text");
  req.text = *text;
  auto address = obj->OptString("address", kMaxAddress);
  if (!address) return address.error();
  if (*address && (*address)->empty()) return Invalid("address must not be empty", "address");
  req.address = *address;
  auto loc = obj->OptObject("location");
  if (!loc) return loc.error();
  if (*loc) {
    auto ll = ReadLatLon(**loc);
    if (!ll) return ll.error();
    req.location = *ll;
  }
  if (const json* poly = obj->Find("polygon")) {
    if (!poly->is_array()) {
      return Malformed(
          std::string("polygon must be an array of [lat, lon], got ") + JsonTypeName(*poly),
          "polygon");
    }
    if (poly->size() > kMaxPolygonPoints) {
      return Invalid("polygon has more than " + std::to_string(kMaxPolygonPoints) + " points",
                     "polygon");
    }
    for (size_t i = 0; i < poly->size(); ++i) {
      const json& v = (*poly)[i];
      std::string field = "polygon[" + std::to_string(i) + "]";
      if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number()) {
        return Malformed(field + " must be [lat, lon]", field);
      }
      double lat = v[0].get<double>(), lon = v[1].get<double>();
      if (!ValidLatLon(lat, lon)) {
        return Invalid(field + " is out of range (lat -90..90, lon -180..180)", field);
      }
      req.polygon.push_back({lat, lon});
    }
    if (req.polygon.size() < 4) {
      return Invalid("polygon needs at least 3 corners and its first point again at the end",
                     "polygon");
    }
    const LatLon& first = req.polygon.front();
    const LatLon& last = req.polygon.back();
    if (first.lat != last.lat || first.lon != last.lon) {
      return Invalid("polygon is not closed: its last point must repeat its first", "polygon");
    }
  }
  if (!req.location && req.polygon.empty() && !req.address) {
    return Invalid("a premise note needs a location {lat, lon}, a polygon or an address",
                   "location");
  }
  auto hazard = OptBool(*obj, "hazard");
  if (!hazard) return hazard.error();
  req.hazard = *hazard;
  auto names = OptBool(*obj, "names_resident");
  if (!names) return names.error();
  req.names_resident = *names;
  auto review = obj->OptString("review_by", 10);
  if (!review) return review.error();
  if (*review && !ValidDate(**review)) {
    return Invalid("review_by must be a date YYYY-MM-DD", "review_by");
  }
  req.review_by = *review;
  return req;
}

}  // namespace beacon::intake
