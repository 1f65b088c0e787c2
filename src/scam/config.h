// The desk's configuration file (config/scam/desk.json; specified in
// docs/scam.md): the default phone region, the centre's currency, the text
// linking parameters and the defaults of public warnings. Immutable after
// parsing; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "scam/minhash.h"

namespace beacon::scam {

struct DeskConfig {
  std::string default_region = "US";
  std::string currency = "USD";
  TextConfig text;
  int growth_window_days = 7;
  // Defaults of POST /scam/campaigns/{id}/warning: an object with
  // language, area ({description, polygon | circle}), expires_hours,
  // urgency, severity, certainty (see docs/scam.md).
  nlohmann::json warning = nlohmann::json::object();
  // The LSH candidate probability at the threshold, from bands and rows.
  double RecallAtThreshold() const;
};

Result<DeskConfig> ParseDeskConfig(std::string_view json_text);

}  // namespace beacon::scam
