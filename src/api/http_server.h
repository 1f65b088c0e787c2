// HttpServer: Boost.Beast HTTP/1.1 and WebSocket front end. Reads a request
// (1 MiB body limit, 16 KiB headers), hands it to the Router, writes the
// response when the handler replies (possibly from another thread: replies
// are posted back to the connection's strand). GET /api/v1/stream upgrades
// to a WebSocket fed by the StreamHub with catch-up from the Store.
// Resource limits (docs/security.md): header-read and idle timeouts, a cap
// on open connections, back-off when accept fails, a bounded send queue
// per stream subscriber (close code 4008), and streams closed with 4401
// when their session ends (logout, revocation, expiry, user disabled).
// The io_context is owned by the caller and must outlive the Store, whose
// commit callbacks post into it. Thread-safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "api/auth.h"
#include "api/metrics.h"
#include "api/router.h"
#include "api/static_files.h"
#include "api/stream_hub.h"

namespace beacon::api {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;
  size_t body_limit = 1 << 20;
  // The web bundle served at / (outside /api/); null: none.
  const StaticFiles* web = nullptr;
  // Time to receive a request line and headers once a connection is open or
  // the first byte of a request arrived (slowloris), and to wait for the
  // next request on a kept-alive connection.
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds idle_timeout{30000};
  // Connections open at once, HTTP and WebSocket; more are answered 503 and
  // closed at once.
  size_t max_connections = 960;
  // Unsent bytes a stream subscriber may have queued before it is closed
  // with kCloseTooSlow.
  size_t stream_queue_bytes = 4 << 20;
};

// WebSocket close codes of GET /api/v1/stream (docs/api.md).
// The session behind the stream's token ended: log in again.
constexpr std::uint16_t kCloseSessionEnded = 4401;
// The subscriber fell too far behind: reconnect with ?since= (the reason
// text names the last sequence number sent).
constexpr std::uint16_t kCloseTooSlow = 4008;

// Parses "HOST:PORT", "[::1]:PORT" or ":PORT".
Result<ServerOptions> ParseListen(std::string_view listen);

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, ServerOptions opts, const Router& router, StreamHub& hub,
             store::Store& store, const Auth& auth, Metrics& metrics);
  ~HttpServer();
  // Binds and starts accepting. Port 0 picks a free port; see port().
  Status Start();
  std::uint16_t port() const { return port_; }
  void Stop();

  struct Shared;  // state shared with sessions

 private:
  boost::asio::io_context& ioc_;
  std::shared_ptr<Shared> shared_;
  struct Listener;
  std::shared_ptr<Listener> listener_;
  std::uint16_t port_ = 0;
};

}  // namespace beacon::api
