// Identifiers found in the text of a scam message: URLs (with or without
// a scheme, defanged hxxp and [.] included), e-mail addresses, wallets and
// IBANs whose checksums hold, and phone numbers written with digits
// ("833-304-1447", "+44 20 7946 0958") or spoken in words, as speech-to-text
// transcripts of robocalls write them ("eight three three, three oh four,
// one four four seven"; "double five", "eight hundred"). Each extraction
// says where it came from: byte offsets into the UTF-8 text.
//
// Written numbers that libphonenumber validates are taken; an invalid one
// only when it is one unbroken run of 10 to 15 digits (kept as written and
// flagged). Spoken numbers only when valid: a guess is never made.
// Pure; thread-safe; reads untrusted text (fuzzed in
// tests/fuzz/scam_text_fuzz.cc).
#pragma once

#include <string_view>
#include <vector>

#include "scam/identifiers.h"

namespace beacon::scam {

struct Extracted {
  Identifier id;
  size_t begin = 0, end = 0;  // [begin, end) in bytes
  bool spoken = false;        // a number said in words
};

// In text order. A URL also yields its domain (same span).
std::vector<Extracted> ExtractIdentifiers(std::string_view text, const Normaliser& n);

}  // namespace beacon::scam
