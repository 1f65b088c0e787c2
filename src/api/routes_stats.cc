// GET /api/v1/stats/intervals: response-time intervals (NFPA 1225 / 1710)
// computed from the event log by stats::Report (docs/intervals.md), the
// same code the replay report uses.
#include <boost/asio/post.hpp>

#include "api/route_util.h"
#include "api/routes.h"
#include "stats/intervals.h"

namespace beacon::api {

using model::Permission;
using nlohmann::json;

namespace {

// Reads the whole event log in pages into timelines. The log is the
// record: every figure can be traced to the events it came from.
Result<std::vector<stats::IncidentTimes>> Timelines(store::Store& store,
                                                    const service::Center& center,
                                                    std::optional<TimeMs> from,
                                                    std::optional<TimeMs> to) {
  stats::TimelineBuilder builder;
  constexpr size_t kPage = 5000;
  std::int64_t since = 0;
  for (;;) {
    auto page = store.EventsSince(since, kPage);
    if (!page) return page.error();
    for (const auto& e : *page) {
      since = e.seq;
      // Only the events the intervals read are parsed.
      if (!e.type.starts_with("call.") && !e.type.starts_with("incident.") &&
          !e.type.starts_with("unit.")) {
        continue;
      }
      json data = json::parse(e.data, nullptr, /*allow_exceptions=*/false);
      builder.Add({e.seq, e.time, e.type, &data});
    }
    if (page->size() < kPage) break;
  }
  std::map<std::string, std::string> category_of;
  for (const auto& t : center.plans().types()) category_of[t.code] = t.category;
  std::vector<model::Station> stations;
  const json listed = center.ListStations();
  for (const auto& s : listed["stations"]) stations.push_back(model::StationFromJson(s));
  return builder.Incidents(from, to, category_of, stations);
}

}  // namespace

void RegisterStatsRoutes(Router& router, const RouteDeps& d) {
  const std::string v1 = "/api/v1";
  router.Add(
      "GET", v1 + "/stats/intervals", Permission::kReadPerformance,
      [&store = d.store, &center = d.center, &pool = d.blocking](const Context& c, Reply reply) {
        const auto& q = c.request->query;
        Status err;
        auto from = QueryTime(*c.request, "from", err);
        auto to = QueryTime(*c.request, "to", err);
        if (!err.ok()) return reply(ErrorResponse(err));
        if (from && to && *from > *to) {
          return reply(ErrorResponse(Invalid("to must not be before from", "to")));
        }
        stats::GroupBy by = stats::GroupBy::kNone;
        if (auto it = q.find("by"); it != q.end() && !it->second.empty()) {
          auto parsed = stats::ParseGroupBy(it->second);
          if (!parsed) {
            return reply(ErrorResponse(Invalid("by must be priority, type or station", "by")));
          }
          by = *parsed;
        }
        bool explain = false;
        if (auto it = q.find("explain"); it != q.end()) {
          if (it->second != "true" && it->second != "false") {
            return reply(ErrorResponse(Invalid("explain must be true or false", "explain")));
          }
          explain = it->second == "true";
        }
        std::string by_name = q.count("by") ? q.at("by") : "";
        // Reading the log is slow, blocking work: off the I/O threads.
        boost::asio::post(
            pool, [&store, &center, from, to, by, by_name, explain, reply = std::move(reply)] {
              auto incidents = Timelines(store, center, from, to);
              if (!incidents) return reply(ErrorResponse(incidents.error()));
              json body = stats::Report(*incidents, by, explain);
              body["from"] = from ? json(FormatRfc3339(*from)) : json(nullptr);
              body["to"] = to ? json(FormatRfc3339(*to)) : json(nullptr);
              body["by"] = by_name.empty() ? json(nullptr) : json(by_name);
              body["standard"] = stats::StandardJson();
              reply(JsonResponse(200, std::move(body)));
            });
      });
}

}  // namespace beacon::api
