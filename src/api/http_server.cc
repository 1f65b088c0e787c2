#include "api/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <charconv>
#include <chrono>
#include <deque>
#include <limits>

#include "common/log.h"

namespace beacon::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// A stream client that falls this far behind is disconnected; it reconnects
// with ?since= and catches up from the store instead of growing our memory.
constexpr size_t kMaxQueuedMessages = 20000;
constexpr size_t kBacklogPage = 2000;

struct HttpServer::Shared {
  ServerOptions opts;
  const Router& router;
  StreamHub& hub;
  store::Store& store;
  const Auth& auth;
  Metrics& metrics;
};

Result<ServerOptions> ParseListen(std::string_view listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string_view::npos) {
    return Invalid("--listen must be HOST:PORT, e.g. 127.0.0.1:8080", "listen");
  }
  std::string host(listen.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  int port = -1;
  try {
    size_t used = 0;
    std::string p(listen.substr(colon + 1));
    port = std::stoi(p, &used);
    if (used != p.size()) port = -1;
  } catch (...) {
  }
  if (port < 0 || port > 65535) return Invalid("--listen port must be 0-65535", "listen");
  boost::system::error_code ec;
  net::ip::make_address(host, ec);
  if (ec) return Invalid("--listen host must be an IP address, got " + host, "listen");
  ServerOptions o;
  o.address = host;
  o.port = static_cast<std::uint16_t>(port);
  return o;
}

namespace {

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket&& socket, std::shared_ptr<HttpServer::Shared> shared)
      : ws_(std::move(socket)), shared_(std::move(shared)) {}
  ~WsSession() {
    if (sub_id_) shared_->hub.Unsubscribe(sub_id_);
    if (counted_) shared_->metrics.WebSocketClients(-1);
  }

  void Start(http::request<http::string_body> req, std::optional<std::int64_t> since) {
    since_ = since;
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "beacon"); }));
    ws_.async_accept(req, beast::bind_front_handler(&WsSession::OnAccept, shared_from_this()));
  }

 private:
  void OnAccept(beast::error_code ec) {
    if (ec) return;
    counted_ = true;
    shared_->metrics.WebSocketClients(+1);
    std::weak_ptr<WsSession> weak = shared_from_this();
    auto exec = ws_.get_executor();
    // Live events are posted to this connection's strand; they run after
    // this handler, so the backlog below is always queued first.
    auto sub = shared_->hub.Subscribe([weak, exec](std::int64_t seq, StreamMessage m) {
      net::post(exec, [weak, seq, m = std::move(m)] {
        if (auto self = weak.lock()) self->Enqueue(seq, m);
      });
    });
    sub_id_ = sub.id;
    Enqueue(0, std::make_shared<std::string>(
                   nlohmann::json{{"type", "hello"}, {"last_seq", sub.published_seq}}.dump()));
    if (since_) {
      std::int64_t at = *since_;
      while (at < sub.published_seq) {
        auto page = shared_->store.EventsSince(at, kBacklogPage);
        if (!page || page->empty()) break;
        for (const auto& e : *page) {
          if (e.seq > sub.published_seq) break;
          Enqueue(e.seq, std::make_shared<std::string>(RenderEvent(e)));
          at = e.seq;
        }
        if (page->size() < kBacklogPage) break;
      }
    }
    DoRead();
  }

  void Enqueue(std::int64_t seq, StreamMessage m) {
    if (closing_) return;
    if (seq != 0) {
      if (seq <= last_seq_) return;  // already sent in the backlog
      last_seq_ = seq;
    }
    if (queue_.size() >= kMaxQueuedMessages) {
      closing_ = true;
      Log(Level::kWarn, "stream.client_too_slow", {{"queued", queue_.size()}});
      ws_.async_close(websocket::close_code::try_again_later,
                      [self = shared_from_this()](beast::error_code) {});
      return;
    }
    queue_.push_back(std::move(m));
    if (!writing_) DoWrite();
  }

  void DoWrite() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      self->queue_.pop_front();
                      self->writing_ = false;
                      if (ec) {
                        self->closing_ = true;
                        return;
                      }
                      if (!self->queue_.empty() && !self->closing_) self->DoWrite();
                    });
  }

  void DoRead() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        self->closing_ = true;
        return;
      }
      self->buffer_.consume(self->buffer_.size());  // clients have nothing to say
      self->DoRead();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<HttpServer::Shared> shared_;
  beast::flat_buffer buffer_;
  std::deque<StreamMessage> queue_;
  std::optional<std::int64_t> since_;
  std::int64_t last_seq_ = 0;
  std::uint64_t sub_id_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool counted_ = false;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, std::shared_ptr<HttpServer::Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {}

  void Run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&HttpSession::DoRead, shared_from_this()));
  }

 private:
  void DoRead() {
    parser_.emplace();
    parser_->header_limit(16 * 1024);
    // The limit is applied once the headers are read, so that a declared
    // Content-Length over it is answered 413 rather than a parse error.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    stream_.expires_after(std::chrono::seconds(60));
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&HttpSession::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      return Shutdown();
    }
    if (ec) return Fail(Malformed("unreadable HTTP request: " + ec.message()), 400);
    const auto& h = parser_->get();
    if (parser_->content_length() && *parser_->content_length() > shared_->opts.body_limit) {
      return Fail(Status(Code::kTooLarge, "request body is larger than 1 MiB"), 413);
    }
    parser_->body_limit(shared_->opts.body_limit);
    if (beast::iequals(h[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      http::async_write(stream_, *cont,
                        [self = shared_from_this(), cont](beast::error_code e, size_t) {
                          if (e) return self->Shutdown();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec == http::error::body_limit) {
      return Fail(Status(Code::kTooLarge, "request body is larger than 1 MiB"), 413);
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::connection_reset) {
      return Shutdown();
    }
    if (ec) return Fail(Malformed("unreadable HTTP request: " + ec.message()), 400);
    auto req = parser_->release();
    started_ = std::chrono::steady_clock::now();

    auto r = std::make_shared<Request>();
    r->method = std::string(req.method_string());
    std::string_view target = req.target();
    auto q = target.find('?');
    r->path = std::string(target.substr(0, q));
    if (q != std::string_view::npos && !ParseQuery(target.substr(q + 1), r->query)) {
      return Reply(ErrorResponse(Malformed("query string has a bad percent escape")));
    }
    r->authorization = std::string(req[http::field::authorization]);
    r->reason = std::string(req["Beacon-Reason"]);
    r->content_type = std::string(req[http::field::content_type]);
    r->accept_encoding = std::string(req[http::field::accept_encoding]);
    r->if_none_match = std::string(req[http::field::if_none_match]);
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    method_ = r->method;

    if (websocket::is_upgrade(req)) return Upgrade(std::move(req), *r);
    if (shared_->opts.web) {
      if (auto file = shared_->opts.web->Serve(r->method, target.substr(0, q))) {
        label_ = "web";
        return Reply(std::move(*file));
      }
    }
    r->body = std::move(req.body());
    shared_->router.Dispatch(
        r,
        [self = shared_from_this()](Response resp) {
          net::post(self->stream_.get_executor(),
                    [self, resp = std::move(resp)]() mutable { self->Reply(std::move(resp)); });
        },
        &label_);
  }

  void Upgrade(http::request<http::string_body> req, const Request& r) {
    label_ = "/api/v1/stream";
    if (r.path != "/api/v1/stream") {
      return Reply(ErrorResponse(NotFound("WebSocket is served only at /api/v1/stream")));
    }
    Result<service::Actor> actor = Status(Code::kUnauthenticated, "");
    if (!r.authorization.empty()) {
      actor = shared_->auth.Authenticate(r);
    } else {
      auto it = r.query.find("token");
      actor = shared_->auth.FromToken(it == r.query.end() ? "" : it->second);
    }
    if (!actor) return Reply(ErrorResponse(actor.error()));
    if (!model::Allowed(actor->role, model::Permission::kReadOperations)) {
      return Reply(ErrorResponse(
          {Code::kPermissionDenied,
           "role " + std::string(model::ToString(actor->role)) + " may not read the live stream"}));
    }
    std::optional<std::int64_t> since;
    if (auto it = r.query.find("since"); it != r.query.end()) {
      std::int64_t v = -1;
      const std::string& s = it->second;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || end != s.data() + s.size()) v = -1;
      if (v < 0) {
        return Reply(ErrorResponse(Invalid("since must be a sequence number >= 0", "since")));
      }
      // A client ahead of us talks to the wrong server or a restored backup:
      // say so rather than silently skip events it has not seen.
      if (auto last = shared_->hub.published_seq(); v > last) {
        return Reply(ErrorResponse(Invalid("since=" + std::to_string(v) +
                                               " is ahead of this server's last event " +
                                               std::to_string(last),
                                           "since")));
      }
      since = v;
    }
    shared_->metrics.Observe(label_, "GET", 101, 0);
    stream_.expires_never();
    std::make_shared<WsSession>(stream_.release_socket(), shared_)->Start(std::move(req), since);
  }

  void Reply(Response resp) {
    double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    shared_->metrics.Observe(label_.empty() ? "unmatched" : label_, method_, resp.status, secs);
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(resp.status), version_);
    res->set(http::field::server, "beacon");
    res->set(http::field::content_type, resp.content_type);
    res->set(http::field::cache_control, "no-store");
    res->set("X-Content-Type-Options", "nosniff");
    for (auto& [k, v] : resp.headers) res->set(k, v);
    res->body() = std::move(resp.body);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    label_.clear();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (ec || !res->keep_alive()) return self->Shutdown();
                        self->DoRead();
                      });
  }

  // Answers a request we could not read completely, then closes.
  void Fail(const Status& s, int status) {
    keep_alive_ = false;
    label_ = status == 413 ? "body_too_large" : "bad_request";
    method_ = parser_ && parser_->is_header_done() ? std::string(parser_->get().method_string())
                                                   : std::string("?");
    Reply(ErrorResponse(s));
  }

  void Shutdown() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  std::shared_ptr<HttpServer::Shared> shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::string label_;
  std::string method_ = "?";
  unsigned version_ = 11;
  bool keep_alive_ = false;
};

void Accept(std::shared_ptr<tcp::acceptor> acceptor, std::shared_ptr<HttpServer::Shared> shared,
            net::io_context& ioc) {
  acceptor->async_accept(net::make_strand(ioc),
                         [acceptor, shared, &ioc](beast::error_code ec, tcp::socket socket) {
                           if (ec == net::error::operation_aborted) return;
                           if (!ec) {
                             std::make_shared<HttpSession>(std::move(socket), shared)->Run();
                           } else {
                             Log(Level::kWarn, "http.accept_failed", {{"error", ec.message()}});
                           }
                           Accept(acceptor, shared, ioc);
                         });
}

}  // namespace

HttpServer::HttpServer(net::io_context& ioc, ServerOptions opts, const Router& router,
                       StreamHub& hub, store::Store& store, const Auth& auth, Metrics& metrics)
    : ioc_(ioc),
      shared_(
          std::make_shared<Shared>(Shared{std::move(opts), router, hub, store, auth, metrics})) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  beast::error_code ec;
  auto addr = net::ip::make_address(shared_->opts.address, ec);
  if (ec) return Invalid("bad listen address " + shared_->opts.address, "listen");
  tcp::endpoint ep{addr, shared_->opts.port};
  acceptor_ = std::make_shared<tcp::acceptor>(net::make_strand(ioc_));
  acceptor_->open(ep.protocol(), ec);
  if (!ec) acceptor_->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(ep, ec);
  if (!ec) acceptor_->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(Code::kUnavailable, "cannot listen on " + shared_->opts.address + ":" +
                                          std::to_string(shared_->opts.port) + ": " + ec.message());
  }
  port_ = acceptor_->local_endpoint().port();
  Accept(acceptor_, shared_, ioc_);
  return Status::Ok();
}

void HttpServer::Stop() {
  if (acceptor_) {
    net::post(acceptor_->get_executor(), [a = acceptor_] {
      beast::error_code ec;
      a->close(ec);
    });
  }
}

}  // namespace beacon::api
