// A fraud report as the desk receives it (POST /api/v1/scam/reports; the
// body is specified in docs/api.md and docs/scam.md), read strictly, and
// the report prepared for linking: its identifiers normalised and those
// found in its text added with where they came from.
// Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "scam/extract.h"
#include "scam/identifiers.h"

namespace beacon::scam {

constexpr size_t kMaxText = 16 * 1024;   // bytes of a message or transcript
constexpr size_t kMaxIdentifiers = 100;  // given in one report
constexpr size_t kMaxBatch = 1000;       // reports in one POST reports:batch
constexpr size_t kMaxExternalId = 200;

inline constexpr std::string_view kChannels[] = {"phone", "sms",       "email",
                                                 "web",   "in_person", "other"};

struct Loss {
  double amount = 0;
  std::string currency;  // ISO 4217, upper case
};

// The reporter's own contact data: personal data, read only by the roles
// that may read callers' data, every read audited, never streamed.
struct Reporter {
  std::optional<std::string> name, phone, email;
  bool empty() const { return !name && !phone && !email; }
};

struct GivenIdentifier {
  Kind kind;
  std::string value;
};

struct ReportInput {
  std::string channel;
  std::optional<TimeMs> received_at;
  std::string text;
  std::vector<GivenIdentifier> identifiers;
  std::optional<Loss> loss;
  Reporter reporter;
  std::optional<std::string> external_id;
};

// Reads one report object; `path` prefixes field names in errors
// ("reports[3]"; "" for a single report).
Result<ReportInput> ReadReport(const nlohmann::json& j, const std::string& path);

// A report's identifier with its origin.
struct ReportIdentifier {
  Identifier id;
  bool from_text = false;
  bool spoken = false;
  size_t begin = 0, end = 0;  // span in the text when from_text
};

// The identifiers of a report: the given ones normalised (refusing those
// that cannot be what their kind says), then those found in the text.
// Distinct keys only (a given identifier wins over the same one in the
// text).
Result<std::vector<ReportIdentifier>> PrepareIdentifiers(const ReportInput& in, const Normaliser& n,
                                                         const std::string& path);

nlohmann::json ToJson(const ReportIdentifier& r);
ReportIdentifier ReportIdentifierFromJson(const nlohmann::json& j);  // throws json::exception

}  // namespace beacon::scam
