#include "scam/checksums.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace beacon::scam {
namespace {

constexpr std::string_view kBase58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

std::array<std::uint8_t, 32> Sha256(const std::uint8_t* data, size_t n) {
  std::array<std::uint8_t, 32> out;
  crypto_hash_sha256(out.data(), data, n);
  return out;
}

// Bech32 (BIP 173) with the Bech32m constant of BIP 350.
constexpr std::string_view kBech32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::uint32_t kBech32Const = 1, kBech32mConst = 0x2bc830a3;

std::uint32_t Polymod(const std::vector<std::uint8_t>& values) {
  static constexpr std::uint32_t kGen[] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd,
                                           0x2a1462b3};
  std::uint32_t chk = 1;
  for (std::uint8_t v : values) {
    std::uint32_t top = chk >> 25;
    chk = (chk & 0x1ffffff) << 5 ^ v;
    for (int i = 0; i < 5; ++i) {
      if ((top >> i) & 1) chk ^= kGen[i];
    }
  }
  return chk;
}

// ISO 13616 lengths of the IBAN by country (SWIFT IBAN registry).
struct IbanCountry {
  const char* code;
  int length;
};
constexpr IbanCountry kIbanLengths[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27},
    {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
    {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28},
    {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24}, {"SC", 31},
    {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28},
    {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
};

}  // namespace

std::optional<std::vector<std::uint8_t>> DecodeBase58Check(std::string_view text) {
  if (text.empty() || text.size() > 128) return std::nullopt;
  // Big-endian base-256 digits of the number, built digit by digit.
  std::vector<std::uint8_t> bytes;
  for (char c : text) {
    size_t d = kBase58.find(c);
    if (d == std::string_view::npos) return std::nullopt;
    std::uint32_t carry = static_cast<std::uint32_t>(d);
    for (auto it = bytes.rbegin(); it != bytes.rend(); ++it) {
      carry += static_cast<std::uint32_t>(*it) * 58;
      *it = static_cast<std::uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry) {
      bytes.insert(bytes.begin(), static_cast<std::uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  // Each leading '1' is a leading zero byte.
  size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1') ++zeros;
  bytes.insert(bytes.begin(), zeros, 0);
  if (bytes.size() < 5) return std::nullopt;
  size_t n = bytes.size() - 4;
  auto h = Sha256(bytes.data(), n);
  h = Sha256(h.data(), h.size());
  if (!std::equal(h.begin(), h.begin() + 4, bytes.begin() + static_cast<std::ptrdiff_t>(n))) {
    return std::nullopt;
  }
  bytes.resize(n);
  return bytes;
}

std::optional<std::string> CheckSegwit(std::string_view text, std::string_view hrp) {
  if (text.size() < 14 || text.size() > 90) return std::nullopt;
  bool lower = false, upper = false;
  std::string s(text);
  for (char& c : s) {
    if (c < 33 || c > 126) return std::nullopt;
    if (std::islower(static_cast<unsigned char>(c))) lower = true;
    if (std::isupper(static_cast<unsigned char>(c))) {
      upper = true;
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (lower && upper) return std::nullopt;  // mixed case is invalid (BIP 173)
  size_t sep = s.rfind('1');
  if (sep == std::string::npos || s.substr(0, sep) != hrp || s.size() - sep - 1 < 7) {
    return std::nullopt;
  }
  std::vector<std::uint8_t> values;
  for (char c : hrp) values.push_back(static_cast<std::uint8_t>(c >> 5));
  values.push_back(0);
  for (char c : hrp) values.push_back(static_cast<std::uint8_t>(c & 31));
  std::vector<std::uint8_t> data;
  for (size_t i = sep + 1; i < s.size(); ++i) {
    size_t d = kBech32.find(s[i]);
    if (d == std::string_view::npos) return std::nullopt;
    data.push_back(static_cast<std::uint8_t>(d));
  }
  values.insert(values.end(), data.begin(), data.end());
  std::uint32_t pm = Polymod(values);
  if (data.empty()) return std::nullopt;
  int version = data[0];
  if (version > 16) return std::nullopt;
  if (pm != (version == 0 ? kBech32Const : kBech32mConst)) return std::nullopt;
  // The witness program: 5-bit groups (without version and checksum) to bytes.
  size_t bits = 0;
  std::uint32_t acc = 0;
  size_t program = 0;
  for (size_t i = 1; i + 6 < data.size(); ++i) {
    acc = (acc << 5) | data[i];
    bits += 5;
    while (bits >= 8) {
      bits -= 8;
      ++program;
    }
  }
  if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  if (program < 2 || program > 40) return std::nullopt;
  if (version == 0 && program != 20 && program != 32) return std::nullopt;
  return s;
}

IbanCheck CheckIban(std::string_view text) {
  std::string s;
  for (char c : text) {
    if (c == ' ' || c == '-') continue;
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      return {"", "an IBAN holds only letters, digits and spaces"};
    }
    s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (s.size() > 34) return {"", "an IBAN has at most 34 characters"};
  }
  if (s.size() < 5 || !std::isalpha(static_cast<unsigned char>(s[0])) ||
      !std::isalpha(static_cast<unsigned char>(s[1])) ||
      !std::isdigit(static_cast<unsigned char>(s[2])) ||
      !std::isdigit(static_cast<unsigned char>(s[3]))) {
    return {"", "an IBAN starts with a country code and two check digits (GB82 WEST ...)"};
  }
  const IbanCountry* country = nullptr;
  for (const auto& c : kIbanLengths) {
    if (s.compare(0, 2, c.code) == 0) country = &c;
  }
  if (!country) return {"", "no IBAN country " + s.substr(0, 2)};
  if (static_cast<int>(s.size()) != country->length) {
    return {"", "an IBAN of " + s.substr(0, 2) + " has " + std::to_string(country->length) +
                    " characters, not " + std::to_string(s.size())};
  }
  // Country code and check digits move to the end; letters count 10..35.
  std::string moved = s.substr(4) + s.substr(0, 4);
  int rem = 0;
  for (char c : moved) {
    int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : c - 'A' + 10;
    rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
  }
  if (rem != 1) return {"", "the IBAN's check digits do not match (mod-97)"};
  return {s, ""};
}

}  // namespace beacon::scam
