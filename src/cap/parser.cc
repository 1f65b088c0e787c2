#include "cap/parser.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <pugixml.hpp>
#include <unordered_map>

namespace beacon::cap {
namespace {

constexpr std::string_view kXIncludeNs = "http://www.w3.org/2001/XInclude";
constexpr std::string_view kXIncludeNsOld = "http://www.w3.org/2003/XInclude";
constexpr std::string_view kXsiNs = "http://www.w3.org/2001/XMLSchema-instance";
constexpr std::string_view kXmlNs = "http://www.w3.org/XML/1998/namespace";

Status Bad(const std::string& rule, const std::string& why, const std::string& path = {}) {
  return Malformed(rule + ": " + why, path);
}
Status Wrong(const std::string& rule, const std::string& why, const std::string& path) {
  return Invalid(rule + ": " + why, path);
}

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

Result<std::string> ToUtf8(std::string_view in, std::string_view charset) {
  if (in.empty()) return Bad("xml.syntax", "the body is empty; send a CAP 1.2 <alert>");
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

// ---- xs:anyURI, as libxml2 checks it -----------------------------------------

// libxml2 (which the XSD cross-check runs) collapses whitespace, maps
// characters a URI cannot hold to '_', then parses an RFC 3986
// URI-reference; a value it cannot parse is invalid. This is that check,
// so that what Beacon accepts the XSD accepts too.
class UriChecker {
 public:
  explicit UriChecker(std::string s) : s_(std::move(s)) {}
  bool Valid() {
    if (s_.empty()) return true;
    i_ = 0;
    if (Uri()) return true;
    i_ = 0;
    return RelativeRef();
  }

 private:
  char At(size_t k = 0) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  static bool Alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
  static bool Digit(char c) { return c >= '0' && c <= '9'; }
  static bool Hex(char c) { return Digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
  static bool Unreserved(char c) {
    return Alpha(c) || Digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
  }
  static bool SubDelim(char c) {
    return std::string_view("!$&'()*+,;=").find(c) != std::string_view::npos && c;
  }
  // One unreserved / pct-encoded / sub-delims character, plus `extra`.
  bool Take(std::string_view extra) {
    char c = At();
    if (c == '%' && Hex(At(1)) && Hex(At(2))) {
      i_ += 3;
      return true;
    }
    if (c && (Unreserved(c) || SubDelim(c) || extra.find(c) != std::string_view::npos)) {
      ++i_;
      return true;
    }
    return false;
  }
  bool PChar() { return Take(":@"); }
  void Segment() {
    while (PChar()) {
    }
  }
  bool Authority() {
    size_t start = i_;
    while (Take(":")) {
    }
    if (At() == '@') {
      ++i_;
    } else {
      i_ = start;
    }
    if (At() == '[') {
      size_t close = s_.find(']', i_);
      if (close == std::string::npos) return false;
      i_ = close + 1;
    } else {
      while (Take("")) {
      }
    }
    if (At() == ':') {
      ++i_;
      if (!Digit(At())) return false;
      long long port = 0;
      while (Digit(At())) {
        port = port * 10 + (At() - '0');
        if (port > 2147483647LL) return false;
        ++i_;
      }
    }
    return true;
  }
  void PathAbEmpty() {
    while (At() == '/') {
      ++i_;
      Segment();
    }
  }
  bool Tail() {
    if (At() == '?') {
      ++i_;
      while (Take(":@/?")) {
      }
    }
    if (At() == '#') {
      ++i_;
      while (Take(":@/?[]")) {
      }
    }
    return i_ == s_.size();
  }
  bool Uri() {
    if (!Alpha(At())) return false;
    while (Alpha(At()) || Digit(At()) || At() == '+' || At() == '-' || At() == '.') ++i_;
    if (At() != ':') return false;
    ++i_;
    if (At() == '/' && At(1) == '/') {
      i_ += 2;
      if (!Authority()) return false;
      PathAbEmpty();
    } else if (At() == '/') {
      PathAbEmpty();
    } else {
      Segment();
      PathAbEmpty();
    }
    return Tail();
  }
  bool RelativeRef() {
    if (At() == '/' && At(1) == '/') {
      i_ += 2;
      if (!Authority()) return false;
      PathAbEmpty();
    } else if (At() == '/') {
      PathAbEmpty();
    } else {
      while (Take("@")) {  // segment-nz-nc: no ':'
      }
      PathAbEmpty();
    }
    return Tail();
  }

  std::string s_;
  size_t i_ = 0;
};

bool ValidAnyUri(std::string_view text) {
  std::string v = Collapse(text);
  for (auto& c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u < 32 || u >= 127 || std::string_view(" <>\"{}|\\^`'").find(c) != std::string_view::npos) {
      c = '_';
    }
  }
  return UriChecker(std::move(v)).Valid();
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
Status RefuseDeclarations(std::string_view s) {
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
                                    " refused: CAP messages need no DTD, and Beacon accepts "
                                    "none (no entity declarations, no external entities)");
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

// ---- Step 3+: namespaces and the CAP structure -----------------------------

struct Names {
  std::string_view ns;     // resolved namespace URI
  std::string_view local;  // local name
};

class Reader {
 public:
  Status Namespaces(const pugi::xml_node& root);
  Status ReadAlert(const pugi::xml_node& root, Alert& out);

 private:
  using Fn = std::function<Status(const pugi::xml_node&, const std::string&)>;
  struct Kids {
    std::vector<pugi::xml_node> nodes;
    size_t pos = 0;
    std::vector<std::string> order;  // names in schema order, for messages
    std::string path;
  };

  Names NameOf(const pugi::xml_node& n) const { return names_.at(n.internal_object()); }
  bool IsCap(const pugi::xml_node& n, std::string_view local) const {
    auto nm = NameOf(n);
    return nm.ns == kNamespace && nm.local == local;
  }
  Result<Kids> Children(const pugi::xml_node& parent, const std::string& path) const;
  Status Take(Kids& k, const char* name, int min, int max, const Fn& fn);
  Status Done(const Kids& k) const;
  Result<std::string> Text(const pugi::xml_node& n, const std::string& path) const;
  Status Str(Kids& k, const char* name, std::string& out);
  Status OptStr(Kids& k, const char* name, std::optional<std::string>& out);
  Status Enum(Kids& k, const char* name, std::initializer_list<std::string_view> values,
              std::string& out);
  Status Time(Kids& k, const char* name, bool required, std::optional<std::string>& out);
  Status Pairs(Kids& k, const char* name, int min, int max, std::vector<ValuePair>& out);
  Status ReadInfo(const pugi::xml_node& n, const std::string& path, Info& out);
  Status ReadArea(const pugi::xml_node& n, const std::string& path, Area& out);
  Status ReadResource(const pugi::xml_node& n, const std::string& path, Resource& out);

  std::unordered_map<const void*, Names> names_;
  std::vector<std::string> uris_;  // storage that names_ points into (stable: reserve)
};

// Resolves every element's namespace with an explicit stack (the tree may
// be deep inside a <Signature>), refuses undeclared prefixes, duplicate
// attributes, XInclude anywhere, and attributes the XSD does not declare.
Status Reader::Namespaces(const pugi::xml_node& root) {
  struct Binding {
    std::string prefix, uri;
  };
  std::vector<Binding> scope = {{"xml", std::string(kXmlNs)}};
  struct Frame {
    pugi::xml_node node;
    size_t scope_size;
    bool in_dsig;
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
    bool in_dsig = f.in_dsig || ns == kDsigNamespace;
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
        // xsi:schemaLocation is a hint Beacon ignores (nothing is fetched).
        if (*auri == kXsiNs && (an.substr(ac + 1) == "schemaLocation" ||
                                an.substr(ac + 1) == "noNamespaceSchemaLocation")) {
          continue;
        }
      }
      if (!in_dsig) {
        return Wrong("cap.attribute",
                     "attribute " + std::string(an) + " on <" + std::string(local) +
                         "> is not allowed: CAP 1.2 elements carry no attributes",
                     std::string(local));
      }
    }
    size_t mark = stack.size();
    for (auto c = n.last_child(); c; c = c.previous_sibling()) {
      if (c.type() == pugi::node_element) stack.push_back({c, scope.size(), in_dsig, false});
    }
    // When this element is done, its own declarations go out of scope.
    stack[mark - 1].scope_size = before;
  }
  return Status::Ok();
}

Result<Reader::Kids> Reader::Children(const pugi::xml_node& parent, const std::string& path) const {
  Kids k;
  k.path = path;
  for (auto c = parent.first_child(); c; c = c.next_sibling()) {
    switch (c.type()) {
      case pugi::node_element:
        k.nodes.push_back(c);
        break;
      case pugi::node_pcdata:
      case pugi::node_cdata:
        if (!Trim(c.value()).empty()) {
          return Wrong("cap.content",
                       "<" + std::string(NameOf(parent).local) + "> holds elements, not text",
                       path);
        }
        break;
      default:
        break;
    }
  }
  return k;
}

Status Reader::Take(Kids& k, const char* name, int min, int max, const Fn& fn) {
  k.order.push_back(name);
  int count = 0;
  while (k.pos < k.nodes.size() && count < max && IsCap(k.nodes[k.pos], name)) {
    std::string path = k.path + "/" + name;
    if (max > 1) path += "[" + std::to_string(count) + "]";
    BEACON_RETURN_IF_ERROR(fn(k.nodes[k.pos], path));
    ++count;
    ++k.pos;
  }
  if (count < min) {
    std::string found;
    if (k.pos < k.nodes.size()) {
      found = "; found <" + std::string(NameOf(k.nodes[k.pos]).local) + "> instead";
    }
    return Wrong("cap.required",
                 "<" + std::string(name) + "> is required in <" +
                     k.path.substr(k.path.rfind('/') + 1) + ">" + found,
                 k.path + "/" + name);
  }
  return Status::Ok();
}

Status Reader::Done(const Kids& k) const {
  if (k.pos >= k.nodes.size()) return Status::Ok();
  auto nm = NameOf(k.nodes[k.pos]);
  std::string name(nm.local);
  std::string parent = k.path.substr(k.path.rfind('/') + 1);
  std::string path = k.path + "/" + name;
  if (nm.ns != kNamespace) {
    std::string ns = nm.ns.empty() ? "no namespace" : "namespace " + std::string(nm.ns);
    return Wrong("cap.namespace",
                 "<" + name + "> in " + ns + " is not a CAP 1.2 element (CAP elements are in " +
                     std::string(kNamespace) + ")",
                 path);
  }
  std::string order;
  for (const auto& o : k.order) order += (order.empty() ? "" : ", ") + o;
  if (std::find(k.order.begin(), k.order.end(), name) != k.order.end()) {
    return Wrong(
        "cap.order",
        "<" + name + "> is out of order or repeated in <" + parent + ">; CAP 1.2 order: " + order,
        path);
  }
  return Wrong("cap.unknown_element",
               "<" + name + "> is not a CAP 1.2 element of <" + parent + ">; allowed: " + order,
               path);
}

Result<std::string> Reader::Text(const pugi::xml_node& n, const std::string& path) const {
  std::string out;
  for (auto c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
      out += c.value();
    } else if (c.type() == pugi::node_element) {
      return Wrong("cap.content",
                   "<" + std::string(NameOf(n).local) + "> holds text only, not <" +
                       std::string(NameOf(c).local) + ">",
                   path);
    }
  }
  return out;
}

Status Reader::Str(Kids& k, const char* name, std::string& out) {
  return Take(k, name, 1, 1, [&](const pugi::xml_node& n, const std::string& path) {
    auto t = Text(n, path);
    if (!t) return t.error();
    out = std::move(*t);
    return Status::Ok();
  });
}

Status Reader::OptStr(Kids& k, const char* name, std::optional<std::string>& out) {
  return Take(k, name, 0, 1, [&](const pugi::xml_node& n, const std::string& path) {
    auto t = Text(n, path);
    if (!t) return t.error();
    out = std::move(*t);
    return Status::Ok();
  });
}

Status Reader::Enum(Kids& k, const char* name, std::initializer_list<std::string_view> values,
                    std::string& out) {
  return Take(k, name, 1, 1, [&](const pugi::xml_node& n, const std::string& path) {
    auto t = Text(n, path);
    if (!t) return t.error();
    // xs:string enumerations compare the exact text (no whitespace folding).
    if (std::find(values.begin(), values.end(), *t) == values.end()) {
      std::string list;
      for (auto v : values) list += (list.empty() ? "" : ", ") + std::string(v);
      return Wrong(std::string("cap.") + name + ".enum",
                   std::string(name) + " must be one of " + list + " (got \"" + *t + "\")", path);
    }
    out = std::move(*t);
    return Status::Ok();
  });
}

Status Reader::Time(Kids& k, const char* name, bool required, std::optional<std::string>& out) {
  return Take(k, name, required ? 1 : 0, 1, [&](const pugi::xml_node& n, const std::string& path) {
    auto t = Text(n, path);
    if (!t) return t.error();
    if (!ParseCapTime(*t)) {
      return Wrong(std::string("cap.") + name + ".format",
                   std::string(name) +
                       " must be a date-time like 2003-06-11T22:39:00-07:00 "
                       "(seconds, numeric offset, no \"Z\"; got \"" +
                       *t + "\")",
                   path);
    }
    out = std::string(Trim(*t));
    return Status::Ok();
  });
}

Status Reader::Pairs(Kids& k, const char* name, int min, int max, std::vector<ValuePair>& out) {
  return Take(k, name, min, max, [&](const pugi::xml_node& n, const std::string& path) {
    auto kids = Children(n, path);
    if (!kids) return kids.error();
    ValuePair p;
    BEACON_RETURN_IF_ERROR(Str(*kids, "valueName", p.name));
    BEACON_RETURN_IF_ERROR(Str(*kids, "value", p.value));
    BEACON_RETURN_IF_ERROR(Done(*kids));
    out.push_back(std::move(p));
    return Status::Ok();
  });
}

bool IsDecimal(std::string_view s) {
  s = Trim(s);
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  bool digits = false, dot = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

bool IsInteger(std::string_view s) {
  s = Trim(s);
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A CAP number inside polygon/circle text: a plain decimal.
std::optional<double> Number(std::string_view s) {
  if (!IsDecimal(s) || s != Trim(s)) return std::nullopt;
  std::string tmp(s);
  char* end = nullptr;
  double v = std::strtod(tmp.c_str(), &end);
  if (end != tmp.c_str() + tmp.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<LatLon> Point(std::string_view s) {
  size_t comma = s.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  auto lat = Number(s.substr(0, comma));
  auto lon = Number(s.substr(comma + 1));
  if (!lat || !lon || !ValidLatLon(*lat, *lon)) return std::nullopt;
  return LatLon{*lat, *lon};
}

Status Reader::ReadArea(const pugi::xml_node& n, const std::string& path, Area& a) {
  auto kids = Children(n, path);
  if (!kids) return kids.error();
  auto& k = *kids;
  BEACON_RETURN_IF_ERROR(Str(k, "areaDesc", a.desc));
  BEACON_RETURN_IF_ERROR(
      Take(k, "polygon", 0, INT32_MAX, [&](const pugi::xml_node& e, const std::string& p) {
        auto t = Text(e, p);
        if (!t) return t.error();
        std::vector<LatLon> points;
        auto pairs = SplitSpace(*t);
        for (size_t i = 0; i < pairs.size(); ++i) {
          auto pt = Point(pairs[i]);
          if (!pt) {
            return Wrong("cap.polygon.format",
                         "polygon point " + std::to_string(i) + " \"" + pairs[i] +
                             "\" is not \"lat,lon\" in WGS 84 (lat -90..90, lon -180..180)",
                         p);
          }
          points.push_back(*pt);
        }
        if (points.size() < 4) {
          return Wrong(
              "cap.polygon.points",
              "a polygon needs at least 4 coordinate pairs, the first repeated last (got " +
                  std::to_string(points.size()) + ")",
              p);
        }
        if (points.front().lat != points.back().lat || points.front().lon != points.back().lon) {
          return Wrong("cap.polygon.closed",
                       "polygon is not closed: the first pair (" + pairs.front() +
                           ") must be repeated as the last (" + pairs.back() + ")",
                       p);
        }
        a.polygons.push_back(std::move(points));
        return Status::Ok();
      }));
  BEACON_RETURN_IF_ERROR(
      Take(k, "circle", 0, INT32_MAX, [&](const pugi::xml_node& e, const std::string& p) {
        auto t = Text(e, p);
        if (!t) return t.error();
        auto parts = SplitSpace(*t);
        std::optional<LatLon> centre;
        std::optional<double> radius;
        if (parts.size() == 2) {
          centre = Point(parts[0]);
          radius = Number(parts[1]);
        }
        if (!centre || !radius || *radius < 0) {
          return Wrong("cap.circle.format",
                       "circle must be \"lat,lon radius_km\" (WGS 84, radius >= 0; got \"" +
                           Collapse(*t) + "\")",
                       p);
        }
        a.circles.push_back({*centre, *radius});
        return Status::Ok();
      }));
  BEACON_RETURN_IF_ERROR(Pairs(k, "geocode", 0, INT32_MAX, a.geocodes));
  auto decimal = [&](const char* name, std::optional<std::string>& out) {
    return Take(k, name, 0, 1, [&](const pugi::xml_node& e, const std::string& p) {
      auto t = Text(e, p);
      if (!t) return t.error();
      if (!IsDecimal(*t)) {
        return Wrong(std::string("cap.") + name + ".format",
                     std::string(name) + " must be a decimal number of feet (got \"" + *t + "\")",
                     p);
      }
      out = std::string(Trim(*t));
      return Status::Ok();
    });
  };
  BEACON_RETURN_IF_ERROR(decimal("altitude", a.altitude));
  BEACON_RETURN_IF_ERROR(decimal("ceiling", a.ceiling));
  BEACON_RETURN_IF_ERROR(Done(k));
  if (a.ceiling && !a.altitude) {
    return Wrong("cap.ceiling.altitude", "ceiling may only be used with altitude",
                 path + "/ceiling");
  }
  return Status::Ok();
}

Status Reader::ReadResource(const pugi::xml_node& n, const std::string& path, Resource& r) {
  auto kids = Children(n, path);
  if (!kids) return kids.error();
  auto& k = *kids;
  BEACON_RETURN_IF_ERROR(Str(k, "resourceDesc", r.desc));
  BEACON_RETURN_IF_ERROR(Str(k, "mimeType", r.mime_type));
  BEACON_RETURN_IF_ERROR(OptStr(k, "size", r.size));
  if (r.size && !IsInteger(*r.size)) {
    return Wrong("cap.size.format", "size must be an integer number of bytes", path + "/size");
  }
  if (r.size) r.size = std::string(Trim(*r.size));
  BEACON_RETURN_IF_ERROR(OptStr(k, "uri", r.uri));
  if (r.uri && !ValidAnyUri(*r.uri)) {
    return Wrong("cap.uri.format", "uri must be a URI (got \"" + *r.uri + "\")", path + "/uri");
  }
  BEACON_RETURN_IF_ERROR(OptStr(k, "derefUri", r.deref_uri));
  BEACON_RETURN_IF_ERROR(OptStr(k, "digest", r.digest));
  return Done(k);
}

Status Reader::ReadInfo(const pugi::xml_node& n, const std::string& path, Info& info) {
  auto kids = Children(n, path);
  if (!kids) return kids.error();
  auto& k = *kids;
  BEACON_RETURN_IF_ERROR(
      Take(k, "language", 0, 1, [&](const pugi::xml_node& e, const std::string& p) {
        auto t = Text(e, p);
        if (!t) return t.error();
        // xs:language: [a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*
        std::string v = Collapse(*t);
        bool ok = !v.empty();
        size_t part = 0, len = 0;
        for (char c : v) {
          if (c == '-') {
            ok = ok && len > 0;
            ++part;
            len = 0;
          } else if (std::isalpha(static_cast<unsigned char>(c)) ||
                     (part > 0 && std::isdigit(static_cast<unsigned char>(c)))) {
            ++len;
            ok = ok && len <= 8;
          } else {
            ok = false;
          }
        }
        ok = ok && len > 0;
        if (!ok) {
          return Wrong("cap.language.format",
                       "language must be an RFC 3066 code like en-US (got \"" + *t + "\")", p);
        }
        info.language = v;
        return Status::Ok();
      }));
  BEACON_RETURN_IF_ERROR(
      Take(k, "category", 1, INT32_MAX, [&](const pugi::xml_node& e, const std::string& p) {
        static constexpr std::array<std::string_view, 12> kCats = {
            "Geo",    "Met", "Safety",    "Security", "Rescue", "Fire",
            "Health", "Env", "Transport", "Infra",    "CBRNE",  "Other"};
        auto t = Text(e, p);
        if (!t) return t.error();
        if (std::find(kCats.begin(), kCats.end(), *t) == kCats.end()) {
          return Wrong("cap.category.enum",
                       "category must be one of Geo, Met, Safety, Security, Rescue, Fire, Health, "
                       "Env, Transport, Infra, CBRNE, Other (got \"" +
                           *t + "\")",
                       p);
        }
        info.categories.push_back(std::move(*t));
        return Status::Ok();
      }));
  BEACON_RETURN_IF_ERROR(Str(k, "event", info.event));
  BEACON_RETURN_IF_ERROR(
      Take(k, "responseType", 0, INT32_MAX, [&](const pugi::xml_node& e, const std::string& p) {
        static constexpr std::array<std::string_view, 9> kTypes = {"Shelter", "Evacuate", "Prepare",
                                                                   "Execute", "Avoid",    "Monitor",
                                                                   "Assess",  "AllClear", "None"};
        auto t = Text(e, p);
        if (!t) return t.error();
        if (std::find(kTypes.begin(), kTypes.end(), *t) == kTypes.end()) {
          return Wrong("cap.responseType.enum",
                       "responseType must be one of Shelter, Evacuate, Prepare, Execute, Avoid, "
                       "Monitor, Assess, AllClear, None (got \"" +
                           *t + "\")",
                       p);
        }
        info.response_types.push_back(std::move(*t));
        return Status::Ok();
      }));
  BEACON_RETURN_IF_ERROR(
      Enum(k, "urgency", {"Immediate", "Expected", "Future", "Past", "Unknown"}, info.urgency));
  BEACON_RETURN_IF_ERROR(
      Enum(k, "severity", {"Extreme", "Severe", "Moderate", "Minor", "Unknown"}, info.severity));
  BEACON_RETURN_IF_ERROR(Enum(
      k, "certainty", {"Observed", "Likely", "Possible", "Unlikely", "Unknown"}, info.certainty));
  BEACON_RETURN_IF_ERROR(OptStr(k, "audience", info.audience));
  BEACON_RETURN_IF_ERROR(Pairs(k, "eventCode", 0, INT32_MAX, info.event_codes));
  BEACON_RETURN_IF_ERROR(Time(k, "effective", false, info.effective));
  BEACON_RETURN_IF_ERROR(Time(k, "onset", false, info.onset));
  BEACON_RETURN_IF_ERROR(Time(k, "expires", false, info.expires));
  BEACON_RETURN_IF_ERROR(OptStr(k, "senderName", info.sender_name));
  BEACON_RETURN_IF_ERROR(OptStr(k, "headline", info.headline));
  BEACON_RETURN_IF_ERROR(OptStr(k, "description", info.description));
  BEACON_RETURN_IF_ERROR(OptStr(k, "instruction", info.instruction));
  BEACON_RETURN_IF_ERROR(OptStr(k, "web", info.web));
  if (info.web && !ValidAnyUri(*info.web)) {
    return Wrong("cap.web.format", "web must be a URI (got \"" + *info.web + "\")", path + "/web");
  }
  BEACON_RETURN_IF_ERROR(OptStr(k, "contact", info.contact));
  BEACON_RETURN_IF_ERROR(Pairs(k, "parameter", 0, INT32_MAX, info.parameters));
  BEACON_RETURN_IF_ERROR(
      Take(k, "resource", 0, INT32_MAX, [&](const pugi::xml_node& e, const std::string& p) {
        Resource r;
        BEACON_RETURN_IF_ERROR(ReadResource(e, p, r));
        info.resources.push_back(std::move(r));
        return Status::Ok();
      }));
  BEACON_RETURN_IF_ERROR(
      Take(k, "area", 0, INT32_MAX, [&](const pugi::xml_node& e, const std::string& p) {
        Area a;
        BEACON_RETURN_IF_ERROR(ReadArea(e, p, a));
        info.areas.push_back(std::move(a));
        return Status::Ok();
      }));
  return Done(k);
}

// CAP 1.2 section 3.2.1: identifier and sender "MUST NOT include spaces,
// commas or restricted characters (< and &)".
Status IdChars(const std::string& v, const char* name) {
  if (v.empty()) {
    return Wrong(std::string("cap.") + name + ".chars", std::string(name) + " must not be empty",
                 std::string("alert/") + name);
  }
  for (char c : v) {
    if (IsXmlSpace(c) || c == ',' || c == '<' || c == '&') {
      return Wrong(
          std::string("cap.") + name + ".chars",
          std::string(name) + " must not contain spaces, commas, '<' or '&' (got \"" + v + "\")",
          std::string("alert/") + name);
    }
  }
  return Status::Ok();
}

Status Reader::ReadAlert(const pugi::xml_node& root, Alert& a) {
  auto rn = NameOf(root);
  if (rn.local != "alert" || rn.ns != kNamespace) {
    std::string ns = rn.ns.empty() ? "no namespace" : "namespace " + std::string(rn.ns);
    std::string hint = rn.ns.find("urn:oasis:names:tc:emergency:cap:1.") == 0
                           ? " (Beacon accepts CAP 1.2 only)"
                           : "";
    return Wrong("cap.namespace",
                 "the root element must be <alert> in namespace " + std::string(kNamespace) +
                     "; got <" + std::string(rn.local) + "> in " + ns + hint,
                 std::string(rn.local));
  }
  auto kids = Children(root, "alert");
  if (!kids) return kids.error();
  auto& k = *kids;
  BEACON_RETURN_IF_ERROR(Str(k, "identifier", a.identifier));
  BEACON_RETURN_IF_ERROR(Str(k, "sender", a.sender));
  std::optional<std::string> sent;
  BEACON_RETURN_IF_ERROR(Time(k, "sent", true, sent));
  a.sent = *sent;
  BEACON_RETURN_IF_ERROR(
      Enum(k, "status", {"Actual", "Exercise", "System", "Test", "Draft"}, a.status));
  BEACON_RETURN_IF_ERROR(
      Enum(k, "msgType", {"Alert", "Update", "Cancel", "Ack", "Error"}, a.msg_type));
  BEACON_RETURN_IF_ERROR(OptStr(k, "source", a.source));
  BEACON_RETURN_IF_ERROR(Enum(k, "scope", {"Public", "Restricted", "Private"}, a.scope));
  BEACON_RETURN_IF_ERROR(OptStr(k, "restriction", a.restriction));
  BEACON_RETURN_IF_ERROR(OptStr(k, "addresses", a.addresses));
  BEACON_RETURN_IF_ERROR(
      Take(k, "code", 0, INT32_MAX, [&](const pugi::xml_node& e, const std::string& p) {
        auto t = Text(e, p);
        if (!t) return t.error();
        a.codes.push_back(std::move(*t));
        return Status::Ok();
      }));
  BEACON_RETURN_IF_ERROR(OptStr(k, "note", a.note));
  std::optional<std::string> references;
  BEACON_RETURN_IF_ERROR(OptStr(k, "references", references));
  BEACON_RETURN_IF_ERROR(OptStr(k, "incidents", a.incidents));
  BEACON_RETURN_IF_ERROR(
      Take(k, "info", 0, INT32_MAX, [&](const pugi::xml_node& e, const std::string& p) {
        Info info;
        BEACON_RETURN_IF_ERROR(ReadInfo(e, p, info));
        a.infos.push_back(std::move(info));
        return Status::Ok();
      }));
  // <any namespace="xmldsig#" processContents="lax"/>: the signature is
  // kept (in the original bytes), not interpreted.
  while (k.pos < k.nodes.size() && NameOf(k.nodes[k.pos]).ns == kDsigNamespace) {
    if (NameOf(k.nodes[k.pos]).local == "Signature") a.signed_xml = true;
    ++k.pos;
  }
  k.order.push_back("XML-DSig elements");
  BEACON_RETURN_IF_ERROR(Done(k));

  // Rules of the CAP 1.2 specification that the XSD cannot express.
  BEACON_RETURN_IF_ERROR(IdChars(a.identifier, "identifier"));
  BEACON_RETURN_IF_ERROR(IdChars(a.sender, "sender"));
  if (a.scope == "Restricted" && !a.restriction) {
    return Wrong("cap.restriction.required", "scope Restricted needs a <restriction>",
                 "alert/restriction");
  }
  if (a.scope == "Private" && (!a.addresses || Trim(*a.addresses).empty())) {
    return Wrong("cap.addresses.required", "scope Private needs non-empty <addresses>",
                 "alert/addresses");
  }
  if (references) {
    auto items = SplitSpace(*references);
    if (items.empty()) {
      return Wrong("cap.references.empty",
                   "references is empty; list earlier messages as sender,identifier,sent",
                   "alert/references");
    }
    for (size_t i = 0; i < items.size(); ++i) {
      const auto& item = items[i];
      size_t c1 = item.find(',');
      size_t c2 = c1 == std::string::npos ? c1 : item.find(',', c1 + 1);
      bool ok = c2 != std::string::npos && item.find(',', c2 + 1) == std::string::npos;
      Reference r;
      if (ok) {
        r = {item.substr(0, c1), item.substr(c1 + 1, c2 - c1 - 1), item.substr(c2 + 1)};
        ok = !r.sender.empty() && !r.identifier.empty() && ParseCapTime(r.sent).has_value();
      }
      if (!ok) {
        return Wrong("cap.references.format",
                     "reference " + std::to_string(i) + " \"" + item +
                         "\" is not sender,identifier,sent (sent like 2003-06-11T20:30:00-07:00)",
                     "alert/references");
      }
      a.references.push_back(std::move(r));
    }
  }
  if (a.msg_type != "Alert" && a.references.empty()) {
    return Wrong("cap.references.required",
                 "msgType " + a.msg_type + " must name the earlier message(s) in <references>",
                 "alert/references");
  }
  return Status::Ok();
}

}  // namespace

std::optional<TimeMs> ParseCapTime(std::string_view text) {
  std::string_view s = Trim(text);
  // \d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d
  if (s.size() != 25) return std::nullopt;
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd?dd:dd";
  for (size_t i = 0; i < kShape.size(); ++i) {
    char c = s[i];
    char want = kShape[i];
    if (want == 'd' && !(c >= '0' && c <= '9')) return std::nullopt;
    if (want == '?' && c != '+' && c != '-') return std::nullopt;
    if (want != 'd' && want != '?' && c != want) return std::nullopt;
  }
  auto num = [&](size_t at, size_t n) {
    int v = 0;
    for (size_t i = 0; i < n; ++i) v = v * 10 + (s[at + i] - '0');
    return v;
  };
  int year = num(0, 4), month = num(5, 2), day = num(8, 2);
  int hour = num(11, 2), minute = num(14, 2), second = num(17, 2);
  int oh = num(20, 2), om = num(23, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1) return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int dim = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day > dim) return std::nullopt;
  // xs:dateTime allows 24:00:00 as the end of a day.
  bool end_of_day = hour == 24 && minute == 0 && second == 0;
  if ((hour > 23 && !end_of_day) || minute > 59 || second > 59) return std::nullopt;
  if (om > 59 || oh * 60 + om > 14 * 60) return std::nullopt;
  // Days from civil (Howard Hinnant's algorithm).
  int y = year - (month <= 2 ? 1 : 0);
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int mp = (month + 9) % 12;
  int doy = (153 * mp + 2) / 5 + day - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
  std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second;
  int offset = (oh * 60 + om) * 60;
  secs += s[19] == '+' ? -offset : offset;
  return secs * 1000;
}

std::string FormatCapTime(TimeMs t) {
  std::string iso = FormatRfc3339(t);  // 2024-05-01T12:00:00.000Z
  return iso.substr(0, 19) + "-00:00";
}

Result<Alert> Parse(std::string_view bytes, std::string_view charset) {
  auto utf8 = ToUtf8(bytes, Trim(charset));
  if (!utf8) return utf8.error();
  BEACON_RETURN_IF_ERROR(RefuseDeclarations(*utf8));
  pugi::xml_document doc;
  // No parse_doctype: there is none (refused above); pugixml never loads
  // external resources and expands only the predefined entities.
  unsigned opts = pugi::parse_cdata | pugi::parse_escapes | pugi::parse_wconv_attribute |
                  pugi::parse_eol | pugi::parse_ws_pcdata | pugi::parse_declaration;
  auto res = doc.load_buffer(utf8->data(), utf8->size(), opts, pugi::encoding_utf8);
  if (!res) {
    return Bad("xml.syntax", std::string("not well-formed XML at byte ") +
                                 std::to_string(res.offset) + ": " + res.description());
  }
  pugi::xml_node root;
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
  Reader reader;
  BEACON_RETURN_IF_ERROR(reader.Namespaces(root));
  Alert alert;
  BEACON_RETURN_IF_ERROR(reader.ReadAlert(root, alert));
  return alert;
}

std::string RuleOf(const Status& s) {
  const std::string& m = s.message();
  size_t colon = m.find(": ");
  if (colon == std::string::npos) return "";
  std::string rule = m.substr(0, colon);
  if (rule.find(' ') != std::string::npos) return "";
  return rule;
}

}  // namespace beacon::cap
