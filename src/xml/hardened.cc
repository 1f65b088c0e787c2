#include "xml/hardened.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace beacon::xml {
namespace {

constexpr std::string_view kXIncludeNs = "http://www.w3.org/2001/XInclude";
constexpr std::string_view kXIncludeNsOld = "http://www.w3.org/2003/XInclude";
constexpr std::string_view kXmlNs = "http://www.w3.org/XML/1998/namespace";

Status Bad(const std::string& rule, const std::string& why) { return Malformed(rule + ": " + why); }

}  // namespace

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsXmlSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsXmlSpace(s.back())) s.remove_suffix(1);
  return s;
}

// xs:token-style whitespace collapse.
std::string Collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : Trim(s)) {
    if (IsXmlSpace(c)) {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::vector<std::string> SplitSpace(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (IsXmlSpace(c)) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool StartsWith(std::string_view s, size_t at, std::string_view p) {
  return s.size() >= at + p.size() && s.compare(at, p.size(), p) == 0;
}

// ---- Step 1: bytes -> UTF-8 -------------------------------------------------

void AppendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool XmlChar(std::uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Checks well-formed UTF-8 of XML characters only; returns the byte offset
// of the first bad sequence, or npos.
size_t CheckUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    std::uint32_t cp;
    size_t n;
    if (b < 0x80) {
      cp = b;
      n = 1;
    } else if ((b & 0xE0) == 0xC0) {
      cp = b & 0x1F;
      n = 2;
    } else if ((b & 0xF0) == 0xE0) {
      cp = b & 0x0F;
      n = 3;
    } else if ((b & 0xF8) == 0xF0) {
      cp = b & 0x07;
      n = 4;
    } else {
      return i;
    }
    if (i + n > s.size()) return i;
    for (size_t k = 1; k < n; ++k) {
      auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || (cp >= 0xD800 && cp <= 0xDFFF) || !XmlChar(cp)) return i;
    i += n;
  }
  return std::string_view::npos;
}

// The encoding named in the XML declaration, or "" when there is none.
std::string DeclaredEncoding(std::string_view s) {
  if (!StartsWith(s, 0, "<?xml") || s.size() < 6 || !IsXmlSpace(s[5])) return "";
  size_t end = s.find("?>");
  if (end == std::string_view::npos) return "";
  std::string_view decl = s.substr(0, end);
  size_t at = decl.find("encoding");
  if (at == std::string_view::npos) return "";
  size_t i = at + 8;
  while (i < decl.size() && IsXmlSpace(decl[i])) ++i;
  if (i >= decl.size() || decl[i] != '=') return "";
  ++i;
  while (i < decl.size() && IsXmlSpace(decl[i])) ++i;
  if (i >= decl.size() || (decl[i] != '"' && decl[i] != '\'')) return "";
  char q = decl[i++];
  size_t close = decl.find(q, i);
  if (close == std::string_view::npos) return "";
  return std::string(decl.substr(i, close - i));
}

Result<std::string> ToUtf8(std::string_view in, std::string_view charset, const LoadOptions& opts) {
  if (in.empty()) return Bad("xml.syntax", "the body is empty; " + std::string(opts.empty_hint));
  bool bom = StartsWith(in, 0, "\xEF\xBB\xBF");
  if (bom) in.remove_prefix(3);
  if (StartsWith(in, 0, "\xFE\xFF") || StartsWith(in, 0, "\xFF\xFE") ||
      (in.size() >= 2 && (in[0] == '\0' || in[1] == '\0'))) {
    return Bad("xml.encoding", "UTF-16 and UTF-32 are not accepted; send UTF-8 or ISO-8859-1");
  }
  // RFC 7303: a BOM, then the charset of the Content-Type, then the XML
  // declaration; UTF-8 when none says anything.
  std::string declared = Lower(charset.empty() ? DeclaredEncoding(in) : std::string(charset));
  std::string out;
  if (declared.empty() || declared == "utf-8" || declared == "utf8" || bom) {
    out.assign(in);
  } else if (declared == "iso-8859-1" || declared == "latin1" || declared == "iso_8859-1" ||
             declared == "latin-1" || declared == "l1" || declared == "iso-ir-100" ||
             declared == "cp819" || declared == "ibm819") {
    out.reserve(in.size() + in.size() / 8);
    for (char c : in) AppendUtf8(out, static_cast<unsigned char>(c));
  } else if (declared == "us-ascii" || declared == "ascii") {
    for (size_t i = 0; i < in.size(); ++i) {
      if (static_cast<unsigned char>(in[i]) >= 0x80) {
        return Bad("xml.encoding",
                   "byte " + std::to_string(i) + " is not ASCII but the declaration says US-ASCII");
      }
    }
    out.assign(in);
  } else {
    return Bad("xml.encoding",
               "encoding \"" + declared + "\" is not accepted; send UTF-8 or ISO-8859-1");
  }
  size_t bad = CheckUtf8(out);
  if (bad != std::string::npos) {
    return Bad("xml.encoding", "invalid UTF-8 or a character XML does not allow at byte " +
                                   std::to_string(bad) + " (declare ISO-8859-1 for Latin-1 text)");
  }
  return out;
}

// ---- Step 2: refuse declarations and entities before parsing ---------------

bool NameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
         c == ':' || static_cast<unsigned char>(c) >= 0x80;
}

// Checks the reference starting at s[i] == '&'; sets `len` on success.
Status CheckReference(std::string_view s, size_t i, size_t& len) {
  size_t semi = s.find(';', i);
  if (semi == std::string_view::npos || semi - i > 40) {
    return Bad("xml.entity", "a bare '&' at byte " + std::to_string(i) + "; write &amp;");
  }
  std::string_view ref = s.substr(i + 1, semi - i - 1);
  len = semi - i + 1;
  if (ref == "amp" || ref == "lt" || ref == "gt" || ref == "quot" || ref == "apos") {
    return Status::Ok();
  }
  if (!ref.empty() && ref[0] == '#') {
    bool hex = ref.size() > 1 && ref[1] == 'x';
    std::string_view digits = ref.substr(hex ? 2 : 1);
    if (digits.empty() || digits.size() > 8) {
      return Bad("xml.entity", "bad character reference &" + std::string(ref) + ";");
    }
    std::uint32_t cp = 0;
    for (char c : digits) {
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0) return Bad("xml.entity", "bad character reference &" + std::string(ref) + ";");
      cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
    }
    if (!XmlChar(cp)) {
      return Bad("xml.entity", "character reference &" + std::string(ref) +
                                   "; names a character XML does not allow");
    }
    return Status::Ok();
  }
  bool name = !ref.empty() && std::all_of(ref.begin(), ref.end(), NameChar);
  if (!name) return Bad("xml.entity", "a bare '&' at byte " + std::to_string(i) + "; write &amp;");
  return Bad("xml.entity", "entity reference &" + std::string(ref) +
                               "; refused: only &amp; &lt; &gt; &quot; &apos; and character "
                               "references are allowed (no DTD, no entity declarations)");
}

// A lexical pass over the whole document: comments, CDATA and processing
// instructions are skipped; any other "<!" markup declaration (DOCTYPE,
// ENTITY, ELEMENT, ATTLIST, NOTATION, conditional sections) is refused, and
// so is every entity reference that is not predefined. The XML parser then
// never sees a DTD, so it can neither expand nor fetch anything.
Status RefuseDeclarations(std::string_view s, const LoadOptions& opts) {
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '<' && StartsWith(s, i, "<!--")) {
      size_t end = s.find("--", i + 4);
      if (end == std::string_view::npos) return Bad("xml.syntax", "unterminated comment");
      if (!StartsWith(s, end, "-->")) {
        return Bad("xml.syntax", "\"--\" inside a comment at byte " + std::to_string(end));
      }
      i = end + 3;
    } else if (c == '<' && StartsWith(s, i, "<![CDATA[")) {
      size_t end = s.find("]]>", i + 9);
      if (end == std::string_view::npos) return Bad("xml.syntax", "unterminated CDATA section");
      i = end + 3;
    } else if (c == '<' && StartsWith(s, i, "<!")) {
      std::string what = StartsWith(s, i, "<!DOCTYPE")  ? "DOCTYPE"
                         : StartsWith(s, i, "<!ENTITY") ? "ENTITY"
                                                        : "markup";
      return Bad("xml.doctype", what + " declaration at byte " + std::to_string(i) +
                                    " refused: " + std::string(opts.document) +
                                    " need no DTD, and Beacon accepts none (no entity "
                                    "declarations, no external entities)");
    } else if (c == '<' && StartsWith(s, i, "<?")) {
      size_t end = s.find("?>", i + 2);
      if (end == std::string_view::npos) {
        return Bad("xml.syntax", "unterminated processing instruction");
      }
      size_t n = i + 2;
      while (n < end && NameChar(s[n])) ++n;
      if (Lower(s.substr(i + 2, n - i - 2)) == "xml" && i != 0) {
        return Bad("xml.syntax", "the XML declaration must be at the very start");
      }
      i = end + 2;
    } else if (c == '&') {
      size_t len = 0;
      BEACON_RETURN_IF_ERROR(CheckReference(s, i, len));
      i += len;
    } else if (c == ']' && StartsWith(s, i, "]]>")) {
      return Bad("xml.syntax", "\"]]>\" outside a CDATA section at byte " + std::to_string(i));
    } else {
      ++i;
    }
  }
  return Status::Ok();
}

}  // namespace

Status Load(std::string_view bytes, std::string_view charset, const LoadOptions& options,
            pugi::xml_document& doc, pugi::xml_node& root) {
  auto utf8 = ToUtf8(bytes, Trim(charset), options);
  if (!utf8) return utf8.error();
  BEACON_RETURN_IF_ERROR(RefuseDeclarations(*utf8, options));
  // No parse_doctype: there is none (refused above); pugixml never loads
  // external resources and expands only the predefined entities.
  unsigned opts = pugi::parse_cdata | pugi::parse_escapes | pugi::parse_wconv_attribute |
                  pugi::parse_eol | pugi::parse_ws_pcdata | pugi::parse_declaration;
  auto res = doc.load_buffer(utf8->data(), utf8->size(), opts, pugi::encoding_utf8);
  if (!res) {
    return Bad("xml.syntax", std::string("not well-formed XML at byte ") +
                                 std::to_string(res.offset) + ": " + res.description());
  }
  root = pugi::xml_node();
  for (auto c = doc.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) {
      if (root) return Bad("xml.syntax", "more than one root element");
      root = c;
    } else if ((c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) &&
               !Trim(c.value()).empty()) {
      return Bad("xml.syntax", "text outside the root element");
    }
  }
  if (!root) return Bad("xml.syntax", "no root element");
  return Status::Ok();
}

Status NameTable::Resolve(const pugi::xml_node& root, std::string_view opaque_ns,
                          const AttributeCheck& check) {
  struct Binding {
    std::string prefix, uri;
  };
  std::vector<Binding> scope = {{"xml", std::string(kXmlNs)}};
  struct Frame {
    pugi::xml_node node;
    size_t scope_size;
    bool opaque;
    bool entered;
  };
  std::vector<Frame> stack = {{root, 0, false, false}};
  uris_.reserve(64);
  auto lookup = [&](std::string_view prefix) -> const std::string* {
    for (auto it = scope.rbegin(); it != scope.rend(); ++it) {
      if (it->prefix == prefix) return &it->uri;
    }
    return nullptr;
  };
  auto intern = [&](const std::string& uri) -> std::string_view {
    for (const auto& u : uris_) {
      if (u == uri) return u;
    }
    if (uris_.size() == uris_.capacity()) {
      return {};  // more distinct namespaces than anyone needs; treated as unknown
    }
    uris_.push_back(uri);
    return uris_.back();
  };
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.entered) {
      scope.resize(f.scope_size);
      stack.pop_back();
      continue;
    }
    f.entered = true;
    pugi::xml_node n = f.node;
    size_t before = scope.size();
    std::vector<std::string_view> seen;
    for (auto a = n.first_attribute(); a; a = a.next_attribute()) {
      std::string_view an = a.name();
      if (std::find(seen.begin(), seen.end(), an) != seen.end()) {
        return Bad("xml.syntax", "attribute " + std::string(an) + " appears twice on <" +
                                     std::string(n.name()) + ">");
      }
      seen.push_back(an);
      if (an == "xmlns") {
        scope.push_back({"", a.value()});
      } else if (an.substr(0, 6) == "xmlns:") {
        if (std::string_view(a.value()).empty()) {
          return Bad("xml.syntax",
                     "namespace prefix " + std::string(an.substr(6)) + " bound to an empty URI");
        }
        scope.push_back({std::string(an.substr(6)), a.value()});
      }
    }
    std::string_view qname = n.name();
    size_t colon = qname.find(':');
    std::string prefix(colon == std::string_view::npos ? "" : qname.substr(0, colon));
    std::string_view local = colon == std::string_view::npos ? qname : qname.substr(colon + 1);
    const std::string* uri = lookup(prefix);
    if (!uri && !prefix.empty()) {
      return Bad("xml.namespace",
                 "namespace prefix " + prefix + " of <" + std::string(qname) + "> is not declared");
    }
    if (uri && (*uri == kXIncludeNs || *uri == kXIncludeNsOld)) {
      return Bad("xml.xinclude", "XInclude (<" + std::string(qname) +
                                     ">) refused: Beacon never loads other documents");
    }
    std::string_view ns = uri ? intern(*uri) : std::string_view();
    names_[n.internal_object()] = {ns, local};
    bool opaque = f.opaque || (!opaque_ns.empty() && ns == opaque_ns);
    for (auto a = n.first_attribute(); a; a = a.next_attribute()) {
      std::string_view an = a.name();
      if (an == "xmlns" || an.substr(0, 6) == "xmlns:") continue;
      size_t ac = an.find(':');
      if (ac != std::string_view::npos) {
        const std::string* auri = lookup(std::string(an.substr(0, ac)));
        if (!auri) {
          return Bad("xml.namespace",
                     "namespace prefix of attribute " + std::string(an) + " is not declared");
        }
        if (*auri == kXIncludeNs || *auri == kXIncludeNsOld) {
          return Bad("xml.xinclude", "XInclude attribute " + std::string(an) + " refused");
        }
      }
      if (check) {
        std::string_view ans;
        if (ac != std::string_view::npos) ans = *lookup(std::string(an.substr(0, ac)));
        BEACON_RETURN_IF_ERROR(check(n, {ns, local}, an, ans, opaque));
      }
    }
    size_t mark = stack.size();
    for (auto c = n.last_child(); c; c = c.previous_sibling()) {
      if (c.type() == pugi::node_element) stack.push_back({c, scope.size(), opaque, false});
    }
    // When this element is done, its own declarations go out of scope.
    stack[mark - 1].scope_size = before;
  }
  return Status::Ok();
}

}  // namespace beacon::xml
