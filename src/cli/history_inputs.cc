#include "cli/history_inputs.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "calibrate/model.h"
#include "cli/embedded.h"
#include "cli/routing_commands.h"
#include "common/log.h"
#include "history/time_zone.h"

namespace beacon::cli {

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<history::Format> LoadHistoryFormat(const std::string& name) {
  Result<history::Format> format = Status(Code::kInternal, "unset");
  if (auto builtin = BuiltinHistoryFormat(name); !builtin.empty()) {
    format = history::Format::Parse(builtin);
  } else if (std::filesystem::exists(name)) {
    format = history::Format::Load(name);
  } else {
    return Invalid("--format " + name +
                   ": not a built-in format (sf-fire) and no such mapping file");
  }
  if (!format) return Invalid("--format " + name + ": " + format.error().message());
  return format;
}

Result<LoadedPlans> LoadPlansFor(const std::optional<std::string>& plans_file,
                                 const history::Format& format) {
  LoadedPlans out{dispatch::ResponsePlans(), std::string(DefaultResponsePlans())};
  if (plans_file) {
    auto text = ReadWholeFile(*plans_file);
    if (!text) return NotFound("response plans: cannot read " + *plans_file);
    out.text = std::move(*text);
  }
  auto plans = dispatch::ResponsePlans::Parse(out.text);
  if (!plans) {
    return Invalid("response plans: " + (plans_file ? *plans_file + ": " : std::string()) +
                   plans.error().message());
  }
  out.plans = std::move(*plans);
  for (const auto& code : format.IncidentTypes()) {
    if (!out.plans.Find(code)) {
      return Invalid(
          "format " + format.name() + " maps a call type to \"" + code +
          "\", which the response plans do not define; valid codes: " + out.plans.CodeList());
    }
  }
  for (const auto& t : format.UnitTypes()) {
    if (!out.plans.KnownUnitType(t)) {
      return Invalid(
          "format " + format.name() + " maps a unit type to \"" + t +
          "\", which the response plans do not define; valid types: " + out.plans.UnitTypeList());
    }
  }
  return out;
}

Result<std::vector<replay::Station>> LoadStations(const std::string& path,
                                                  const history::Format& format) {
  auto geojson = ReadWholeFile(path);
  if (!geojson) return NotFound("cannot read --stations " + path);
  std::vector<std::string> warnings;
  auto stations = replay::ReadStations(*geojson, format, warnings);
  if (!stations) return Invalid("--stations " + path + ": " + stations.error().message());
  for (const auto& w : warnings) Log(Level::kWarn, "replay.station_skipped", {{"message", w}});
  return stations;
}

Result<std::unique_ptr<routing::RoadNetwork>> OpenRoadNetwork(
    const std::optional<std::string>& graph, const std::optional<std::string>& osm) {
  std::string graph_file;
  std::optional<std::filesystem::path> temp;
  if (graph) {
    graph_file = *graph;
  } else if (osm) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "beacon-replay-XXXXXX").string();
    if (!::mkdtemp(tmpl.data()))
      return Status(Code::kUnavailable, "cannot create a temporary directory");
    temp = tmpl;
    graph_file = tmpl + "/replay.graph";
    // The import's own summary goes to stderr: stdout is the command's.
    std::streambuf* out = std::cout.rdbuf(std::cerr.rdbuf());
    int rc = ImportOsmCommand(*osm, graph_file, std::nullopt);
    std::cout.rdbuf(out);
    if (rc) {
      std::filesystem::remove_all(*temp);
      return Invalid("--osm " + *osm + ": the import failed (see above)");
    }
  } else {
    return Invalid("give the road graph: --graph FILE (from beacon import-osm) or --osm FILE");
  }
  auto network = routing::RoadNetwork::Open(graph_file);
  if (temp) std::filesystem::remove_all(*temp);
  if (!network) return Invalid("--graph " + graph_file + ": " + network.error().message());
  return network;
}

Result<std::unique_ptr<routing::RoadNetwork>> CalibratedNetwork(const routing::RoadNetwork& base,
                                                                const std::string& path) {
  auto model = calibrate::LoadModel(path);
  if (!model) return Invalid("--calibration " + model.error().message(), model.error().field());
  auto adj = calibrate::Adjustment(*model, base);
  if (!adj)
    return Invalid("--calibration " + path + ": " + adj.error().message(), adj.error().field());
  auto net = routing::RoadNetwork::Adjusted(base, *adj);
  if (!net) return Invalid("--calibration " + path + ": " + net.error().message());
  Log(Level::kInfo, "calibration.loaded",
      {{"file", path},
       {"fixed_s", model->fixed_s},
       {"default_factor", model->default_factor},
       {"road_classes", model->road_classes.size()},
       {"unit_homes", model->unit_homes.size()}});
  return net;
}

Result<TimeMs> ParsePeriodBound(const std::string& text, const history::Format& format,
                                const std::string& flag) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (text.size() == 10 && std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 &&
      m >= 1 && m <= 12 && d >= 1 && d <= 31) {
    return format.zone().ToUtc(history::CivilSeconds(y, m, d, 0, 0, 0));
  }
  if (auto t = ParseRfc3339(text)) return *t;
  return Invalid(flag + " " + text +
                 ": expected a date YYYY-MM-DD (midnight in the format's time zone) or an RFC "
                 "3339 time (2020-04-14T00:00:00-07:00)");
}

}  // namespace beacon::cli
