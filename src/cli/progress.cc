#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace beacon::cli {

ProgressBar::ProgressBar() : tty_(::isatty(STDERR_FILENO)) {}

void ProgressBar::Update(double fraction, std::string_view phase) {
  if (!tty_) return;
  int pct = static_cast<int>(fraction * 100);
  if (pct == last_pct_ && phase == last_phase_) return;
  last_pct_ = pct;
  last_phase_ = std::string(phase);
  int filled = pct * 30 / 100;
  std::fprintf(stderr, "\r%-12s [%s%s] %3d%%", last_phase_.c_str(),
               std::string(static_cast<size_t>(filled), '#').c_str(),
               std::string(static_cast<size_t>(30 - filled), ' ').c_str(), pct);
  std::fflush(stderr);
  shown_ = true;
}

void ProgressBar::Done() {
  if (shown_) std::fprintf(stderr, "\n");
  shown_ = false;
}

}  // namespace beacon::cli
