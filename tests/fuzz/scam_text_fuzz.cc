// Fuzzes what the anti-scam desk reads from a report's text and body:
// identifier extraction (written and spoken numbers, URLs, e-mail, wallets,
// IBANs) with its span invariants, the normalised words and shingles, the
// MinHash band keys, and, when the bytes are a JSON object, the report
// body reader and the preparation of its identifiers.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

#include "scam/extract.h"
#include "scam/minhash.h"
#include "scam/report.h"

namespace {

using namespace beacon::scam;

const Normaliser& Get() {
  static const std::shared_ptr<const Normaliser> n = [] {
    NormaliserConfig c;
    c.default_region = "GB";
    c.shared_hosts = *ParseSharedHosts("bit.ly path 1\nsites.google.com path 2\n");
    c.wallets = *ParseWalletFormats(
        R"({"wallets": [{"name": "bitcoin", "base58check_versions": [0, 5], "segwit_hrp": "bc"},
                        {"name": "ethereum", "hex20": true}]})");
    auto r = Normaliser::Create(c);
    if (!r) std::abort();
    return *r;
  }();
  return *n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t last_begin = 0;
  for (const auto& x : ExtractIdentifiers(text, Get())) {
    if (x.begin >= x.end || x.end > text.size() || x.begin < last_begin) std::abort();
    if (x.id.value.empty()) std::abort();
    if (x.spoken && (x.id.kind != Kind::kPhone || !x.id.valid)) std::abort();
    last_begin = x.begin;
  }
  static const TextConfig config;
  auto words = NormalisedWords(text);
  auto shingles = Shingles(text, config);
  if (!shingles.empty() && static_cast<int>(words.size()) < config.min_tokens) std::abort();
  for (size_t i = 1; i < shingles.size(); ++i) {
    if (shingles[i - 1] >= shingles[i]) std::abort();  // sorted, distinct
  }
  if (!shingles.empty()) {
    static const MinHasher hasher(config);
    std::vector<std::uint32_t> keys;
    hasher.BandKeys(shingles, keys);
    if (static_cast<int>(keys.size()) != config.bands) std::abort();
    if (Jaccard(shingles, shingles) != 1.0) std::abort();
  }
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded()) {
    auto in = ReadReport(j, "reports[0]");
    if (in) {
      auto ids = PrepareIdentifiers(*in, Get(), "reports[0]");
      if (ids) {
        for (const auto& r : *ids) (void)ToJson(r).dump();
      }
    } else if (in.error().message().empty()) {
      std::abort();
    }
  }
  return 0;
}
