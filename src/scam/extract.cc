#include "scam/extract.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>

#include "scam/checksums.h"

namespace beacon::scam {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Token boundaries for URLs, e-mails, wallets and IBANs.
bool Separator(char c) {
  auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || c == '<' || c == '>' || c == '"' || c == '\'' || c == '(' || c == ')' ||
         c == '{' || c == '}' || c == '|' || c == '\\' || c == '^' || c == '`' || u == 0x7f;
}

bool TrailingPunct(char c) {
  return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == ']' ||
         c == '*';
}

struct Span {
  size_t begin, end;
};

bool Overlaps(const std::vector<Span>& covered, size_t b, size_t e) {
  return std::any_of(covered.begin(), covered.end(),
                     [&](const Span& s) { return b < s.end && s.begin < e; });
}

bool StartsWithNoCase(std::string_view s, std::string_view p) {
  if (s.size() < p.size()) return false;
  for (size_t i = 0; i < p.size(); ++i) {
    if (Lower(s[i]) != p[i]) return false;
  }
  return true;
}

// A bare "host/path" without scheme or www is taken only when the host
// ends in a known public suffix and looks like one: a path, or a short
// top-level domain, so that "now.Call" in a sentence is not a URL.
bool LooksLikeBareUrl(std::string_view token, const Normaliser& n) {
  size_t host_end = token.find_first_of("/?#");
  std::string_view host = token.substr(0, host_end);
  if (host.find('@') != std::string_view::npos || host.find('.') == std::string_view::npos) {
    return false;
  }
  size_t dot = host.rfind('.');
  std::string_view tld = host.substr(dot + 1);
  std::string_view first = host.substr(0, host.find('.'));
  if (first.size() < 2 || tld.size() < 2) return false;
  if (!std::all_of(host.begin(), host.end(),
                   [](char c) { return IsAlnum(c) || c == '.' || c == '-'; })) {
    return false;
  }
  bool lower_tld = std::all_of(tld.begin(), tld.end(), [](char c) { return c >= 'a' && c <= 'z'; });
  bool upper_tld = std::all_of(tld.begin(), tld.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  if (!lower_tld && !upper_tld) return false;
  bool path = host_end != std::string_view::npos && host_end + 1 < token.size();
  if (!path && tld.size() > 3) return false;
  return n.KnownSuffix(host);
}

void TokenIdentifiers(std::string_view text, const Normaliser& n, std::vector<Extracted>& out,
                      std::vector<Span>& covered) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && Separator(text[i])) ++i;
    size_t j = i;
    while (j < text.size() && !Separator(text[j])) ++j;
    size_t b = i, e = j;
    i = j;
    while (b < e && (text[b] == '[' || text[b] == '*')) ++b;
    while (e > b && TrailingPunct(text[e - 1])) {
      // "example[.]com" keeps its bracket; a closing one after text does not.
      if (text[e - 1] == ']' && e - b >= 3 && text.substr(e - 3, 3) == "[.]") break;
      --e;
    }
    if (e - b < 4 || e - b > 2048) continue;
    std::string_view t = text.substr(b, e - b);
    auto add = [&](Identifier id) {
      out.push_back({std::move(id), b, e, false});
      covered.push_back({b, e});
    };
    if (t.find('@') != std::string_view::npos && !StartsWithNoCase(t, "http")) {
      if (auto id = n.Email(t, "")) add(std::move(*id));
      continue;
    }
    bool scheme = StartsWithNoCase(t, "http://") || StartsWithNoCase(t, "https://") ||
                  StartsWithNoCase(t, "hxxp://") || StartsWithNoCase(t, "hxxps://") ||
                  StartsWithNoCase(t, "www.");
    if (scheme || LooksLikeBareUrl(t, n) || t.find("[.]") != std::string_view::npos) {
      if (auto ids = n.Url(t, "")) {
        for (auto& id : *ids) out.push_back({std::move(id), b, e, false});
        covered.push_back({b, e});
      }
      continue;
    }
    if (auto w = n.CheckedWallet(t)) {
      add(std::move(*w));
      continue;
    }
  }
}

// IBANs, also written in groups of four ("GB82 WEST 1234 5698 7654 32").
void Ibans(std::string_view text, std::vector<Extracted>& out, std::vector<Span>& covered) {
  for (size_t i = 0; i + 4 <= text.size(); ++i) {
    if (i > 0 && IsAlnum(text[i - 1])) continue;
    if (!(std::isupper(static_cast<unsigned char>(text[i])) &&
          std::isupper(static_cast<unsigned char>(text[i + 1])) && IsDigit(text[i + 2]) &&
          IsDigit(text[i + 3]))) {
      continue;
    }
    std::string compact;
    std::vector<size_t> ends;  // text offset after each character taken
    size_t j = i;
    while (j < text.size() && compact.size() < 34) {
      if (IsAlnum(text[j])) {
        compact += text[j];
        ends.push_back(j + 1);
        ++j;
      } else if (text[j] == ' ' && j + 1 < text.size() && IsAlnum(text[j + 1])) {
        ++j;
      } else {
        break;
      }
    }
    for (size_t len = compact.size(); len >= 15; --len) {
      // Only at a word end: never cut a group in the middle.
      size_t end = ends[len - 1];
      if (end < text.size() && IsAlnum(text[end])) continue;
      auto r = CheckIban(compact.substr(0, len));
      if (r.error.empty() && !Overlaps(covered, i, end)) {
        Identifier id;
        id.kind = Kind::kIban;
        id.value = r.iban;
        out.push_back({std::move(id), i, end, false});
        covered.push_back({i, end});
        i = end;
        break;
      }
    }
  }
}

bool CurrencyBefore(std::string_view text, size_t i) {
  if (i == 0) return false;
  char p = text[i - 1];
  if (p == '$') return true;
  if (i >= 2 && static_cast<unsigned char>(text[i - 2]) == 0xC2 &&
      static_cast<unsigned char>(p) == 0xA3) {
    return true;  // £
  }
  if (i >= 3 && text.substr(i - 3, 3) == "\xE2\x82\xAC") return true;  // €
  return false;
}

// Numbers written with digits and separators.
void WrittenNumbers(std::string_view text, const Normaliser& n, std::vector<Extracted>& out,
                    std::vector<Span>& covered) {
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    bool start =
        IsDigit(c) || ((c == '+' || c == '(') && i + 1 < text.size() && IsDigit(text[i + 1]));
    if (!start || (i > 0 && (IsAlnum(text[i - 1]) || text[i - 1] == '.' || text[i - 1] == ',')) ||
        CurrencyBefore(text, i)) {
      ++i;
      continue;
    }
    // The run: digits with single separators (") " and " (" count as one).
    size_t j = i, last = i;
    int digits = 0, seps = 0;
    bool broken = false;
    std::vector<size_t> chunk_ends;  // after each whitespace-separated chunk
    while (j < text.size()) {
      char d = text[j];
      if (IsDigit(d)) {
        if (seps > 0 && digits > 0) broken = true;  // a separator between digits
        ++digits;
        last = j + 1;
        seps = 0;
      } else if (d == ' ' || d == '-' || d == '.' || d == '(' || d == ')' || d == '/' ||
                 (d == '+' && j == i)) {
        if (d != '+' && ++seps > 2) break;
        if (d == ' ' && seps == 1 && j > i && IsDigit(text[j - 1])) chunk_ends.push_back(last);
      } else {
        break;
      }
      if (digits > 40) break;
      ++j;
    }
    size_t end = last;
    // "1,537.35" and decimals: a run that ends in ".NN" or is followed by a
    // comma and digits is money, not a number to call.
    bool money =
        end < text.size() && text[end] == ',' && end + 1 < text.size() && IsDigit(text[end + 1]);
    if (money || Overlaps(covered, i, end) || digits < 7) {
      i = std::max(end, i + 1);
      continue;
    }
    std::string_view run = text.substr(i, end - i);
    std::optional<Identifier> id;
    size_t taken = end;
    if (digits <= 15) id = n.ValidPhone(run);
    if (!id && broken) {
      // Two numbers side by side: the longest first chunks that validate.
      for (auto it = chunk_ends.rbegin(); it != chunk_ends.rend() && !id; ++it) {
        id = n.ValidPhone(text.substr(i, *it - i));
        if (id) taken = *it;
      }
    }
    if (!id && !broken && digits >= 10 && digits <= 15) {
      Identifier raw;
      raw.kind = Kind::kPhone;
      raw.value = std::string(run);
      raw.valid = false;
      raw.note = "not a valid number in region " + n.default_region();
      id = std::move(raw);
    }
    if (id) {
      out.push_back({std::move(*id), i, taken, false});
      covered.push_back({i, taken});
      i = taken;
    } else {
      i = std::max(end, i + 1);
    }
  }
}

// One word of a spoken number: its digits, or a modifier.
struct NumberWord {
  enum Type { kDigits, kTens, kHundred, kThousand, kRepeat, kNone } type = kNone;
  std::string digits;
  int repeat = 1;
};

NumberWord Classify(std::string_view w) {
  static constexpr std::array<std::string_view, 10> kUnits = {
      "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};
  static constexpr std::array<std::string_view, 10> kTeens = {
      "ten",     "eleven",  "twelve",    "thirteen", "fourteen",
      "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
  static constexpr std::array<std::string_view, 8> kTens = {
      "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};
  std::string l;
  for (char c : w) l += Lower(c);
  NumberWord r;
  if (l == "oh" || l == "o") return {NumberWord::kDigits, "0"};
  for (size_t i = 0; i < kUnits.size(); ++i) {
    if (l == kUnits[i]) return {NumberWord::kDigits, std::to_string(i)};
  }
  for (size_t i = 0; i < kTeens.size(); ++i) {
    if (l == kTeens[i]) return {NumberWord::kDigits, std::to_string(10 + i)};
  }
  for (size_t i = 0; i < kTens.size(); ++i) {
    if (l == kTens[i]) return {NumberWord::kTens, std::to_string(i + 2)};
  }
  if (l == "hundred") return {NumberWord::kHundred, ""};
  if (l == "thousand") return {NumberWord::kThousand, ""};
  if (l == "double") return {NumberWord::kRepeat, "", 2};
  if (l == "triple") return {NumberWord::kRepeat, "", 3};
  if (!l.empty() && std::all_of(l.begin(), l.end(), IsDigit) && l.size() <= 4) {
    return {NumberWord::kDigits, l, 0};  // repeat 0 marks digits written as digits
  }
  return r;
}

struct Token {
  size_t begin, end;
  NumberWord word;
};

// Digits of tokens [from, to), or "" when they do not read as one number.
std::string SpokenDigits(const std::vector<Token>& toks, size_t from, size_t to, int* words) {
  std::string out;
  int repeat = 1;
  *words = 0;
  for (size_t k = from; k < to; ++k) {
    const auto& w = toks[k].word;
    switch (w.type) {
      case NumberWord::kDigits:
        for (int r = 0; r < repeat; ++r) out += w.digits;
        repeat = 1;
        if (w.repeat != 0) ++*words;
        break;
      case NumberWord::kTens:
        ++*words;
        if (k + 1 < to && toks[k + 1].word.type == NumberWord::kDigits &&
            toks[k + 1].word.digits.size() == 1 && toks[k + 1].word.digits != "0" &&
            toks[k + 1].word.repeat != 0) {
          out += w.digits + toks[k + 1].word.digits;
          ++*words;
          ++k;
        } else {
          out += w.digits + "0";
        }
        break;
      case NumberWord::kHundred:
      case NumberWord::kThousand:
        // "eight hundred": only after a single digit word.
        if (k == from || toks[k - 1].word.type != NumberWord::kDigits ||
            toks[k - 1].word.digits.size() != 1) {
          return "";
        }
        out += w.type == NumberWord::kHundred ? "00" : "000";
        ++*words;
        break;
      case NumberWord::kRepeat:
        repeat = w.repeat;
        ++*words;
        break;
      case NumberWord::kNone:
        return "";
    }
  }
  return out;
}

void SpokenNumbers(std::string_view text, const Normaliser& n, std::vector<Extracted>& out,
                   std::vector<Span>& covered) {
  // Words and digit groups, each with what lies between it and the next.
  std::vector<Token> toks;
  std::vector<bool> joined;  // token k and k+1 are separated only by , . - and spaces
  size_t i = 0;
  while (i < text.size()) {
    if (!IsAlnum(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    bool digit = IsDigit(text[i]);
    while (j < text.size() && (digit ? IsDigit(text[j]) : IsAlpha(text[j]))) ++j;
    if (!toks.empty()) {
      bool join = true;
      for (size_t k = toks.back().end; k < i; ++k) {
        char c = text[k];
        if (!(c == ' ' || c == ',' || c == '.' || c == '-' || c == '\n')) join = false;
      }
      joined.push_back(join && i - toks.back().end <= 3);
    }
    toks.push_back({i, j, Classify(text.substr(i, j - i))});
    i = j;
  }
  joined.push_back(false);
  size_t k = 0;
  while (k < toks.size()) {
    if (toks[k].word.type == NumberWord::kNone) {
      ++k;
      continue;
    }
    size_t e = k + 1;
    while (e < toks.size() && joined[e - 1] && toks[e].word.type != NumberWord::kNone) ++e;
    bool found = false;
    // The longest sub-run that reads as a valid number, dropping words
    // from the front ("press two, eight three three ..."), never digits.
    for (size_t from = k; from + 1 < e && !found; ++from) {
      int words = 0;
      std::string digits = SpokenDigits(toks, from, e, &words);
      if (words < 2 || digits.size() < 7 || digits.size() > 15) continue;
      size_t b = toks[from].begin, end = toks[e - 1].end;
      if (Overlaps(covered, b, end)) continue;
      if (auto id = n.ValidPhone(digits)) {
        out.push_back({std::move(*id), b, end, true});
        covered.push_back({b, end});
        found = true;
      }
    }
    k = e;
  }
}

}  // namespace

std::vector<Extracted> ExtractIdentifiers(std::string_view text, const Normaliser& n) {
  std::vector<Extracted> out;
  std::vector<Span> covered;
  TokenIdentifiers(text, n, out, covered);
  Ibans(text, out, covered);
  WrittenNumbers(text, n, out, covered);
  SpokenNumbers(text, n, out, covered);
  std::stable_sort(out.begin(), out.end(),
                   [](const Extracted& a, const Extracted& b) { return a.begin < b.begin; });
  return out;
}

}  // namespace beacon::scam
