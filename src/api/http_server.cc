#include "api/http_server.h"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cerrno>
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
using SteadyClock = std::chrono::steady_clock;

// A stream client whose queue holds this many messages (or
// ServerOptions::stream_queue_bytes) is disconnected with kCloseTooSlow; it
// reconnects with ?since= and catches up from the store instead of growing
// our memory.
constexpr size_t kMaxQueuedMessages = 10000;
// Catch-up (?since=) reads the store a page at a time, and only while the
// queue holds less than kBacklogLowWater bytes: a subscriber that does not
// read costs at most about that much, however long the log.
constexpr size_t kBacklogPage = 256;
constexpr size_t kBacklogLowWater = 256 << 10;
// How often a stream re-checks its session, and how long a closing stream
// may take to finish its close handshake before its socket is closed.
constexpr auto kStreamCheck = std::chrono::seconds(1);
constexpr auto kCloseGrace = std::chrono::seconds(10);
constexpr int kStreamSendBuffer = 256 << 10;
// A request body (after its headers) and a response must each move within this.
constexpr auto kBodyTimeout = std::chrono::seconds(30);
// After an error answered before the request was read whole (413, 400) we
// stop sending and read what the client still sends, up to these bounds,
// so that it can read the answer instead of a reset connection.
constexpr size_t kLingerBytes = 8 << 20;
constexpr auto kLingerTimeout = std::chrono::seconds(10);

struct HttpServer::Shared {
  Shared(ServerOptions o, const Router& r, StreamHub& h, store::Store& s, const Auth& a, Metrics& m)
      : opts(std::move(o)), router(r), hub(h), store(s), auth(a), metrics(m) {}
  ServerOptions opts;
  const Router& router;
  StreamHub& hub;
  store::Store& store;
  const Auth& auth;
  Metrics& metrics;
  std::atomic<size_t> connections{0};
};

namespace {

// One open connection counted against ServerOptions::max_connections; the
// HTTP session hands it to the WebSocket session on upgrade.
class Slot {
 public:
  explicit Slot(std::shared_ptr<HttpServer::Shared> shared) : shared_(std::move(shared)) {
    shared_->connections.fetch_add(1);
  }
  ~Slot() { shared_->connections.fetch_sub(1); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

 private:
  std::shared_ptr<HttpServer::Shared> shared_;
};

// At most one log line per second for a repeated failure, with the count
// of those left out since the last line. Not thread-safe (one strand).
class RateLimitedLog {
 public:
  explicit RateLimitedLog(std::string event) : event_(std::move(event)) {}
  void Warn(nlohmann::json fields) {
    auto now = SteadyClock::now();
    if (logged_ && now - last_ < std::chrono::seconds(1)) {
      ++suppressed_;
      return;
    }
    fields["suppressed"] = suppressed_;
    Log(Level::kWarn, event_, std::move(fields));
    logged_ = true;
    last_ = now;
    suppressed_ = 0;
  }

 private:
  std::string event_;
  bool logged_ = false;
  SteadyClock::time_point last_;
  std::uint64_t suppressed_ = 0;
};

}  // namespace

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
  WsSession(tcp::socket&& socket, std::shared_ptr<HttpServer::Shared> shared,
            std::unique_ptr<Slot> slot, std::string token_hash)
      : ws_(std::move(socket)),
        timer_(ws_.get_executor()),
        shared_(std::move(shared)),
        slot_(std::move(slot)),
        token_hash_(std::move(token_hash)) {}
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
    // this handler, so the hello and the first backlog page come first.
    auto sub = shared_->hub.Subscribe([weak, exec](std::int64_t seq, StreamMessage m) {
      net::post(exec, [weak, seq, m = std::move(m)] {
        if (auto self = weak.lock()) self->OnLive(seq, m);
      });
    });
    sub_id_ = sub.id;
    Push(0, std::make_shared<std::string>(
                nlohmann::json{{"type", "hello"}, {"last_seq", sub.published_seq}}.dump()));
    if (since_ && *since_ < sub.published_seq) {
      catching_up_ = true;
      catchup_at_ = *since_;
      catchup_to_ = sub.published_seq;
      FillBacklog();
    }
    DoRead();
    ArmTimer();
  }

  // False (and the stream closing) once the session behind the token ended.
  bool SessionValid() {
    if (shared_->auth.FromTokenHash(token_hash_)) return true;
    Close(kCloseSessionEnded, "session ended; log in again");
    return false;
  }

  void ArmTimer() {
    timer_.expires_after(kStreamCheck);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->done_) return;
      if (self->closing_) {
        if (SteadyClock::now() >= self->close_deadline_) {
          // The peer does not finish the close handshake (or does not read
          // at all): drop the connection and the memory it holds.
          beast::error_code ignored;
          beast::get_lowest_layer(self->ws_).socket().close(ignored);
          return;
        }
      } else {
        self->SessionValid();
      }
      self->ArmTimer();
    });
  }

  void OnLive(std::int64_t seq, StreamMessage m) {
    if (closing_ || !SessionValid()) return;
    if (seq <= last_seq_) return;  // already sent in the backlog
    if (catching_up_) {
      // Committed before it was published: the backlog reads it from the store.
      catchup_to_ = std::max(catchup_to_, seq);
      return;
    }
    if (queue_.size() >= kMaxQueuedMessages ||
        queued_bytes_ + m->size() > shared_->opts.stream_queue_bytes) {
      Log(Level::kWarn, "stream.client_too_slow",
          {{"queued", queue_.size()}, {"queued_bytes", queued_bytes_}, {"sent_seq", sent_seq_}});
      Close(kCloseTooSlow, "too slow; reconnect with since=" + std::to_string(sent_seq_));
      return;
    }
    Push(seq, std::move(m));
  }

  void FillBacklog() {
    while (catching_up_ && !closing_ && queued_bytes_ < kBacklogLowWater) {
      auto page = shared_->store.EventsSince(catchup_at_, kBacklogPage);
      if (!page) {
        Log(Level::kError, "stream.backlog_failed", {{"message", page.error().message()}});
        Close(websocket::close_code::internal_error, "cannot read the event log");
        return;
      }
      bool progressed = false;
      for (const auto& e : *page) {
        if (e.seq > catchup_to_) break;
        Push(e.seq, std::make_shared<std::string>(RenderEvent(e)));
        catchup_at_ = e.seq;
        progressed = true;
      }
      if (!progressed || catchup_at_ >= catchup_to_) catching_up_ = false;
    }
  }

  void Push(std::int64_t seq, StreamMessage m) {
    if (seq != 0) last_seq_ = seq;
    queued_bytes_ += m->size();
    queue_.push_back({seq, std::move(m)});
    if (!writing_) DoWrite();
  }

  // Sends a close frame with `code` after the message being written, drops
  // everything still queued and stops listening to the hub.
  void Close(std::uint16_t code, const std::string& reason) {
    if (closing_) return;
    closing_ = true;
    catching_up_ = false;
    close_deadline_ = SteadyClock::now() + kCloseGrace;
    if (sub_id_) shared_->hub.Unsubscribe(sub_id_);
    sub_id_ = 0;
    while (queue_.size() > (writing_ ? 1u : 0u)) {
      queued_bytes_ -= queue_.back().second->size();
      queue_.pop_back();
    }
    std::deque<std::pair<std::int64_t, StreamMessage>>(queue_).swap(queue_);  // free the blocks
    Log(Level::kInfo, "stream.closing", {{"code", code}, {"reason", reason}});
    websocket::close_reason why;
    why.code = code;
    why.reason = reason.substr(0, why.reason.max_size());
    ws_.async_close(why, [self = shared_from_this()](beast::error_code) {});
  }

  void DoWrite() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front().second),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      auto& front = self->queue_.front();
                      if (!ec && front.first != 0) self->sent_seq_ = front.first;
                      self->queued_bytes_ -= front.second->size();
                      self->queue_.pop_front();
                      self->writing_ = false;
                      if (ec) {
                        self->closing_ = true;
                        self->queue_.clear();
                        return;
                      }
                      if (self->closing_) return;
                      self->FillBacklog();
                      if (!self->queue_.empty() && !self->writing_) self->DoWrite();
                    });
  }

  void DoRead() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        // Closed by the peer, by our close handshake or by the grace timer.
        self->closing_ = true;
        self->done_ = true;
        self->timer_.cancel();
        return;
      }
      self->buffer_.consume(self->buffer_.size());  // clients have nothing to say
      self->DoRead();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer timer_;
  std::shared_ptr<HttpServer::Shared> shared_;
  std::unique_ptr<Slot> slot_;
  const std::string token_hash_;
  beast::flat_buffer buffer_;
  std::deque<std::pair<std::int64_t, StreamMessage>> queue_;  // seq (0: not an event), text
  size_t queued_bytes_ = 0;
  std::optional<std::int64_t> since_;
  bool catching_up_ = false;
  std::int64_t catchup_at_ = 0;  // last backlog event queued
  std::int64_t catchup_to_ = 0;  // the backlog runs up to here
  std::int64_t last_seq_ = 0;    // last event queued
  std::int64_t sent_seq_ = 0;    // last event written to the socket
  std::uint64_t sub_id_ = 0;
  SteadyClock::time_point close_deadline_;
  bool writing_ = false;
  bool closing_ = false;
  bool done_ = false;
  bool counted_ = false;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, std::shared_ptr<HttpServer::Shared> shared)
      : stream_(std::move(socket)),
        shared_(std::move(shared)),
        slot_(std::make_unique<Slot>(shared_)) {}

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
    if (first_request_ || buffer_.size() > 0) return ReadHeader();
    // Between requests of a kept-alive connection: the idle timeout until
    // the next request's first byte, then the header timeout.
    stream_.expires_after(shared_->opts.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Shutdown();
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    first_request_ = false;
    stream_.expires_after(shared_->opts.header_timeout);
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
    stream_.expires_after(kBodyTimeout);
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
    // A fixed kernel send buffer (no autotuning to megabytes): what a
    // subscriber has not read waits in our bounded queue, where it counts.
    beast::error_code ignored;
    stream_.socket().set_option(net::socket_base::send_buffer_size(kStreamSendBuffer), ignored);
    // The stream re-checks this session while it is open.
    std::string token_hash =
        TokenHash(r.authorization.empty() ? std::string_view(r.query.at("token"))
                                          : BearerToken(r.authorization));
    std::make_shared<WsSession>(stream_.release_socket(), shared_, std::move(slot_),
                                std::move(token_hash))
        ->Start(std::move(req), since);
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
    stream_.expires_after(kBodyTimeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        if (!ec && self->linger_) return self->Linger();
                        if (ec || !res->keep_alive()) return self->Shutdown();
                        self->DoRead();
                      });
  }

  // Answers a request we could not read completely, then closes.
  void Fail(const Status& s, int status) {
    keep_alive_ = false;
    linger_ = true;
    label_ = status == 413 ? "body_too_large" : "bad_request";
    method_ = parser_ && parser_->is_header_done() ? std::string(parser_->get().method_string())
                                                   : std::string("?");
    Reply(ErrorResponse(s));
  }

  // The answer is sent but the client may still be sending the request
  // (a body over the limit): closing now would reset the connection and
  // lose the answer in the client's receive buffer. Stop sending, read and
  // discard what comes (bounded in bytes and time), then close.
  void Linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return;
    buffer_.consume(buffer_.size());
    stream_.expires_after(kLingerTimeout);
    DoLinger();
  }

  void DoLinger() {
    stream_.async_read_some(buffer_.prepare(64 << 10),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->lingered_ += n;
                              self->buffer_.consume(self->buffer_.size());
                              if (ec || self->lingered_ > kLingerBytes) return;
                              self->DoLinger();
                            });
  }

  void Shutdown() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  std::shared_ptr<HttpServer::Shared> shared_;
  std::unique_ptr<Slot> slot_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::string label_;
  std::string method_ = "?";
  unsigned version_ = 11;
  size_t lingered_ = 0;
  bool keep_alive_ = false;
  bool first_request_ = true;
  bool linger_ = false;
};

// Answers a connection over ServerOptions::max_connections without reading
// it: one non-blocking write of a 503 (dropped if it does not fit), then close.
void Refuse(tcp::socket& socket) {
  static const std::string kAnswer = [] {
    std::string body =
        R"({"error":{"code":"unavailable","message":"too many open connections; retry later"}})";
    return "HTTP/1.1 503 Service Unavailable\r\nServer: beacon\r\nContent-Type: "
           "application/json\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  beast::error_code ec;
  socket.non_blocking(true, ec);
  socket.write_some(net::buffer(kAnswer), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

}  // namespace

// Accepts connections on one strand. When accept fails for want of
// descriptors or memory it waits before trying again (accepting at once
// would spin: the pending connection stays in the backlog), and logs the
// failures at most once a second.
struct HttpServer::Listener : std::enable_shared_from_this<HttpServer::Listener> {
  Listener(net::io_context& ioc, std::shared_ptr<Shared> s)
      : ioc(ioc),
        strand(net::make_strand(ioc)),
        acceptor(strand),
        backoff(strand),
        shared(std::move(s)) {}

  void Accept() {
    acceptor.async_accept(net::make_strand(ioc),
                          [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                            self->OnAccept(ec, std::move(socket));
                          });
  }

  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      failed_log.Warn({{"error", ec.message()}});
      const int e = ec.value();
      bool resources = ec.category() == boost::system::system_category() &&
                       (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM);
      if (ec == net::error::connection_aborted) return Accept();
      backoff.expires_after(resources ? std::chrono::milliseconds(100)
                                      : std::chrono::milliseconds(10));
      backoff.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
        if (!wait_ec) self->Accept();
      });
      return;
    }
    if (shared->connections.load() >= shared->opts.max_connections) {
      refused_log.Warn({{"open", shared->connections.load()},
                        {"max_connections", shared->opts.max_connections}});
      Refuse(socket);
    } else {
      std::make_shared<HttpSession>(std::move(socket), shared)->Run();
    }
    Accept();
  }

  net::io_context& ioc;
  net::strand<net::io_context::executor_type> strand;
  tcp::acceptor acceptor;
  net::steady_timer backoff;
  std::shared_ptr<Shared> shared;
  RateLimitedLog failed_log{"http.accept_failed"};
  RateLimitedLog refused_log{"http.over_capacity"};
};

HttpServer::HttpServer(net::io_context& ioc, ServerOptions opts, const Router& router,
                       StreamHub& hub, store::Store& store, const Auth& auth, Metrics& metrics)
    : ioc_(ioc),
      shared_(std::make_shared<Shared>(std::move(opts), router, hub, store, auth, metrics)) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  beast::error_code ec;
  auto addr = net::ip::make_address(shared_->opts.address, ec);
  if (ec) return Invalid("bad listen address " + shared_->opts.address, "listen");
  tcp::endpoint ep{addr, shared_->opts.port};
  listener_ = std::make_shared<Listener>(ioc_, shared_);
  auto& acceptor = listener_->acceptor;
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(Code::kUnavailable, "cannot listen on " + shared_->opts.address + ":" +
                                          std::to_string(shared_->opts.port) + ": " + ec.message());
  }
  port_ = acceptor.local_endpoint().port();
  listener_->Accept();
  return Status::Ok();
}

void HttpServer::Stop() {
  if (listener_) {
    net::post(listener_->strand, [l = listener_] {
      beast::error_code ec;
      l->acceptor.close(ec);
      l->backoff.cancel();
    });
  }
}

}  // namespace beacon::api
