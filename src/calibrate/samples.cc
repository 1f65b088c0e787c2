#include "calibrate/samples.h"

#include <algorithm>

namespace beacon::calibrate {
namespace {

// One response of a unit, in dispatch order, with its call.
struct Response {
  const history::HistoricalCall* call;
  const history::UnitResponse* unit;
};

}  // namespace

bool InPeriod(TimeMs t, const std::optional<TimeMs>& from, const std::optional<TimeMs>& to) {
  return (!from || t >= *from) && (!to || t < *to);
}

SampleSet CollectSamples(const history::History& history,
                         const std::map<std::string, LatLon>& stations,
                         const routing::RoadNetwork& network, const SampleOptions& o) {
  SampleSet out;
  // Every response of each unit in the whole export, by dispatch time: the
  // previous one says where the unit was.
  std::map<std::string, std::vector<Response>> by_unit;
  for (const auto& c : history.calls) {
    for (const auto& u : c.units) by_unit[u.unit_id].push_back({&c, &u});
  }
  for (auto& [id, v] : by_unit) {
    std::stable_sort(v.begin(), v.end(), [](const Response& a, const Response& b) {
      return a.unit->dispatched_at < b.unit->dispatched_at;
    });
  }
  auto near_road = [&](LatLon p) {
    auto s = network.SnapPoint(p);
    return s && s->snap_distance_m <= o.max_snap_m;
  };
  const size_t classes =
      network.graph().road_class_names.empty() ? 1 : network.graph().road_class_names.size();
  for (const auto& [unit_id, responses] : by_unit) {
    const auto info = history.units.find(unit_id);
    for (size_t i = 0; i < responses.size(); ++i) {
      const auto& c = *responses[i].call;
      const auto& u = *responses[i].unit;
      if (!InPeriod(c.received_at, o.from, o.to)) continue;
      ++out.responses;
      if (!u.en_route_at || !u.on_scene_at || *u.en_route_at < u.dispatched_at) {
        ++out.without_times;
        continue;
      }
      double actual = static_cast<double>(*u.on_scene_at - *u.en_route_at) / 1000.0;
      if (actual <= 0 || actual > o.max_actual_s) {
        ++out.without_times;
        continue;
      }
      std::optional<LatLon> origin;
      std::string kind;
      const history::UnitResponse* prev = i > 0 ? responses[i - 1].unit : nullptr;
      if (prev && prev->on_scene_at && !prev->transporting_at && prev->available_at &&
          *prev->on_scene_at <= u.dispatched_at &&
          u.dispatched_at <= *prev->available_at + o.previous_call_window_ms) {
        origin = responses[i - 1].call->location;
        kind = "previous_call";
      } else if (info != history.units.end() && info->second.station_from == "unit_id" &&
                 (!prev || (prev->available_at &&
                            *prev->available_at + o.back_at_station_ms <= u.dispatched_at))) {
        auto st = stations.find(info->second.station);
        if (st != stations.end()) {
          origin = st->second;
          kind = "station";
        }
      }
      if (!origin) {
        ++out.origin_unknown;
        continue;
      }
      if (!near_road(*origin) || !near_road(c.location)) {
        ++out.outside_graph;
        continue;
      }
      auto times = network.TimeByClass(*origin, c.location);
      if (!times) {
        ++out.outside_graph;
        continue;
      }
      Sample s;
      s.class_s = times->class_s.empty() ? std::vector<double>{times->eta_s} : times->class_s;
      s.class_s.resize(classes, 0.0);
      s.actual_s = actual;
      s.at = u.dispatched_at;
      s.line = u.line;
      s.unit_id = unit_id;
      s.origin = kind;
      out.by_origin[kind]++;
      out.samples.push_back(std::move(s));
    }
  }
  std::stable_sort(out.samples.begin(), out.samples.end(),
                   [](const Sample& a, const Sample& b) { return a.at < b.at; });
  return out;
}

}  // namespace beacon::calibrate
