// GET /api/v1/stats/intervals on a scripted day against a real server: the
// figures must equal this test's own computation from the same events (the
// stream replayed from the start), definition by definition.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include "support/harness.h"

namespace beacon::testing {
namespace {

std::string Ago(int seconds) {
  auto t = std::chrono::system_clock::now() - std::chrono::seconds(seconds);
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&tt));
  return buf;
}

// Milliseconds since the epoch of "2024-05-01T12:00:00.123Z" (UTC only).
std::int64_t Ms(const std::string& s) {
  std::tm tm{};
  int ms = 0;
  std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
              &tm.tm_min, &tm.tm_sec, &ms);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

// What the test itself reads from the events: per incident, its earliest
// call and each unit's dispatch, en route and on scene (the first of each).
struct Response {
  std::string unit;
  std::optional<std::int64_t> dispatched, en_route, on_scene;
};
struct Incident {
  std::optional<std::int64_t> received;
  std::vector<Response> units;
};

std::map<std::int64_t, Incident> FromEvents(const std::vector<json>& events) {
  std::map<std::int64_t, Incident> out;
  std::map<std::string, std::pair<std::string, std::int64_t>> last;  // unit -> status, incident
  for (const auto& e : events) {
    const std::string type = e.value("type", "");
    const json& d = e["data"];
    if (type == "call.created") {
      auto& inc = out[d["call"]["incident_id"].get<std::int64_t>()];
      auto t = Ms(d["call"]["received_at"]);
      if (!inc.received || t < *inc.received) inc.received = t;
    } else if (type == "unit.updated") {
      const json& u = d["unit"];
      std::string id = u["unit_id"], status = u["status"];
      std::int64_t incident = u.value("incident_id", std::int64_t{0});
      auto before = last[id];
      last[id] = {status, incident};
      if (before == last[id] || incident == 0) continue;
      auto& inc = out[incident];
      std::int64_t t = Ms(e["time"]);
      if (status == "dispatched") inc.units.push_back({id, t, {}, {}});
      for (auto& r : inc.units) {
        if (r.unit != id) continue;
        if (status == "en_route" && !r.en_route) r.en_route = t;
        if (status == "on_scene" && !r.on_scene) r.on_scene = t;
      }
    }
  }
  return out;
}

double Round(double s) { return std::round(s * 10) / 10; }

TEST(IntervalsApi, ScriptedDayEqualsTheTestsOwnComputation) {
  Fixture fx;
  fx.Start();
  HttpClient http(fx.server->port());
  const std::string sup = fx.Token("supervisor");
  auto post = [&](const std::string& target, const json& body) {
    auto r = http.Post("/api/v1" + target, body, sup);
    EXPECT_TRUE(r.status == 200 || r.status == 201) << target << " " << r.body;
    return r.Json();
  };
  post("/stations",
       {{"station_id", "S1"}, {"name", "One"}, {"location", {{"lat", 37.75}, {"lon", -122.41}}}});
  post("/units", {{"unit_id", "E1"}, {"unit_type", "engine"}, {"station_id", "S1"}});
  post("/units", {{"unit_id", "M1"}, {"unit_type", "medic"}, {"station_id", "S1"}});
  auto call = [&](const std::string& type, int received_ago) {
    return post("/calls", {{"channel", "phone"},
                           {"incident_type", type},
                           {"received_at", Ago(received_ago)},
                           {"location", {{"lat", 37.751}, {"lon", -122.411}}}})["incident_id"]
        .get<std::int64_t>();
  };
  auto assign = [&](std::int64_t inc, const std::string& unit) {
    post("/incidents/" + std::to_string(inc) + "/assignments", {{"unit_id", unit}});
  };
  auto status = [&](const std::string& unit, const std::string& s) {
    post("/units/" + unit + "/status", {{"status", s}});
  };
  // A medical call: both units, the engine first on scene.
  auto a = call("MEDICAL", 120);
  assign(a, "M1");
  assign(a, "E1");
  status("E1", "en_route");
  status("M1", "en_route");
  status("E1", "on_scene");
  status("M1", "on_scene");
  status("E1", "available");
  status("M1", "available");
  // A fire: the engine goes on scene without an en-route status.
  auto b = call("STRUCTURE_FIRE", 60);
  assign(b, "E1");
  status("E1", "on_scene");
  status("E1", "available");
  // A call nobody was sent to (yet).
  auto c = call("PUBLIC_SERVICE", 5);

  auto got = http.Get("/api/v1/stats/intervals?by=priority&explain=true", fx.Token("analyst"));
  ASSERT_EQ(got.status, 200) << got.body;
  json r = got.Json();
  EXPECT_EQ(r["incidents"], 3);
  EXPECT_TRUE(r["standard"].contains("travel"));

  // The same events, read by the test from the stream.
  StreamClient stream(fx.server->port(), sup, 0);
  std::vector<json> events;
  while (auto m = stream.Next(std::chrono::seconds(2))) {
    if (m->value("type", "") == "hello") continue;
    events.push_back(*m);
  }
  auto mine = FromEvents(events);
  ASSERT_EQ(mine.size(), 3u);

  // Per incident and interval, the expected value (nullopt: excluded).
  auto expect = [&](std::int64_t id, const std::string& interval) -> std::optional<double> {
    const Incident& inc = mine.at(id);
    const Response* first = nullptr;
    for (const auto& u : inc.units) {
      if (u.on_scene && (!first || *u.on_scene < *first->on_scene)) first = &u;
    }
    std::optional<std::int64_t> dispatch;
    for (const auto& u : inc.units) {
      if (u.dispatched && (!dispatch || *u.dispatched < *dispatch)) dispatch = u.dispatched;
    }
    auto diff = [](std::optional<std::int64_t> x, std::optional<std::int64_t> y) {
      return x && y && *y >= *x ? std::optional<double>((*y - *x) / 1000.0) : std::nullopt;
    };
    if (interval == "call_processing") return diff(inc.received, dispatch);
    if (!first) return std::nullopt;
    if (interval == "turnout") return diff(first->dispatched, first->en_route);
    if (interval == "travel") return diff(first->en_route, first->on_scene);
    return diff(inc.received, first->on_scene);
  };
  for (const std::string interval : {"call_processing", "turnout", "travel", "total"}) {
    SCOPED_TRACE(interval);
    const auto& f = r["intervals"][interval];
    std::vector<double> values;
    std::map<std::int64_t, double> api;
    for (const auto& v : f["values"]) api[v["incident_id"]] = v["seconds"];
    for (std::int64_t id : {a, b, c}) {
      auto want = expect(id, interval);
      if (!want) {
        EXPECT_FALSE(api.count(id)) << "incident " << id;
        continue;
      }
      values.push_back(*want);
      ASSERT_TRUE(api.count(id)) << "incident " << id << ": " << f.dump();
      EXPECT_NEAR(api[id], Round(*want), 0.051) << "incident " << id;
    }
    EXPECT_EQ(f["count"], values.size());
    std::sort(values.begin(), values.end());
    if (!values.empty()) {
      double median = values.size() % 2
                          ? values[values.size() / 2]
                          : (values[values.size() / 2 - 1] + values[values.size() / 2]) / 2;
      EXPECT_NEAR(f["median_s"].get<double>(), Round(median), 0.051);
    }
  }
  // The fire has no travel time (no en route) and the last call no unit.
  EXPECT_EQ(r["intervals"]["travel"]["excluded"]["missing"], 2);
  EXPECT_EQ(r["intervals"]["call_processing"]["excluded"]["missing"], 1);
  // Call processing is about two minutes and one minute.
  auto cp = expect(a, "call_processing");
  ASSERT_TRUE(cp);
  EXPECT_GT(*cp, 110);
  // Grouped by priority: MEDICAL 2, STRUCTURE_FIRE 1, PUBLIC_SERVICE 5.
  ASSERT_EQ(r["groups"].size(), 3u);
  EXPECT_EQ(r["groups"][0]["key"], "1");

  // Bad queries name their field.
  auto bad = http.Get("/api/v1/stats/intervals?by=hour", sup);
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.Json()["error"]["field"], "by");
  bad = http.Get("/api/v1/stats/intervals?from=yesterday", sup);
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.Json()["error"]["field"], "from");
  bad = http.Get("/api/v1/stats/intervals?explain=yes", sup);
  EXPECT_EQ(bad.Json()["error"]["field"], "explain");
  // The period selects by the first call received.
  auto later = http.Get("/api/v1/stats/intervals?from=" + Ago(30), sup);
  ASSERT_EQ(later.status, 200) << later.body;
  EXPECT_EQ(later.Json()["incidents"], 1);
}

}  // namespace
}  // namespace beacon::testing
