// Test harness for integration tests: runs the real `beacon` binary on
// 127.0.0.1 with port 0 and a temporary data directory, and talks to it
// over HTTP and WebSocket (Boost.Beast, synchronous). Every wait is bounded.
// Not thread-safe: one BeaconProcess / client per thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/process.h"

namespace beacon::testing {

using nlohmann::json;

// Path of the beacon binary under test (set by CMake).
std::string BeaconBinary();

// A fresh temporary directory, removed by the destructor.
using TempDir = support::TempDir;

// Runs `beacon ARGS...` to completion with `stdin_text`; returns exit code
// and captures stdout+stderr.
struct RunResult {
  int exit_code = -1;
  std::string output;
};
RunResult RunBeacon(const std::vector<std::string>& args, const std::string& stdin_text = "");

class BeaconProcess {
 public:
  // `data_dir` must exist or be creatable; extra args are appended to serve.
  explicit BeaconProcess(std::string data_dir, std::vector<std::string> extra = {});
  ~BeaconProcess();

  // Starts `beacon serve` and waits (bounded) until it prints its port.
  void Start();
  // The same with another command that serves (`demo`): `beacon COMMAND
  // --data DIR --listen 127.0.0.1:0 EXTRA...`.
  void StartCommand(const std::string& command);
  void Kill(int sig = 9);  // sends the signal and reaps the process
  int port() const { return port_; }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  const std::string& data_dir() const { return data_dir_; }

 private:
  std::string data_dir_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
  int port_ = 0;
};

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  json Json() const;                           // parsed body, or null
};

// A keep-alive HTTP/1.1 client that reconnects when the server closed.
class HttpClient {
 public:
  explicit HttpClient(int port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Throws std::runtime_error on a transport failure (connection refused...).
  HttpResult Request(const std::string& method, const std::string& target,
                     const std::string& body = "", const std::string& token = "",
                     const std::map<std::string, std::string>& headers = {});
  HttpResult Get(const std::string& target, const std::string& token = "") {
    return Request("GET", target, "", token);
  }
  HttpResult Post(const std::string& target, const json& body, const std::string& token = "") {
    return Request("POST", target, body.dump(), token);
  }

 private:
  struct Impl;
  Impl* impl_;
};

// Adds a user through the CLI (`beacon user add`).
void AddUser(const std::string& data_dir, const std::string& name, const std::string& role,
             const std::string& password);
// Logs in and returns the bearer token (fails the test on error).
std::string Login(HttpClient& http, const std::string& name, const std::string& password);

// A WebSocket client of /api/v1/stream.
class StreamClient {
 public:
  // Throws when the connection or the handshake fails.
  StreamClient(int port, const std::string& token, std::optional<long long> since = std::nullopt);
  ~StreamClient();
  StreamClient(const StreamClient&) = delete;
  StreamClient& operator=(const StreamClient&) = delete;
  // Next message, or nullopt after `timeout` or when the connection closed.
  std::optional<json> Next(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The code and reason of the close frame the server sent (0 and "" if none).
  int CloseCode() const;
  std::string CloseReason() const;

 private:
  struct Impl;
  Impl* impl_;
};

// A server with one user per role (name = role, password = "pw-" + role).
// Unless `extra`
// names --plans, it runs the built-in response plans without their timers
// (PlansWithoutTimers), so no event happens that a test did not cause.
struct Fixture {
  TempDir dir;
  std::optional<BeaconProcess> server;
  std::map<std::string, std::string> tokens;  // role -> token
  void Start(std::vector<std::string> extra = {});
  std::string Token(const std::string& role) const { return tokens.at(role); }
};

// Writes the built-in config/response_plans.json without its "timers" into
// `dir` and returns the file's path.
std::string PlansWithoutTimers(const std::string& dir);

}  // namespace beacon::testing
