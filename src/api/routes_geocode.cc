// Geocoding routes (docs/geocoding.md): GET /geocode (addresses,
// intersections, blocks, streets and places; type-ahead with
// autocomplete=true), GET /reverse (nearest address and cross streets) and
// GET /map/streets.geojson (where the basemap writes street names). The
// first two answer from memory in well under a millisecond, so they run on
// the I/O thread; the labels are built once, on first request.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <mutex>

#include "api/route_util.h"
#include "api/routes.h"
#include "common/text.h"

namespace beacon::api {

using model::Permission;

namespace {

constexpr size_t kMaxQueryBytes = 256;
constexpr size_t kMaxLimit = 20;

// Label anchors every kLabelSpacingM along each way of a named street
// (one at least on ways of kMinLabelWayM), with the angle of the street
// there in screen degrees (clockwise from east, kept upright).
constexpr double kLabelSpacingM = 250;
constexpr double kMinLabelWayM = 60;

std::string StreetLabels(const geocode::Geocoder& g) {
  constexpr double kMPerDeg = 111320.0;
  std::string out = R"({"type":"FeatureCollection","features":[)";
  bool first = true;
  char buf[160];
  for (const auto& street : g.StreetLines()) {
    std::string name = nlohmann::json(street.name).dump();
    for (const auto& line : street.lines) {
      std::vector<double> along(1, 0.0);
      for (size_t i = 1; i < line.size(); ++i)
        along.push_back(along.back() + HaversineM(line[i - 1], line[i]));
      double total = along.back();
      if (total < kMinLabelWayM) continue;
      int n = std::max(1, static_cast<int>(total / kLabelSpacingM));
      for (int k = 0; k < n; ++k) {
        double at = total * (k + 0.5) / n;
        size_t i = 1;
        while (i + 1 < line.size() && along[i] < at) ++i;
        double seg = along[i] - along[i - 1];
        double f = seg > 0 ? (at - along[i - 1]) / seg : 0;
        LatLon a = line[i - 1], b = line[i];
        LatLon p{a.lat + f * (b.lat - a.lat), a.lon + f * (b.lon - a.lon)};
        double dx = (b.lon - a.lon) * std::cos(a.lat * M_PI / 180) * kMPerDeg;
        double dy = (b.lat - a.lat) * kMPerDeg;
        double angle = -std::atan2(dy, dx) * 180 / M_PI;
        if (angle > 90) angle -= 180;
        if (angle <= -90) angle += 180;
        std::snprintf(
            buf, sizeof buf,
            R"(%s{"type":"Feature","geometry":{"type":"Point","coordinates":[%.5f,%.5f]},)"
            R"("properties":{"rank":%u,"angle":%.0f,"name":)",
            first ? "" : ",", p.lon, p.lat, street.rank, angle);
        out += buf;
        out += name + "}}";
        first = false;
      }
    }
  }
  return out + "]}";
}

Status NoGeocoder() {
  return NotFound(
      "this server has no geocoder: start it with --graph FILE (imported by beacon import-osm, "
      "which adds the gazetteer) and/or --addresses FILE");
}

}  // namespace

void RegisterGeocodeRoutes(Router& router, const RouteDeps& d) {
  const std::string v1 = "/api/v1";
  const geocode::Geocoder* geocoder = d.geocoder;

  router.Add(
      "GET", v1 + "/geocode", Permission::kReadOperations,
      [geocoder](const Context& c, Reply reply) {
        const auto& q = c.request->query;
        auto text = q.find("q");
        if (text == q.end() || text->second.empty()) {
          return reply(ErrorResponse(
              Invalid("q is required: the address, intersection or place to find", "q")));
        }
        if (text->second.size() > kMaxQueryBytes || !ValidUtf8(text->second)) {
          return reply(ErrorResponse(Invalid(
              "q must be UTF-8 text of at most " + std::to_string(kMaxQueryBytes) + " bytes",
              "q")));
        }
        geocode::GeocodeOptions opts;
        if (auto it = q.find("limit"); it != q.end()) {
          size_t n = 0;
          const std::string& s = it->second;
          auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
          if (ec != std::errc() || p != s.data() + s.size() || n < 1 || n > kMaxLimit) {
            return reply(ErrorResponse(Invalid(
                "limit must be an integer from 1 to " + std::to_string(kMaxLimit), "limit")));
          }
          opts.limit = n;
        }
        if (auto it = q.find("near"); it != q.end()) {
          opts.near = ParseLatLon(it->second);
          if (!opts.near) {
            return reply(
                ErrorResponse(Invalid("near must be LAT,LON in degrees (WGS 84)", "near")));
          }
        }
        if (auto it = q.find("autocomplete"); it != q.end()) {
          if (it->second != "true" && it->second != "false") {
            return reply(
                ErrorResponse(Invalid("autocomplete must be true or false", "autocomplete")));
          }
          opts.autocomplete = it->second == "true";
        }
        if (!geocoder) return reply(ErrorResponse(NoGeocoder()));
        reply(JsonResponse(200, geocode::ToJson(geocoder->Geocode(text->second, opts))));
      });

  struct LabelsCache {
    std::once_flag once;
    std::string body;
  };
  auto labels = std::make_shared<LabelsCache>();
  router.Add("GET", v1 + "/map/streets.geojson", Permission::kReadResources,
             [geocoder, labels](const Context&, Reply reply) {
               if (!geocoder) return reply(ErrorResponse(NoGeocoder()));
               std::call_once(labels->once, [&] { labels->body = StreetLabels(*geocoder); });
               Response r;
               r.status = 200;
               r.content_type = "application/geo+json";
               r.body = labels->body;
               reply(std::move(r));
             });

  router.Add("GET", v1 + "/reverse", Permission::kReadOperations,
             [geocoder](const Context& c, Reply reply) {
               auto where = QueryLatLon(*c.request, /*required=*/true);
               if (!where) return reply(ErrorResponse(where.error()));
               if (!geocoder) return reply(ErrorResponse(NoGeocoder()));
               auto r = geocoder->Reverse(**where);
               if (!r) return reply(ErrorResponse(r.error()));
               reply(JsonResponse(200, geocode::ToJson(*r)));
             });
}

}  // namespace beacon::api
