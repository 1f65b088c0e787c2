// Hardened reading of untrusted XML, shared by every reader of XML from
// outside (CAP 1.2 in cap/parser.cc, PIDF-LO in pidf/). Before the parser
// runs, the bytes are turned into checked UTF-8 and refused when they hold
// anything no message Beacon reads needs: encodings other than UTF-8,
// ISO-8859-1 and US-ASCII (UTF-16/32 included), any DOCTYPE or other markup
// declaration (so no DTD, no entity declaration, no billion laughs, no
// external entity), entity references other than the five predefined ones
// and character references. Namespaces are then resolved with an explicit
// stack, refusing undeclared prefixes, duplicate attributes and XInclude
// anywhere. Nothing is ever loaded from a file or the network. Pure and
// thread-safe.
//
// Refusals are kMalformed with a message "<rule>: <why>", the rules being
// xml.encoding, xml.doctype, xml.entity, xml.syntax, xml.namespace and
// xml.xinclude.
#pragma once

#include <functional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace beacon::xml {

bool IsXmlSpace(char c);
std::string_view Trim(std::string_view s);
// xs:token-style whitespace collapse.
std::string Collapse(std::string_view s);
std::vector<std::string> SplitSpace(std::string_view s);

struct LoadOptions {
  // Named in refusals: "<document> need no DTD".
  std::string_view document = "XML documents";
  // Said when the input is empty: "the body is empty; <empty_hint>".
  std::string_view empty_hint = "send an XML document";
};

// Untrusted bytes -> a parsed document and its single root element.
// `charset` is the charset parameter of an HTTP Content-Type, if any; it
// wins over the XML declaration (RFC 7303), a byte order mark over both.
Status Load(std::string_view bytes, std::string_view charset, const LoadOptions& options,
            pugi::xml_document& doc, pugi::xml_node& root);

// An element's resolved name.
struct Name {
  std::string_view ns;     // namespace URI ("" when none)
  std::string_view local;  // local name
};

// The namespace of every element of a document. Not thread-safe; one per
// document, which must outlive it.
class NameTable {
 public:
  // Called for every attribute that is not a namespace declaration, after
  // its prefix was checked; `opaque`: the element is, or lies inside, an
  // element of Resolve's `opaque_ns` (e.g. an XML signature). A non-OK
  // Status stops the walk.
  using AttributeCheck =
      std::function<Status(const pugi::xml_node& element, Name name, std::string_view attribute,
                           std::string_view attribute_ns, bool opaque)>;

  // Walks the tree under `root` (any depth). Refuses undeclared prefixes of
  // elements and attributes, duplicate attributes, and the XInclude
  // namespaces anywhere.
  Status Resolve(const pugi::xml_node& root, std::string_view opaque_ns = {},
                 const AttributeCheck& check = {});
  // The name of an element under the root given to Resolve.
  Name Of(const pugi::xml_node& n) const { return names_.at(n.internal_object()); }

 private:
  std::unordered_map<const void*, Name> names_;
  std::vector<std::string> uris_;  // storage that names_ points into (stable: reserve)
};

}  // namespace beacon::xml
