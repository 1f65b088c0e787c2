// Checksums of payment identifiers: Base58Check (Bitcoin and the coins that
// share its address format), Bech32/Bech32m segwit addresses (BIP 173/350)
// and the IBAN's ISO 7064 mod-97 check (ISO 13616). Pure functions over
// untrusted text (fuzzed in tests/fuzz/scam_identifier_fuzz.cc); thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace beacon::scam {

// The payload of a Base58Check string (version byte first) when its
// 4-byte double-SHA-256 checksum matches, else nullopt. At most 128
// characters are accepted.
std::optional<std::vector<std::uint8_t>> DecodeBase58Check(std::string_view text);

// A segwit address "hrp1..." whose Bech32 (witness v0) or Bech32m (v1+)
// checksum and program length are right: the lower-case address, else
// nullopt. `hrp` is the expected human-readable part ("bc", "ltc").
std::optional<std::string> CheckSegwit(std::string_view text, std::string_view hrp);

// The IBAN in its electronic form (no spaces, upper case) when its country
// code, length for that country and mod-97 check are right, else a
// message saying what is wrong.
struct IbanCheck {
  std::string iban;   // set when ok
  std::string error;  // set when not
};
IbanCheck CheckIban(std::string_view text);

}  // namespace beacon::scam
