#include "history/csv_reader.h"

namespace beacon::history {

CsvReader::CsvReader(std::string_view text) : text_(text) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

void CsvReader::SkipToNextLine() {
  while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  if (pos_ < text_.size()) {
    ++pos_;
    ++line_;
  }
}

CsvReader::Result CsvReader::Next(CsvRecord& out, std::string& error) {
  // Skip empty lines (LF or CRLF alone).
  while (pos_ < text_.size()) {
    if (text_[pos_] == '\n') {
      ++pos_;
      ++line_;
    } else if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
      pos_ += 2;
      ++line_;
    } else {
      break;
    }
  }
  if (pos_ >= text_.size()) return Result::kEnd;

  out.line = line_;
  std::size_t n = 0;  // fields filled; out.fields keeps its strings' capacity
  auto next_field = [&]() -> std::string& {
    if (n == out.fields.size()) out.fields.emplace_back();
    std::string& f = out.fields[n++];
    f.clear();
    return f;
  };
  const std::size_t size = text_.size();
  for (;;) {
    std::string& field = next_field();
    if (pos_ < size && text_[pos_] == '"') {
      // Quoted field.
      const std::int64_t opened_on = line_;
      ++pos_;
      for (;;) {
        if (pos_ >= size) {
          error = "line " + std::to_string(opened_on) + ": quoted field " + std::to_string(n) +
                  " is not closed before the end of the file (truncated last record?)";
          out.fields.resize(n);
          return Result::kError;
        }
        // Copy the run up to the next quote in one go.
        std::size_t q = text_.find('"', pos_);
        if (q == std::string_view::npos) q = size;
        for (std::size_t i = pos_; i < q; ++i) line_ += text_[i] == '\n';
        field.append(text_.data() + pos_, q - pos_);
        pos_ = q;
        if (pos_ >= size) continue;
        if (pos_ + 1 < size && text_[pos_ + 1] == '"') {
          field.push_back('"');
          pos_ += 2;
          continue;
        }
        ++pos_;  // closing quote
        break;
      }
      if (pos_ >= size) break;
      char c = text_[pos_];
      if (c == ',') {
        ++pos_;
        continue;
      }
      if (c == '\n') {
        ++pos_;
        ++line_;
        break;
      }
      if (c == '\r' && pos_ + 1 < size && text_[pos_ + 1] == '\n') {
        pos_ += 2;
        ++line_;
        break;
      }
      error = "line " + std::to_string(line_) +
              ": unexpected character after the closing quote of field " + std::to_string(n) +
              " (a quote inside a quoted field must be doubled)";
      out.fields.resize(n);
      SkipToNextLine();
      return Result::kError;
    }
    // Unquoted field: up to a comma or the end of the record.
    std::size_t start = pos_;
    while (pos_ < size) {
      char c = text_[pos_];
      if (c == ',' || c == '\n') break;
      if (c == '\r' && pos_ + 1 < size && text_[pos_ + 1] == '\n') break;
      ++pos_;
    }
    field.assign(text_.data() + start, pos_ - start);
    if (pos_ >= size) break;
    char c = text_[pos_];
    if (c == ',') {
      ++pos_;
      if (pos_ >= size) {
        next_field();  // a trailing comma ends with an empty field
        break;
      }
      continue;
    }
    pos_ += c == '\r' ? 2 : 1;
    ++line_;
    break;
  }
  out.fields.resize(n);
  return Result::kRecord;
}

}  // namespace beacon::history
