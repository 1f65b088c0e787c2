#include "api/route_util.h"

#include <cstdlib>

#include <charconv>

namespace beacon::api {

service::Done Respond(Reply reply, int ok_status) {
  return [reply = std::move(reply), ok_status](Result<nlohmann::json> r) {
    if (!r) return reply(ErrorResponse(r.error()));
    reply(JsonResponse(ok_status, *r));
  };
}

std::optional<std::int64_t> PathId(const std::string& s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

Status BadId(const std::string& what, const std::string& s) {
  return NotFound("no " + what + " \"" + s + "\" (ids are positive integers)");
}

std::optional<TimeMs> QueryTime(const Request& r, const std::string& key, Status& err) {
  auto it = r.query.find(key);
  if (it == r.query.end() || it->second.empty()) return std::nullopt;
  auto t = ParseRfc3339(it->second);
  if (!t && err.ok()) {
    err = Invalid(key + " must be an RFC 3339 time such as 2024-05-01T00:00:00Z", key);
  }
  return t;
}

std::optional<std::int64_t> QueryInt(const Request& r, const std::string& key, std::int64_t max,
                                     Status& err) {
  auto it = r.query.find(key);
  if (it == r.query.end()) return std::nullopt;
  const std::string& s = it->second;
  std::int64_t v = -1;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0 || v > max) {
    err = Invalid(key + " must be an integer from 0 to " + std::to_string(max), key);
    return std::nullopt;
  }
  return v;
}

Result<std::optional<LatLon>> QueryLatLon(const Request& r, bool required) {
  const char* keys[] = {"lat", "lon"};
  auto lat = r.query.find("lat");
  auto lon = r.query.find("lon");
  if (!required && lat == r.query.end() && lon == r.query.end()) {
    return std::optional<LatLon>{};
  }
  double coord[2];
  for (int i = 0; i < 2; ++i) {
    auto it = i == 0 ? lat : lon;
    char* end = nullptr;
    double v = it == r.query.end() ? 0 : std::strtod(it->second.c_str(), &end);
    double lim = i == 0 ? 90 : 180;
    if (it == r.query.end() || it->second.empty() || *end != '\0' || !(v >= -lim) || !(v <= lim)) {
      return Invalid(std::string(keys[i]) + " is required: a number in [-" +
                         std::to_string(int(lim)) + ", " + std::to_string(int(lim)) + "]",
                     keys[i]);
    }
    coord[i] = v;
  }
  return std::optional<LatLon>{LatLon{coord[0], coord[1]}};
}

}  // namespace beacon::api
