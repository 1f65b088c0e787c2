// Fuzzes the anti-scam desk's import of datasets (src/scam/import.h): the
// mapping file reader on the bytes, and the CSV and TSV readers with small
// mappings that use every feature (filter, column channel, identifiers,
// timestamps, external ids from a column and from lines, loss, reporter).
// Invariants: every report is a JSON object that serialises (valid UTF-8),
// has a channel and a text or identifiers; RepairUtf8 is idempotent.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "scam/import.h"

namespace {

using namespace beacon::scam;

constexpr std::string_view kCsv = R"({
  "format": "fuzz-csv", "reader": "csv",
  "filter": {"column": "label", "values": ["spam", "smishing"]},
  "channel": {"column": "channel"}, "text": {"column": "text"},
  "identifiers": [{"kind": "phone", "column": "phone"}, {"kind": "url", "column": "url"}],
  "received_at": {"column": "when", "format": "%Y-%m-%d %H:%M:%S", "tz_rule": "EST5EDT,M3.2.0,M11.1.0"},
  "external_id": {"column": "id", "prefix": "f:"},
  "loss": {"amount_column": "amount", "currency_column": "currency"},
  "reporter": {"name": "name", "phone": "rphone", "email": "email"}
})";

constexpr std::string_view kTsv = R"({
  "format": "fuzz-tsv", "reader": "tsv", "columns": ["label", "text"],
  "filter": {"column": "label", "values": ["spam"]},
  "channel": "sms", "text": {"column": "text"},
  "external_id": {"line": true, "prefix": "t:"}
})";

void Check(const ImportFormat& f, std::string_view text) {
  ImportReader reader(f, text, "fuzz.csv");
  nlohmann::json report;
  std::string why;
  for (size_t guard = 0; guard <= text.size() + 2; ++guard) {
    auto r = reader.Next(report, why);
    if (r == ImportReader::Result::kEnd) return;
    if (reader.offset() > text.size() + 1) std::abort();
    if (r == ImportReader::Result::kSkipped) {
      if (why.empty()) std::abort();
      continue;
    }
    if (!report.is_object() || !report.contains("channel")) std::abort();
    if (!report.contains("text") && !report.contains("identifiers")) std::abort();
    (void)report.dump();  // throws on invalid UTF-8
  }
  std::abort();  // no progress
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const auto csv = ImportFormat::Parse(kCsv);
  static const auto tsv = ImportFormat::Parse(kTsv);
  if (!csv || !tsv) std::abort();
  Check(*csv, text);
  Check(*tsv, text);
  std::string repaired = RepairUtf8(text);
  if (RepairUtf8(repaired) != repaired) std::abort();
  auto f = ImportFormat::Parse(text);
  if (f) Check(*f, "a,b\n1,2\n");
  return 0;
}
