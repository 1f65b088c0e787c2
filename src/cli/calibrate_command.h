// `beacon calibrate`: learns a centre's travel times, run cards and unit
// homes from its own call history (docs/calibration.md). Registered on the
// CLI app by constructing a CalibrateCommand; Main runs it when chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace beacon::cli {

class CalibrateCommand {
 public:
  explicit CalibrateCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  // The process exit code: 0 done, 2 bad input or a failure (message on stderr).
  int Run() const;

 private:
  CLI::App* command_;
  std::string calls_, format_ = "sf-fire", stations_, out_;
  std::optional<std::string> graph_, osm_, plans_, plans_out_, from_, to_;
  int folds_ = 5;
  int min_class_support_ = 30;
};

}  // namespace beacon::cli
