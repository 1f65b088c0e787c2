// Live planning routes: coverage, move-up suggestions, demand counts
// (docs/planning.md, docs/api.md "Planning").
#include <charconv>
#include <cmath>

#include "api/route_util.h"
#include "api/routes.h"

namespace beacon::api {

using model::Permission;
using nlohmann::json;

namespace {

// An integer query parameter in [min, max]; `fallback` when absent.
std::optional<int> QueryRange(const Request& r, const std::string& key, int min, int max,
                              int fallback, Status& err) {
  auto it = r.query.find(key);
  if (it == r.query.end() || it->second.empty()) return fallback;
  const std::string& s = it->second;
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < min || v > max) {
    err = Invalid(
        key + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max),
        key);
    return std::nullopt;
  }
  return v;
}

double Share(std::int64_t part, std::int64_t total) {
  return total > 0 ? std::round(10000.0 * static_cast<double>(part) / total) / 10000 : 0.0;
}

double Deg(double v) { return std::round(v * 1e6) / 1e6; }

json CellsGeoJson(const std::vector<planning::CoverageCell>& cells) {
  json features = json::array();
  for (const auto& c : cells) {
    json ring = json::array(
        {json::array({Deg(c.west), Deg(c.south)}), json::array({Deg(c.east), Deg(c.south)}),
         json::array({Deg(c.east), Deg(c.north)}), json::array({Deg(c.west), Deg(c.north)}),
         json::array({Deg(c.west), Deg(c.south)})});
    features.push_back({{"type", "Feature"},
                        {"geometry", {{"type", "Polygon"}, {"coordinates", json::array({ring})}}},
                        {"properties", {{"nodes", c.nodes}}}});
  }
  return {{"type", "FeatureCollection"}, {"features", std::move(features)}};
}

}  // namespace

void RegisterPlanningRoutes(Router& router, const RouteDeps& d) {
  const std::string v1 = "/api/v1";
  planning::Planner* planner = d.planner;

  router.Add("GET", v1 + "/coverage", Permission::kReadOperations,
             [planner](const Context& c, Reply reply) {
               Status err;
               auto seconds = QueryRange(*c.request, "seconds", 1, 3600, 240, err);
               if (!seconds) return reply(ErrorResponse(err));
               if (!planner || !planner->has_graph()) {
                 return reply(ErrorResponse(planning::NoGraph()));
               }
               auto r = planner->Coverage(*seconds);
               if (!r) return reply(ErrorResponse(r.error()));
               const auto& n = r->counts;
               reply(JsonResponse(200, {{"seconds", r->seconds},
                                        {"units_available", n.units},
                                        {"nodes",
                                         {{"total", n.nodes_total},
                                          {"covered", n.nodes_covered},
                                          {"share", Share(n.nodes_covered, n.nodes_total)}}},
                                        {"demand",
                                         {{"total", n.demand_total},
                                          {"covered", n.demand_covered},
                                          {"share", Share(n.demand_covered, n.demand_total)}}},
                                        {"cells", CellsGeoJson(r->cells)}}));
             });

  router.Add("GET", v1 + "/coverage/moveups", Permission::kReadOperations,
             [planner](const Context& c, Reply reply) {
               Status err;
               auto seconds = QueryRange(*c.request, "seconds", 1, 3600, 240, err);
               if (!seconds) return reply(ErrorResponse(err));
               auto limit = QueryRange(*c.request, "limit", 1, 20, 3, err);
               if (!limit) return reply(ErrorResponse(err));
               if (!planner || !planner->has_graph()) {
                 return reply(ErrorResponse(planning::NoGraph()));
               }
               auto r = planner->MoveUps(*seconds, *limit);
               if (!r) return reply(ErrorResponse(r.error()));
               json moves = json::array();
               for (const auto& m : r->plan.moves) {
                 moves.push_back({{"unit_id", m.unit_id},
                                  {"from_station_id", m.from_station_id},
                                  {"to_station_id", m.to_station_id},
                                  {"coverage_gain", m.demand_gain},
                                  {"node_gain", m.node_gain}});
               }
               const auto &b = r->plan.before, &a = r->plan.after;
               reply(JsonResponse(200, {{"seconds", r->seconds},
                                        {"method", "greedy_maximal_covering"},
                                        {"movable_units", r->movable_units},
                                        {"moves", std::move(moves)},
                                        {"demand",
                                         {{"total", b.demand_total},
                                          {"covered_before", b.demand_covered},
                                          {"covered_after", a.demand_covered}}},
                                        {"nodes",
                                         {{"total", b.nodes_total},
                                          {"covered_before", b.nodes_covered},
                                          {"covered_after", a.nodes_covered}}}}));
             });

  router.Add(
      "GET", v1 + "/stats/demand", Permission::kReadOperations,
      [planner](const Context& c, Reply reply) {
        const auto& q = c.request->query;
        auto it = q.find("by");
        if (it == q.end() || it->second.empty()) {
          return reply(
              ErrorResponse(Malformed("by is required: hour, weekday, district or type", "by")));
        }
        auto by = planning::ParseDemandBy(it->second);
        if (!by) {
          return reply(ErrorResponse(Invalid("by must be hour, weekday, district or type", "by")));
        }
        Status err;
        auto from = QueryTime(*c.request, "from", err);
        auto to = QueryTime(*c.request, "to", err);
        if (!err.ok()) return reply(ErrorResponse(err));
        if (from && to && *from > *to) {
          return reply(ErrorResponse(Invalid("to must not be before from", "to")));
        }
        json buckets = json::array();
        if (planner) {
          for (const auto& b : planner->Demand(*by, from, to)) {
            buckets.push_back({{"key", b.key}, {"count", b.count}});
          }
        }
        json body = {{"by", planning::ToString(*by)}, {"buckets", std::move(buckets)}};
        if (from) body["from"] = FormatRfc3339(*from);
        if (to) body["to"] = FormatRfc3339(*to);
        reply(JsonResponse(200, body));
      });
}

}  // namespace beacon::api
