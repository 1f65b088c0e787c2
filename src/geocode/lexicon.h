// Lexicon: how addresses are written, per language. Folding (case,
// diacritics and a few letters that do not decompose, with ICU), splitting
// into words, and what each word may mean: the abbreviations, variants and
// ordinals of config/geocode/<language>.json ("st" is "street" or "saint",
// "r." is "rua" or "rue", "19th" and "nineteenth" are 19), and which words
// are street types, directions or stop words (optional when matching).
// The file format is specified in docs/geocoding.md.
//
// Immutable after Parse; every method is const and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace beacon::geocode {

// Folds UTF-8 text for matching: compatibility decomposition, combining
// marks removed, case folded, ø æ œ ł đ ð þ ı ß spelled in ASCII letters,
// typographic quotes as ASCII. Every other character (digits, punctuation,
// other scripts) is kept. Invalid UTF-8 becomes U+FFFD. Thread-safe.
std::string Fold(std::string_view utf8);

// Word classes (bits). A word whose meanings include a type, direction or
// stop word may be left out of a query or a name at a small cost.
enum WordClass : std::uint8_t {
  kPlain = 0,
  kType = 1,       // street, avenue, rua, rue...
  kDirection = 2,  // north, norte...
  kStop = 4,       // of, de, du...
  kNumber = 8,     // 19, 19th, nineteenth
};
inline constexpr std::uint8_t kOptionalClasses = kType | kDirection | kStop;

struct Token {
  std::string text;                  // folded, as written ("st", "19th", "n sra")
  std::vector<std::uint32_t> canon;  // what it may mean (Lexicon::CanonText); may be empty
  std::uint8_t cls = kPlain;         // OR of the classes of its meanings
  bool optional() const { return (cls & kOptionalClasses) != 0; }
};

class Lexicon {
 public:
  // `files`: the text of one or more language files. Errors name the
  // language file (by its "language" key or position) and the key at fault.
  static Result<Lexicon> Parse(const std::vector<std::string_view>& files);
  // The language files compiled into the binary (config/geocode/*.json).
  static const Lexicon& Builtin();
  static std::vector<std::string_view> BuiltinFiles();

  // Splits folded text into words (letters and digits; an apostrophe joins,
  // anything else separates), joins known phrases ("nossa senhora",
  // "twenty first") into one token and gives each its meanings.
  std::vector<Token> Tokenize(std::string_view folded) const;
  // One word, already split (no phrase joining).
  Token MakeToken(std::string word) const;

  std::string_view CanonText(std::uint32_t id) const { return canon_[id]; }
  // True when the two tokens may mean the same thing (same text, or a
  // meaning in common).
  static bool SameMeaning(const Token& a, const Token& b);

  // Structural words of the query parser, folded.
  bool IsBlockWord(std::string_view w) const;
  bool IsConnector(std::string_view w) const;
  bool IsNumberPrefix(std::string_view w) const;
  // Folded phrases that introduce an intersection ("corner of"), longest first.
  const std::vector<std::string>& IntersectionPrefixes() const { return prefixes_; }
  const std::vector<std::string>& languages() const { return languages_; }
  // True when a street whose name starts with `first` is written with the
  // house number after it ("Rua X, 12"): its word is a street type of a
  // language whose file says "number_after_street".
  bool NumberAfterStreet(const Token& first) const;

 private:
  std::uint32_t Intern(const std::string& s);
  Status AddFile(std::string_view text, size_t index);

  std::vector<std::string> languages_;
  std::vector<std::string> canon_;
  std::unordered_map<std::string, std::uint32_t> canon_ids_;
  std::vector<std::uint8_t> canon_class_;
  std::vector<std::uint32_t> number_after_types_;  // canon ids
  // Folded word or phrase -> its meanings.
  std::unordered_map<std::string, std::vector<std::uint32_t>> meanings_;
  size_t max_phrase_words_ = 1;
  std::vector<std::string> ordinal_suffixes_;
  std::vector<std::string> block_words_, connectors_, number_prefixes_, prefixes_;
};

// Optimal-string-alignment edit distance (insertions, deletions,
// substitutions, transpositions of neighbours) between a and b, or
// `limit + 1` as soon as it is known to exceed `limit`.
int EditDistance(std::string_view a, std::string_view b, int limit);
// The edit distance a word of `length` bytes may have and still match:
// 0 up to 3, 1 up to 7, 2 from 8.
int AllowedTypos(size_t length);

}  // namespace beacon::geocode
