// Identifiers of fraud infrastructure (phone numbers, URLs and domains,
// e-mail addresses, wallets, IBANs, other bank accounts) and their
// normalisation by the libraries made for it: libphonenumber for E.164
// (with a configurable default region), libpsl for registrable domains,
// plus a data file of shared-hosting hosts where the registrable domain
// says nothing and the host or a path prefix identifies one site
// (config/scam/shared_hosts.txt), and a data file of wallet formats
// (config/scam/wallets.json). Formats are specified in docs/scam.md.
//
// Normaliser is immutable after Create (but for a cache of libphonenumber's
// answers behind a mutex) and thread-safe. It reads untrusted
// text (fuzzed in tests/fuzz/scam_identifier_fuzz.cc).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace beacon::scam {

enum class Kind { kPhone, kUrl, kDomain, kEmail, kWallet, kIban, kAccount };
inline constexpr int kKindCount = 7;
std::string_view ToString(Kind k);
std::optional<Kind> ParseKind(std::string_view text);

struct Identifier {
  Kind kind = Kind::kPhone;
  // Normalised: E.164 "+18333041447" (or the digits as written when
  // invalid), "host/path" for URLs, the registrable domain, the lower-case
  // e-mail address, the wallet address, the IBAN without spaces.
  std::string value;
  // False only for a phone number libphonenumber cannot validate in the
  // default region: kept as written (digits), flagged, never guessed.
  bool valid = true;
  // The wallet's network ("bitcoin"), "shared host" for URLs on shared
  // hosting, or why a number is invalid.
  std::string note;
  // "phone:+18333041447": what linking compares.
  std::string Key() const;
};

// One line of shared_hosts.txt: `HOST host` (the whole host names one site,
// e.g. *.codesandbox.io) or `HOST path N [query KEY,...]` (the host and
// the first N path segments, and the named query parameters).
struct SharedHost {
  std::string host;  // "sites.google.com" or "*.codesandbox.io"
  bool whole_host = false;
  int path_segments = 0;
  std::vector<std::string> query_keys;
};
Result<std::vector<SharedHost>> ParseSharedHosts(std::string_view text);

// One entry of wallets.json.
struct WalletFormat {
  std::string name;                  // "bitcoin"
  std::vector<int> base58_versions;  // Base58Check version bytes
  std::string base58_alphabet;       // empty: Bitcoin's
  int base58_payload = 21;           // bytes with the version byte
  std::string segwit_hrp;            // "bc": Bech32/Bech32m addresses
  bool hex20 = false;                // 0x + 40 hex digits (Ethereum and EVM chains)
  std::string pattern;               // a regular expression, for formats without a checksum
};
Result<std::vector<WalletFormat>> ParseWalletFormats(std::string_view json_text);

struct NormaliserConfig {
  std::string default_region = "US";  // ISO 3166 alpha-2, for numbers without +country
  std::vector<SharedHost> shared_hosts;
  std::vector<WalletFormat> wallets;
};

class Normaliser {
 public:
  // Fails when the region is unknown to libphonenumber or a wallet pattern
  // does not compile.
  static Result<std::shared_ptr<const Normaliser>> Create(NormaliserConfig config);
  ~Normaliser();

  // An identifier given as {kind, value}. A URL yields its url identifier
  // and, unless on shared hosting, its registrable domain. Values that
  // cannot be what the kind says (an e-mail without @, an IBAN or wallet
  // whose checksum fails, a URL with another scheme than http(s)) are
  // refused with kInvalid; `field` names the value in errors.
  Result<std::vector<Identifier>> Normalise(Kind kind, std::string_view raw,
                                            const std::string& field) const;

  Result<Identifier> Phone(std::string_view raw, const std::string& field) const;
  Result<std::vector<Identifier>> Url(std::string_view raw, const std::string& field) const;
  Result<Identifier> Domain(std::string_view raw, const std::string& field) const;
  Result<Identifier> Email(std::string_view raw, const std::string& field) const;
  Result<Identifier> Wallet(std::string_view raw, const std::string& field) const;
  Result<Identifier> Iban(std::string_view raw, const std::string& field) const;
  Result<Identifier> Account(std::string_view raw, const std::string& field) const;

  // For text extraction: a valid number only (nullopt otherwise), and
  // whether a bare token is a host name with a known public suffix.
  std::optional<Identifier> ValidPhone(std::string_view digits) const;
  bool KnownSuffix(std::string_view host) const;
  // Wallet formats with a checksum (the ones text extraction may use).
  std::optional<Identifier> CheckedWallet(std::string_view token) const;

  const std::string& default_region() const { return config_.default_region; }

 private:
  Normaliser() = default;
  const SharedHost* FindShared(std::string_view host) const;
  // libphonenumber's E.164 of a number written as `text`, nullopt when it is
  // not valid in the default region (remembered; thread-safe).
  std::optional<std::string> E164(std::string_view text) const;
  std::string Registrable(const std::string& host) const;

  NormaliserConfig config_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace beacon::scam
