// HttpServer: Boost.Beast HTTP/1.1 and WebSocket front end. Reads a request
// (1 MiB body limit, 16 KiB headers), hands it to the Router, writes the
// response when the handler replies (possibly from another thread: replies
// are posted back to the connection's strand). GET /api/v1/stream upgrades
// to a WebSocket fed by the StreamHub with catch-up from the Store.
// The io_context is owned by the caller and must outlive the Store, whose
// commit callbacks post into it. Thread-safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
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
};

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
  std::shared_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::uint16_t port_ = 0;
};

}  // namespace beacon::api
