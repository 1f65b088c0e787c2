#include "scam/import.h"

#include <algorithm>
#include <cctype>

namespace beacon::scam {
namespace {

using nlohmann::json;

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string TrimCopy(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// A column reference in the mapping: {"column": "Name"} or "Name".
Result<std::string> ColumnOf(const json& j, const std::string& field) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.contains("column") && j["column"].is_string()) {
    return j["column"].get<std::string>();
  }
  return Invalid("format file: " + field + " must name a column ({\"column\": \"...\"})", field);
}

}  // namespace

std::string RepairUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    }
    if (ok && len > 1) {
      // Overlong forms, surrogates and code points past U+10FFFF.
      unsigned cp = len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
      for (size_t k = 1; k < len; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
      ok = !((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
             (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF);
    }
    if (ok && c != 0) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

Result<ImportFormat> ImportFormat::Parse(std::string_view json_text) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Invalid("format file: not a JSON object");
  ImportFormat f;
  try {
    f.name_ = j.value("format", std::string());
    if (f.name_.empty()) return Invalid("format file: \"format\" (its name) is required", "format");
    f.description_ = j.value("description", std::string());
    std::string reader = j.value("reader", std::string("csv"));
    if (reader != "csv" && reader != "tsv") {
      return Invalid("format file: reader must be csv or tsv", "reader");
    }
    f.tsv_ = reader == "tsv";
    if (f.tsv_) {
      if (!j.contains("columns") || !j["columns"].is_array() || j["columns"].empty()) {
        return Invalid("format file: a tsv reader needs \"columns\" (names by position)",
                       "columns");
      }
      f.positions_ = j["columns"].get<std::vector<std::string>>();
    }
    if (!j.contains("channel")) return Invalid("format file: channel is required", "channel");
    if (j["channel"].is_string()) {
      f.channel_ = j["channel"].get<std::string>();
      if (std::find(std::begin(kChannels), std::end(kChannels), f.channel_) ==
          std::end(kChannels)) {
        return Invalid("format file: channel must be phone, sms, email, web, in_person or other",
                       "channel");
      }
    } else {
      auto c = ColumnOf(j["channel"], "channel");
      if (!c) return c.error();
      f.channel_column_ = *c;
    }
    if (j.contains("text")) {
      auto c = ColumnOf(j["text"], "text");
      if (!c) return c.error();
      f.text_column_ = *c;
    }
    if (j.contains("identifiers")) {
      const json& ids = j["identifiers"];
      if (!ids.is_array())
        return Invalid("format file: identifiers must be an array", "identifiers");
      for (size_t i = 0; i < ids.size(); ++i) {
        std::string field = "identifiers[" + std::to_string(i) + "]";
        if (!ids[i].is_object() || !ids[i].contains("kind")) {
          return Invalid("format file: " + field + " needs kind and column", field);
        }
        auto kind = ParseKind(ids[i]["kind"].get<std::string>());
        if (!kind) return Invalid("format file: " + field + ".kind is not a kind", field);
        auto c = ColumnOf(ids[i], field);
        if (!c) return c.error();
        f.identifiers_.push_back({*kind, *c});
      }
    }
    if (j.contains("received_at")) {
      const json& r = j["received_at"];
      auto c = ColumnOf(r, "received_at");
      if (!c) return c.error();
      f.received_column_ = *c;
      auto tf = history::TimestampFormat::Parse(r.value("format", std::string()));
      if (!tf) return Invalid("format file: received_at.format: " + tf.error().message());
      f.received_format_ = *tf;
      auto z = history::TimeZoneRule::Parse(r.value("tz_rule", std::string("UTC0")));
      if (!z) return Invalid("format file: received_at.tz_rule: " + z.error().message());
      f.zone_ = *z;
    }
    if (j.contains("external_id")) {
      const json& e = j["external_id"];
      f.external_prefix_ = e.value("prefix", std::string());
      if (e.value("line", false)) {
        f.external_from_line_ = true;
      } else {
        auto c = ColumnOf(e, "external_id");
        if (!c) return c.error();
        f.external_column_ = *c;
      }
    }
    if (j.contains("filter")) {
      const json& fl = j["filter"];
      auto c = ColumnOf(fl, "filter");
      if (!c) return c.error();
      f.filter_column_ = *c;
      for (const auto& v : fl.at("values"))
        f.filter_values_.push_back(LowerAscii(v.get<std::string>()));
    }
    if (j.contains("loss")) {
      const json& l = j["loss"];
      f.loss_amount_column_ = l.at("amount_column").get<std::string>();
      f.loss_currency_column_ = l.value("currency_column", std::string());
      f.loss_currency_ = l.value("currency", std::string());
    }
    if (j.contains("reporter")) {
      const json& r = j["reporter"];
      f.reporter_name_ = r.value("name", std::string());
      f.reporter_phone_ = r.value("phone", std::string());
      f.reporter_email_ = r.value("email", std::string());
    }
    f.phone_region_ = j.value("phone_region", std::string());
  } catch (const json::exception& e) {
    return Invalid(std::string("format file: ") + e.what());
  }
  if (f.text_column_.empty() && f.identifiers_.empty()) {
    return Invalid("format file: map a text column or at least one identifier column");
  }
  return f;
}

ImportReader::ImportReader(const ImportFormat& format, std::string_view text, std::string source)
    : f_(format), text_(text), csv_(text), source_(std::move(source)) {}

size_t ImportReader::offset() const { return f_.tsv_ ? tsv_pos_ : csv_.offset(); }

const std::string* ImportReader::Field(const std::string& column) const {
  if (column.empty()) return nullptr;
  const auto& names = f_.tsv_ ? f_.positions_ : header_;
  for (size_t i = 0; i < names.size() && i < rec_.fields.size(); ++i) {
    if (names[i] == column) return &rec_.fields[i];
  }
  return nullptr;
}

ImportReader::Result ImportReader::Next(json& report, std::string& why) {
  std::string err;
  for (;;) {
    if (f_.tsv_) {
      if (tsv_pos_ >= text_.size()) return Result::kEnd;
      size_t end = text_.find('\n', tsv_pos_);
      if (end == std::string_view::npos) end = text_.size();
      std::string_view l = text_.substr(tsv_pos_, end - tsv_pos_);
      tsv_pos_ = end + 1;
      ++line_;
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      if (l.empty()) continue;
      rec_.fields.clear();
      rec_.line = line_;
      // Split on the first tabs only: the last column keeps the rest.
      for (size_t k = 0; k + 1 < f_.positions_.size(); ++k) {
        size_t tab = l.find('\t');
        if (tab == std::string_view::npos) break;
        rec_.fields.emplace_back(l.substr(0, tab));
        l.remove_prefix(tab + 1);
      }
      rec_.fields.emplace_back(l);
    } else {
      auto r = csv_.Next(rec_, err);
      if (r == history::CsvReader::Result::kEnd) return Result::kEnd;
      line_ = rec_.line;
      if (r == history::CsvReader::Result::kError) {
        why = err;
        return Result::kSkipped;
      }
      if (!header_done_) {
        header_done_ = true;
        header_ = rec_.fields;
        if (!header_.empty() && header_[0].rfind("\xEF\xBB\xBF", 0) == 0) header_[0].erase(0, 3);
        std::vector<std::string> needed = {f_.channel_column_,       f_.text_column_,
                                           f_.received_column_,      f_.external_column_,
                                           f_.filter_column_,        f_.loss_amount_column_,
                                           f_.loss_currency_column_, f_.reporter_name_,
                                           f_.reporter_phone_,       f_.reporter_email_};
        bool readable = false;
        auto has = [&](const std::string& n) {
          return std::find(header_.begin(), header_.end(), n) != header_.end();
        };
        for (const auto& id : f_.identifiers_) {
          needed.push_back(id.column);
          readable = readable || has(id.column);
        }
        readable = readable || (!f_.text_column_.empty() && has(f_.text_column_));
        for (const auto& n : needed) {
          if (!n.empty() && !has(n)) missing_.push_back(n);
        }
        if (!readable) {
          header_error_ =
              "the header has neither the text column nor an identifier column of "
              "the mapping " +
              f_.name_;
          return Result::kEnd;
        }
        continue;
      }
    }
    std::string at = "line " + std::to_string(line_);
    if (!f_.filter_column_.empty()) {
      const std::string* v = Field(f_.filter_column_);
      if (!v || std::find(f_.filter_values_.begin(), f_.filter_values_.end(),
                          LowerAscii(TrimCopy(*v))) == f_.filter_values_.end()) {
        why = at + ": filtered out (" + f_.filter_column_ + " = \"" +
              (v ? RepairUtf8(v->substr(0, 40)) : std::string()) + "\")";
        return Result::kSkipped;
      }
    }
    report = json::object();
    if (!f_.channel_.empty()) {
      report["channel"] = f_.channel_;
    } else {
      const std::string* v = Field(f_.channel_column_);
      report["channel"] = v ? RepairUtf8(LowerAscii(TrimCopy(*v)).substr(0, 40)) : std::string();
    }
    if (const std::string* v = Field(f_.text_column_); v && !TrimCopy(*v).empty()) {
      std::string t = RepairUtf8(TrimCopy(*v));
      if (t.size() > 16 * 1024) t.resize(16 * 1024);
      report["text"] = RepairUtf8(t);  // a cut may split a character
    }
    json ids = json::array();
    for (const auto& id : f_.identifiers_) {
      const std::string* v = Field(id.column);
      if (!v) continue;
      std::string value = TrimCopy(*v);
      if (value.empty()) continue;
      ids.push_back({{"kind", ToString(id.kind)}, {"value", RepairUtf8(value)}});
    }
    if (!ids.empty()) report["identifiers"] = std::move(ids);
    if (!report.contains("text") && !report.contains("identifiers")) {
      why = at + ": no text and no identifier";
      return Result::kSkipped;
    }
    if (f_.received_format_) {
      const std::string* v = Field(f_.received_column_);
      std::string s = v ? TrimCopy(*v) : std::string();
      if (!s.empty()) {
        auto local = f_.received_format_->Read(s);
        if (!local) {
          why = at + ": " + f_.received_column_ + " \"" + RepairUtf8(s.substr(0, 40)) +
                "\" does not match " + f_.received_format_->pattern();
          return Result::kSkipped;
        }
        report["received_at"] = FormatRfc3339(f_.zone_->ToUtc(*local));
      }
    }
    if (f_.external_from_line_) {
      report["external_id"] = RepairUtf8(
          f_.external_prefix_ + (source_.empty() ? "" : source_ + ":") + std::to_string(line_));
    } else if (const std::string* v = Field(f_.external_column_); v && !TrimCopy(*v).empty()) {
      report["external_id"] = RepairUtf8(f_.external_prefix_ + TrimCopy(*v).substr(0, 150));
    }
    if (const std::string* v = Field(f_.loss_amount_column_); v && !TrimCopy(*v).empty()) {
      std::string s = TrimCopy(*v);
      char* endp = nullptr;
      double amount = std::strtod(s.c_str(), &endp);
      std::string currency = f_.loss_currency_;
      if (const std::string* c = Field(f_.loss_currency_column_); c && !TrimCopy(*c).empty()) {
        currency = TrimCopy(*c);
        for (auto& ch : currency)
          ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      }
      bool iso = currency.size() == 3 && std::all_of(currency.begin(), currency.end(), [](char ch) {
                   return ch >= 'A' && ch <= 'Z';
                 });
      if (endp == s.c_str() || *endp != '\0' || !(amount >= 0) || !iso) {
        why =
            at + ": loss \"" + RepairUtf8(s.substr(0, 40)) + "\" is not an amount with a currency";
        return Result::kSkipped;
      }
      report["loss"] = {{"amount", amount}, {"currency", currency}};
    }
    json reporter = json::object();
    if (const std::string* v = Field(f_.reporter_name_); v && !TrimCopy(*v).empty()) {
      reporter["name"] = RepairUtf8(TrimCopy(*v).substr(0, 200));
    }
    if (const std::string* v = Field(f_.reporter_phone_); v && !TrimCopy(*v).empty()) {
      reporter["phone"] = RepairUtf8(TrimCopy(*v).substr(0, 32));
    }
    if (const std::string* v = Field(f_.reporter_email_); v && !TrimCopy(*v).empty()) {
      reporter["email"] = RepairUtf8(TrimCopy(*v).substr(0, 254));
    }
    if (!reporter.empty()) report["reporter"] = std::move(reporter);
    return Result::kReport;
  }
}

}  // namespace beacon::scam
