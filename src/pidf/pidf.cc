#include "pidf/pidf.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <pugixml.hpp>
#include <vector>

#include "xml/hardened.h"

namespace beacon::pidf {
namespace {

constexpr std::string_view kPidfNs = "urn:ietf:params:xml:ns:pidf";
constexpr std::string_view kDataModelNs = "urn:ietf:params:xml:ns:pidf:data-model";
constexpr std::string_view kGeoprivNs = "urn:ietf:params:xml:ns:pidf:geopriv10";
constexpr std::string_view kGmlNs = "http://www.opengis.net/gml";
constexpr std::string_view kShapesNs = "http://www.opengis.net/pidflo/1.0";
constexpr std::string_view kCivicNs = "urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr";
constexpr std::string_view kConfidenceNs = "urn:ietf:params:xml:ns:geopriv:conf";
constexpr std::string_view kCrs2d = "urn:ogc:def:crs:EPSG::4326";
constexpr std::string_view kCrs3d = "urn:ogc:def:crs:EPSG::4979";
constexpr std::string_view kMetre = "urn:ogc:def:uom:EPSG::9001";
constexpr std::string_view kDegree = "urn:ogc:def:uom:EPSG::9102";
// Beacon keeps accuracies up to 100 km (the limit of location.accuracy_m).
constexpr double kMaxDistanceM = 100000;
constexpr double kMPerDeg = 111320.0;
constexpr size_t kMaxVertices = 10000;

Status Refuse(const std::string& rule, const std::string& why, const std::string& path) {
  return Invalid("pidf." + rule + ": " + why, path);
}

// A location (one geopriv) being read.
class Reader {
 public:
  explicit Reader(const xml::NameTable& names) : names_(names) {}
  Status ReadGeopriv(const pugi::xml_node& geopriv, const std::string& path, Location& out);

 private:
  bool Is(const pugi::xml_node& n, std::string_view ns, std::string_view local) const {
    auto nm = names_.Of(n);
    return nm.ns == ns && nm.local == local;
  }
  std::string Local(const pugi::xml_node& n) const { return std::string(names_.Of(n).local); }
  // The first child element with this name, or null.
  pugi::xml_node Child(const pugi::xml_node& parent, std::string_view ns,
                       std::string_view local) const {
    for (auto c = parent.first_child(); c; c = c.next_sibling()) {
      if (c.type() == pugi::node_element && Is(c, ns, local)) return c;
    }
    return {};
  }
  static std::string Text(const pugi::xml_node& n) {
    std::string s;
    for (auto c = n.first_child(); c; c = c.next_sibling()) {
      if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) s += c.value();
    }
    return s;
  }
  Result<double> Number(const pugi::xml_node& n, const std::string& path) const;
  Result<double> Measure(const pugi::xml_node& parent, std::string_view local, std::string_view uom,
                         const std::string& path, double min, double max) const;
  Status Positions(const pugi::xml_node& n, const std::string& path, int dim,
                   std::vector<LatLon>& out) const;
  Result<LatLon> Pos(const pugi::xml_node& shape, const std::string& path, int dim) const;
  Status Shape(const pugi::xml_node& shape, const std::string& path, Location& out) const;
  Status Polygon(const pugi::xml_node& polygon, const std::string& path, int dim,
                 Location& out) const;
  void Civic(const pugi::xml_node& civic, Location& out) const;

  const xml::NameTable& names_;
};

Result<double> Reader::Number(const pugi::xml_node& n, const std::string& path) const {
  std::string t(xml::Trim(Text(n)));
  double v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v)) {
    return Refuse("number", "<" + Local(n) + "> must be a number, got \"" + t.substr(0, 40) + "\"",
                  path);
  }
  return v;
}

Result<double> Reader::Measure(const pugi::xml_node& parent, std::string_view local,
                               std::string_view uom, const std::string& path, double min,
                               double max) const {
  pugi::xml_node n = Child(parent, kShapesNs, local);
  std::string at = path + "/" + std::string(local);
  if (!n) {
    return Refuse("required",
                  "<gs:" + std::string(local) + "> is required in <" + Local(parent) + ">", at);
  }
  if (auto u = n.attribute("uom"); u && std::string_view(u.value()) != uom) {
    return Refuse("uom",
                  "<gs:" + std::string(local) + "> must be in " + std::string(uom) + ", got \"" +
                      std::string(u.value()).substr(0, 60) + "\"",
                  at);
  }
  auto v = Number(n, at);
  if (!v) return v;
  if (*v < min || *v > max) {
    return Refuse("range",
                  "<gs:" + std::string(local) + "> must be from " + std::to_string(min) + " to " +
                      std::to_string(max) + ", got " + std::to_string(*v),
                  at);
  }
  return v;
}

// Coordinates of a gml:pos ("lat lon [alt]") or gml:posList (several).
Status Reader::Positions(const pugi::xml_node& n, const std::string& path, int dim,
                         std::vector<LatLon>& out) const {
  auto parts = xml::SplitSpace(Text(n));
  bool list = Is(n, kGmlNs, "posList");
  if (parts.empty() || parts.size() % static_cast<size_t>(dim) != 0 ||
      (!list && parts.size() != static_cast<size_t>(dim))) {
    return Refuse("pos",
                  "<gml:" + Local(n) + "> must hold " +
                      (dim == 3 ? "\"LAT LON ALT\"" : "\"LAT LON\"") +
                      (list ? " for each vertex" : "") + " in degrees (WGS 84)",
                  path);
  }
  for (size_t i = 0; i < parts.size(); i += static_cast<size_t>(dim)) {
    double v[2];
    for (int k = 0; k < 2; ++k) {
      const std::string& t = parts[i + k];
      auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v[k]);
      if (ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v[k])) {
        return Refuse(
            "pos", "\"" + t.substr(0, 40) + "\" in <gml:" + Local(n) + "> is not a number", path);
      }
    }
    if (dim == 3) {
      double alt;
      const std::string& t = parts[i + 2];
      auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), alt);
      if (ec != std::errc() || end != t.data() + t.size() || !std::isfinite(alt)) {
        return Refuse("pos", "altitude \"" + t.substr(0, 40) + "\" is not a number", path);
      }
    }
    if (!ValidLatLon(v[0], v[1])) {
      return Refuse("range",
                    "latitude must be in [-90, 90] and longitude in [-180, 180] (gml:pos is "
                    "\"LAT LON\"), got " +
                        parts[i] + " " + parts[i + 1],
                    path);
    }
    out.push_back({v[0], v[1]});
    if (out.size() > kMaxVertices) return Refuse("range", "more than 10000 vertices", path);
  }
  return Status::Ok();
}

Result<LatLon> Reader::Pos(const pugi::xml_node& shape, const std::string& path, int dim) const {
  pugi::xml_node pos = Child(shape, kGmlNs, "pos");
  if (!pos) {
    return Refuse("required", "<gml:pos> is required in <" + Local(shape) + ">", path + "/pos");
  }
  std::vector<LatLon> pts;
  BEACON_RETURN_IF_ERROR(Positions(pos, path + "/pos", dim, pts));
  return pts.front();
}

// Metres east and north of `origin`.
void Offset(LatLon origin, LatLon p, double& x, double& y) {
  x = (p.lon - origin.lon) * kMPerDeg * std::cos(origin.lat * M_PI / 180);
  y = (p.lat - origin.lat) * kMPerDeg;
}

LatLon Move(LatLon origin, double bearing_deg, double distance_m) {
  double b = bearing_deg * M_PI / 180;
  return {origin.lat + distance_m * std::cos(b) / kMPerDeg,
          origin.lon + distance_m * std::sin(b) /
                           (kMPerDeg * std::max(0.01, std::cos(origin.lat * M_PI / 180)))};
}

Status Reader::Polygon(const pugi::xml_node& polygon, const std::string& path, int dim,
                       Location& out) const {
  pugi::xml_node exterior = Child(polygon, kGmlNs, "exterior");
  pugi::xml_node ring = exterior ? Child(exterior, kGmlNs, "LinearRing") : pugi::xml_node();
  std::string ring_path = path + "/exterior/LinearRing";
  if (!ring) {
    return Refuse("required", "<gml:exterior><gml:LinearRing> is required in <gml:Polygon>",
                  ring_path);
  }
  std::vector<LatLon> pts;
  int index = 0;
  for (auto c = ring.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    if (Is(c, kGmlNs, "pos")) {
      BEACON_RETURN_IF_ERROR(
          Positions(c, ring_path + "/pos[" + std::to_string(index++) + "]", dim, pts));
    } else if (Is(c, kGmlNs, "posList")) {
      BEACON_RETURN_IF_ERROR(Positions(c, ring_path + "/posList", dim, pts));
    }
  }
  if (pts.size() < 4) {
    return Refuse("polygon",
                  "a polygon needs at least 4 positions (the first repeated last), got " +
                      std::to_string(pts.size()),
                  ring_path);
  }
  if (pts.front().lat != pts.back().lat || pts.front().lon != pts.back().lon) {
    return Refuse("polygon", "a polygon must be closed: its last position repeats its first",
                  ring_path);
  }
  pts.pop_back();
  // Area-weighted centroid on a local flat projection.
  LatLon o = pts.front();
  double a2 = 0, cx = 0, cy = 0;
  for (size_t i = 0; i < pts.size(); ++i) {
    double x0, y0, x1, y1;
    Offset(o, pts[i], x0, y0);
    Offset(o, pts[(i + 1) % pts.size()], x1, y1);
    double cross = x0 * y1 - x1 * y0;
    a2 += cross;
    cx += (x0 + x1) * cross;
    cy += (y0 + y1) * cross;
  }
  LatLon c;
  if (std::abs(a2) > 1e-6) {
    cx /= 3 * a2;
    cy /= 3 * a2;
    c = {o.lat + cy / kMPerDeg,
         o.lon + cx / (kMPerDeg * std::max(0.01, std::cos(o.lat * M_PI / 180)))};
  } else {
    double lat = 0, lon = 0;
    for (const auto& p : pts) lat += p.lat, lon += p.lon;
    c = {lat / static_cast<double>(pts.size()), lon / static_cast<double>(pts.size())};
  }
  double far = 0;
  for (const auto& p : pts) far = std::max(far, HaversineM(c, p));
  if (far > kMaxDistanceM) {
    return Refuse("range", "the polygon is wider than 100 km, too vague to send anyone to",
                  ring_path);
  }
  out.point = c;
  out.accuracy_m = far;
  return Status::Ok();
}

Status Reader::Shape(const pugi::xml_node& shape, const std::string& path, Location& out) const {
  std::string name = Local(shape);
  int dim = 2;
  if (auto srs = shape.attribute("srsName")) {
    std::string_view v = srs.value();
    if (v == kCrs3d) {
      dim = 3;
    } else if (v != kCrs2d) {
      return Refuse("srs",
                    "srsName must be " + std::string(kCrs2d) + " or " + std::string(kCrs3d) +
                        " (WGS 84), got \"" + std::string(v).substr(0, 80) + "\"",
                    path);
    }
  } else if (name == "Sphere" || name == "Ellipsoid" || name == "Prism") {
    dim = 3;
  }
  out.shape = name;
  const bool gml = names_.Of(shape).ns == kGmlNs;
  if (gml && name == "Point") {
    auto p = Pos(shape, path, dim);
    if (!p) return p.error();
    out.point = *p;
    return Status::Ok();
  }
  if (gml && name == "Polygon") return Polygon(shape, path, dim, out);
  if (!gml && (name == "Circle" || name == "Sphere")) {
    auto p = Pos(shape, path, dim);
    if (!p) return p.error();
    auto r = Measure(shape, "radius", kMetre, path, 0, kMaxDistanceM);
    if (!r) return r.error();
    out.point = *p;
    out.accuracy_m = *r;
    return Status::Ok();
  }
  if (!gml && (name == "Ellipse" || name == "Ellipsoid")) {
    auto p = Pos(shape, path, dim);
    if (!p) return p.error();
    auto major = Measure(shape, "semiMajorAxis", kMetre, path, 0, kMaxDistanceM);
    if (!major) return major.error();
    auto minor = Measure(shape, "semiMinorAxis", kMetre, path, 0, kMaxDistanceM);
    if (!minor) return minor.error();
    auto orientation = Measure(shape, "orientation", kDegree, path, -360, 360);
    if (!orientation) return orientation.error();
    if (*minor > *major) {
      return Refuse("range", "<gs:semiMinorAxis> is longer than <gs:semiMajorAxis>",
                    path + "/semiMinorAxis");
    }
    out.point = *p;
    out.accuracy_m = *major;
    return Status::Ok();
  }
  if (!gml && name == "ArcBand") {
    auto p = Pos(shape, path, dim);
    if (!p) return p.error();
    auto inner = Measure(shape, "innerRadius", kMetre, path, 0, kMaxDistanceM);
    if (!inner) return inner.error();
    auto outer = Measure(shape, "outerRadius", kMetre, path, 0, kMaxDistanceM);
    if (!outer) return outer.error();
    auto start = Measure(shape, "startAngle", kDegree, path, 0, 360);
    if (!start) return start.error();
    auto opening = Measure(shape, "openingAngle", kDegree, path, 0, 360);
    if (!opening) return opening.error();
    if (*inner > *outer) {
      return Refuse("range", "<gs:innerRadius> is larger than <gs:outerRadius>",
                    path + "/innerRadius");
    }
    // The middle of the band, and the farthest of its edge points from it.
    LatLon mid = Move(*p, *start + *opening / 2, (*inner + *outer) / 2);
    double far = 0;
    for (int k = 0; k <= 16; ++k) {
      double angle = *start + *opening * k / 16;
      for (double r : {*inner, *outer}) far = std::max(far, HaversineM(mid, Move(*p, angle, r)));
    }
    out.point = mid;
    out.accuracy_m = far;
    return Status::Ok();
  }
  if (!gml && name == "Prism") {
    pugi::xml_node base = Child(shape, kShapesNs, "base");
    pugi::xml_node polygon = base ? Child(base, kGmlNs, "Polygon") : pugi::xml_node();
    if (!polygon) {
      return Refuse("required", "<gs:base><gml:Polygon> is required in <gs:Prism>",
                    path + "/base/Polygon");
    }
    auto h = Measure(shape, "height", kMetre, path, 0, kMaxDistanceM);
    if (!h) return h.error();
    return Polygon(polygon, path + "/base/Polygon", 3, out);
  }
  return Refuse("shape",
                "<" + name +
                    "> is not a PIDF-LO shape (Point, Polygon, Circle, Ellipse, ArcBand, "
                    "Sphere, Ellipsoid, Prism)",
                path);
}

void Reader::Civic(const pugi::xml_node& civic, Location& out) const {
  auto part = [&](std::string_view local) -> std::string {
    pugi::xml_node n = Child(civic, kCivicNs, local);
    return n ? xml::Collapse(Text(n)) : std::string();
  };
  auto join = [](std::initializer_list<std::string> parts, const char* sep) {
    std::string s;
    for (const auto& p : parts) {
      if (p.empty()) continue;
      if (!s.empty()) s += sep;
      s += p;
    }
    return s;
  };
  std::string number = part("HNO");
  std::string suffix = part("HNS");
  if (!suffix.empty()) {
    number += suffix.size() <= 2 && std::isalnum(static_cast<unsigned char>(suffix[0]))
                  ? suffix
                  : " " + suffix;
  }
  std::string road = part("RD");
  if (road.empty()) road = part("A6");  // RFC 4119's street
  std::string street =
      join({part("PRM"), part("PRD"), road, part("STS"), part("POD"), part("POM")}, " ");
  std::string line = join({number, street}, " ");
  if (street.empty()) line = join({part("NAM"), part("LMK")}, ", ");
  std::string town = part("A3");
  if (town.empty()) town = part("A4");
  if (town.empty()) town = part("A2");
  std::string text = join({line, town, part("PC")}, ", ");
  if (!line.empty() && !text.empty()) out.civic = text.substr(0, 512);
}

Status Reader::ReadGeopriv(const pugi::xml_node& geopriv, const std::string& path, Location& out) {
  pugi::xml_node info = Child(geopriv, kGeoprivNs, "location-info");
  std::string info_path = path + "/location-info";
  if (!info) {
    return Refuse("no_location", "<gp:location-info> is required in <gp:geopriv>", info_path);
  }
  if (auto m = Child(geopriv, kGeoprivNs, "method")) {
    std::string v = xml::Collapse(Text(m));
    if (!v.empty()) out.method = v.substr(0, 64);
  }
  bool shape = false, civic = false;
  for (auto c = info.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    auto nm = names_.Of(c);
    if (!shape && (nm.ns == kGmlNs || nm.ns == kShapesNs)) {
      BEACON_RETURN_IF_ERROR(Shape(c, info_path + "/" + std::string(nm.local), out));
      shape = true;
    } else if (!civic && nm.ns == kCivicNs && nm.local == "civicAddress") {
      Civic(c, out);
      civic = out.civic.has_value();
    } else if (nm.ns == kConfidenceNs && nm.local == "confidence") {
      std::string at = info_path + "/confidence";
      auto v = Number(c, at);
      if (!v) return v.error();
      if (!(*v > 0 && *v < 100)) {
        return Refuse("range", "<con:confidence> must be a percentage above 0 and below 100", at);
      }
      out.confidence = *v;
      std::string pdf = c.attribute("pdf") ? c.attribute("pdf").value() : "normal";
      if (pdf != "normal" && pdf != "rectangular" && pdf != "unknown") {
        return Refuse("confidence", "pdf must be normal, rectangular or unknown", at);
      }
      if (pdf != "normal") out.confidence.reset();  // not scaled: kept as given
    }
  }
  if (!shape && !civic) {
    return Refuse("no_location",
                  "<gp:location-info> holds no geodetic shape and no civic address with a street, "
                  "number, name or landmark",
                  info_path);
  }
  // A shape covers 95 % unless a confidence says otherwise (RFC 5491,
  // RFC 7459): scale a normal (circular) uncertainty to 95 %.
  if (out.accuracy_m && out.confidence && std::abs(*out.confidence - 95) > 1e-9) {
    auto k = [](double p) { return std::sqrt(-2 * std::log(1 - p)); };
    out.accuracy_m = *out.accuracy_m * k(0.95) / k(*out.confidence / 100);
    if (*out.accuracy_m > kMaxDistanceM) {
      return Refuse("range", "the shape at 95 % confidence is wider than 100 km", info_path);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Location> Parse(std::string_view bytes) {
  if (bytes.size() > kMaxBytes) {
    return Refuse("size", "a PIDF-LO document is at most 65536 bytes", "");
  }
  pugi::xml_document doc;
  pugi::xml_node root;
  Status loaded =
      xml::Load(bytes, {}, {"PIDF-LO documents", "send a PIDF-LO <presence>"}, doc, root);
  if (!loaded.ok()) return Status(Code::kInvalid, loaded.message(), "");
  xml::NameTable names;
  Status resolved = names.Resolve(root);
  if (!resolved.ok()) return Status(Code::kInvalid, resolved.message(), "");
  auto rn = names.Of(root);
  if (rn.ns != kPidfNs || rn.local != "presence") {
    return Refuse("root",
                  "the root must be <presence> in namespace " + std::string(kPidfNs) + ", got <" +
                      std::string(rn.local) + ">" +
                      (rn.ns.empty() ? " without a namespace" : " in " + std::string(rn.ns)),
                  std::string(rn.local));
  }
  Reader reader(names);
  int tuples = 0, devices = 0, persons = 0;
  for (auto c = root.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    auto nm = names.Of(c);
    std::vector<std::pair<pugi::xml_node, std::string>> holders;
    if (nm.ns == kPidfNs && nm.local == "tuple") {
      std::string path = "presence/tuple[" + std::to_string(tuples++) + "]";
      for (auto s = c.first_child(); s; s = s.next_sibling()) {
        if (s.type() == pugi::node_element && names.Of(s).ns == kPidfNs &&
            names.Of(s).local == "status") {
          holders.push_back({s, path + "/status"});
          break;
        }
      }
    } else if (nm.ns == kDataModelNs && (nm.local == "device" || nm.local == "person")) {
      int& n = nm.local == "device" ? devices : persons;
      holders.push_back({c, "presence/" + std::string(nm.local) + "[" + std::to_string(n++) + "]"});
    }
    for (const auto& [holder, path] : holders) {
      for (auto g = holder.first_child(); g; g = g.next_sibling()) {
        if (g.type() == pugi::node_element && names.Of(g).ns == kGeoprivNs &&
            names.Of(g).local == "geopriv") {
          Location out;
          BEACON_RETURN_IF_ERROR(reader.ReadGeopriv(g, path + "/geopriv", out));
          return out;
        }
      }
    }
  }
  return Refuse("no_location",
                "no <gp:geopriv> under a <tuple>'s <status>, a <dm:device> or a <dm:person>",
                "presence");
}

}  // namespace beacon::pidf
