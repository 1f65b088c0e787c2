// Structured logging: one JSON object per line on stderr. Thread-safe.
//
//   Log(Level::kInfo, "listening", {{"address", addr}, {"port", port}});
//   -> {"time":"2026-...Z","level":"info","event":"listening","address":...}
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace beacon {

enum class Level { kDebug, kInfo, kWarn, kError };

void SetLogLevel(Level level);
// Parses "debug" | "info" | "warn" | "error"; false for anything else.
bool ParseLogLevel(std::string_view text, Level& out);
void Log(Level level, std::string_view event, nlohmann::json fields = nlohmann::json::object());

}  // namespace beacon
