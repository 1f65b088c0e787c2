// CAP 1.2 and Atom writers: a cap::Alert -> the XML of a CAP 1.2 message
// (valid against the OASIS XSD when the Alert satisfies the rules the
// parser checks), and a list of issued alerts -> an Atom 1.0 feed for
// gateways. Pure; thread-safe. See docs/cap.md.
#pragma once

#include <string>
#include <vector>

#include "cap/alert.h"

namespace beacon::cap {

// UTF-8, with an XML declaration, default namespace CAP 1.2.
std::string ToXml(const Alert& alert);

struct FeedEntry {
  std::string id;       // a stable URI, e.g. "urn:beacon:alert:sender,identifier,sent"
  std::string title;    // headline or event
  std::string updated;  // RFC 3339
  std::string href;     // link to the CAP XML
  std::string summary;
};

struct Feed {
  std::string id;
  std::string title;
  std::string self_href;
  std::string updated;  // RFC 3339
  std::vector<FeedEntry> entries;
};

// Atom 1.0 (RFC 4287); each entry links to its CAP message with
// type="application/cap+xml".
std::string ToAtom(const Feed& feed);

// Escapes text for XML content and attribute values.
std::string XmlEscape(std::string_view text);

}  // namespace beacon::cap
