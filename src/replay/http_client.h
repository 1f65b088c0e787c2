// JsonClient: a blocking HTTP/1.1 client of a running Beacon's JSON API
// (docs/api.md), used by `beacon replay --server` (HttpDriver) and
// `beacon scam import --server`. One keep-alive connection, every request
// bounded by a 30 s timeout, one retry on a fresh connection when the
// server closed an idle one. Not thread-safe: one client per thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/status.h"

namespace beacon::replay {

struct HttpTarget {
  std::string host;  // "127.0.0.1"
  std::string port;  // "8080"
};
// Parses "http://HOST:PORT" (no TLS, no path).
Result<HttpTarget> ParseServerUrl(const std::string& url);

class JsonClient {
 public:
  explicit JsonClient(HttpTarget target) : target_(std::move(target)) {}

  struct Reply {
    int status = 0;
    nlohmann::json body;  // an empty object when the answer is not a JSON object
  };
  // `what` names the request in errors.
  Result<Reply> Request(const char* what, const char* method, const std::string& target,
                        const std::optional<nlohmann::json>& body);
  // POST /api/v1/auth/login; later requests carry the token.
  Status Login(const std::string& user, const std::string& password);
  // A non-2xx answer as a Status with the server's message.
  static Status Fail(const std::string& what, const Reply& r);
  std::string Describe() const { return "HTTP http://" + target_.host + ":" + target_.port; }

 private:
  template <typename Start>
  boost::beast::error_code Io(Start&& start);
  Status Connect();

  HttpTarget target_;
  boost::asio::io_context ioc_;
  std::optional<boost::beast::tcp_stream> stream_;
  boost::beast::flat_buffer buffer_;
  std::string token_;
};

}  // namespace beacon::replay
