#include "cap/writer.h"

#include <cstdio>

#include "common/text.h"

namespace beacon::cap {
namespace {

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  std::string s(buf);
  // Trim trailing zeros but keep one digit after the point.
  while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
  return s;
}

std::string Point(LatLon p) { return Num(p.lat) + "," + Num(p.lon); }

class Out {
 public:
  void Open(std::string_view name, int depth) {
    Indent(depth);
    s_ += '<';
    s_ += name;
    s_ += ">\n";
  }
  void Close(std::string_view name, int depth) {
    Indent(depth);
    s_ += "</";
    s_ += name;
    s_ += ">\n";
  }
  void Leaf(std::string_view name, std::string_view text, int depth) {
    Indent(depth);
    s_ += '<';
    s_ += name;
    s_ += '>';
    s_ += XmlEscape(text);
    s_ += "</";
    s_ += name;
    s_ += ">\n";
  }
  void Opt(std::string_view name, const std::optional<std::string>& text, int depth) {
    if (text) Leaf(name, *text, depth);
  }
  void Pair(std::string_view name, const ValuePair& p, int depth) {
    Open(name, depth);
    Leaf("valueName", p.name, depth + 1);
    Leaf("value", p.value, depth + 1);
    Close(name, depth);
  }
  void Raw(std::string_view text) { s_ += text; }
  std::string Take() { return std::move(s_); }

 private:
  void Indent(int depth) { s_.append(static_cast<size_t>(depth) * 2, ' '); }
  std::string s_;
};

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (char c : EscapeMarkup(text)) {
    if (c == '\r') {
      out += "&#13;";
    } else if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
      // Control characters XML 1.0 does not allow are dropped.
    } else {
      out += c;
    }
  }
  return out;
}

std::string ToXml(const Alert& a) {
  Out o;
  o.Raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  o.Raw("<alert xmlns=\"" + std::string(kNamespace) + "\">\n");
  o.Leaf("identifier", a.identifier, 1);
  o.Leaf("sender", a.sender, 1);
  o.Leaf("sent", a.sent, 1);
  o.Leaf("status", a.status, 1);
  o.Leaf("msgType", a.msg_type, 1);
  o.Opt("source", a.source, 1);
  o.Leaf("scope", a.scope, 1);
  o.Opt("restriction", a.restriction, 1);
  o.Opt("addresses", a.addresses, 1);
  for (const auto& c : a.codes) o.Leaf("code", c, 1);
  o.Opt("note", a.note, 1);
  if (!a.references.empty()) {
    std::string refs;
    for (const auto& r : a.references) refs += (refs.empty() ? "" : " ") + r.Key();
    o.Leaf("references", refs, 1);
  }
  o.Opt("incidents", a.incidents, 1);
  for (const auto& i : a.infos) {
    o.Open("info", 1);
    o.Opt("language", i.language, 2);
    for (const auto& c : i.categories) o.Leaf("category", c, 2);
    o.Leaf("event", i.event, 2);
    for (const auto& r : i.response_types) o.Leaf("responseType", r, 2);
    o.Leaf("urgency", i.urgency, 2);
    o.Leaf("severity", i.severity, 2);
    o.Leaf("certainty", i.certainty, 2);
    o.Opt("audience", i.audience, 2);
    for (const auto& p : i.event_codes) o.Pair("eventCode", p, 2);
    o.Opt("effective", i.effective, 2);
    o.Opt("onset", i.onset, 2);
    o.Opt("expires", i.expires, 2);
    o.Opt("senderName", i.sender_name, 2);
    o.Opt("headline", i.headline, 2);
    o.Opt("description", i.description, 2);
    o.Opt("instruction", i.instruction, 2);
    o.Opt("web", i.web, 2);
    o.Opt("contact", i.contact, 2);
    for (const auto& p : i.parameters) o.Pair("parameter", p, 2);
    for (const auto& r : i.resources) {
      o.Open("resource", 2);
      o.Leaf("resourceDesc", r.desc, 3);
      o.Leaf("mimeType", r.mime_type, 3);
      o.Opt("size", r.size, 3);
      o.Opt("uri", r.uri, 3);
      o.Opt("derefUri", r.deref_uri, 3);
      o.Opt("digest", r.digest, 3);
      o.Close("resource", 2);
    }
    for (const auto& ar : i.areas) {
      o.Open("area", 2);
      o.Leaf("areaDesc", ar.desc, 3);
      for (const auto& poly : ar.polygons) {
        std::string text;
        for (const auto& p : poly) text += (text.empty() ? "" : " ") + Point(p);
        o.Leaf("polygon", text, 3);
      }
      for (const auto& c : ar.circles)
        o.Leaf("circle", Point(c.centre) + " " + Num(c.radius_km), 3);
      for (const auto& g : ar.geocodes) o.Pair("geocode", g, 3);
      o.Opt("altitude", ar.altitude, 3);
      o.Opt("ceiling", ar.ceiling, 3);
      o.Close("area", 2);
    }
    o.Close("info", 1);
  }
  o.Raw("</alert>\n");
  return o.Take();
}

std::string ToAtom(const Feed& f) {
  std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
  s += "  <id>" + XmlEscape(f.id) + "</id>\n";
  s += "  <title>" + XmlEscape(f.title) + "</title>\n";
  s += "  <updated>" + XmlEscape(f.updated) + "</updated>\n";
  s += "  <author><name>" + XmlEscape(f.title) + "</name></author>\n";
  s += "  <link rel=\"self\" type=\"application/atom+xml\" href=\"" + XmlEscape(f.self_href) +
       "\"/>\n";
  for (const auto& e : f.entries) {
    s += "  <entry>\n";
    s += "    <id>" + XmlEscape(e.id) + "</id>\n";
    s += "    <title>" + XmlEscape(e.title) + "</title>\n";
    s += "    <updated>" + XmlEscape(e.updated) + "</updated>\n";
    s += "    <link rel=\"alternate\" type=\"application/cap+xml\" href=\"" + XmlEscape(e.href) +
         "\"/>\n";
    if (!e.summary.empty()) s += "    <summary>" + XmlEscape(e.summary) + "</summary>\n";
    s += "  </entry>\n";
  }
  s += "</feed>\n";
  return s;
}

}  // namespace beacon::cap
