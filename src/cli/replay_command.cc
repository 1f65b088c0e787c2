#include "cli/replay_command.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "calibrate/model.h"
#include "cli/embedded.h"
#include "cli/geocode_command.h"
#include "cli/history_inputs.h"
#include "cli/progress.h"
#include "common/log.h"
#include "dispatch/response_plan.h"
#include "history/history.h"
#include "replay/replay.h"
#include "routing/road_network.h"

namespace beacon::cli {
namespace {

using Clock = std::chrono::steady_clock;
using replay::Json;

int Fail(const std::string& msg) {
  std::cerr << "beacon replay: " << msg << "\n";
  return 2;
}

std::string Csv(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

ReplayCommand::ReplayCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "replay",
      "Replay a centre's call history through Beacon and report how it would have done "
      "(duplicates, units, travel-time accuracy, coverage); see docs/replay.md");
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
  command_
      ->add_option("--mode", mode_,
                   "history: the historical units at the historical times; recommend: "
                   "Beacon chooses the units")
      ->check(CLI::IsMember({"history", "recommend"}))
      ->capture_default_str();
  command_
      ->add_option("--speed", speed_,
                   "max (as fast as possible) or N simulated seconds per real second")
      ->capture_default_str();
  command_->add_option("--report", report_, "Directory for report.html, summary.json, skipped.csv");
  command_->add_option("--server", server_,
                       "Drive a running Beacon at http://HOST:PORT over its API (password in "
                       "BEACON_PASSWORD) instead of in-process");
  command_->add_option("--user", user_, "User for --server (supervisor role)")
      ->capture_default_str();
  command_->add_option("--plans", plans_,
                       "Response plans (default: the built-in config/response_plans.json)");
  command_
      ->add_option("--max-snap-m", max_snap_m_,
                   "A call is inside the graph when it is this close to a road")
      ->check(CLI::Range(1.0, 5000.0))
      ->capture_default_str();
  command_->add_option("--addresses", addresses_,
                       "Address points for the geocoder of the in-process run (repeatable; "
                       "docs/geocoding.md)");
  command_->add_flag("--address-only", address_only_,
                     "Send each call with its address text only and let the geocoder place it");
  command_->add_option("--coverage-step-s", coverage_step_s_, "Coverage sample interval")
      ->check(CLI::Range(60, 86400))
      ->capture_default_str();
  command_->add_option("--calibration", calibration_,
                       "Calibration file from beacon calibrate: learnt travel times for every ETA "
                       "and the learnt unit homes");
  command_->add_option("--from", from_,
                       "Replay calls received from this date (YYYY-MM-DD, local) or time");
  command_->add_option("--to", to_, "... until before this date or time");
}

int ReplayCommand::Run() const {
  auto t_start = Clock::now();
  auto format = LoadHistoryFormat(format_);
  if (!format) return Fail(format.error().message());
  auto loaded = LoadPlansFor(plans_, *format);
  if (!loaded) return Fail(loaded.error().message());
  const dispatch::ResponsePlans* plans = &loaded->plans;
  replay::Options opts;
  opts.mode = mode_ == "recommend" ? replay::Mode::kRecommend : replay::Mode::kHistory;
  if (speed_ != "max") {
    char* end = nullptr;
    opts.speed = std::strtod(speed_.c_str(), &end);
    if (!end || *end != '\0' || !(opts.speed > 0) || opts.speed > 1e9) {
      return Fail("--speed must be max or a positive number (simulated seconds per second)");
    }
  }
  opts.max_snap_m = max_snap_m_;
  opts.coverage_step_ms = static_cast<TimeMs>(coverage_step_s_) * 1000;

  if (from_) {
    auto t = ParsePeriodBound(*from_, *format, "--from");
    if (!t) return Fail(t.error().message());
    opts.from = *t;
  }
  if (to_) {
    auto t = ParsePeriodBound(*to_, *format, "--to");
    if (!t) return Fail(t.error().message());
    opts.to = *t;
  }
  opts.plans = plans;

  // Inputs.
  auto csv = ReadWholeFile(calls_);
  if (!csv) return Fail("cannot read --calls " + calls_);
  auto stations = LoadStations(stations_, *format);
  if (!stations) return Fail(stations.error().message());

  ProgressBar bar;
  auto t_read = Clock::now();
  auto history = history::ReadHistory(*csv, *format, [&](std::size_t done) {
    bar.Update(static_cast<double>(done) / static_cast<double>(csv->size()), "reading");
  });
  bar.Done();
  double read_s = std::chrono::duration<double>(Clock::now() - t_read).count();
  if (!history) return Fail("--calls " + calls_ + ": " + history.error().message());
  for (const auto& col : history->missing_columns) {
    Log(Level::kWarn, "replay.column_missing",
        {{"column", col}, {"message", "optional column absent; its field is left empty"}});
  }
  Log(Level::kInfo, "replay.read",
      {{"rows", history->rows},
       {"calls", history->calls.size()},
       {"skipped", history->skip_counts}});

  // Graph, calibrated when asked (every ETA: recommendations, returns,
  // coverage and the calibration figures).
  auto network = OpenRoadNetwork(graph_, osm_);
  if (!network) return Fail(network.error().message());
  if (calibration_) {
    auto calibrated = CalibratedNetwork(**network, *calibration_);
    if (!calibrated) return Fail(calibrated.error().message());
    network = std::move(*calibrated);
    auto model = calibrate::LoadModel(*calibration_);
    if (model) {
      for (const auto& [unit, home] : model->unit_homes) opts.unit_homes[unit] = home.station;
    }
  }

  // Geocoder (--addresses, --address-only): the gazetteer of --graph and the
  // centre's address points (with --osm the imported graph is temporary, so
  // only the address points).
  auto geocoder = addresses_.empty() && !address_only_
                      ? Result<std::unique_ptr<geocode::Geocoder>>(nullptr)
                      : LoadGeocoder(graph_, addresses_);
  if (!geocoder) return Fail(geocoder.error().message());
  std::optional<GeocoderResolver> resolver;
  if (*geocoder) resolver.emplace(**geocoder);
  opts.address_only = address_only_;

  // Driver.
  std::unique_ptr<replay::Driver> driver;
  if (server_) {
    auto target = replay::ParseServerUrl(*server_);
    if (!target) return Fail(target.error().message());
    const char* pw = std::getenv("BEACON_PASSWORD");
    if (!pw || !*pw)
      return Fail("--server needs the password of --user " + user_ + " in BEACON_PASSWORD");
    auto d = replay::MakeHttpDriver(*target, user_, pw);
    if (!d) return Fail(d.error().message());
    driver = std::move(*d);
  } else {
    driver = replay::MakeInProcessDriver(*plans, **network);
    if (resolver) driver->SetLocationResolver(&*resolver);
  }

  opts.progress = [&](double f) {
    bar.Update(f, mode_ == "recommend" ? "recommend" : "replaying");
  };
  Result<Json> summary = Status(Code::kInternal, "not run");
  try {
    summary = replay::Run(*history, *stations, **network, *driver, opts);
  } catch (const Json::exception& e) {
    // Only an answer of the wrong shape from a --server can get here.
    bar.Done();
    return Fail(std::string("unexpected answer from the server: ") + e.what());
  }
  bar.Done();
  if (!summary) return Fail(summary.error().message());
  auto& s = *summary;
  double total_s = std::chrono::duration<double>(Clock::now() - t_start).count();
  s["input"] = {{"calls", calls_},
                {"format", format->name()},
                {"stations", stations_},
                {"graph", graph_ ? *graph_ : *osm_},
                {"calibration", calibration_ ? Json(*calibration_) : Json(nullptr)},
                {"period",
                 {{"from", opts.from ? Json(FormatRfc3339(*opts.from)) : Json(nullptr)},
                  {"to", opts.to ? Json(FormatRfc3339(*opts.to)) : Json(nullptr)}}},
                {"time_zone", format->zone_name()},
                {"tz_rule", format->zone().text()}};
  s["throughput"]["read_seconds"] = std::round(read_s * 1000) / 1000;
  s["throughput"]["read_rows_per_s"] = read_s > 0 ? std::round(history->rows / read_s) : 0;
  s["throughput"]["total_seconds"] = std::round(total_s * 1000) / 1000;
  s["throughput"]["rows_read_per_s_overall"] =
      total_s > 0 ? std::round(history->rows / total_s) : 0;

  // Skipped rows: the full list goes to skipped.csv; summary.json keeps a few per reason.
  Json skipped = std::move(s["skipped_rows"]);
  Json examples = Json::object();
  for (const auto& r : skipped) {
    auto& list = examples[r["reason"].get<std::string>()];
    if (list.size() < 10) list.push_back({{"line", r["line"]}, {"message", r["message"]}});
  }
  s.erase("skipped_rows");
  s["rows"]["skipped_examples"] = examples;

  if (report_) {
    std::error_code ec;
    std::filesystem::create_directories(*report_, ec);
    if (ec) return Fail("--report " + *report_ + ": " + ec.message());
    std::ofstream js(*report_ + "/summary.json");
    js << s.dump(2) << "\n";
    std::ofstream html(*report_ + "/report.html");
    html << replay::RenderHtml(s);
    std::ofstream sk(*report_ + "/skipped.csv");
    sk << "line,reason,message\n";
    for (const auto& r : skipped) {
      sk << r["line"].get<std::int64_t>() << "," << r["reason"].get<std::string>() << ","
         << Csv(r["message"].get<std::string>()) << "\n";
    }
    if (!js || !html || !sk) return Fail("cannot write the report in " + *report_);
  }
  // A short summary on stdout (the full one is summary.json).
  Json brief = {
      {"mode", s["mode"]},
      {"rows",
       {{"read", s["rows"]["read"]},
        {"replayed", s["rows"]["replayed"]},
        {"skipped", s["rows"]["skipped"]}}},
      {"calls", s["calls"]},
      {"duplicates", s["duplicates"]},
      {"calibration",
       {{"responses", s["calibration"]["responses"]},
        {"median_abs_error_s", s["calibration"]["median_abs_error_s"]},
        {"bias_mean_s", s["calibration"]["bias_mean_s"]},
        {"p90_abs_error_s", s["calibration"]["p90_abs_error_s"]}}},
      {"recommendation_vs_history", s["recommendation_vs_history"]},
      {"nfpa_1710", s["nfpa_1710"]},
      {"coverage",
       {{"share_240s", s["coverage"]["share_240s"]}, {"share_480s", s["coverage"]["share_480s"]}}},
      {"throughput", s["throughput"]}};
  if (report_) brief["report"] = *report_ + "/report.html";
  std::cout << brief.dump(2) << "\n";
  return 0;
}

}  // namespace beacon::cli
