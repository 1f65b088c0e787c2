#include "support/harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace beacon::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string BeaconBinary() { return BEACON_BINARY; }

namespace {

using support::Spawn;

// Runs `start` on a fresh io_context for at most `timeout`.
template <typename Start>
void RunFor(net::io_context& ioc, std::chrono::milliseconds timeout, Start&& start,
            beast::tcp_stream& stream) {
  beast::error_code result = net::error::would_block;
  bool done = false;
  start([&](beast::error_code ec) {
    result = ec;
    done = true;
  });
  ioc.restart();
  ioc.run_for(timeout);
  if (!done) {
    stream.cancel();
    ioc.restart();
    ioc.run_for(std::chrono::seconds(1));
    throw std::runtime_error("timed out");
  }
  if (result) throw beast::system_error(result);
}

}  // namespace

RunResult RunBeacon(const std::vector<std::string>& args, const std::string& stdin_text) {
  std::vector<std::string> argv = {BeaconBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  char path[] = "/tmp/beacon-run-XXXXXX";
  int fd = ::mkstemp(path);
  pid_t pid = Spawn(argv, fd, fd, stdin_text);
  int status = 0;
  ::waitpid(pid, &status, 0);
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  ::lseek(fd, 0, SEEK_SET);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) r.output.append(buf, static_cast<size_t>(n));
  ::close(fd);
  ::unlink(path);
  return r;
}

BeaconProcess::BeaconProcess(std::string data_dir, std::vector<std::string> extra)
    : data_dir_(std::move(data_dir)), extra_(std::move(extra)) {}

BeaconProcess::~BeaconProcess() {
  if (running()) Kill(SIGTERM);
}

void BeaconProcess::Start() { StartCommand("serve"); }

void BeaconProcess::StartCommand(const std::string& command) {
  std::vector<std::string> argv = {BeaconBinary(), "--log-level", "warn",     command,
                                   "--data",       data_dir_,     "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), extra_.begin(), extra_.end());
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  int err_fd = ::open(
      (data_dir_ + "/../" + std::filesystem::path(data_dir_).filename().string() + ".stderr.log")
          .c_str(),
      O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (err_fd < 0) err_fd = ::open("/dev/null", O_WRONLY);
  pid_ = Spawn(argv, out[1], err_fd, "");
  ::close(out[1]);
  ::close(err_fd);
  // Read stdout until "listening on http://127.0.0.1:PORT" (bounded: 30 s).
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  ::fcntl(out[0], F_SETFL, O_NONBLOCK);
  while (std::chrono::steady_clock::now() < deadline) {
    char buf[256];
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n > 0) text.append(buf, static_cast<size_t>(n));
    auto pos = text.find("listening on http://127.0.0.1:");
    if (pos != std::string::npos) {
      auto nl = text.find('\n', pos);
      if (nl != std::string::npos) {
        port_ = std::stoi(text.substr(pos + 30, nl - pos - 30));
        break;
      }
    }
    if (n == 0) break;  // exited
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::close(out[0]);
  if (port_ == 0) {
    Kill(SIGKILL);
    throw std::runtime_error("beacon " + command + " did not start; stdout: " + text);
  }
}

void BeaconProcess::Kill(int sig) {
  if (pid_ <= 0) return;
  ::kill(pid_, sig);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  port_ = 0;
}

json HttpResult::Json() const { return json::parse(body, nullptr, false); }

struct HttpClient::Impl {
  int port;
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  void Connect() {
    stream.emplace(ioc);
    tcp::endpoint ep(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
    RunFor(
        ioc, std::chrono::seconds(10),
        [&](auto done) { stream->async_connect(ep, [done](beast::error_code ec) { done(ec); }); },
        *stream);
    buffer.clear();
  }
};

HttpClient::HttpClient(int port) : impl_(new Impl) { impl_->port = port; }
HttpClient::~HttpClient() { delete impl_; }

HttpResult HttpClient::Request(const std::string& method, const std::string& target,
                               const std::string& body, const std::string& token,
                               const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1");
  req.keep_alive(true);
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty() || method == "POST") req.set(http::field::content_type, "application/json");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  // One retry on a fresh connection: the server may have closed a keep-alive one.
  for (int attempt = 0;; ++attempt) {
    try {
      if (!impl_->stream) impl_->Connect();
      auto& s = *impl_->stream;
      RunFor(
          impl_->ioc, std::chrono::seconds(30),
          [&](auto done) {
            http::async_write(s, req, [done](beast::error_code ec, size_t) { done(ec); });
          },
          s);
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      RunFor(
          impl_->ioc, std::chrono::seconds(30),
          [&](auto done) {
            http::async_read(s, impl_->buffer, parser,
                             [done](beast::error_code ec, size_t) { done(ec); });
          },
          s);
      auto res = parser.release();
      HttpResult r;
      r.status = static_cast<int>(res.result_int());
      r.body = res.body();
      for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& ch : name) ch = static_cast<char>(std::tolower(ch));
        r.headers[name] = std::string(f.value());
      }
      if (!res.keep_alive()) impl_->stream.reset();
      return r;
    } catch (const std::exception&) {
      impl_->stream.reset();
      if (attempt >= 1) throw;
    }
  }
}

void AddUser(const std::string& data_dir, const std::string& name, const std::string& role,
             const std::string& password) {
  auto r = RunBeacon({"user", "add", name, "--role", role, "--data", data_dir}, password + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
}

std::string Login(HttpClient& http, const std::string& name, const std::string& password) {
  auto r = http.Post("/api/v1/auth/login", {{"username", name}, {"password", password}});
  EXPECT_EQ(r.status, 200) << r.body;
  return r.Json().value("token", "");
}

struct StreamClient::Impl {
  net::io_context ioc;
  std::optional<websocket::stream<beast::tcp_stream>> ws;
  beast::flat_buffer buffer;
};

StreamClient::StreamClient(int port, const std::string& token, std::optional<long long> since) {
  auto impl = std::make_unique<Impl>();
  impl_ = impl.get();
  impl_->ws.emplace(impl_->ioc);
  auto& ws = *impl_->ws;
  tcp::endpoint ep(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
  auto& layer = beast::get_lowest_layer(ws);
  RunFor(
      impl_->ioc, std::chrono::seconds(10),
      [&](auto done) { layer.async_connect(ep, [done](beast::error_code ec) { done(ec); }); },
      layer);
  std::string target = "/api/v1/stream?token=" + token;
  if (since) target += "&since=" + std::to_string(*since);
  RunFor(
      impl_->ioc, std::chrono::seconds(10),
      [&](auto done) {
        ws.async_handshake("127.0.0.1", target, [done](beast::error_code ec) { done(ec); });
      },
      layer);
  impl.release();  // owned by impl_ from here; freed by the destructor
}

StreamClient::~StreamClient() {
  beast::error_code ec;
  beast::get_lowest_layer(*impl_->ws).socket().close(ec);
  delete impl_;
}

std::optional<json> StreamClient::Next(std::chrono::milliseconds timeout) {
  auto& ws = *impl_->ws;
  try {
    RunFor(
        impl_->ioc, timeout,
        [&](auto done) {
          ws.async_read(impl_->buffer, [done](beast::error_code ec, size_t) { done(ec); });
        },
        beast::get_lowest_layer(ws));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::string text = beast::buffers_to_string(impl_->buffer.data());
  impl_->buffer.consume(impl_->buffer.size());
  return json::parse(text, nullptr, false);
}

int StreamClient::CloseCode() const { return impl_->ws->reason().code; }
std::string StreamClient::CloseReason() const {
  return std::string(impl_->ws->reason().reason.data(), impl_->ws->reason().reason.size());
}

std::string PlansWithoutTimers(const std::string& dir) {
  std::ifstream in(std::string(BEACON_SOURCE_DIR) + "/config/response_plans.json");
  json plans = json::parse(in);
  plans.erase("timers");
  std::string path = dir + "/plans-without-timers.json";
  std::ofstream(path) << plans.dump();
  return path;
}

void Fixture::Start(std::vector<std::string> extra) {
  const char* roles[] = {"call_taker", "dispatcher", "supervisor",   "analyst",
                         "auditor",    "admin",      "fraud_analyst"};
  std::string data = dir.path() + "/data";
  // Timers would raise events on their own during long tests (and a test
  // that checks a refused request changed nothing would see them): only the
  // tests that bring their own --plans have them.
  if (std::find(extra.begin(), extra.end(), "--plans") == extra.end()) {
    extra.push_back("--plans");
    extra.push_back(PlansWithoutTimers(dir.path()));
  }
  for (const char* role : roles) AddUser(data, role, role, std::string("pw-") + role);
  server.emplace(data, std::move(extra));
  server->Start();
  HttpClient http(server->port());
  for (const char* role : roles) tokens[role] = Login(http, role, std::string("pw-") + role);
}

}  // namespace beacon::testing
