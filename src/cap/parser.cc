#include "cap/parser.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <pugixml.hpp>
#include <unordered_map>

#include "xml/hardened.h"

namespace beacon::cap {
namespace {

constexpr std::string_view kXsiNs = "http://www.w3.org/2001/XMLSchema-instance";

Status Wrong(const std::string& rule, const std::string& why, const std::string& path) {
  return Invalid(rule + ": " + why, path);
}

using xml::Collapse;
using xml::IsXmlSpace;
using xml::SplitSpace;
using xml::Trim;

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

// ---- Step 3+: namespaces and the CAP structure -----------------------------

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

  xml::Name NameOf(const pugi::xml_node& n) const { return names_.Of(n); }
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

  xml::NameTable names_;
};

// Resolves every element's namespace (xml::NameTable: undeclared
// prefixes, duplicate attributes and XInclude refused) and refuses
// attributes the XSD does not declare.
Status Reader::Namespaces(const pugi::xml_node& root) {
  return names_.Resolve(root, kDsigNamespace,
                        [](const pugi::xml_node&, xml::Name name, std::string_view attribute,
                           std::string_view attribute_ns, bool in_dsig) -> Status {
                          // xsi:schemaLocation is a hint Beacon ignores (nothing is fetched).
                          if (attribute_ns == kXsiNs) {
                            std::string_view local = attribute.substr(attribute.find(':') + 1);
                            if (local == "schemaLocation" || local == "noNamespaceSchemaLocation") {
                              return Status::Ok();
                            }
                          }
                          if (in_dsig) return Status::Ok();
                          return Wrong("cap.attribute",
                                       "attribute " + std::string(attribute) + " on <" +
                                           std::string(name.local) +
                                           "> is not allowed: CAP 1.2 elements carry no attributes",
                                       std::string(name.local));
                        });
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
  pugi::xml_document doc;
  pugi::xml_node root;
  BEACON_RETURN_IF_ERROR(
      xml::Load(bytes, charset, {"CAP messages", "send a CAP 1.2 <alert>"}, doc, root));
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
