// The beacon command line: serve, user add, audit verify, demo.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace beacon::cli {

int Main(int argc, char** argv);

struct ServeOptions {
  std::string data_dir;
  std::string listen = "127.0.0.1:8080";
  std::optional<std::string> plans_file;
  std::optional<std::string> graph_file;
  // Travel-time calibration from `beacon calibrate` (docs/calibration.md);
  // needs graph_file.
  std::optional<std::string> calibration_file;
  int threads = 2;
  // Demo mode: run the call generator and simulated crews in-process.
  bool demo = false;
  std::uint64_t demo_seed = 1;
  double demo_calls_per_min = 6;
  double demo_pace = 1;  // scales the simulated users' waits (tests run faster)
  // The command-room web bundle served at /; default: `web/` beside the
  // binary (where `make build` puts it), skipped with a warning when absent.
  std::optional<std::string> web_dir;
  // This centre's agency id in EIDO exports (a domain name).
  std::string agency = "beacon.invalid";
  // CAP 1.2 (docs/cap.md): alert -> call mapping file (default: the
  // built-in config/cap_mapping.json) and the <sender> of issued alerts.
  std::optional<std::string> cap_mapping_file;
  std::string cap_sender = "beacon@localhost";
  // The anti-scam desk's config (docs/scam.md); default: the built-in
  // config/scam/desk.json.
  std::optional<std::string> scam_config_file;
  // Address point files for the geocoder ("FILE" or "FILE,MAPPING.json";
  // docs/geocoding.md), searched with the graph file's gazetteer.
  std::vector<std::string> address_files;
  // Sessions and resource limits (docs/security.md).
  std::int64_t session_lifetime_s = 12 * 3600;
  double header_timeout_s = 10;
  double idle_timeout_s = 30;
  // Default: the descriptor limit (raised to the hard limit at start) less
  // a reserve for the database, graph and log files.
  std::optional<size_t> max_connections;
  size_t stream_queue_bytes = 4 << 20;
};

// Runs the server until SIGINT/SIGTERM. Returns the process exit code.
int Serve(const ServeOptions& opts);

}  // namespace beacon::cli
