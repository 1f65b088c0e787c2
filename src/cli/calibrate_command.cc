#include "cli/calibrate_command.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>

#include "calibrate/fit.h"
#include "calibrate/homes.h"
#include "calibrate/model.h"
#include "calibrate/run_cards.h"
#include "calibrate/samples.h"
#include "cli/history_inputs.h"
#include "cli/progress.h"
#include "common/log.h"
#include "history/history.h"

namespace beacon::cli {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

int Fail(const std::string& msg) {
  std::cerr << "beacon calibrate: " << msg << "\n";
  return 2;
}

json Num(double v, int decimals = 1) {
  if (!std::isfinite(v)) return nullptr;
  double f = std::pow(10.0, decimals);
  return std::round(v * f) / f;
}

json ErrorsJson(const calibrate::ErrorStats& e) {
  return {{"responses", e.count},
          {"median_abs_error_s", Num(e.median_abs_s)},
          {"p90_abs_error_s", Num(e.p90_abs_s)},
          {"bias_median_s", Num(e.bias_median_s)},
          {"bias_mean_s", Num(e.bias_mean_s)}};
}

// Writes `text` to `path` through a temporary file and a rename, so a
// reader never sees half a file.
bool WriteAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

CalibrateCommand::CalibrateCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "calibrate",
      "Learn travel times, run cards and unit homes from a centre's call history; see "
      "docs/calibration.md");
  command_->add_option("--calls", calls_, "Call-history export (CSV)")->required();
  command_
      ->add_option("--format", format_,
                   "Format mapping: a built-in name (sf-fire) or a mapping file (.json)")
      ->capture_default_str();
  command_->add_option("--graph", graph_, "Road graph file from beacon import-osm");
  command_->add_option("--osm", osm_, "OpenStreetMap extract to import first (instead of --graph)")
      ->excludes("--graph");
  command_
      ->add_option("--stations", stations_,
                   "Stations as GeoJSON Points whose name holds the station number")
      ->required();
  command_->add_option("--out", out_, "Calibration file to write (JSON)")->required();
  command_->add_option("--plans", plans_,
                       "Base response plans for --plans-out (default: the built-in plans)");
  command_->add_option("--plans-out", plans_out_,
                       "Write the response plans with the run cards inferred from history");
  command_->add_option("--folds", folds_, "Cross-validation folds")
      ->check(CLI::Range(2, 20))
      ->capture_default_str();
  command_->add_option("--from", from_,
                       "Learn from calls received from this date (YYYY-MM-DD, local) or time");
  command_->add_option("--to", to_, "... until before this date or time");
  command_
      ->add_option("--min-class-support", min_class_support_,
                   "Responses a road class needs for its own factor")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
}

int CalibrateCommand::Run() const {
  const auto t_start = Clock::now();
  auto format = LoadHistoryFormat(format_);
  if (!format) return Fail(format.error().message());
  auto plans = LoadPlansFor(plans_, *format);
  if (!plans) return Fail(plans.error().message());
  auto stations = LoadStations(stations_, *format);
  if (!stations) return Fail(stations.error().message());
  calibrate::SampleOptions so;
  if (from_) {
    auto t = ParsePeriodBound(*from_, *format, "--from");
    if (!t) return Fail(t.error().message());
    so.from = *t;
  }
  if (to_) {
    auto t = ParsePeriodBound(*to_, *format, "--to");
    if (!t) return Fail(t.error().message());
    so.to = *t;
  }
  if (so.from && so.to && *so.to <= *so.from) return Fail("--to must be after --from");

  auto csv = ReadWholeFile(calls_);
  if (!csv) return Fail("cannot read --calls " + calls_);
  ProgressBar bar;
  auto history = history::ReadHistory(*csv, *format, [&](std::size_t done) {
    bar.Update(static_cast<double>(done) / static_cast<double>(csv->size()), "reading");
  });
  bar.Done();
  if (!history) return Fail("--calls " + calls_ + ": " + history.error().message());
  auto network = OpenRoadNetwork(graph_, osm_);
  if (!network) return Fail(network.error().message());
  const routing::RoadNetwork& net = **network;

  // Travel times.
  const auto t_fit = Clock::now();
  std::map<std::string, LatLon> station_at;
  for (const auto& s : *stations) station_at[s.number] = s.station.location;
  calibrate::SampleSet set = calibrate::CollectSamples(*history, station_at, net, so);
  const auto& names = net.graph().road_class_names;
  const size_t classes = names.empty() ? 1 : names.size();
  calibrate::FitOptions fo;
  fo.min_class_support = min_class_support_;
  calibrate::FitResult fit = calibrate::Fit(set.samples, classes, fo);
  calibrate::CrossValidation cv = calibrate::CrossValidate(set.samples, classes, folds_, fo);
  std::vector<double> predicted, profile, actual;
  for (const auto& s : set.samples) {
    predicted.push_back(fit.Predict(s));
    profile.push_back(s.ProfileS());
    actual.push_back(s.actual_s);
  }
  // Residuals by local time of day: what a time-of-day term could still
  // explain (docs/calibration.md).
  json by_band = json::array();
  const int bands[][2] = {{0, 6}, {6, 10}, {10, 16}, {16, 20}, {20, 24}};
  for (const auto& b : bands) {
    std::vector<double> p, a;
    for (const auto& s : set.samples) {
      TimeMs local = s.at + static_cast<TimeMs>(format->zone().OffsetAt(s.at)) * 1000;
      int hour = static_cast<int>(((local / 3'600'000) % 24 + 24) % 24);
      if (hour < b[0] || hour >= b[1]) continue;
      p.push_back(fit.Predict(s));
      a.push_back(s.actual_s);
    }
    json e = ErrorsJson(calibrate::Errors(p, a));
    e["from_hour"] = b[0];
    e["to_hour"] = b[1];
    by_band.push_back(e);
  }
  const double fit_s = std::chrono::duration<double>(Clock::now() - t_fit).count();

  calibrate::Model model;
  model.fixed_s = fit.fixed_s;
  model.default_factor = fit.global_factor;
  if (!names.empty()) {
    for (size_t c = 0; c < names.size(); ++c) {
      model.road_classes[names[c]] = {fit.classes[c].factor, fit.classes[c].support,
                                      fit.classes[c].fitted};
    }
  } else if (!fit.classes.empty()) {
    model.default_factor = fit.classes[0].factor;
  }
  const auto& ph = net.profile_hash();
  if (std::any_of(ph.begin(), ph.end(), [](auto b) { return b != 0; })) {
    model.profile_hash = routing::ToHex(ph);
  }
  model.unit_homes = calibrate::InferUnitHomes(*history, so.from, so.to);
  json period = {{"from", so.from ? json(FormatRfc3339(*so.from)) : json(nullptr)},
                 {"to", so.to ? json(FormatRfc3339(*so.to)) : json(nullptr)}};
  json samples = {{"responses_in_period", set.responses},
                  {"used", static_cast<std::int64_t>(set.samples.size())},
                  {"by_origin", set.by_origin},
                  {"without_times", set.responses ? set.without_times : 0},
                  {"origin_unknown", set.origin_unknown},
                  {"outside_graph", set.outside_graph}};
  json cross = {
      {"folds", cv.folds}, {"before", ErrorsJson(cv.before)}, {"after", ErrorsJson(cv.after)}};
  model.info = {{"created_by", "beacon calibrate"},
                {"calls", calls_},
                {"format", format->name()},
                {"graph", graph_ ? *graph_ : osm_.value_or("")},
                {"period", period},
                {"samples", samples},
                {"fit",
                 {{"method",
                   "least absolute deviations (IRLS), class factors shrunk towards the "
                   "global factor, bounded"},
                  {"global_factor", Num(fit.global_factor, 4)},
                  {"profile_only", fit.profile_only},
                  {"factor_bounds", {fo.factor_min, fo.factor_max}},
                  {"fixed_max_s", fo.fixed_max_s},
                  {"min_class_support", fo.min_class_support},
                  {"class_min_s", fo.class_min_s},
                  {"in_sample",
                   {{"before", ErrorsJson(calibrate::Errors(profile, actual))},
                    {"after", ErrorsJson(calibrate::Errors(predicted, actual))}}},
                  {"residual_by_local_hour", by_band}}},
                {"cross_validation", cross}};
  if (!WriteAtomically(out_, calibrate::ModelToJson(model))) {
    return Fail("cannot write --out " + out_);
  }
  // What was written must read back (the same checks serve and replay make).
  if (auto back = calibrate::LoadModel(out_); !back) {
    return Fail("the written calibration does not read back: " + back.error().message());
  } else if (auto adj = calibrate::Adjustment(*back, net); !adj) {
    return Fail("the written calibration does not apply to the graph: " + adj.error().message());
  }

  json summary = {{"out", out_},
                  {"period", period},
                  {"samples", samples},
                  {"travel_time",
                   {{"fixed_s", Num(fit.fixed_s)},
                    {"global_factor", Num(fit.global_factor, 4)},
                    {"road_classes",
                     json::parse(calibrate::ModelToJson(model))["travel_time"]["road_classes"]}}},
                  {"cross_validation", cross},
                  {"unit_homes", static_cast<std::int64_t>(model.unit_homes.size())},
                  {"fit_seconds", Num(fit_s, 3)}};
  if (plans_out_) {
    calibrate::RunCardOptions ro;
    ro.from = so.from;
    ro.to = so.to;
    auto cards = calibrate::InferRunCards(*history, plans->text, plans->plans, ro);
    if (!cards) return Fail(cards.error().message());
    std::string text = cards->dump(2) + "\n";
    if (auto check = dispatch::ResponsePlans::Parse(text); !check) {
      return Fail("the inferred plans do not parse: " + check.error().message());
    }
    if (!WriteAtomically(*plans_out_, text)) return Fail("cannot write --plans-out " + *plans_out_);
    json types = json::object();
    for (const auto& t : (*cards)["types"]) {
      if (t.contains("inferred") && t["inferred"].contains("sequence")) {
        types[t["code"].get<std::string>()] = {{"calls", t["inferred"]["calls"]},
                                               {"units", json::parse(t["units"].dump())}};
      }
    }
    summary["plans_out"] = {{"file", *plans_out_}, {"inferred_types", types}};
  }
  summary["seconds"] = Num(std::chrono::duration<double>(Clock::now() - t_start).count(), 3);
  Log(Level::kInfo, "calibrate.done",
      {{"samples", set.samples.size()}, {"fixed_s", fit.fixed_s}, {"out", out_}});
  std::cout << summary.dump(2) << "\n";
  return 0;
}

}  // namespace beacon::cli
