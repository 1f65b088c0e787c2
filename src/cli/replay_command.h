// `beacon replay`: replays a city's call history through Beacon and writes
// a report (docs/replay.md). Registered on the CLI app by constructing a
// ReplayCommand; Main runs it when the subcommand was chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace beacon::cli {

class ReplayCommand {
 public:
  explicit ReplayCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  // The process exit code: 0 done, 2 bad input or a failure (message on stderr).
  int Run() const;

 private:
  CLI::App* command_;
  std::string calls_, format_ = "sf-fire", stations_, mode_ = "history", speed_ = "max";
  std::optional<std::string> graph_, osm_, report_, server_, plans_;
  std::optional<std::string> calibration_, from_, to_;
  std::string user_ = "supervisor";
  std::vector<std::string> addresses_;
  bool address_only_ = false;
  double max_snap_m_ = 250;
  int coverage_step_s_ = 900;
};

}  // namespace beacon::cli
