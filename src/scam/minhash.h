// Near-duplicate scam scripts: texts reduced to sets of word shingles with
// numbers, URLs and e-mail addresses masked (so a changed callback number
// or link does not hide the same script), MinHash signatures and
// locality-sensitive hashing in bands (docs/scam.md states the parameters
// and the recall bound they give).
//
// A pair of texts with Jaccard similarity s becomes an LSH candidate with
// probability 1 - (1 - s^rows)^bands; candidates are confirmed with the
// exact Jaccard of the shingle sets. Pure; thread-safe except BucketIndex
// (one writer, no concurrent readers).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace beacon::scam {

struct TextConfig {
  int shingle_words = 3;     // words per shingle
  int min_tokens = 6;        // shorter texts are not compared ("call me back")
  int bands = 24;            // LSH bands ...
  int rows = 3;              // ... of this many MinHash values each
  double threshold = 0.5;    // exact Jaccard at or above which texts link
  int max_bucket_scan = 16;  // most recent entries compared per LSH bucket
  std::uint64_t seed = 0x5ca1ab1e5eedULL;
};

// The probability that a pair with Jaccard similarity `s` shares a band.
double LshCandidateProbability(double s, int bands, int rows);

// The words of a text for comparison: lower case, a token with a digit
// becomes "#" (a number written in groups, one "#"), a URL or e-mail
// address "<url>"; CJK characters are words of
// their own.
std::vector<std::string> NormalisedWords(std::string_view text);

// Sorted, distinct 32-bit hashes of the text's shingles; empty when the
// text has fewer than config.min_tokens words.
std::vector<std::uint32_t> Shingles(std::string_view text, const TextConfig& config);

// Exact Jaccard similarity of two sorted, distinct sets.
double Jaccard(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b);

// MinHash signature (bands * rows values) and the band keys derived from it.
class MinHasher {
 public:
  explicit MinHasher(const TextConfig& config);
  // One 32-bit key per band (never 0), from a non-empty shingle set.
  void BandKeys(std::span<const std::uint32_t> shingles, std::vector<std::uint32_t>& keys) const;
  int bands() const { return bands_; }

 private:
  int bands_, rows_;
  std::vector<std::uint64_t> mul_, add_;
  mutable std::vector<std::uint32_t> sig_;
};

// Band key -> the items that had it, newest first. One open-addressing table
// per band; entries are a singly linked list in one array, so an item costs
// 8 bytes per band and no allocation of its own.
class BucketIndex {
 public:
  explicit BucketIndex(int bands);
  void Insert(int band, std::uint32_t key, std::uint32_t item);
  // Calls f(item) for at most `limit` items of the bucket, newest first.
  template <typename F>
  void ForEach(int band, std::uint32_t key, int limit, F&& f) const {
    std::uint32_t e = Head(band, key);
    while (e != kNone && limit-- > 0) {
      f(entries_[e].item);
      e = entries_[e].next;
    }
  }
  size_t MemoryBytes() const;

 private:
  static constexpr std::uint32_t kNone = 0xffffffffu;
  struct Slot {
    std::uint32_t key = 0;  // 0: empty
    std::uint32_t head = kNone;
  };
  struct Entry {
    std::uint32_t item, next;
  };
  std::uint32_t Head(int band, std::uint32_t key) const;
  void Grow(int band);
  std::vector<std::vector<Slot>> tables_;
  std::vector<size_t> used_;
  std::vector<Entry> entries_;
};

}  // namespace beacon::scam
