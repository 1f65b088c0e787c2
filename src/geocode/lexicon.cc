#include "geocode/lexicon.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace beacon::geocode {

namespace {

using nlohmann::json;

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Letters that carry no combining mark to drop, spelled in ASCII.
const char* Spelled(UChar32 c) {
  switch (c) {
    case 0x00D8:  // Ø
    case 0x00F8:
      return "o";
    case 0x00C6:  // Æ
    case 0x00E6:
      return "ae";
    case 0x0152:  // Œ
    case 0x0153:
      return "oe";
    case 0x0141:  // Ł
    case 0x0142:
      return "l";
    case 0x0110:  // Đ
    case 0x0111:
    case 0x00D0:  // Ð
    case 0x00F0:
      return "d";
    case 0x00DE:  // Þ
    case 0x00FE:
      return "th";
    case 0x0131:  // dotless i
      return "i";
    case 0x2018:
    case 0x2019:
    case 0x201B:
    case 0x02BC:
    case 0x00B4:
    case 0x0060:
      return "'";
    case 0x201C:
    case 0x201D:
    case 0x201E:
      return "\"";
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
      return "-";
    default:
      return nullptr;
  }
}

bool WordByte(char c) {
  auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || u >= 0x80;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status FileError(size_t index, const std::string& language, const std::string& what) {
  return Invalid("geocode language file " +
                 (language.empty() ? "#" + std::to_string(index + 1) : "\"" + language + "\"") +
                 ": " + what);
}

}  // namespace

std::string Fold(std::string_view s) {
  if (IsAscii(s)) {
    std::string out(s);
    for (auto& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c == '`') c = '\'';
    }
    return out;
  }
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(err);
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(
      icu::StringPiece(s.data(), static_cast<std::int32_t>(std::min<size_t>(s.size(), 1 << 20))));
  icu::UnicodeString decomposed = U_SUCCESS(err) ? nfkd->normalize(in, err) : in;
  if (U_FAILURE(err)) decomposed = in;
  icu::UnicodeString kept;
  for (std::int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (u_charType(c) == U_NON_SPACING_MARK) continue;
    if (const char* spelled = Spelled(c)) {
      kept.append(icu::UnicodeString(spelled));
      continue;
    }
    kept.append(c);
  }
  kept.foldCase();
  std::string out;
  kept.toUTF8String(out);
  return out;
}

std::uint32_t Lexicon::Intern(const std::string& s) {
  auto [it, added] = canon_ids_.try_emplace(s, static_cast<std::uint32_t>(canon_.size()));
  if (added) {
    canon_.push_back(s);
    canon_class_.push_back(kPlain);
  }
  return it->second;
}

namespace {

// Folds and re-joins the words of a phrase with single spaces ("N. Sra." -> "n sra").
std::string PhraseKey(std::string_view text) {
  std::string folded = Fold(text), out, word;
  auto flush = [&] {
    if (word.empty()) return;
    if (!out.empty()) out += ' ';
    out += word;
    word.clear();
  };
  for (char c : folded) {
    if (c == '\'') continue;
    if (WordByte(c) || c == '&' || c == '/' || c == '@' || c == '#') {
      word += c;
    } else {
      flush();
    }
  }
  flush();
  return out;
}

size_t Words(const std::string& phrase) {
  return static_cast<size_t>(std::count(phrase.begin(), phrase.end(), ' ')) + 1;
}

}  // namespace

Status Lexicon::AddFile(std::string_view text, size_t index) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return FileError(index, "", "not a JSON object");
  std::string lang = j.value("language", "");
  if (lang.empty() || !j["language"].is_string()) {
    return FileError(index, "", "\"language\" must be a non-empty string");
  }
  languages_.push_back(lang);
  auto strings = [&](const json& v, const std::string& key) -> Result<std::vector<std::string>> {
    if (!v.is_array()) return FileError(index, lang, "\"" + key + "\" must be an array of strings");
    std::vector<std::string> out;
    for (const auto& e : v) {
      if (!e.is_string() || e.get<std::string>().empty()) {
        return FileError(index, lang, "\"" + key + "\" must hold non-empty strings");
      }
      std::string k = PhraseKey(e.get<std::string>());
      if (k.empty()) return FileError(index, lang, "\"" + key + "\" holds a word with no letters");
      out.push_back(std::move(k));
    }
    return out;
  };
  auto add_meaning = [&](const std::string& word, std::uint32_t id) {
    auto& m = meanings_[word];
    if (std::find(m.begin(), m.end(), id) == m.end()) m.push_back(id);
    max_phrase_words_ = std::max(max_phrase_words_, Words(word));
  };
  auto mapping = [&](const char* key) -> Status {
    auto it = j.find(key);
    if (it == j.end()) return Status::Ok();
    if (!it->is_object())
      return FileError(index, lang, std::string("\"") + key + "\" must be an object");
    for (const auto& [canonical, variants] : it->items()) {
      std::string c = PhraseKey(canonical);
      if (c.empty()) return FileError(index, lang, std::string("\"") + key + "\": empty key");
      std::uint32_t id = Intern(c);
      if (std::string(key) == "ordinals") {
        if (!AllDigits(c)) {
          return FileError(index, lang,
                           "\"ordinals\" keys must be numbers, got \"" + canonical + "\"");
        }
        canon_class_[id] |= kNumber;
      }
      add_meaning(c, id);
      auto vs = strings(variants, std::string(key) + "/" + canonical);
      if (!vs) return vs.error();
      for (const auto& v : *vs) add_meaning(v, id);
    }
    return Status::Ok();
  };
  BEACON_RETURN_IF_ERROR(mapping("words"));
  BEACON_RETURN_IF_ERROR(mapping("ordinals"));
  auto classes = [&](const char* key, WordClass cls) -> Status {
    auto it = j.find(key);
    if (it == j.end()) return Status::Ok();
    auto vs = strings(*it, key);
    if (!vs) return vs.error();
    for (const auto& v : *vs) {
      std::uint32_t id = Intern(v);
      canon_class_[id] |= cls;
      add_meaning(v, id);
    }
    return Status::Ok();
  };
  BEACON_RETURN_IF_ERROR(classes("types", kType));
  if (auto it = j.find("number_after_street"); it != j.end()) {
    if (!it->is_boolean())
      return FileError(index, lang, "\"number_after_street\" must be true or false");
    if (it->get<bool>() && j.contains("types")) {
      for (const auto& t : j["types"]) {
        if (t.is_string()) number_after_types_.push_back(Intern(PhraseKey(t.get<std::string>())));
      }
    }
  }
  BEACON_RETURN_IF_ERROR(classes("directions", kDirection));
  BEACON_RETURN_IF_ERROR(classes("stopwords", kStop));
  auto list = [&](const char* key, std::vector<std::string>& out) -> Status {
    auto it = j.find(key);
    if (it == j.end()) return Status::Ok();
    auto vs = strings(*it, key);
    if (!vs) return vs.error();
    for (auto& v : *vs) {
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
    }
    return Status::Ok();
  };
  BEACON_RETURN_IF_ERROR(list("ordinal_suffixes", ordinal_suffixes_));
  BEACON_RETURN_IF_ERROR(list("block", block_words_));
  BEACON_RETURN_IF_ERROR(list("number_prefixes", number_prefixes_));
  if (auto it = j.find("intersection"); it != j.end()) {
    if (!it->is_object()) return FileError(index, lang, "\"intersection\" must be an object");
    if (auto c = it->find("connectors"); c != it->end()) {
      auto vs = strings(*c, "intersection/connectors");
      if (!vs) return vs.error();
      for (auto& v : *vs) connectors_.push_back(std::move(v));
    }
    if (auto p = it->find("prefixes"); p != it->end()) {
      auto vs = strings(*p, "intersection/prefixes");
      if (!vs) return vs.error();
      for (auto& v : *vs) prefixes_.push_back(std::move(v));
    }
  }
  return Status::Ok();
}

Result<Lexicon> Lexicon::Parse(const std::vector<std::string_view>& files) {
  Lexicon lex;
  for (size_t i = 0; i < files.size(); ++i) BEACON_RETURN_IF_ERROR(lex.AddFile(files[i], i));
  // The symbols people write between two street names are connectors in
  // every language.
  for (const char* c : {"&", "/", "@"}) {
    if (std::find(lex.connectors_.begin(), lex.connectors_.end(), c) == lex.connectors_.end()) {
      lex.connectors_.push_back(c);
    }
  }
  std::sort(lex.prefixes_.begin(), lex.prefixes_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  lex.prefixes_.erase(std::unique(lex.prefixes_.begin(), lex.prefixes_.end()), lex.prefixes_.end());
  // Longer suffixes first ("ieme" before "e").
  std::sort(lex.ordinal_suffixes_.begin(), lex.ordinal_suffixes_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return lex;
}

const Lexicon& Lexicon::Builtin() {
  static const Lexicon lex = [] {
    auto l = Parse(BuiltinFiles());
    // The built-in files are checked by the unit tests; a bad one is a build defect.
    if (!l) std::abort();
    return std::move(*l);
  }();
  return lex;
}

Token Lexicon::MakeToken(std::string word) const {
  Token t;
  t.text = std::move(word);
  if (auto it = meanings_.find(t.text); it != meanings_.end()) t.canon = it->second;
  std::string_view w = t.text;
  // 19 and 19th mean the number 19 (ordinal suffixes of every language).
  size_t digits = 0;
  while (digits < w.size() && w[digits] >= '0' && w[digits] <= '9') ++digits;
  if (digits > 0 && digits <= 6) {
    std::string_view rest = w.substr(digits);
    bool ordinal = rest.empty() || std::find(ordinal_suffixes_.begin(), ordinal_suffixes_.end(),
                                             rest) != ordinal_suffixes_.end();
    if (ordinal) {
      std::string number(w.substr(0, digits));
      number.erase(0, std::min(number.find_first_not_of('0'), number.size() - 1));
      auto it = canon_ids_.find(number);
      if (it != canon_ids_.end()) {
        if (std::find(t.canon.begin(), t.canon.end(), it->second) == t.canon.end()) {
          t.canon.push_back(it->second);
        }
      } else {
        // A number no language file names: the bare digits are its meaning.
        t.text = number;
      }
      t.cls |= kNumber;
    }
  }
  for (auto id : t.canon) t.cls |= canon_class_[id];
  return t;
}

std::vector<Token> Lexicon::Tokenize(std::string_view folded) const {
  std::vector<std::string> words;
  std::string word;
  for (char c : folded) {
    if (c == '\'') continue;
    if (WordByte(c)) {
      word += c;
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  std::vector<Token> out;
  out.reserve(words.size());
  for (size_t i = 0; i < words.size();) {
    size_t taken = 1;
    for (size_t n = std::min(max_phrase_words_, words.size() - i); n >= 2; --n) {
      std::string phrase = words[i];
      for (size_t k = 1; k < n; ++k) phrase += ' ' + words[i + k];
      if (meanings_.count(phrase)) {
        out.push_back(MakeToken(std::move(phrase)));
        taken = n;
        break;
      }
    }
    if (taken == 1) out.push_back(MakeToken(words[i]));
    i += taken;
  }
  return out;
}

bool Lexicon::SameMeaning(const Token& a, const Token& b) {
  if (a.text == b.text) return true;
  for (auto x : a.canon) {
    for (auto y : b.canon) {
      if (x == y) return true;
    }
  }
  return false;
}

bool Lexicon::NumberAfterStreet(const Token& first) const {
  for (auto c : first.canon) {
    if (std::find(number_after_types_.begin(), number_after_types_.end(), c) !=
        number_after_types_.end()) {
      return true;
    }
  }
  return false;
}

bool Lexicon::IsBlockWord(std::string_view w) const {
  return std::find(block_words_.begin(), block_words_.end(), w) != block_words_.end();
}
bool Lexicon::IsConnector(std::string_view w) const {
  return std::find(connectors_.begin(), connectors_.end(), w) != connectors_.end();
}
bool Lexicon::IsNumberPrefix(std::string_view w) const {
  return std::find(number_prefixes_.begin(), number_prefixes_.end(), w) != number_prefixes_.end();
}

int EditDistance(std::string_view a, std::string_view b, int limit) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  if (std::abs(n - m) > limit) return limit + 1;
  if (n == 0 || m == 0) return std::max(n, m);
  // Three rows of the optimal-string-alignment table.
  std::vector<int> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (int j = 0; j <= m; ++j) prev[j] = j;
  for (int i = 1; i <= n; ++i) {
    cur[0] = i;
    int row_min = cur[0];
    for (int j = 1; j <= m; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        v = std::min(v, prev2[j - 2] + 1);
      }
      cur[j] = v;
      row_min = std::min(row_min, v);
    }
    if (row_min > limit) return limit + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return std::min(prev[m], limit + 1);
}

int AllowedTypos(size_t length) {
  if (length <= 3) return 0;
  if (length <= 7) return 1;
  return 2;
}

}  // namespace beacon::geocode
