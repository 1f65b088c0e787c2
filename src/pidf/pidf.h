// PIDF-LO reader: the location object of NG911 calls (RFC 4119, with the
// shapes and rules of RFC 5491, civic addresses of RFC 5139 and the
// confidence of RFC 7459), untrusted bytes -> where the caller is.
//
// Reads the first <gp:geopriv> of the document (under a <tuple>'s
// <status>, or directly under a <dm:device> or <dm:person>) and in its
// <gp:location-info> the first geodetic shape and the first civic address:
//   gml:Point, gs:Circle, gs:Ellipse, gml:Polygon (exterior LinearRing by
//   gml:pos or gml:posList), gs:ArcBand, and the 3-D gs:Sphere, gs:Ellipsoid
//   and gs:Prism by their horizontal extent;
//   ca:civicAddress (country, A1-A6, PRD, POD, STS, HNO, HNS, LMK, LOC,
//   NAM, PC, RD... ) as one line of text for the geocoder.
// The shape becomes a point and an accuracy: the radius (Circle, Sphere),
// the semi-major axis (Ellipse, Ellipsoid), the farthest vertex from the
// centroid (Polygon, Prism), the farthest corner of the band from its
// middle (ArcBand); none for a Point. A shape is a 95 % region unless a
// con:confidence says otherwise; the accuracy is then scaled to 95 % for a
// normal distribution (docs/geocoding.md).
//
// The XML is read with xml::Load (no DTD, entities or XInclude). Every
// refusal is kInvalid with field = the element path from the root
// ("presence/tuple[0]/status/geopriv/location-info/Circle/radius") and a
// message "pidf.<rule>: <why>". Pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/geo.h"
#include "common/status.h"

namespace beacon::pidf {

constexpr size_t kMaxBytes = 65536;

struct Location {
  std::optional<LatLon> point;
  std::optional<double> accuracy_m;   // 95 % radius, metres
  std::string shape;                  // "Point", "Circle", ..., or "" (civic only)
  std::optional<double> confidence;   // percent, as given
  std::optional<std::string> civic;   // "123 Flinders Street, Wollongong, NSW, AU"
  std::optional<std::string> method;  // gp:method ("GPS", "Cell"...)
};

Result<Location> Parse(std::string_view bytes);

}  // namespace beacon::pidf
