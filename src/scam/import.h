// Import of fraud reports from files: a small JSON mapping file says how a
// dataset's rows become report bodies (config/scam/formats/<name>.json; the
// format is specified in docs/scam.md), and ImportReader turns the file's
// bytes into those bodies row by row. Adding a dataset needs a mapping
// file, no C++.
//
// Readers: "csv" (RFC 4180 via history::CsvReader, with a header row) and
// "tsv" (one record per line, split on the first tab, no quoting, no
// header: columns are named by position in the mapping). Text that is not
// valid UTF-8 is repaired (bad bytes become U+FFFD) rather than refused.
// Pure; ImportFormat is immutable and thread-safe, ImportReader is not.
// Both read untrusted bytes (fuzzed in tests/fuzz/scam_import_fuzz.cc).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "history/csv_reader.h"
#include "history/format.h"
#include "history/time_zone.h"
#include "scam/identifiers.h"
#include "scam/report.h"

namespace beacon::scam {

class ImportFormat {
 public:
  static Result<ImportFormat> Parse(std::string_view json_text);

  const std::string& name() const { return name_; }
  const std::string& description() const { return description_; }
  // The region libphonenumber reads the file's phone columns in ("" : the
  // server's default region decides).
  const std::string& phone_region() const { return phone_region_; }

 private:
  friend class ImportReader;
  struct Column {
    std::string name;  // header name, or position name for tsv
  };
  struct IdentifierColumn {
    Kind kind;
    std::string column;
  };
  std::string name_, description_;
  bool tsv_ = false;
  std::vector<std::string> positions_;  // tsv column names
  std::string channel_;                 // constant, or ...
  std::string channel_column_;          // ... from a column (values as the API's)
  std::string text_column_;
  std::vector<IdentifierColumn> identifiers_;
  std::string received_column_;
  std::optional<history::TimestampFormat> received_format_;
  std::optional<history::TimeZoneRule> zone_;
  std::string external_column_, external_prefix_;
  bool external_from_line_ = false;
  std::string filter_column_;
  std::vector<std::string> filter_values_;  // lower case; compared case-insensitively
  std::string loss_amount_column_, loss_currency_column_, loss_currency_;
  std::string reporter_name_, reporter_phone_, reporter_email_;
  std::string phone_region_;
};

class ImportReader {
 public:
  // `text` must outlive the reader. `source` (the file's name) goes into
  // the external ids made from line numbers, so two files of one format
  // do not collide.
  ImportReader(const ImportFormat& format, std::string_view text, std::string source = "");

  enum class Result { kReport, kSkipped, kEnd };
  // kReport fills `report` (a POST /scam/reports body); kSkipped fills
  // `why` (a row filtered out by the mapping, or unreadable: the message
  // names the line and the column).
  Result Next(nlohmann::json& report, std::string& why);
  std::int64_t line() const { return line_; }
  // Bytes consumed, for progress.
  size_t offset() const;
  // After the first call to Next: the header has neither the text column
  // nor any identifier column (nothing can be read), and the columns the
  // mapping names that the header lacks (those fields stay empty).
  const std::string& header_error() const { return header_error_; }
  const std::vector<std::string>& missing_columns() const { return missing_; }

 private:
  const std::string* Field(const std::string& column) const;

  const ImportFormat& f_;
  std::string_view text_;
  history::CsvReader csv_;
  size_t tsv_pos_ = 0;
  bool header_done_ = false;
  std::string source_;
  std::string header_error_;
  std::vector<std::string> missing_;
  std::vector<std::string> header_;
  history::CsvRecord rec_;
  std::int64_t line_ = 0;
};

// `s` with every byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string RepairUtf8(std::string_view s);

}  // namespace beacon::scam
