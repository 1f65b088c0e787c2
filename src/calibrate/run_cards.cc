#include "calibrate/run_cards.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "calibrate/samples.h"

namespace beacon::calibrate {
namespace {

using Ordered = nlohmann::ordered_json;

double Round4(double v) { return std::round(v * 10000) / 10000; }

// What history did for one incident type.
struct TypeHistory {
  std::int64_t calls = 0;
  std::vector<std::vector<std::string>> sequences;  // unit types per call, dispatch order
};

// The plan a run card needs: every type sent to at least half the calls,
// at its median count (the upper median for an even number of calls).
std::map<std::string, int> NeededUnits(const TypeHistory& t) {
  std::map<std::string, std::vector<int>> counts;
  std::set<std::string> types;
  for (const auto& seq : t.sequences) types.insert(seq.begin(), seq.end());
  for (const auto& type : types) {
    for (const auto& seq : t.sequences) {
      counts[type].push_back(static_cast<int>(std::count(seq.begin(), seq.end(), type)));
    }
  }
  std::map<std::string, int> out;
  for (auto& [type, v] : counts) {
    std::sort(v.begin(), v.end());
    int median = v[v.size() / 2];
    if (median > 0) out[type] = median;
  }
  if (out.empty()) {
    // No type reaches half the calls: the type history sent first most often.
    std::map<std::string, std::int64_t> first;
    for (const auto& seq : t.sequences) first[seq.front()]++;
    auto best = std::max_element(first.begin(), first.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    out[best->first] = 1;
  }
  return out;
}

}  // namespace

Result<Ordered> InferRunCards(const history::History& history, std::string_view base_json,
                              const dispatch::ResponsePlans& base, const RunCardOptions& o) {
  Ordered plans = Ordered::parse(base_json, nullptr, /*allow_exceptions=*/false);
  if (plans.is_discarded() || !plans.is_object() || !plans.contains("types") ||
      !plans["types"].is_array()) {
    return Malformed("base response plans: not a plans file with \"types\"");
  }
  std::map<std::string, TypeHistory> by_type;
  // First on scene at urgent calls (priority 1-2 in the base plans).
  std::map<std::string, std::int64_t> first_on_scene;
  std::int64_t urgent_with_arrival = 0;
  for (const auto& c : history.calls) {
    if (!InPeriod(c.received_at, o.from, o.to) || c.units.empty()) continue;
    auto& t = by_type[c.incident_type];
    ++t.calls;
    std::vector<std::string> seq;
    for (const auto& u : c.units) seq.push_back(u.unit_type);
    t.sequences.push_back(std::move(seq));
    const auto* plan = base.Find(c.incident_type);
    if (!plan || plan->priority > 2) continue;
    const history::UnitResponse* first = nullptr;
    for (const auto& u : c.units) {
      if (u.on_scene_at && (!first || *u.on_scene_at < *first->on_scene_at)) first = &u;
    }
    if (first) {
      ++urgent_with_arrival;
      first_on_scene[first->unit_type]++;
    }
  }

  for (auto& entry : plans["types"]) {
    if (!entry.is_object() || !entry.contains("code") || !entry["code"].is_string()) continue;
    const std::string code = entry["code"];
    auto it = by_type.find(code);
    const std::int64_t calls = it == by_type.end() ? 0 : it->second.calls;
    if (calls < o.min_calls) {
      entry["inferred"] = {{"calls", calls},
                           {"kept", "the base plan: fewer than " + std::to_string(o.min_calls) +
                                        " calls of this type in the period"}};
      continue;
    }
    const TypeHistory& t = it->second;
    // Dispatch positions: the type sent in each, with its support.
    Ordered sequence = Ordered::array();
    for (int slot = 0; slot < o.max_slots; ++slot) {
      std::map<std::string, std::int64_t> at;
      std::int64_t with = 0;
      for (const auto& seq : t.sequences) {
        if (static_cast<int>(seq.size()) > slot) ++with, at[seq[static_cast<size_t>(slot)]]++;
      }
      if (with == 0) break;
      std::vector<std::pair<std::string, std::int64_t>> ranked(at.begin(), at.end());
      std::stable_sort(ranked.begin(), ranked.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
      Ordered others = Ordered::object();
      for (size_t k = 1; k < ranked.size(); ++k) others[ranked[k].first] = ranked[k].second;
      sequence.push_back(
          {{"position", slot + 1},
           {"unit_type", ranked[0].first},
           {"support", ranked[0].second},
           {"calls_with_position", with},
           {"share", Round4(static_cast<double>(ranked[0].second) / static_cast<double>(with))},
           {"others", others}});
    }
    const auto needed = NeededUnits(t);
    Ordered units = Ordered::object();
    for (const auto& [type, n] : needed) units[type] = n;
    // Substitutes: in calls that got fewer of a needed type than the plan
    // asks, the other types sent beyond what the plan asks for them.
    Ordered substitutes = Ordered::object();
    Ordered substitute_support = Ordered::object();
    for (const auto& [type, n] : needed) {
      std::map<std::string, std::int64_t> instead;
      std::int64_t lacking = 0;
      for (const auto& seq : t.sequences) {
        if (std::count(seq.begin(), seq.end(), type) >= n) continue;
        ++lacking;
        std::set<std::string> extra;
        for (const auto& other : seq) {
          auto need = needed.find(other);
          int asked = need == needed.end() ? 0 : need->second;
          if (other != type && std::count(seq.begin(), seq.end(), other) > asked)
            extra.insert(other);
        }
        for (const auto& e : extra) instead[e]++;
      }
      std::vector<std::pair<std::string, std::int64_t>> ranked(instead.begin(), instead.end());
      std::stable_sort(ranked.begin(), ranked.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
      Ordered list = Ordered::array(), support = Ordered::array();
      for (const auto& [other, k] : ranked) {
        if (k < o.substitute_min_calls ||
            static_cast<double>(k) < o.substitute_min_share * static_cast<double>(lacking)) {
          continue;
        }
        list.push_back(other);
        support.push_back({{"unit_type", other}, {"calls", k}});
      }
      if (!list.empty()) {
        substitutes[type] = list;
        substitute_support[type] = {{"calls_lacking", lacking}, {"sent_instead", support}};
      }
    }
    entry["units"] = units;
    if (!substitutes.empty()) {
      entry["substitutes"] = substitutes;
    } else {
      entry.erase("substitutes");
    }
    entry["inferred"] = {
        {"calls", calls}, {"sequence", sequence}, {"substitutes", substitute_support}};
  }

  // First responders: the types first on scene at >= the minimum share of
  // urgent calls.
  std::vector<std::pair<std::string, std::int64_t>> ranked(first_on_scene.begin(),
                                                           first_on_scene.end());
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  Ordered responders = Ordered::array(), responder_support = Ordered::array();
  for (const auto& [type, k] : ranked) {
    double share = static_cast<double>(k) / static_cast<double>(urgent_with_arrival);
    responder_support.push_back(
        {{"unit_type", type}, {"first_on_scene", k}, {"share", Round4(share)}});
    if (share >= o.first_responder_min_share) responders.push_back(type);
  }
  if (!responders.empty()) plans["first_responders"] = responders;
  plans["inferred"] = {{"by", "beacon calibrate"},
                       {"urgent_calls_with_a_unit_on_scene", urgent_with_arrival},
                       {"first_on_scene", responder_support}};
  return plans;
}

}  // namespace beacon::calibrate
