#include "support/process.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

namespace beacon::support {

TempDir::TempDir(const std::string& parent, const std::string& prefix) {
  std::filesystem::path base =
      parent.empty() ? std::filesystem::temp_directory_path() : std::filesystem::path(parent);
  std::string tmpl = (base / (prefix + "-XXXXXX")).string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed under " + base.string());
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

pid_t Spawn(const std::vector<std::string>& argv, int out_fd, int err_fd,
            const std::string& stdin_text) {
  int in_pipe[2];
  if (::pipe(in_pipe) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(in_pipe[0], 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  if (!stdin_text.empty()) {
    [[maybe_unused]] auto n = ::write(in_pipe[1], stdin_text.data(), stdin_text.size());
  }
  ::close(in_pipe[1]);
  return pid;
}

}  // namespace beacon::support
