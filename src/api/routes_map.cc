// GET /api/v1/map/roads.geojson: the basemap of the command room, drawn from
// the server's own road graph (no outside tile server). Built once, on the
// first request, then served from memory with an ETag and gzip when the
// client accepts it.
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <mutex>

#include "api/routes.h"
#include "routing/basemap.h"

namespace beacon::api {

using nlohmann::json;

namespace {

// Metres a simplified road line may stray from the road: invisible at the
// zoom levels a dispatcher uses, and it keeps the city to a few hundred KiB.
constexpr double kToleranceM = 4;

struct RoadsCache {
  std::once_flag once;
  std::string body;
  std::string gzipped;  // empty when compression failed
  std::string etag;
};

std::string Gzip(const std::string& in) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return {};
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

// 5 decimals of a degree is about a metre.
double Round5(double v) { return std::round(v * 1e5) / 1e5; }

void Build(const routing::RoadNetwork& network, RoadsCache& cache) {
  auto map = routing::BuildBasemap(network.graph(), network.original_node(), kToleranceM);
  json major = json::array(), minor = json::array();
  for (const auto& line : map.lines) {
    json coords = json::array();
    for (const auto& p : line.points) coords.push_back({Round5(p.lon), Round5(p.lat)});
    (line.major ? major : minor).push_back(std::move(coords));
  }
  json features = json::array();
  for (auto* lines : {&minor, &major}) {
    features.push_back({{"type", "Feature"},
                        {"properties", {{"class", lines == &major ? "major" : "minor"}}},
                        {"geometry", {{"type", "MultiLineString"}, {"coordinates", *lines}}}});
  }
  json fc = {{"type", "FeatureCollection"},
             {"bbox",
              {Round5(map.min.lon), Round5(map.min.lat), Round5(map.max.lon), Round5(map.max.lat)}},
             {"features", std::move(features)}};
  cache.body = fc.dump();
  cache.gzipped = Gzip(cache.body);
  char tag[32];
  std::snprintf(tag, sizeof tag, "\"%016zx\"", std::hash<std::string>{}(cache.body));
  cache.etag = tag;
}

bool AcceptsGzip(const std::string& accept_encoding) {
  return accept_encoding.find("gzip") != std::string::npos;
}

}  // namespace

void RegisterMapRoutes(Router& router, const RouteDeps& d) {
  const std::string v1 = "/api/v1";
  auto cache = std::make_shared<RoadsCache>();
  router.Add("GET", v1 + "/map/roads.geojson", model::Permission::kReadResources,
             [network = d.network, cache](const Context& c, Reply reply) {
               if (!network) {
                 return reply(ErrorResponse(
                     NotFound("this server has no road graph, so no basemap; start it with --graph "
                              "FILE (made by beacon import-osm)")));
               }
               std::call_once(cache->once, [&] { Build(*network, *cache); });
               Response r;
               r.content_type = "application/geo+json";
               r.headers.push_back({"ETag", cache->etag});
               r.headers.push_back({"Cache-Control", "private, no-cache"});
               r.headers.push_back({"Vary", "Accept-Encoding"});
               if (c.request->if_none_match == cache->etag) {
                 r.status = 304;
                 return reply(std::move(r));
               }
               if (AcceptsGzip(c.request->accept_encoding) && !cache->gzipped.empty()) {
                 r.headers.push_back({"Content-Encoding", "gzip"});
                 r.body = cache->gzipped;
               } else {
                 r.body = cache->body;
               }
               reply(std::move(r));
             });
}

}  // namespace beacon::api
