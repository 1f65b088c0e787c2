#include "bench_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace beacon::bench {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Waits at most `timeout` for `pid`; returns true and the status if it exited.
bool WaitFor(pid_t pid, std::chrono::milliseconds timeout, int& status) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return true;
    if (r < 0) return true;  // not our child any more
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

using support::Spawn;

RunResult Run(const std::vector<std::string>& argv, const std::string& stdin_text,
              std::chrono::seconds timeout) {
  char path[] = "/tmp/beacon-bench-run-XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  pid_t pid = Spawn(argv, fd, fd, stdin_text);
  int status = 0;
  RunResult r;
  if (!WaitFor(pid, timeout, status)) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    r.output = "timed out after " + std::to_string(timeout.count()) + " s\n";
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  ::close(fd);
  r.output += ReadFile(path);
  ::unlink(path);
  return r;
}

BeaconProcess::BeaconProcess(std::string binary, std::string data_dir,
                             std::vector<std::string> extra_args)
    : binary_(std::move(binary)),
      data_dir_(std::move(data_dir)),
      extra_args_(std::move(extra_args)),
      stderr_path_(data_dir_ + ".stderr.log") {}

BeaconProcess::~BeaconProcess() {
  if (pid_ > 0) Stop();
}

void BeaconProcess::Start() {
  std::vector<std::string> argv = {binary_,  "--log-level", "warn",     "serve",
                                   "--data", data_dir_,     "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  int err_fd = ::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (err_fd < 0) throw std::runtime_error("cannot create " + stderr_path_);
  pid_ = Spawn(argv, out[1], err_fd, "");
  ::close(out[1]);
  ::close(err_fd);
  ::fcntl(out[0], F_SETFL, O_NONBLOCK);
  // Wait for "listening on http://127.0.0.1:PORT\n" (bounded).
  constexpr std::string_view kBanner = "listening on http://127.0.0.1:";
  std::string text;
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline && port_ == 0) {
    char buf[256];
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n > 0) text.append(buf, static_cast<size_t>(n));
    auto pos = text.find(kBanner);
    if (pos != std::string::npos) {
      auto nl = text.find('\n', pos);
      if (nl != std::string::npos) {
        port_ = std::stoi(text.substr(pos + kBanner.size(), nl - pos - kBanner.size()));
      }
    }
    if (n == 0) break;  // the server closed stdout: it exited
    if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::close(out[0]);
  if (port_ == 0) {
    std::string how = Stop(std::chrono::seconds(1));
    throw std::runtime_error("beacon serve did not start (" + how + "); stdout: " + text +
                             "\nstderr: " + ReadFile(stderr_path_));
  }
}

std::string BeaconProcess::Stop(std::chrono::seconds grace) {
  if (pid_ <= 0) return "not running";
  ::kill(pid_, SIGTERM);
  int status = 0;
  std::string how;
  if (!WaitFor(pid_, grace, status)) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    how = "killed after " + std::to_string(grace.count()) + " s: ";
  }
  pid_ = -1;
  port_ = 0;
  return how + DescribeExit(status);
}

HttpReply HttpOnce(int port, const std::string& method, const std::string& target,
                   const std::string& body, const std::string& bearer_token,
                   std::chrono::seconds timeout) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1");
  if (!bearer_token.empty()) req.set(http::field::authorization, "Bearer " + bearer_token);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.keep_alive(false);
  req.prepare_payload();
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code result = net::error::would_block;
  bool done = false;
  tcp::endpoint ep(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
  stream.expires_after(timeout);
  stream.async_connect(ep, [&](beast::error_code ec) {
    if (ec) {
      result = ec;
      done = true;
      return;
    }
    http::async_write(stream, req, [&](beast::error_code ec2, size_t) {
      if (ec2) {
        result = ec2;
        done = true;
        return;
      }
      http::async_read(stream, buffer, res, [&](beast::error_code ec3, size_t) {
        result = ec3;
        done = true;
      });
    });
  });
  // The stream's own expiry ends every operation; run_for is a second bound.
  ioc.run_for(timeout + std::chrono::seconds(1));
  if (!done) throw std::runtime_error(method + " " + target + ": timed out");
  if (result) throw std::runtime_error(method + " " + target + ": " + result.message());
  return {static_cast<int>(res.result_int()), res.body()};
}

LatencySummary Summarize(std::vector<std::int64_t>& ns) {
  LatencySummary s;
  s.count = static_cast<std::int64_t>(ns.size());
  if (ns.empty()) return s;
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) {
    // Nearest rank: the smallest value with at least q of the samples <= it.
    auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(ns.size())));
    rank = std::clamp<size_t>(rank, 1, ns.size());
    return static_cast<double>(ns[rank - 1]) / 1e6;
  };
  s.p50_ms = at(0.50);
  s.p90_ms = at(0.90);
  s.p99_ms = at(0.99);
  s.p999_ms = at(0.999);
  s.max_ms = static_cast<double>(ns.back()) / 1e6;
  long double sum = 0;
  for (auto v : ns) sum += static_cast<long double>(v);
  s.mean_ms = static_cast<double>(sum / static_cast<long double>(ns.size()) / 1e6L);
  return s;
}

namespace {

// utime + stime from a /proc/.../stat line, in seconds; -1 when unreadable.
double StatCpuSeconds(const std::string& path) {
  std::string line = ReadFile(path);
  auto rp = line.rfind(')');
  if (rp == std::string::npos) return -1;
  std::istringstream in(line.substr(rp + 2));
  // Fields 3..15 of proc(5): state ppid pgrp session tty_nr tpgid flags
  // minflt cminflt majflt cmajflt utime stime.
  std::string field;
  for (int i = 3; i <= 13; ++i) in >> field;
  unsigned long long utime = 0, stime = 0;
  in >> utime >> stime;
  if (!in) return -1;
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

double ProcessCpuSeconds(pid_t pid) {
  return StatCpuSeconds("/proc/" + std::to_string(pid) + "/stat");
}

std::map<int, double> ThreadCpuSeconds(pid_t pid) {
  std::map<int, double> out;
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    int tid = std::atoi(e.path().filename().c_str());
    double s = StatCpuSeconds(e.path().string() + "/stat");
    if (tid > 0 && s >= 0) out[tid] = s;
  }
  return out;
}

double MachineBusyCpuSeconds() {
  std::istringstream in(ReadFile("/proc/stat"));
  std::string cpu;
  // cpu user nice system idle iowait irq softirq steal (guest time is in user).
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                     steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  if (!in || cpu != "cpu") return -1;
  return static_cast<double>(user + nice + system + irq + softirq + steal) /
         static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace beacon::bench
