// HttpDriver: the replay as a client of a running Beacon, through the same
// public API the command room uses (docs/api.md). One keep-alive
// connection, every request bounded by a 30 s timeout.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>

#include "replay/driver.h"

namespace beacon::replay {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr auto kTimeout = std::chrono::seconds(30);

struct Reply {
  int status = 0;
  Json body;
};

class HttpDriver final : public Driver {
 public:
  explicit HttpDriver(HttpTarget target) : target_(std::move(target)) {}

  Status Login(const std::string& user, const std::string& password) {
    auto r = Request("login", "POST", "/api/v1/auth/login",
                     Json{{"username", user}, {"password", password}});
    if (!r) return r.error();
    if (r->status != 200) return Fail("login as " + user, *r);
    token_ = r->body.value("token", "");
    return Status::Ok();
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
  static Status Fail(const std::string& what, const Reply& r) {
    std::string msg = what + ": HTTP " + std::to_string(r.status);
    if (r.body.is_object() && r.body.contains("error")) {
      msg += ": " + r.body["error"].value("message", "");
    }
    Code code = r.status == 409                      ? Code::kConflict
                : r.status == 404                    ? Code::kNotFound
                : r.status == 401 || r.status == 403 ? Code::kPermissionDenied
                : r.status >= 500                    ? Code::kUnavailable
                                                     : Code::kInvalid;
    return Status(code, msg);
  }
  Status Expect(const char* what, const char* method, const std::string& target, const Json& body) {
    auto r = Request(what, method, target, body);
    if (!r) return r.error();
    if (r->status / 100 != 2) return Fail(what, *r);
    return Status::Ok();
  }

  template <typename Start>
  beast::error_code Io(Start&& start) {
    beast::error_code result = net::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }
  Status Connect() {
    stream_.emplace(ioc_);
    tcp::resolver resolver(ioc_);
    beast::error_code ec;
    auto results = resolver.resolve(target_.host, target_.port, ec);
    if (ec)
      return Status(Code::kUnavailable, "cannot resolve " + target_.host + ": " + ec.message());
    stream_->expires_after(kTimeout);
    ec = Io([&](auto h) {
      stream_->async_connect(results, [h](beast::error_code e, const auto&) { h(e); });
    });
    if (ec) {
      stream_.reset();
      return Status(Code::kUnavailable, "cannot connect to " + Describe() + ": " + ec.message());
    }
    buffer_.clear();
    return Status::Ok();
  }
  Result<Reply> Request(const char* what, const char* method, const std::string& target,
                        const std::optional<Json>& body) {
    http::request<http::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(http::field::host, target_.host);
    req.keep_alive(true);
    if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
    if (body) {
      req.set(http::field::content_type, "application/json");
      req.body() = body->dump();
    }
    req.prepare_payload();
    auto t0 = std::chrono::steady_clock::now();
    // One retry on a fresh connection: the server may have closed an idle one.
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!stream_) BEACON_RETURN_IF_ERROR(Connect());
      stream_->expires_after(kTimeout);
      auto ec = Io([&](auto h) { http::async_write(*stream_, req, h); });
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 << 20);
      if (!ec) {
        stream_->expires_after(kTimeout);
        ec = Io([&](auto h) { http::async_read(*stream_, buffer_, parser, h); });
      }
      if (ec) {
        stream_.reset();
        if (attempt == 0) continue;
        return Status(Code::kUnavailable, std::string(what) + ": " + ec.message());
      }
      auto res = parser.release();
      if (!res.keep_alive()) stream_.reset();
      Reply out;
      out.status = static_cast<int>(res.result_int());
      out.body = Json::parse(res.body(), nullptr, /*allow_exceptions=*/false);
      // Every Beacon answer is a JSON object; anything else reads as an empty one.
      if (!out.body.is_object()) out.body = Json::object();
      latencies_[what].push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
      return out;
    }
    return Status(Code::kUnavailable, std::string(what) + ": no answer");
  }

  HttpTarget target_;
  net::io_context ioc_;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::string token_;
};

}  // namespace

Result<HttpTarget> ParseServerUrl(const std::string& url) {
  std::string rest = url;
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  auto colon = rest.rfind(':');
  if (rest.empty() || colon == std::string::npos || colon == 0 || colon + 1 == rest.size() ||
      rest.find('/') != std::string::npos) {
    return Invalid("--server must look like http://HOST:PORT, got \"" + url + "\"", "server");
  }
  HttpTarget t{rest.substr(0, colon), rest.substr(colon + 1)};
  for (char c : t.port) {
    if (c < '0' || c > '9')
      return Invalid("--server port must be a number: \"" + url + "\"", "server");
  }
  if (t.host.front() == '[' && t.host.back() == ']') t.host = t.host.substr(1, t.host.size() - 2);
  return t;
}

Result<std::unique_ptr<Driver>> MakeHttpDriver(const HttpTarget& target, const std::string& user,
                                               const std::string& password) {
  auto d = std::make_unique<HttpDriver>(target);
  BEACON_RETURN_IF_ERROR(d->Login(user, password));
  return std::unique_ptr<Driver>(std::move(d));
}

}  // namespace beacon::replay
