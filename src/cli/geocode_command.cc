#include "cli/geocode_command.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/embedded.h"
#include "cli/history_inputs.h"
#include "cli/progress.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/text.h"
#include "geocode/address_points.h"
#include "geocode/gazetteer.h"
#include "history/history.h"
#include "routing/graph_file.h"

namespace beacon::cli {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

int Fail(const std::string& command, const std::string& msg) {
  std::cerr << "beacon " << command << ": " << msg << "\n";
  return 2;
}

// What a history address text is: "block" ("4000 Block of MISSION ST"),
// "intersection" ("MISSION ST/19TH ST") or "other".
std::string QueryKind(const std::string& text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t i = 0;
  while (i < lower.size() && std::isdigit(static_cast<unsigned char>(lower[i]))) ++i;
  if (i > 0 && lower.compare(i, 10, " block of ") == 0) return "block";
  if (lower.find('/') != std::string::npos) return "intersection";
  return "other";
}

Result<TimeMs> OptionTime(const std::string& option, const std::string& text) {
  auto t = ParseRfc3339(text);
  if (!t) {
    return Invalid(option + " must be an RFC 3339 time such as 2020-04-14T00:00:00-07:00, got \"" +
                   text + "\"");
  }
  return *t;
}

// The calls of a history export received in [from, to).
Result<history::History> ReadCalls(const std::string& file, const std::string& format_name,
                                   const std::optional<std::string>& from,
                                   const std::optional<std::string>& to, TimeMs& from_ms,
                                   TimeMs& to_ms) {
  auto format = LoadHistoryFormat(format_name);  // its errors name --format
  if (!format) return format.error();
  from_ms = std::numeric_limits<TimeMs>::min();
  to_ms = std::numeric_limits<TimeMs>::max();
  if (from) {
    auto t = OptionTime("--from", *from);
    if (!t) return t.error();
    from_ms = *t;
  }
  if (to) {
    auto t = OptionTime("--to", *to);
    if (!t) return t.error();
    to_ms = *t;
  }
  auto csv = ReadWholeFile(file);
  if (!csv) return Invalid("cannot read --calls " + file);
  auto h = history::ReadHistory(*csv, *format);
  if (!h) return Status(h.error().code(), "--calls " + file + ": " + h.error().message());
  std::erase_if(h->calls, [&](const history::HistoricalCall& c) {
    return c.received_at < from_ms || c.received_at >= to_ms;
  });
  return h;
}

}  // namespace

Result<std::unique_ptr<geocode::Geocoder>> LoadGeocoder(const std::optional<std::string>& graph,
                                                        const std::vector<std::string>& addresses) {
  geocode::Gazetteer gaz;
  bool have_gazetteer = false;
  if (graph) {
    auto file = routing::GraphFile::Open(*graph);
    if (!file)
      return Status(file.error().code(), "--graph " + *graph + ": " + file.error().message());
    if (geocode::HasGazetteer(*file)) {
      auto g = geocode::LoadGazetteer(*file);
      if (!g) return Status(g.error().code(), "--graph " + *graph + ": " + g.error().message());
      gaz = std::move(*g);
      have_gazetteer = true;
    } else {
      Log(Level::kWarn, "geocode.no_gazetteer",
          {{"graph", *graph},
           {"hint",
            "this graph file has no gazetteer: re-run beacon import-osm to geocode from "
            "the map; only --addresses are searched"}});
    }
  }
  std::vector<geocode::AddressPointSet> sets;
  for (const auto& spec : addresses) {
    std::string file = spec;
    const geocode::AddressMapping* mapping = &geocode::AddressMapping::Default();
    std::optional<geocode::AddressMapping> custom;
    if (size_t comma = spec.rfind(',');
        comma != std::string::npos && spec.substr(comma + 1).ends_with(".json")) {
      file = spec.substr(0, comma);
      std::string map_file = spec.substr(comma + 1);
      auto text = ReadWholeFile(map_file);
      if (!text) return Invalid("--addresses " + spec + ": cannot read the mapping " + map_file);
      auto m = geocode::AddressMapping::Parse(*text);
      if (!m) return Invalid("--addresses " + spec + ": " + m.error().message());
      custom = std::move(*m);
      mapping = &*custom;
    }
    auto bytes = ReadWholeFile(file);
    if (!bytes) return Invalid("--addresses " + file + ": cannot read the file");
    auto set = geocode::ReadAddressPoints(*bytes, std::filesystem::path(file).filename().string(),
                                          *mapping);
    if (!set) return Invalid("--addresses " + file + ": " + set.error().message());
    json examples = json::array();
    for (size_t i = 0; i < set->skipped.size() && i < 5; ++i) {
      examples.push_back({{"line", set->skipped[i].line}, {"reason", set->skipped[i].reason}});
    }
    Log(set->skipped.empty() ? Level::kInfo : Level::kWarn, "geocode.addresses_loaded",
        {{"file", file},
         {"points", set->points.size()},
         {"skipped", set->skipped.size()},
         {"skipped_examples", examples}});
    sets.push_back(std::move(*set));
  }
  if (!have_gazetteer && sets.empty()) return std::unique_ptr<geocode::Geocoder>();
  auto g = geocode::Geocoder::Build(std::move(gaz), std::move(sets));
  const auto& st = g->stats();
  Log(Level::kInfo, "geocode.ready",
      {{"streets", st.streets},
       {"intersections", st.intersections},
       {"house_numbers", st.numbers},
       {"places", st.places},
       {"address_points", st.points},
       {"words", st.words},
       {"build_s", std::round(st.build_s * 1000) / 1000}});
  return g;
}

std::optional<service::ResolvedAddress> GeocoderResolver::Resolve(std::string_view address) const {
  auto r = g_.Geocode(address, {.limit = 3});
  if (r.candidates.empty()) return std::nullopt;
  const auto& c = r.candidates.front();
  return service::ResolvedAddress{c.location, c.label, c.kind, c.verified, c.why};
}

std::optional<std::string> GeocoderResolver::Describe(LatLon at) const {
  auto r = g_.Reverse(at, 100);
  if (!r) return std::nullopt;
  return r->label;
}

GeocodeCommands::GeocodeCommands(CLI::App& app) {
  geocode_ = app.add_subcommand(
      "geocode",
      "Find addresses, intersections, blocks and places in a graph's gazetteer and "
      "the centre's address points; prints JSON");
  geocode_->add_option("--graph", graph_, "Graph file from beacon import-osm (with its gazetteer)");
  geocode_->add_option("--addresses", addresses_,
                       "Address points: CSV or GeoJSON, FILE or FILE,MAPPING.json (repeatable)");
  geocode_->add_option("--limit", limit_, "Candidates per query")
      ->check(CLI::Range(1, 50))
      ->capture_default_str();
  geocode_->add_option("--near", near_, "LAT,LON: among equal candidates, nearer first");
  geocode_->add_flag("--autocomplete", autocomplete_, "The last word may be incomplete");
  geocode_->add_option(
      "--batch", batch_,
      "File with one query a line ('-': stdin); one JSON line per query, in order");
  geocode_->add_option("--reverse", reverse_, "LAT,LON: the nearest address and cross streets");
  geocode_->add_option("--evaluate", evaluate_,
                       "Call-history export: geocode every distinct address inside the map and "
                       "compare with the export's own location (docs/geocoding.md)");
  geocode_
      ->add_option("--format", format_, "History format of --evaluate: sf-fire or a mapping file")
      ->capture_default_str();
  geocode_->add_option("--from", from_, "--evaluate: calls received at or after (RFC 3339)");
  geocode_->add_option("--to", to_, "--evaluate: calls received before (RFC 3339)");
  geocode_->add_option("--json-out", json_out_, "--evaluate: also write the full result here");
  geocode_->add_option("QUERY", query_, "Text to find");

  auto* addresses = app.add_subcommand("addresses", "Address points for the geocoder");
  addresses->require_subcommand(1);
  from_history_ = addresses->add_subcommand(
      "from-history",
      "Every distinct address of a call-history export with its median location and count, as "
      "an address point CSV for --addresses");
  from_history_->add_option("--calls", calls_, "Call-history export (CSV)")->required();
  from_history_->add_option("--format", format_, "sf-fire or a mapping file (config/formats/)")
      ->capture_default_str();
  from_history_->add_option("--out", out_, "CSV to write")->required();
  from_history_->add_option("--from", from_, "Only calls received at or after (RFC 3339)");
  from_history_->add_option("--to", to_, "Only calls received before (RFC 3339)");
}

int GeocodeCommands::Run() const {
  if (from_history_->parsed()) return RunFromHistory();
  return RunGeocode();
}

int GeocodeCommands::RunFromHistory() const {
  TimeMs from_ms, to_ms;
  auto h = ReadCalls(calls_, format_, from_, to_, from_ms, to_ms);
  if (!h) return Fail("addresses from-history", h.error().message());
  std::vector<geocode::AddressSample> samples;
  samples.reserve(h->calls.size());
  for (const auto& c : h->calls) {
    if (!c.address.empty()) samples.push_back({c.address, c.location});
  }
  size_t spread = 0;
  auto points = geocode::PointsFromSamples(samples, 100, &spread);
  std::ofstream out(out_, std::ios::binary | std::ios::trunc);
  out << geocode::WritePointsCsv(points);
  out.close();
  if (!out) return Fail("addresses from-history", "cannot write --out " + out_);
  std::cout << json{{"calls", h->calls.size()},
                    {"rows_skipped", h->skipped.size()},
                    {"address_points", points.size()},
                    {"left_out_spread_over_100_m", spread},
                    {"out", out_}}
                   .dump(2)
            << "\n";
  return 0;
}

int GeocodeCommands::RunGeocode() const {
  const char* cmd = "geocode";
  if (!graph_ && addresses_.empty()) return Fail(cmd, "give --graph FILE and/or --addresses FILE");
  std::optional<LatLon> near;
  if (near_) {
    near = ParseLatLon(*near_);
    if (!near) return Fail(cmd, "--near must be LAT,LON");
  }
  int modes =
      (batch_ ? 1 : 0) + (reverse_ ? 1 : 0) + (evaluate_ ? 1 : 0) + (query_.empty() ? 0 : 1);
  if (modes != 1)
    return Fail(cmd, "give exactly one of QUERY, --batch FILE, --reverse LAT,LON, --evaluate FILE");
  auto g = LoadGeocoder(graph_, addresses_);
  if (!g) return Fail(cmd, g.error().message());
  if (!*g) {
    return Fail(cmd,
                "nothing to search: the graph file has no gazetteer (re-run beacon import-osm) "
                "and no --addresses were given");
  }
  geocode::GeocodeOptions opts;
  opts.limit = limit_;
  opts.near = near;
  opts.autocomplete = autocomplete_;
  if (evaluate_) return Evaluate(**g);
  if (reverse_) {
    auto at = ParseLatLon(*reverse_);
    if (!at) return Fail(cmd, "--reverse must be LAT,LON");
    auto r = (*g)->Reverse(*at);
    if (!r) return Fail(cmd, r.error().message());
    std::cout << geocode::ToJson(*r).dump() << "\n";
    return 0;
  }
  if (!batch_) {
    if (!ValidUtf8(query_)) return Fail(cmd, "QUERY must be UTF-8");
    std::cout << geocode::ToJson((*g)->Geocode(query_, opts)).dump() << "\n";
    return 0;
  }
  std::ifstream file;
  if (*batch_ != "-") {
    file.open(*batch_, std::ios::binary);
    if (!file) return Fail(cmd, "cannot read --batch " + *batch_);
  }
  std::istream& in = *batch_ == "-" ? std::cin : file;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    json out;
    if (!ValidUtf8(line)) {
      out = {{"query", nullptr}, {"error", "not UTF-8"}, {"candidates", json::array()}};
    } else {
      out = geocode::ToJson((*g)->Geocode(line, opts));
      out["query"] = line;
    }
    std::cout << out.dump() << "\n";
  }
  std::cout << std::flush;
  return 0;
}

int GeocodeCommands::Evaluate(const geocode::Geocoder& g) const {
  const char* cmd = "geocode --evaluate";
  constexpr double kCoveredM = 60;
  TimeMs from_ms, to_ms;
  auto h = ReadCalls(*evaluate_, format_, from_, to_, from_ms, to_ms);
  if (!h) return Fail(cmd, h.error().message());
  const auto& st = g.stats();
  // Distinct address texts of the calls inside the map, with the median
  // of their export locations as the truth.
  std::vector<geocode::AddressSample> samples;
  size_t inside_calls = 0;
  for (const auto& c : h->calls) {
    bool inside = c.location.lat >= st.min.lat && c.location.lat <= st.max.lat &&
                  c.location.lon >= st.min.lon && c.location.lon <= st.max.lon;
    if (!inside || c.address.empty()) continue;
    ++inside_calls;
    samples.push_back({c.address, c.location});
  }
  auto truths = geocode::PointsFromSamples(samples, 1e9);
  struct Tally {
    std::int64_t count = 0, within50 = 0, within100 = 0, within200 = 0, within250 = 0,
                 unresolved = 0, verified = 0, verified_wrong = 0, within_goal = 0, not_covered = 0,
                 street_not_in_map = 0, from_centre_point = 0, aligned = 0, aligned_within_goal = 0;
    std::vector<std::string> not_covered_examples;
    std::map<std::string, std::int64_t> top_kinds;
    std::vector<json> misses;
    std::vector<double> distances;
  };
  std::map<std::string, Tally> by_kind;
  auto goal_m = [](const std::string& kind) {
    return kind == "intersection" ? 100.0 : kind == "block" ? 200.0 : 250.0;
  };
  ProgressBar bar;
  auto t0 = Clock::now();
  for (size_t i = 0; i < truths.size(); ++i) {
    const auto& t = truths[i];
    std::string kind = QueryKind(t.text);
    Tally& k = by_kind[kind];
    // The bounding box of an extract holds places where it has no streets
    // (an Overpass export stops at its polygon): only addresses whose
    // export location lies within kCoveredM of a named street of the map
    // are scored, the others counted apart.
    if (!g.Reverse(t.at, kCoveredM)) {
      ++k.not_covered;
      if (k.not_covered_examples.size() < 20) k.not_covered_examples.push_back(t.text);
      continue;
    }
    ++k.count;
    auto r = g.Geocode(t.text, {.limit = 3});
    bar.Update(static_cast<double>(i + 1) / static_cast<double>(truths.size()), "geocoding");
    if (r.candidates.empty()) {
      ++k.unresolved;
      if (kind == "intersection") {
        // Is one of the two streets missing from the map altogether?
        size_t slash = t.text.find('/');
        for (const std::string& side : {t.text.substr(0, slash), t.text.substr(slash + 1)}) {
          auto one = g.Geocode(side, {.limit = 1});
          if (one.candidates.empty() || one.candidates[0].score < 0.8) {
            ++k.street_not_in_map;
            break;
          }
        }
      }
      if (k.misses.size() < 400) {
        k.misses.push_back({{"address", t.text}, {"calls", t.count}, {"distance_m", nullptr}});
      }
      continue;
    }
    const auto& c = r.candidates.front();
    double d = HaversineM(c.location, t.at);
    k.distances.push_back(d);
    ++k.top_kinds[c.kind];
    // Answered by one of the centre's own points of that very text.
    k.from_centre_point += c.why.starts_with("centre ");
    // Placed by the same block of a parallel street (docs/geocoding.md).
    const bool aligned = c.why.find(" aligned with ") != std::string::npos;
    k.aligned += aligned;
    k.aligned_within_goal += aligned && d <= goal_m(kind);
    k.within50 += d <= 50;
    k.within100 += d <= 100;
    k.within200 += d <= 200;
    k.within250 += d <= 250;
    k.within_goal += d <= goal_m(kind);
    k.verified += c.verified;
    bool wrong = d > goal_m(kind);
    k.verified_wrong += c.verified && wrong;
    if (wrong && k.misses.size() < 400) {
      k.misses.push_back({{"address", t.text},
                          {"calls", t.count},
                          {"distance_m", std::round(d)},
                          {"label", c.label},
                          {"kind", c.kind},
                          {"verified", c.verified},
                          {"why", c.why}});
    }
  }
  bar.Done();
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  json kinds = json::object();
  for (auto& [name, k] : by_kind) {
    std::sort(k.distances.begin(), k.distances.end());
    auto share = [&](std::int64_t n) {
      return k.count
                 ? std::round(1000.0 * static_cast<double>(n) / static_cast<double>(k.count)) / 10
                 : 0.0;
    };
    std::stable_sort(k.misses.begin(), k.misses.end(), [](const json& a, const json& b) {
      return a["calls"].get<std::int64_t>() > b["calls"].get<std::int64_t>();
    });
    kinds[name] = {
        {"addresses", k.count},
        {"not_covered_by_the_map", k.not_covered},
        {"not_covered_examples", k.not_covered_examples},
        {"within_50_m", k.within50},
        {"within_100_m", k.within100},
        {"within_200_m", k.within200},
        {"within_250_m", k.within250},
        {"unresolved", k.unresolved},
        {"unresolved_street_not_in_map", k.street_not_in_map},
        {"share_within_50_m", share(k.within50)},
        {"share_within_100_m", share(k.within100)},
        {"share_within_200_m", share(k.within200)},
        {"share_within_250_m", share(k.within250)},
        {"share_unresolved", share(k.unresolved)},
        {"goal_m", goal_m(name)},
        {"share_within_goal", share(k.within_goal)},
        {"median_m", k.distances.empty() ? 0.0 : std::round(k.distances[k.distances.size() / 2])},
        {"verified", k.verified},
        {"verified_wrong", k.verified_wrong},
        {"top_candidate_kinds", k.top_kinds},
        {"top_from_centre_point", k.from_centre_point},
        {"top_aligned", k.aligned},
        {"top_aligned_within_goal", k.aligned_within_goal},
        {"misses", k.misses}};
  }
  json out = {{"calls_file", *evaluate_},
              {"from", from_ ? json(*from_) : json(nullptr)},
              {"to", to_ ? json(*to_) : json(nullptr)},
              {"calls_in_period", h->calls.size()},
              {"calls_inside_map_bbox", inside_calls},
              {"covered_within_m", kCoveredM},
              {"distinct_addresses", truths.size()},
              {"address_points", st.points},
              {"by_kind", kinds},
              {"geocode_seconds", std::round(seconds * 1000) / 1000}};
  if (json_out_) {
    std::ofstream f(*json_out_, std::ios::trunc);
    f << out.dump(2) << "\n";
    if (!f) return Fail(cmd, "cannot write --json-out " + *json_out_);
  }
  for (auto& [name, k] : out["by_kind"].items()) k.erase("misses");
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace beacon::cli
