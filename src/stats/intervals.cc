#include "stats/intervals.h"

#include <algorithm>
#include <cmath>

#include "common/quantile.h"

namespace beacon::stats {
namespace {

using nlohmann::json;
using Value = IncidentIntervals::Value;

Value Between(const std::optional<Stamp>& a, const std::optional<Stamp>& b,
              const std::string& unit = "") {
  Value v;
  v.unit_id = unit;
  if (!a || !b) {
    v.excluded = "missing";
    return v;
  }
  v.from_ref = a->ref;
  v.to_ref = b->ref;
  if (b->t < a->t) {
    v.excluded = "out_of_order";
    return v;
  }
  v.s = static_cast<double>(b->t - a->t) / 1000.0;
  return v;
}

json Num(double v) {
  if (!std::isfinite(v)) return nullptr;
  return std::round(v * 10) / 10;
}

struct Column {
  const char* name;
  Value IncidentIntervals::*field;
};
constexpr Column kColumns[] = {{"call_processing", &IncidentIntervals::call_processing},
                               {"turnout", &IncidentIntervals::turnout},
                               {"travel", &IncidentIntervals::travel},
                               {"total", &IncidentIntervals::total}};

bool Ems(const IncidentTimes& i) { return i.category == "medical"; }

double Threshold(const char* name, const IncidentTimes& i, const Thresholds& t) {
  const double turnout = Ems(i) ? t.turnout_ems_s : t.turnout_fire_s;
  std::string_view n = name;
  if (n == "call_processing") return t.call_processing_s;
  if (n == "turnout") return turnout;
  if (n == "travel") return t.travel_s;
  return t.call_processing_s + turnout + t.travel_s;
}

json ThresholdJson(const char* name, const Thresholds& t) {
  std::string_view n = name;
  if (n == "call_processing") return t.call_processing_s;
  if (n == "travel") return t.travel_s;
  double base = n == "total" ? t.call_processing_s + t.travel_s : 0;
  return {{"ems", base + t.turnout_ems_s}, {"fire", base + t.turnout_fire_s}};
}

json Figures(const std::vector<const IncidentTimes*>& incidents,
             const std::vector<IncidentIntervals>& measured, bool explain, const Thresholds& t) {
  json out = json::object();
  for (const auto& col : kColumns) {
    std::vector<double> values;
    std::int64_t within = 0, missing = 0, out_of_order = 0;
    json refs = json::array(), excluded = json::array();
    for (size_t k = 0; k < incidents.size(); ++k) {
      const Value& v = measured[k].*col.field;
      if (!v.s) {
        (v.excluded == "out_of_order" ? out_of_order : missing)++;
        if (explain) {
          json e = {{"incident_id", incidents[k]->incident_id}, {"reason", v.excluded}};
          if (v.from_ref || v.to_ref) e["from_ref"] = v.from_ref, e["to_ref"] = v.to_ref;
          excluded.push_back(std::move(e));
        }
        continue;
      }
      values.push_back(*v.s);
      within += *v.s <= Threshold(col.name, *incidents[k], t);
      if (explain) {
        json r = {{"incident_id", incidents[k]->incident_id},
                  {"seconds", Num(*v.s)},
                  {"from_ref", v.from_ref},
                  {"to_ref", v.to_ref}};
        if (!v.unit_id.empty()) r["unit_id"] = v.unit_id;
        refs.push_back(std::move(r));
      }
    }
    json f = {{"count", static_cast<std::int64_t>(values.size())},
              {"median_s", Num(Quantile(values, 0.5))},
              {"p90_s", Num(Quantile(values, 0.9))},
              {"share_within_threshold",
               values.empty() ? json(nullptr)
                              : json(std::round(static_cast<double>(within) /
                                                static_cast<double>(values.size()) * 10000) /
                                     10000)},
              {"threshold_s", ThresholdJson(col.name, t)},
              {"excluded", {{"missing", missing}, {"out_of_order", out_of_order}}}};
    if (explain) {
      f["values"] = std::move(refs);
      f["excluded_incidents"] = std::move(excluded);
    }
    out[col.name] = std::move(f);
  }
  return out;
}

}  // namespace

std::optional<GroupBy> ParseGroupBy(std::string_view text) {
  if (text == "priority") return GroupBy::kPriority;
  if (text == "type") return GroupBy::kType;
  if (text == "station") return GroupBy::kStation;
  return std::nullopt;
}

IncidentIntervals Measure(const IncidentTimes& inc) {
  IncidentIntervals r;
  // Call processing: the first call received -> the first unit dispatched.
  std::optional<Stamp> first_dispatch;
  for (const auto& u : inc.units) {
    if (u.dispatched && (!first_dispatch || u.dispatched->t < first_dispatch->t))
      first_dispatch = u.dispatched;
  }
  r.call_processing = Between(inc.received, first_dispatch);
  // The first unit on scene carries travel, total and turnout; without an
  // arrival, turnout is the first unit's to go en route.
  const UnitTimes* arrived = nullptr;
  const UnitTimes* rolled = nullptr;
  for (const auto& u : inc.units) {
    if (u.on_scene && (!arrived || u.on_scene->t < arrived->on_scene->t)) arrived = &u;
    if (u.en_route && (!rolled || u.en_route->t < rolled->en_route->t)) rolled = &u;
  }
  if (arrived) {
    r.travel = Between(arrived->en_route, arrived->on_scene, arrived->unit_id);
    r.total = Between(inc.received, arrived->on_scene, arrived->unit_id);
  } else {
    r.travel = Between(std::nullopt, std::nullopt);
    r.total = Between(inc.received, std::nullopt);
  }
  const UnitTimes* turn = arrived ? arrived : rolled;
  r.turnout = turn ? Between(turn->dispatched, turn->en_route, turn->unit_id)
                   : Between(std::nullopt, std::nullopt);
  return r;
}

json Report(const std::vector<IncidentTimes>& incidents, GroupBy by, bool explain,
            const Thresholds& t) {
  std::vector<IncidentIntervals> measured;
  std::vector<const IncidentTimes*> all;
  for (const auto& i : incidents) {
    measured.push_back(Measure(i));
    all.push_back(&i);
  }
  json out = {{"incidents", static_cast<std::int64_t>(incidents.size())},
              {"intervals", Figures(all, measured, explain, t)}};
  if (by == GroupBy::kNone) return out;
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t k = 0; k < incidents.size(); ++k) {
    const auto& i = incidents[k];
    std::string key = by == GroupBy::kPriority ? std::to_string(i.priority)
                      : by == GroupBy::kType   ? i.incident_type
                                               : i.station;
    groups[key].push_back(k);
  }
  json list = json::array();
  for (const auto& [key, idx] : groups) {
    std::vector<const IncidentTimes*> in;
    std::vector<IncidentIntervals> m;
    for (size_t k : idx) {
      in.push_back(&incidents[k]);
      m.push_back(measured[k]);
    }
    list.push_back({{"key", key},
                    {"incidents", static_cast<std::int64_t>(idx.size())},
                    {"intervals", Figures(in, m, explain, t)}});
  }
  out["groups"] = std::move(list);
  return out;
}

json StandardJson(const Thresholds& t) {
  return {
      {"call_processing",
       {{"from", "first call received"},
        {"to", "first unit dispatched"},
        {"threshold_s", t.call_processing_s},
        {"source", "NFPA 1225 (2022 edition), alarm processing time; NFPA 1710 (2020) 4.1.2.3.3"}}},
      {"turnout",
       {{"from", "dispatched"},
        {"to", "en route"},
        {"unit", "the first unit on scene, else the first unit en route"},
        {"threshold_s", {{"ems", t.turnout_ems_s}, {"fire", t.turnout_fire_s}}},
        {"source", "NFPA 1710 (2020 edition) 4.1.2.1(2)"}}},
      {"travel",
       {{"from", "en route"},
        {"to", "on scene"},
        {"unit", "the first unit on scene"},
        {"threshold_s", t.travel_s},
        {"source", "NFPA 1710 (2020 edition) 4.1.2.1(3) and (5)"}}},
      {"total",
       {{"from", "first call received"},
        {"to", "first unit on scene"},
        {"threshold_s",
         {{"ems", t.call_processing_s + t.turnout_ems_s + t.travel_s},
          {"fire", t.call_processing_s + t.turnout_fire_s + t.travel_s}}},
        {"source", "the sum of the three thresholds"}}},
      {"ems", "incident category \"medical\"; every other category uses the fire thresholds"},
      {"definitions", "docs/intervals.md"}};
}

std::string NearestStation(const std::optional<LatLon>& where,
                           const std::vector<model::Station>& stations) {
  if (!where || stations.empty()) return "none";
  const model::Station* best = nullptr;
  double best_m = 0;
  for (const auto& s : stations) {
    double d = HaversineM(*where, s.location);
    if (!best || d < best_m || (d == best_m && s.id.value() < best->id.value())) {
      best = &s;
      best_m = d;
    }
  }
  return best->id.value();
}

void TimelineBuilder::Add(const EventView& e) {
  if (!e.data || !e.data->is_object()) return;
  const json& d = *e.data;
  if (e.type == "call.created" || e.type == "call.updated") {
    auto c = d.find("call");
    if (c == d.end() || !c->is_object() || !c->contains("incident_id")) return;
    auto received = ParseRfc3339(c->value("received_at", std::string()));
    if (!received || !(*c)["incident_id"].is_number_integer()) return;
    auto& inc = incidents_[(*c)["incident_id"].get<std::int64_t>()];
    inc.times.incident_id = (*c)["incident_id"];
    if (!inc.times.received || *received < inc.times.received->t) {
      inc.times.received = Stamp{*received, e.seq};
    }
    return;
  }
  if (e.type.starts_with("incident.")) {
    auto i = d.find("incident");
    if (i == d.end() || !i->is_object() || !i->contains("incident_id") ||
        !(*i)["incident_id"].is_number_integer()) {
      return;
    }
    auto& inc = incidents_[(*i)["incident_id"].get<std::int64_t>()];
    inc.times.incident_id = (*i)["incident_id"];
    inc.times.incident_type = i->value("incident_type", inc.times.incident_type);
    if (auto p = i->find("priority"); p != i->end() && p->is_number_integer()) {
      inc.times.priority = p->get<int>();
    }
    if (auto l = i->find("location");
        l != i->end() && l->is_object() && (*l)["lat"].is_number() && (*l)["lon"].is_number()) {
      inc.location = LatLon{(*l)["lat"].get<double>(), (*l)["lon"].get<double>()};
    }
    if (i->value("status", std::string()) == "merged") inc.times.incident_id = -1;
    return;
  }
  if (e.type != "unit.updated" && e.type != "unit.created") return;
  auto u = d.find("unit");
  if (u == d.end() || !u->is_object() || !u->contains("unit_id")) return;
  const std::string id = u->value("unit_id", std::string());
  const std::string status = u->value("status", std::string());
  std::int64_t incident = 0;
  if (auto x = u->find("incident_id"); x != u->end() && x->is_number_integer()) incident = *x;
  auto& state = unit_state_[id];
  const bool changed = state.first != status || state.second != incident;
  state = {status, incident};
  if (!changed || incident == 0) return;
  auto& inc = incidents_[incident];
  inc.times.incident_id = inc.times.incident_id == -1 ? -1 : incident;
  const Stamp at{e.time, e.seq};
  if (status == "dispatched") {
    inc.unit_index[id] = inc.times.units.size();
    inc.times.units.push_back({id, at, std::nullopt, std::nullopt});
    return;
  }
  auto idx = inc.unit_index.find(id);
  if (idx == inc.unit_index.end()) {
    // A status without a dispatch seen (the log began later): its own
    // response, dispatch unknown.
    idx = inc.unit_index.emplace(id, inc.times.units.size()).first;
    inc.times.units.push_back({id, std::nullopt, std::nullopt, std::nullopt});
  }
  auto& r = inc.times.units[idx->second];
  if (status == "en_route" && !r.en_route) r.en_route = at;
  if (status == "on_scene" && !r.on_scene) r.on_scene = at;
}

std::vector<IncidentTimes> TimelineBuilder::Incidents(
    std::optional<TimeMs> from, std::optional<TimeMs> to,
    const std::map<std::string, std::string>& category_of,
    const std::vector<model::Station>& stations) const {
  std::vector<IncidentTimes> out;
  for (const auto& [id, inc] : incidents_) {
    if (inc.times.incident_id <= 0 || !inc.times.received) continue;
    const TimeMs t = inc.times.received->t;
    if ((from && t < *from) || (to && t >= *to)) continue;
    IncidentTimes x = inc.times;
    if (auto c = category_of.find(x.incident_type); c != category_of.end()) x.category = c->second;
    x.station = NearestStation(inc.location, stations);
    out.push_back(std::move(x));
  }
  return out;
}

}  // namespace beacon::stats
