// CsvReader: RFC 4180 records from text held in memory. Pure; reads untrusted
// bytes (fuzzed in tests/fuzz/csv_fuzz.cc).
//
// - Fields are separated by commas, records by LF or CRLF (a lone CR inside
//   an unquoted field is kept as data).
// - A field that starts with `"` is quoted: it may hold commas, newlines and
//   `""` (one quote). Text after its closing quote other than a separator or
//   the end of the record is an error.
// - A `"` inside an unquoted field is kept as data (exports often do this).
// - A UTF-8 byte-order mark at the start is skipped; empty lines are skipped.
// - A quoted field still open at the end of the input (a truncated last
//   record) is an error naming the line it started on.
// After an error the reader resumes at the next line, so one bad record
// never stops the rest. Line numbers count physical lines from 1, so they
// match what an editor shows. The text must outlive the reader.
// Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace beacon::history {

struct CsvRecord {
  std::vector<std::string> fields;
  std::int64_t line = 0;  // physical line the record starts on
};

class CsvReader {
 public:
  enum class Result { kRecord, kError, kEnd };

  explicit CsvReader(std::string_view text);

  // kRecord fills `out`; kError sets `error` (with its line) and skips to
  // the next line; kEnd at the end of the input. `out` keeps its capacity
  // between calls so that a loop allocates little.
  Result Next(CsvRecord& out, std::string& error);
  // Physical line of the next byte to read (for progress and messages).
  std::int64_t line() const { return line_; }
  // Bytes consumed so far.
  std::size_t offset() const { return pos_; }

 private:
  void SkipToNextLine();

  std::string_view text_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 1;
};

}  // namespace beacon::history
