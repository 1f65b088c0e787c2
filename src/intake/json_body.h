// JsonBody: strict reading of a JSON request body into typed fields.
// Every failure is a Status naming the offending field as a JSON path, with
// kMalformed for syntax and wrong types and kInvalid for values that are
// well-formed but not acceptable (out of range, unknown field, too long).
// Pure; not thread-safe (one instance per request).
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/geo.h"
#include "common/status.h"

namespace beacon::intake {

constexpr size_t kMaxNestingDepth = 32;

class JsonObject {
 public:
  // `path` is the prefix used in field names ("" for the top level).
  JsonObject(const nlohmann::json& j, std::string path) : j_(j), path_(std::move(path)) {}

  // Refuses any key not in `allowed`.
  Status OnlyKeys(std::initializer_list<std::string_view> allowed) const;

  Result<std::optional<std::string>> OptString(std::string_view key, size_t max_bytes) const;
  Result<std::string> String(std::string_view key, size_t max_bytes) const;
  Result<std::optional<double>> OptNumber(std::string_view key) const;
  Result<double> Number(std::string_view key) const;
  Result<std::optional<JsonObject>> OptObject(std::string_view key) const;
  const nlohmann::json* Find(std::string_view key) const;

  std::string Field(std::string_view key) const;
  const nlohmann::json& raw() const { return j_; }

 private:
  const nlohmann::json& j_;
  std::string path_;
};

// "null", "a boolean", "a string", "an array", "an object" or "a number",
// for error messages ("must be a string, got a number").
const char* JsonTypeName(const nlohmann::json& j);

// Parses `body` as a JSON object. Refuses syntax errors, invalid UTF-8,
// nesting deeper than kMaxNestingDepth and non-object top levels.
Result<nlohmann::json> ParseObject(std::string_view body);

// Reads {lat, lon} at `obj` with range checks; `path` names it in errors.
Result<LatLon> ReadLatLon(const JsonObject& obj);

// Identifiers chosen by people (unit call signs, station ids, user names):
// 1-32 characters of [A-Za-z0-9_.-].
bool ValidIdentifier(std::string_view id);

}  // namespace beacon::intake
