// The calibration file that `beacon calibrate` writes and `serve` and
// `replay --calibration` read: the travel-time model (a fixed time and a
// speed factor per road class) and the unit homes learnt from history.
// Versioned JSON, specified in docs/calibration.md; a file that is not
// exactly right (version, a factor that is not a finite number within its
// bounds, a road class the graph does not have...) is refused with a
// message naming the key. Value types; thread-safe to share once built.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "routing/road_network.h"

namespace beacon::calibrate {

inline constexpr int kModelVersion = 1;
inline constexpr std::string_view kModelFormat = "beacon-calibration";
// Bounds every factor and the fixed term must respect (the fit's defaults).
inline constexpr double kFactorMin = 0.5;
inline constexpr double kFactorMax = 3.0;
inline constexpr double kFixedMaxS = 300;

struct RoadClassFactor {
  double factor = 1;
  std::int64_t support = 0;
  bool fitted = false;
};

struct UnitHome {
  std::string station;  // station number, as in the format's mapping
  std::int64_t responses = 0;
  double share = 0;    // of the unit's responses from that station area
  std::string source;  // "unit_id" or "station_area"
};

struct Model {
  double fixed_s = 0;
  double default_factor = 1;  // road classes without an entry
  std::map<std::string, RoadClassFactor> road_classes;
  std::map<std::string, UnitHome> unit_homes;  // unit id -> home
  std::string profile_hash;                    // hex; empty when unknown
  // Everything else `calibrate` reports (source, period, cross-validation,
  // sample counts): written for people, not read back.
  nlohmann::json info = nlohmann::json::object();
};

Result<Model> ParseModel(std::string_view json_text);
// Errors name the file.
Result<Model> LoadModel(const std::string& path);
std::string ModelToJson(const Model& model);

// What the model does to `network`'s travel times: kInvalid when it names a
// road class the graph does not have, or the graph has no road classes and
// the model has per-class factors, or it was fitted with another routing
// profile.
Result<routing::EtaAdjustment> Adjustment(const Model& model, const routing::RoadNetwork& network);

}  // namespace beacon::calibrate
