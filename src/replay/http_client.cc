#include "replay/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

namespace beacon::replay {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Json = nlohmann::json;

constexpr auto kTimeout = std::chrono::seconds(30);

}  // namespace

Status JsonClient::Login(const std::string& user, const std::string& password) {
  auto r = Request("login", "POST", "/api/v1/auth/login",
                   Json{{"username", user}, {"password", password}});
  if (!r) return r.error();
  if (r->status != 200) return Fail("login as " + user, *r);
  token_ = r->body.value("token", "");
  return Status::Ok();
}

Status JsonClient::Fail(const std::string& what, const Reply& r) {
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

template <typename Start>
beast::error_code JsonClient::Io(Start&& start) {
  beast::error_code result = net::error::would_block;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc_.restart();
  ioc_.run();
  return result;
}
Status JsonClient::Connect() {
  stream_.emplace(ioc_);
  tcp::resolver resolver(ioc_);
  beast::error_code ec;
  auto results = resolver.resolve(target_.host, target_.port, ec);
  if (ec) return Status(Code::kUnavailable, "cannot resolve " + target_.host + ": " + ec.message());
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
Result<JsonClient::Reply> JsonClient::Request(const char* what, const char* method,
                                              const std::string& target,
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
    return out;
  }
  return Status(Code::kUnavailable, std::string(what) + ": no answer");
}

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

}  // namespace beacon::replay
