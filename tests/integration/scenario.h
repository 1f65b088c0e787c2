// Scenario helpers shared by the integration tests: request bodies, places
// around a test city, and `Api`, a client that acts as any of a Fixture's
// users. Header-only because every tests/integration/*_test.cc is its own
// binary linked only with the harness. Not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/harness.h"

namespace beacon::testing {

// The seven roles, in the order the Fixture creates their users.
inline const std::vector<std::string>& AllRoles() {
  static const std::vector<std::string> kRoles = {
      "call_taker", "dispatcher", "supervisor", "analyst", "auditor", "admin", "fraud_analyst"};
  return kRoles;
}

struct Place {
  double lat = 0;
  double lon = 0;
};

// The point `north_m` metres north and `east_m` metres east of `p`, on the
// server's spherical Earth (radius 6371008.8 m); exact to well under a metre
// over the few kilometres the tests use.
inline Place Offset(Place p, double north_m, double east_m = 0) {
  constexpr double kMetresPerDegree = 111195.08;
  constexpr double kRadiansPerDegree = 3.14159265358979323846 / 180.0;
  return {p.lat + north_m / kMetresPerDegree,
          p.lon + east_m / (kMetresPerDegree * std::cos(p.lat * kRadiansPerDegree))};
}

inline json ToJson(Place p) { return {{"lat", p.lat}, {"lon", p.lon}}; }

// An RFC 3339 UTC time `ago` before now, e.g. "2024-05-01T12:00:00Z".
inline std::string Rfc3339Ago(std::chrono::seconds ago) {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() - ago);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A phone call of `type` at `where`; `extra` members are merged in.
inline json CallBody(const std::string& type, Place where, const json& extra = json::object()) {
  json body = {{"channel", "phone"}, {"incident_type", type}, {"location", ToJson(where)}};
  body.update(extra);
  return body;
}

// Seq numbers of stream messages, in arrival order.
inline std::vector<std::int64_t> Seqs(const std::vector<json>& events) {
  std::vector<std::int64_t> out;
  for (const auto& e : events) out.push_back(e.value("seq", std::int64_t{-1}));
  return out;
}

// Types of stream messages, in arrival order.
inline std::vector<std::string> Types(const std::vector<json>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.value("type", ""));
  return out;
}

// Reads stream messages until one has seq >= `last_seq`. Every wait is
// bounded by `timeout`; a timeout or close fails the test and returns what
// arrived so far.
inline std::vector<json> ReadThrough(StreamClient& stream, std::int64_t last_seq,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  std::vector<json> out;
  while (out.empty() || out.back().value("seq", std::int64_t{-1}) < last_seq) {
    auto m = stream.Next(timeout);
    if (!m) {
      ADD_FAILURE() << "stream closed or silent before seq " << last_seq << "; got " << out.size()
                    << " messages";
      break;
    }
    out.push_back(std::move(*m));
  }
  return out;
}

// Expects the seqs of `events` to be exactly first, first+1, ..., last.
inline void ExpectContiguous(const std::vector<json>& events, std::int64_t first,
                             std::int64_t last) {
  std::vector<std::int64_t> want;
  for (std::int64_t s = first; s <= last; ++s) want.push_back(s);
  EXPECT_EQ(Seqs(events), want) << "stream seqs must run " << first << ".." << last
                                << " with no gap or duplicate";
}

// Logs every role of `f` in again, e.g. after a restart gave a new port.
inline void LoginAll(Fixture& f) {
  HttpClient http(f.server->port());
  for (const auto& role : AllRoles()) f.tokens[role] = Login(http, role, "pw-" + role);
}

// Acts as the users of a started Fixture. Paths are relative to /api/v1.
// Must* helpers fail the test and throw when the answer is not the
// expected status, so a failed setup step stops the test at once.
class Api {
 public:
  explicit Api(const Fixture& f) : fixture_(f), http_(f.server->port()) {}

  HttpResult Get(const std::string& path, const std::string& role) {
    return http_.Get("/api/v1" + path, Token(role));
  }
  HttpResult Post(const std::string& path, const json& body, const std::string& role) {
    return http_.Post("/api/v1" + path, body, Token(role));
  }

  HttpResult Patch(const std::string& path, const json& body, const std::string& role) {
    return http_.Request("PATCH", "/api/v1" + path, body.dump(), Token(role));
  }
  json MustPatch(const std::string& path, const json& body, const std::string& role,
                 int status = 200) {
    return Expect(Patch(path, body, role), status, "PATCH " + path + " as " + role);
  }

  json MustGet(const std::string& path, const std::string& role, int status = 200) {
    return Expect(Get(path, role), status, "GET " + path + " as " + role);
  }
  json MustPost(const std::string& path, const json& body, const std::string& role, int status) {
    return Expect(Post(path, body, role), status, "POST " + path + " as " + role);
  }

  json CreateStation(const std::string& id, Place where) {
    return MustPost("/stations",
                    {{"station_id", id}, {"name", "Station " + id}, {"location", ToJson(where)}},
                    "supervisor", 201);
  }
  // A unit housed at `station` (may be empty) and/or placed at `where`.
  json CreateUnit(const std::string& id, const std::string& type, const std::string& station,
                  std::optional<Place> where = std::nullopt) {
    json body = {{"unit_id", id}, {"unit_type", type}};
    if (!station.empty()) body["station_id"] = station;
    if (where) body["position"] = ToJson(*where);
    return MustPost("/units", body, "supervisor", 201);
  }
  // Posts a call as the call taker; returns {call_id, incident_id, ...}.
  json PostCall(const json& body) { return MustPost("/calls", body, "call_taker", 201); }
  json Incident(std::int64_t id, const std::string& role = "dispatcher") {
    return MustGet("/incidents/" + std::to_string(id), role);
  }
  json Call(std::int64_t id, const std::string& role = "dispatcher") {
    return MustGet("/calls/" + std::to_string(id), role);
  }
  json Assign(std::int64_t incident, const std::string& unit, int status = 201) {
    return MustPost("/incidents/" + std::to_string(incident) + "/assignments", {{"unit_id", unit}},
                    "dispatcher", status);
  }
  // Out of service takes a reason; the tests give "test".
  json SetStatus(const std::string& unit, const std::string& status, int http_status = 200) {
    json body = {{"status", status}};
    if (status == "out_of_service") body["reason"] = "test";
    return MustPost("/units/" + unit + "/status", body, "dispatcher", http_status);
  }
  // The unit as listed by GET /units (null when absent).
  json Unit(const std::string& id) {
    json list = MustGet("/units", "dispatcher");
    for (const auto& u : list["units"]) {
      if (u.value("unit_id", "") == id) return u;
    }
    ADD_FAILURE() << "GET /units does not list unit " << id;
    return nullptr;
  }
  // Incident ids listed by GET /incidents?status=`filter` ("" = no filter).
  std::vector<std::int64_t> ListedIncidents(const std::string& filter) {
    std::string path = filter.empty() ? "/incidents" : "/incidents?status=" + filter;
    std::vector<std::int64_t> ids;
    json list = MustGet(path, "dispatcher");
    for (const auto& i : list["incidents"]) {
      ids.push_back(i.at("incident_id").get<std::int64_t>());
    }
    return ids;
  }
  // Every audit entry, oldest first, as the auditor sees them.
  json AuditEntries() { return MustGet("/audit?limit=10000", "auditor")["entries"]; }
  // The last event seq the server has assigned (GET /healthz).
  std::int64_t LastSeq() {
    return Expect(http_.Get("/api/v1/healthz"), 200, "GET /healthz")
        .at("last_seq")
        .get<std::int64_t>();
  }
  HttpClient& http() { return http_; }

  static json Expect(const HttpResult& r, int status, const std::string& what) {
    if (r.status != status) {
      ADD_FAILURE() << what << ": expected HTTP " << status << ", got " << r.status << " "
                    << r.body;
      throw std::runtime_error(what + " did not answer " + std::to_string(status));
    }
    return r.Json();
  }

 private:
  std::string Token(const std::string& role) const {
    return role.empty() ? "" : fixture_.Token(role);
  }

  const Fixture& fixture_;
  HttpClient http_;
};

}  // namespace beacon::testing
