// Helpers shared by the whole-system benchmarks: temporary directories,
// running the real `beacon` binary (one-shot commands and `beacon serve` on
// 127.0.0.1 port 0), one-off HTTP requests with a time bound, latency
// statistics and CPU accounting from /proc. Modelled on tests/support/harness
// but free of GoogleTest. Not thread-safe unless a function says otherwise.
#pragma once

#include "support/process.h"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace beacon::bench {

using Clock = std::chrono::steady_clock;

// A fresh directory under `parent` (or the system temp dir when empty),
// removed with its contents by the destructor.
using support::TempDir;  // TempDir(parent, prefix)

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `argv` to completion (at most `timeout`, then SIGKILL) with
// `stdin_text` on its standard input.
RunResult Run(const std::vector<std::string>& argv, const std::string& stdin_text,
              std::chrono::seconds timeout = std::chrono::seconds(60));

// A `beacon serve` child process on 127.0.0.1 with an OS-chosen port.
// The destructor stops it (SIGTERM, then SIGKILL after a bounded wait).
class BeaconProcess {
 public:
  BeaconProcess(std::string binary, std::string data_dir, std::vector<std::string> extra_args);
  ~BeaconProcess();
  BeaconProcess(const BeaconProcess&) = delete;
  BeaconProcess& operator=(const BeaconProcess&) = delete;

  // Starts the server and waits (at most 30 s) until it prints its port.
  // Throws std::runtime_error with the server's output on failure.
  void Start();
  // SIGTERM, wait at most `grace`, then SIGKILL. Returns the exit status text.
  std::string Stop(std::chrono::seconds grace = std::chrono::seconds(20));
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  const std::string& stderr_path() const { return stderr_path_; }

 private:
  std::string binary_;
  std::string data_dir_;
  std::vector<std::string> extra_args_;
  std::string stderr_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

struct HttpReply {
  int status = 0;
  std::string body;
};

// One HTTP/1.1 request on a fresh connection to 127.0.0.1:`port`, bounded by
// `timeout`. Throws std::runtime_error on a transport failure or timeout.
HttpReply HttpOnce(int port, const std::string& method, const std::string& target,
                   const std::string& body, const std::string& bearer_token = "",
                   std::chrono::seconds timeout = std::chrono::seconds(30));

// Percentiles over a set of durations in nanoseconds.
struct LatencySummary {
  std::int64_t count = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, mean_ms = 0;
};
// Sorts `ns` in place. Nearest-rank percentiles; zeros when empty.
LatencySummary Summarize(std::vector<std::int64_t>& ns);

// CPU time (user + system) consumed so far, in seconds, by a process and by
// each of its threads (keyed by thread id), read from /proc. Thread-safe.
double ProcessCpuSeconds(pid_t pid);
std::map<int, double> ThreadCpuSeconds(pid_t pid);

// CPU time (seconds) all CPUs of the machine have spent busy (anything but
// idle and iowait, steal included) since boot, from /proc/stat; -1 when
// unreadable. Thread-safe.
double MachineBusyCpuSeconds();

// Formats with a fixed number of decimals.
std::string Fixed(double v, int decimals);

}  // namespace beacon::bench
