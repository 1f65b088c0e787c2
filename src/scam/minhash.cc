#include "scam/minhash.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

namespace beacon::scam {
namespace {

// SplitMix64: a fast mixer with good avalanche, for hashing words and
// deriving the MinHash functions from the seed.
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t HashBytes(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, then mixed
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return Mix(h);
}

bool IsWordByte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

// Length of the UTF-8 sequence starting with `c` (1 for a stray byte).
size_t Utf8Length(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

// A code point at or above U+3000 (CJK, kana, hangul, full-width forms):
// such scripts write no spaces, so each character is a word.
bool WideCodePoint(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c >= 0xF0) return true;
  if (c >= 0xE0 && i + 1 < s.size()) {
    unsigned cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6);
    return cp >= 0x3000 && !(cp >= 0xFF00 && cp < 0xFF10);  // not FF00-FF0F punctuation
  }
  return false;
}

bool LooksLikeUrlOrEmail(std::string_view chunk) {
  if (chunk.find('@') != std::string_view::npos || chunk.find("://") != std::string_view::npos ||
      chunk.find('/') != std::string_view::npos) {
    return true;
  }
  if (chunk.size() > 4 && (chunk.substr(0, 4) == "www." || chunk.substr(0, 4) == "WWW.")) {
    return true;
  }
  // "name.tld" between letters: SMS.ac, smsg.io.
  for (size_t i = 1; i + 2 < chunk.size(); ++i) {
    if (chunk[i] == '.' && std::isalpha(static_cast<unsigned char>(chunk[i - 1])) &&
        std::isalpha(static_cast<unsigned char>(chunk[i + 1])) &&
        std::isalpha(static_cast<unsigned char>(chunk[i + 2]))) {
      return true;
    }
  }
  return false;
}

}  // namespace

double LshCandidateProbability(double s, int bands, int rows) {
  return 1.0 - std::pow(1.0 - std::pow(s, rows), bands);
}

std::vector<std::string> NormalisedWords(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t j = i;
    while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    std::string_view chunk = text.substr(i, j - i);
    i = j;
    if (chunk.empty()) continue;
    if (LooksLikeUrlOrEmail(chunk)) {
      words.emplace_back("<url>");
      continue;
    }
    size_t k = 0;
    while (k < chunk.size()) {
      auto c = static_cast<unsigned char>(chunk[k]);
      if (!IsWordByte(c)) {
        ++k;
        continue;
      }
      if (c >= 0x80 && WideCodePoint(chunk, k)) {
        size_t len = std::min(Utf8Length(c), chunk.size() - k);
        words.emplace_back(chunk.substr(k, len));
        k += len;
        continue;
      }
      std::string w;
      bool digit = false;
      while (k < chunk.size()) {
        auto d = static_cast<unsigned char>(chunk[k]);
        if (d == '\'' || (d == 0xE2 && k + 2 < chunk.size() &&
                          static_cast<unsigned char>(chunk[k + 1]) == 0x80 &&
                          static_cast<unsigned char>(chunk[k + 2]) == 0x99)) {
          k += d == '\'' ? 1 : 3;  // don't, don’t -> dont
          continue;
        }
        if (!IsWordByte(d) || (d >= 0x80 && WideCodePoint(chunk, k))) break;
        // U+FFFD (a replacement character from a bad encoding) ends a word.
        if (d == 0xEF && k + 2 < chunk.size() && static_cast<unsigned char>(chunk[k + 1]) == 0xBF &&
            static_cast<unsigned char>(chunk[k + 2]) == 0xBD) {
          break;
        }
        digit = digit || std::isdigit(d);
        w += static_cast<char>(std::tolower(d));
        ++k;
      }
      if (w.empty()) {
        k += 3;  // the replacement character
        continue;
      }
      // A number written in groups ("833-631-7911", "1 800 ...") is one "#".
      if (digit && !words.empty() && words.back() == "#") continue;
      words.push_back(digit ? "#" : std::move(w));
    }
  }
  return words;
}

std::vector<std::uint32_t> Shingles(std::string_view text, const TextConfig& config) {
  auto words = NormalisedWords(text);
  std::vector<std::uint32_t> out;
  if (static_cast<int>(words.size()) < config.min_tokens) return out;
  std::vector<std::uint64_t> h;
  h.reserve(words.size());
  for (const auto& w : words) h.push_back(HashBytes(w));
  size_t k = static_cast<size_t>(std::max(1, config.shingle_words));
  for (size_t i = 0; i + k <= h.size(); ++i) {
    std::uint64_t x = 0;
    for (size_t j = 0; j < k; ++j) x = Mix(x * 31 + h[i + j]);
    out.push_back(static_cast<std::uint32_t>(x >> 32));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double Jaccard(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
  if (a.empty() && b.empty()) return 1.0;
  size_t i = 0, j = 0, common = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++common;
      ++i;
      ++j;
    }
  }
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

MinHasher::MinHasher(const TextConfig& config) : bands_(config.bands), rows_(config.rows) {
  std::uint64_t s = config.seed;
  for (int i = 0; i < bands_ * rows_; ++i) {
    mul_.push_back(Mix(s += 0x632be59bd9b4e019ULL) | 1);  // odd multipliers
    add_.push_back(Mix(s += 0x632be59bd9b4e019ULL));
  }
  sig_.resize(mul_.size());
}

void MinHasher::BandKeys(std::span<const std::uint32_t> shingles,
                         std::vector<std::uint32_t>& keys) const {
  // Multiply-shift hashing: h_i(x) = high 32 bits of (a_i * x + b_i).
  std::fill(sig_.begin(), sig_.end(), 0xffffffffu);
  for (std::uint32_t x : shingles) {
    for (size_t i = 0; i < mul_.size(); ++i) {
      auto v = static_cast<std::uint32_t>((mul_[i] * x + add_[i]) >> 32);
      sig_[i] = std::min(sig_[i], v);
    }
  }
  keys.clear();
  for (int b = 0; b < bands_; ++b) {
    std::uint64_t x = static_cast<std::uint64_t>(b) + 1;
    for (int r = 0; r < rows_; ++r) x = Mix(x * 0x100000001b3ULL + sig_[b * rows_ + r]);
    auto key = static_cast<std::uint32_t>(x >> 32);
    keys.push_back(key == 0 ? 1 : key);
  }
}

BucketIndex::BucketIndex(int bands) : tables_(bands), used_(bands, 0) {
  for (auto& t : tables_) t.resize(1024);
}

std::uint32_t BucketIndex::Head(int band, std::uint32_t key) const {
  const auto& t = tables_[band];
  size_t mask = t.size() - 1;
  for (size_t i = Mix(key) & mask;; i = (i + 1) & mask) {
    if (t[i].key == key) return t[i].head;
    if (t[i].key == 0) return kNone;
  }
}

void BucketIndex::Grow(int band) {
  std::vector<Slot> old;
  old.swap(tables_[band]);
  tables_[band].resize(old.size() * 2);
  auto& t = tables_[band];
  size_t mask = t.size() - 1;
  for (const auto& s : old) {
    if (s.key == 0) continue;
    size_t i = Mix(s.key) & mask;
    while (t[i].key != 0) i = (i + 1) & mask;
    t[i] = s;
  }
}

void BucketIndex::Insert(int band, std::uint32_t key, std::uint32_t item) {
  if ((used_[band] + 1) * 2 > tables_[band].size()) Grow(band);
  auto& t = tables_[band];
  size_t mask = t.size() - 1;
  size_t i = Mix(key) & mask;
  while (t[i].key != 0 && t[i].key != key) i = (i + 1) & mask;
  if (t[i].key == 0) {
    t[i].key = key;
    ++used_[band];
  }
  entries_.push_back({item, t[i].head});
  t[i].head = static_cast<std::uint32_t>(entries_.size() - 1);
}

size_t BucketIndex::MemoryBytes() const {
  size_t b = entries_.capacity() * sizeof(Entry);
  for (const auto& t : tables_) b += t.capacity() * sizeof(Slot);
  return b;
}

}  // namespace beacon::scam
