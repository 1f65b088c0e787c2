// Process helpers shared by the integration-test harness and the
// benchmarks (no GoogleTest here): temporary directories and starting a
// child process with its standard streams wired. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace beacon::support {

// A fresh directory PARENT/PREFIX-XXXXXX (PARENT defaults to the system
// temp dir), removed with its contents by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& parent = "", const std::string& prefix = "beacon");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Forks and execs argv[0] with `stdin_text` on stdin (small inputs: they
// must fit in a pipe buffer), stdout to `out_fd` and stderr to `err_fd`.
// The child is killed if this process dies, so a crashed test or benchmark
// leaves no server behind. Throws std::runtime_error when it cannot fork.
pid_t Spawn(const std::vector<std::string>& argv, int out_fd, int err_fd,
            const std::string& stdin_text);

}  // namespace beacon::support
