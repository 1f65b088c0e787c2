// CAP 1.2 reader: untrusted bytes -> a validated cap::Alert. Pure (no I/O:
// nothing is ever loaded from a file or the network) and thread-safe.
//
// Checks everything the official XSD checks (structure and order,
// cardinality, enumerations, xs:dateTime/xs:language/xs:decimal/xs:integer
// formats, no undeclared attributes, elements in the CAP namespace, the
// XML-DSig <Signature> at the end) and the CAP 1.2 rules the XSD cannot
// express (identifier/sender characters, `references` syntax, required
// elements per msgType and scope, polygon and circle syntax and closure,
// coordinate ranges, ceiling only with altitude).
//
// Refused outright, before the XML parser runs: any DOCTYPE or other markup
// declaration (so no DTD, no entity declarations, no billion laughs, no
// external entities), entity references other than the five predefined
// ones and character references, XInclude elements, encodings other than
// UTF-8, ISO-8859-1 and US-ASCII. See docs/cap.md.
#pragma once

#include <string>
#include <string_view>

#include "cap/alert.h"
#include "common/status.h"

namespace beacon::cap {

// Refusals are a Status with code kMalformed (not XML Beacon accepts:
// encoding, declarations, entities, XInclude, not well-formed) or kInvalid
// (a CAP schema or specification rule), field = the element path
// ("alert/info[0]/area[0]/polygon[0]") and a message "<rule>: <why>".
// `charset` is the charset parameter of the HTTP Content-Type, if any; it
// wins over the XML declaration (RFC 7303), a byte order mark over both.
Result<Alert> Parse(std::string_view bytes, std::string_view charset = {});

// The rule id of a refusal made by Parse ("cap.polygon.closed"), or "".
std::string RuleOf(const Status& s);

}  // namespace beacon::cap
