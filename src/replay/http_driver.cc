// HttpDriver: the replay as a client of a running Beacon, through the same
// public API the command room uses (docs/api.md), over one JsonClient.
#include <chrono>
#include <optional>

#include "replay/driver.h"
#include "replay/http_client.h"

namespace beacon::replay {
namespace {

using Reply = JsonClient::Reply;

class HttpDriver final : public Driver {
 public:
  explicit HttpDriver(HttpTarget target) : target_(target), client_(std::move(target)) {}

  Status Login(const std::string& user, const std::string& password) {
    return client_.Login(user, password);
  }

  Status EnsureStation(TimeMs, const model::Station& s) override {
    auto r = Request("station", "POST", "/api/v1/stations",
                     Json{{"station_id", s.id.value()},
                          {"name", s.name},
                          {"location", {{"lat", s.location.lat}, {"lon", s.location.lon}}}});
    if (!r) return r.error();
    if (r->status == 201 || r->status == 200 || r->status == 409) return Status::Ok();
    return Fail("create station " + s.id.value(), *r);
  }
  Status EnsureUnit(TimeMs, const model::Unit& u) override {
    Json body{{"unit_id", u.id.value()}, {"unit_type", u.unit_type}};
    if (u.station_id) body["station_id"] = u.station_id->value();
    if (u.position) body["position"] = {{"lat", u.position->lat}, {"lon", u.position->lon}};
    auto r = Request("unit", "POST", "/api/v1/units", body);
    if (!r) return r.error();
    if (r->status == 201 || r->status == 200 || r->status == 409) return Status::Ok();
    return Fail("create unit " + u.id.value(), *r);
  }
  Result<CallAnswer> CreateCall(TimeMs, const model::CallInput& in) override {
    Json body{{"channel", "phone"}, {"incident_type", in.incident_type}};
    if (in.received_at) body["received_at"] = FormatRfc3339(*in.received_at);
    if (in.location) body["location"] = {{"lat", in.location->lat}, {"lon", in.location->lon}};
    if (in.address) body["address"] = *in.address;
    if (in.narrative) body["narrative"] = *in.narrative;
    auto r = Request("call", "POST", "/api/v1/calls", body);
    if (!r) return r.error();
    if (r->status != 201) return Fail("create call", *r);
    CallAnswer a;
    a.call_id = r->body.value("call_id", std::int64_t{0});
    a.incident_id = r->body.value("incident_id", std::int64_t{0});
    a.duplicate = r->body.contains("duplicate_of");
    return a;
  }
  Result<Json> Recommend(TimeMs, std::int64_t id) override {
    auto r = Request("recommend", "GET",
                     "/api/v1/incidents/" + std::to_string(id) + "/recommendations", std::nullopt);
    if (!r) return r.error();
    if (r->status != 200) return Fail("recommendations", *r);
    return r->body;
  }
  Status Assign(TimeMs, std::int64_t id, const std::string& unit) override {
    return Expect("assign", "POST", "/api/v1/incidents/" + std::to_string(id) + "/assignments",
                  Json{{"unit_id", unit}});
  }
  Status SetStatus(TimeMs, const std::string& unit, model::UnitStatus s) override {
    return Expect("status", "POST", "/api/v1/units/" + unit + "/status",
                  Json{{"status", std::string(model::ToString(s))}});
  }
  Status SetPosition(TimeMs, const std::string& unit, LatLon where) override {
    return Expect("position", "POST", "/api/v1/units/" + unit + "/position",
                  Json{{"lat", where.lat}, {"lon", where.lon}});
  }
  Status Close(TimeMs, std::int64_t id, const std::string& disposition) override {
    return Expect("close", "POST", "/api/v1/incidents/" + std::to_string(id) + "/close",
                  Json{{"disposition", disposition}});
  }
  Result<std::map<std::string, model::UnitStatus>> UnitStatuses(TimeMs) override {
    auto r = Request("units", "GET", "/api/v1/units", std::nullopt);
    if (!r) return r.error();
    if (r->status != 200) return Fail("list units", *r);
    std::map<std::string, model::UnitStatus> out;
    for (const auto& u : r->body.value("units", Json::array())) {
      auto s = model::ParseUnitStatus(u.value("status", ""));
      if (s) out[u.value("unit_id", "")] = *s;
    }
    return out;
  }
  std::string Describe() const override {
    return "HTTP http://" + target_.host + ":" + target_.port;
  }

 private:
  Status Expect(const char* what, const char* method, const std::string& target, const Json& body) {
    auto r = Request(what, method, target, body);
    if (!r) return r.error();
    if (r->status / 100 != 2) return Fail(what, *r);
    return Status::Ok();
  }

  // Times every request for the report's latency table.
  Result<Reply> Request(const char* what, const char* method, const std::string& target,
                        const std::optional<Json>& body) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = client_.Request(what, method, target, body);
    if (r) {
      latencies_[what].push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    return r;
  }
  static Status Fail(const std::string& what, const Reply& r) { return JsonClient::Fail(what, r); }

  HttpTarget target_;
  JsonClient client_;
};

}  // namespace

Result<std::unique_ptr<Driver>> MakeHttpDriver(const HttpTarget& target, const std::string& user,
                                               const std::string& password) {
  auto d = std::make_unique<HttpDriver>(target);
  BEACON_RETURN_IF_ERROR(d->Login(user, password));
  return std::unique_ptr<Driver>(std::move(d));
}

}  // namespace beacon::replay
