// Structural JSON comparison for tests: "does this server answer contain
// what was sent?". Header-only because tests/CMakeLists.txt builds only
// harness.cc into beacon_test_support. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace beacon::testing {

// True when every member of `part` is in `whole` with an equal value,
// recursing into objects; a null member of `part` also matches an absent
// one (the API drops optional fields sent as null). Numbers compare by
// value (90 == 90.0). On a mismatch `where` names the first differing path.
inline bool JsonContains(const nlohmann::json& whole, const nlohmann::json& part,
                         std::string* where, const std::string& path = "") {
  auto differ = [&](const std::string& at) {
    if (where) *where = at.empty() ? "(root)" : at;
    return false;
  };
  if (!part.is_object()) return whole == part || differ(path);
  if (!whole.is_object()) return differ(path);
  for (const auto& [key, value] : part.items()) {
    const std::string at = path.empty() ? key : path + "." + key;
    auto it = whole.find(key);
    if (it == whole.end()) {
      if (value.is_null()) continue;
      return differ(at);
    }
    if (!JsonContains(*it, value, where, at)) return false;
  }
  return true;
}

}  // namespace beacon::testing
