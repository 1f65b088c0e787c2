// A one-line progress bar on stderr for long commands (import, replay);
// silent when stderr is not a terminal.
#pragma once

#include <string>
#include <string_view>

namespace beacon::cli {

class ProgressBar {
 public:
  ProgressBar();
  ~ProgressBar() { Done(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Redraws only when the whole percent or the phase changed.
  void Update(double fraction, std::string_view phase);
  // Ends the bar's line (once).
  void Done();

 private:
  bool tty_;
  bool shown_ = false;
  int last_pct_ = -1;
  std::string last_phase_;
};

}  // namespace beacon::cli
