// Fuzzes the anti-scam desk's normalisers (src/scam/identifiers.h,
// checksums.h) and the parsers of its data files: every kind of identifier
// from the same bytes, the checksum decoders on their own, and the shared
// hosts, wallet formats and desk config readers. Invariants: a normalised
// value is never empty, a URL's identifiers are a url (and a domain), and
// normalising a normalised phone number again gives the same value.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "scam/checksums.h"
#include "scam/config.h"
#include "scam/identifiers.h"

namespace {

using namespace beacon::scam;

constexpr std::string_view kHosts = R"(sites.google.com path 2
1drv.ms path 2
forms.office.com path 2 query id
*.codesandbox.io host
bit.ly path 1
)";

constexpr std::string_view kWallets = R"({"wallets": [
  {"name": "bitcoin", "base58check_versions": [0, 5], "segwit_hrp": "bc"},
  {"name": "ethereum", "hex20": true},
  {"name": "xrp", "base58check_versions": [0],
   "base58_alphabet": "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"},
  {"name": "monero", "pattern": "^[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}$"}]})";

const Normaliser& Get() {
  static const std::shared_ptr<const Normaliser> n = [] {
    NormaliserConfig c;
    c.default_region = "US";
    c.shared_hosts = *ParseSharedHosts(kHosts);
    c.wallets = *ParseWalletFormats(kWallets);
    auto r = Normaliser::Create(c);
    if (!r) std::abort();
    return *r;
  }();
  return *n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const Normaliser& n = Get();
  for (int k = 0; k < kKindCount; ++k) {
    auto ids = n.Normalise(static_cast<Kind>(k), text, "value");
    if (!ids) {
      if (ids.error().message().empty() || ids.error().field() != "value") std::abort();
      continue;
    }
    if (ids->empty() || ids->size() > 2) std::abort();
    for (const auto& id : *ids) {
      if (id.value.empty()) std::abort();
    }
    if (static_cast<Kind>(k) == Kind::kUrl && ids->front().kind != Kind::kUrl) std::abort();
    if (static_cast<Kind>(k) == Kind::kPhone && ids->front().valid) {
      auto again = n.Phone(ids->front().value, "value");
      if (!again || again->value != ids->front().value) std::abort();
    }
  }
  (void)DecodeBase58Check(text);
  (void)CheckSegwit(text, "bc");
  auto iban = CheckIban(text);
  if (iban.iban.empty() == iban.error.empty()) std::abort();
  (void)ParseSharedHosts(text);
  (void)ParseWalletFormats(text);
  (void)ParseDeskConfig(text);
  return 0;
}
