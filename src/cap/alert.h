// The OASIS Common Alerting Protocol 1.2 message as a value type, shared by
// the parser (cap/parser.h: bytes from outside -> Alert) and the writer
// (cap/writer.h: Alert -> XML). Field names follow the CAP 1.2 elements;
// optional elements are std::optional, repeated ones vectors. Text is UTF-8.
// What is checked and why: docs/cap.md. Plain values; thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/geo.h"

namespace beacon::cap {

inline constexpr std::string_view kNamespace = "urn:oasis:names:tc:emergency:cap:1.2";
inline constexpr std::string_view kDsigNamespace = "http://www.w3.org/2000/09/xmldsig#";

struct ValuePair {
  std::string name;  // <valueName>
  std::string value;
};

struct Circle {
  LatLon centre;
  double radius_km = 0;
};

struct Area {
  std::string desc;
  std::vector<std::vector<LatLon>> polygons;  // each closed (first == last)
  std::vector<Circle> circles;
  std::vector<ValuePair> geocodes;
  std::optional<std::string> altitude, ceiling;  // xs:decimal text
};

struct Resource {
  std::string desc;
  std::string mime_type;
  std::optional<std::string> size, uri, deref_uri, digest;
};

struct Info {
  std::optional<std::string> language;  // absent means en-US
  std::vector<std::string> categories;  // at least one
  std::string event;
  std::vector<std::string> response_types;
  std::string urgency, severity, certainty;
  std::optional<std::string> audience;
  std::vector<ValuePair> event_codes;
  std::optional<std::string> effective, onset, expires;
  std::optional<std::string> sender_name, headline, description, instruction, web, contact;
  std::vector<ValuePair> parameters;
  std::vector<Resource> resources;
  std::vector<Area> areas;

  std::string Language() const { return language.value_or("en-US"); }
};

// One entry of <references>: "sender,identifier,sent".
struct Reference {
  std::string sender, identifier, sent;
  std::string Key() const { return sender + "," + identifier + "," + sent; }
};

struct Alert {
  std::string identifier, sender, sent, status, msg_type;
  std::optional<std::string> source;
  std::string scope;
  std::optional<std::string> restriction, addresses;
  std::vector<std::string> codes;
  std::optional<std::string> note;
  std::vector<Reference> references;
  std::optional<std::string> incidents;
  std::vector<Info> infos;
  // Set by the parser when the alert carries an XML-DSig <Signature>; the
  // signature itself is not verified (the original bytes are kept).
  bool signed_xml = false;

  // The extended message identifier other messages reference it by.
  std::string Key() const { return sender + "," + identifier + "," + sent; }
};

// Parses a CAP date-time ("2003-06-11T22:39:00-07:00": no fraction, no
// "Z", numeric offset) after trimming XML whitespace; nullopt unless the
// text has exactly that form and names a real instant (the XSD's
// xs:dateTime restriction).
std::optional<TimeMs> ParseCapTime(std::string_view text);
// Formats `t` in UTC as CAP wants it: "2026-11-23T16:12:47-00:00".
std::string FormatCapTime(TimeMs t);

}  // namespace beacon::cap
