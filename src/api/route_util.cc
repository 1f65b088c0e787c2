#include "api/route_util.h"

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

}  // namespace beacon::api
