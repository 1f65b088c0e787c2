// report.html: one self-contained page (inline CSS and SVG, no scripts, no
// external fonts or images) showing every number of summary.json.
#include <cmath>
#include <sstream>

#include "common/text.h"
#include "replay/replay.h"

namespace beacon::replay {
namespace {

std::string Show(const Json& v) {
  if (v.is_null()) return "n/a";
  if (v.is_string()) return EscapeMarkup(v.get<std::string>());
  if (v.is_number_float()) {
    std::ostringstream o;
    o << v.get<double>();
    return o.str();
  }
  return EscapeMarkup(v.dump());
}

std::string Pct(const Json& v) {
  if (!v.is_number()) return "n/a";
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(1);
  o << v.get<double>() * 100 << "%";
  return o.str();
}

std::string F(double v, int precision = 1) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(precision);
  o << v;
  return o.str();
}

// A chart frame: W x H with margins; maps data to pixels.
struct Frame {
  double w = 560, h = 320, left = 56, right = 16, top = 16, bottom = 44;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  double X(double x) const { return left + (x - x0) / (x1 - x0) * (w - left - right); }
  double Y(double y) const { return h - bottom - (y - y0) / (y1 - y0) * (h - top - bottom); }
  std::string Open(const std::string& title) const {
    return "<svg width='" + F(w, 0) + "' height='" + F(h, 0) + "' viewBox='0 0 " + F(w, 0) + " " +
           F(h, 0) + "' role='img' aria-label='" + EscapeMarkup(title) +
           "'><rect width='100%' height='100%' fill='#fff'/>";
  }
  std::string Axes(const std::string& xlabel, const std::string& ylabel, int xticks, int yticks,
                   const std::function<std::string(double)>& xfmt,
                   const std::function<std::string(double)>& yfmt) const {
    std::string s;
    s += "<line x1='" + F(left) + "' y1='" + F(h - bottom) + "' x2='" + F(w - right) + "' y2='" +
         F(h - bottom) + "' stroke='#333'/>";
    s += "<line x1='" + F(left) + "' y1='" + F(top) + "' x2='" + F(left) + "' y2='" +
         F(h - bottom) + "' stroke='#333'/>";
    for (int i = 0; i <= xticks; ++i) {
      double x = x0 + (x1 - x0) * i / xticks;
      s += "<text x='" + F(X(x)) + "' y='" + F(h - bottom + 14) +
           "' font-size='10' text-anchor='middle'>" + EscapeMarkup(xfmt(x)) + "</text>";
    }
    for (int i = 0; i <= yticks; ++i) {
      double y = y0 + (y1 - y0) * i / yticks;
      s += "<line x1='" + F(left) + "' y1='" + F(Y(y)) + "' x2='" + F(w - right) + "' y2='" +
           F(Y(y)) + "' stroke='#eee'/>";
      s += "<text x='" + F(left - 4) + "' y='" + F(Y(y) + 3) +
           "' font-size='10' text-anchor='end'>" + EscapeMarkup(yfmt(y)) + "</text>";
    }
    s += "<text x='" + F((left + w - right) / 2) + "' y='" + F(h - 8) +
         "' font-size='11' text-anchor='middle'>" + EscapeMarkup(xlabel) + "</text>";
    s += "<text x='12' y='" + F((top + h - bottom) / 2) +
         "' font-size='11' text-anchor='middle' transform='rotate(-90 12 " +
         F((top + h - bottom) / 2) + ")'>" + EscapeMarkup(ylabel) + "</text>";
    return s;
  }
};

std::string Scatter(const Json& cal) {
  Frame f;
  double hi = 600;
  for (const auto& p : cal["points"]) {
    hi = std::max({hi, p["predicted_s"].get<double>(), p["actual_s"].get<double>()});
  }
  hi = std::min(1800.0, std::ceil(hi / 300) * 300);
  f.x1 = f.y1 = hi;
  auto secs = [](double v) { return F(v, 0); };
  int ticks = static_cast<int>(hi / 300);
  std::string s = f.Open("Predicted vs actual travel time");
  s += f.Axes("predicted travel time (s)", "actual travel time (s)", ticks, ticks, secs, secs);
  s += "<line x1='" + F(f.X(0)) + "' y1='" + F(f.Y(0)) + "' x2='" + F(f.X(hi)) + "' y2='" +
       F(f.Y(hi)) + "' stroke='#999' stroke-dasharray='4 3'/>";
  for (const auto& p : cal["points"]) {
    double x = std::min(hi, p["predicted_s"].get<double>());
    double y = std::min(hi, p["actual_s"].get<double>());
    s += "<circle cx='" + F(f.X(x)) + "' cy='" + F(f.Y(y)) +
         "' r='2.2' fill='#1f77b4' fill-opacity='0.45'/>";
  }
  return s + "</svg>";
}

std::string Histogram(const Json& cal) {
  Frame f;
  f.x0 = -600;
  f.x1 = 600;
  double top = 1;
  for (const auto& b : cal["histogram"]) top = std::max(top, b["count"].get<double>());
  f.y1 = std::ceil(top * 1.1);
  std::string s = f.Open("Travel-time error histogram");
  s += f.Axes(
      "predicted - actual (s)", "responses", 8, 4, [](double v) { return F(v, 0); },
      [](double v) { return F(v, 0); });
  for (const auto& b : cal["histogram"]) {
    double x = f.X(b["from_s"].get<double>()), x2 = f.X(b["to_s"].get<double>());
    double y = f.Y(b["count"].get<double>());
    s += "<rect x='" + F(x + 0.5) + "' y='" + F(y) + "' width='" + F(x2 - x - 1) + "' height='" +
         F(f.Y(0) - y) + "' fill='#ff7f0e'/>";
  }
  s += "<line x1='" + F(f.X(0)) + "' y1='" + F(f.top) + "' x2='" + F(f.X(0)) + "' y2='" +
       F(f.Y(0)) + "' stroke='#333' stroke-dasharray='3 3'/>";
  return s + "</svg>";
}

std::string CoverageChart(const Json& cov) {
  Frame f;
  f.w = 880;
  const auto& samples = cov["samples"];
  if (samples.empty()) return "<p>No coverage samples (the replay is shorter than one step).</p>";
  f.x0 = samples.front()["t"].get<double>();
  f.x1 = std::max(f.x0 + 1, samples.back()["t"].get<double>());
  f.y0 = 0;
  f.y1 = 1;
  std::string s = f.Open("Coverage over time");
  s += f.Axes(
      "time (UTC)", "share of demand covered", 7, 5,
      [](double v) { return FormatRfc3339(static_cast<TimeMs>(v)).substr(5, 11); },
      [](double v) { return F(v * 100, 0) + "%"; });
  const char* colors[] = {"#2ca02c", "#1f77b4"};
  const char* keys[] = {"share_240s", "share_480s"};
  for (int k = 0; k < 2; ++k) {
    std::string pts;
    for (const auto& p : samples) {
      if (p[keys[k]].is_null()) continue;
      pts += F(f.X(p["t"].get<double>())) + "," + F(f.Y(p[keys[k]].get<double>())) + " ";
    }
    s += "<polyline fill='none' stroke='" + std::string(colors[k]) +
         "' stroke-width='1.5' points='" + pts + "'/>";
  }
  s += "<text x='" + F(f.w - 200) + "' y='30' font-size='11' fill='#2ca02c'>within 240 s</text>";
  s += "<text x='" + F(f.w - 200) + "' y='44' font-size='11' fill='#1f77b4'>within 480 s</text>";
  return s + "</svg>";
}

std::string NfpaChart(const Json& nfpa) {
  Frame f;
  f.w = 360;
  f.h = 240;
  f.x0 = 0;
  f.x1 = 2;
  std::string s = f.Open("First unit travel within 240 s");
  s += f.Axes(
      "", "share within 240 s", 1, 4, [](double) { return std::string(); },
      [](double v) { return F(v * 100, 0) + "%"; });
  const char* names[] = {"historical", "beacon"};
  for (int i = 0; i < 2; ++i) {
    const Json& side = nfpa[names[i]];
    double v = side.is_object() && side["share_within_240s"].is_number()
                   ? side["share_within_240s"].get<double>()
                   : 0;
    double x = f.X(i + 0.2), x2 = f.X(i + 0.8);
    s += "<rect x='" + F(x) + "' y='" + F(f.Y(v)) + "' width='" + F(x2 - x) + "' height='" +
         F(f.Y(0) - f.Y(v)) + "' fill='" + (i ? "#9467bd" : "#8c564b") + "'/>";
    s += "<text x='" + F((x + x2) / 2) + "' y='" + F(f.h - f.bottom + 14) +
         "' font-size='11' text-anchor='middle'>" + names[i] +
         (side.is_object() ? " " + Pct(side["share_within_240s"]) : std::string(" (n/a)")) +
         "</text>";
  }
  return s + "</svg>";
}

std::string Table(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string s = "<table>";
  for (const auto& [k, v] : rows)
    s += "<tr><th>" + EscapeMarkup(k) + "</th><td>" + v + "</td></tr>";
  return s + "</table>";
}

}  // namespace

std::string RenderHtml(const Json& s) {
  std::string h =
      "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Beacon replay "
      "report</title><style>body{font-family:system-ui,sans-serif;margin:24px;max-width:960px;"
      "color:#222}table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid "
      "#ccc;padding:3px 8px;text-align:left;font-size:13px}th{background:#f4f4f4;font-weight:"
      "normal}h2{margin-top:28px;border-bottom:1px solid #ddd}svg{display:block;margin:8px "
      "0}.note{color:#555;font-size:13px}</style></head><body>";
  h += "<h1>Beacon replay report</h1>";
  h += "<p class='note'>Mode <b>" + Show(s["mode"]) + "</b>, driven " + Show(s["driver"]) +
       ". Calls from " + Show(s["period"]["from"]) + " to " + Show(s["period"]["to"]) +
       ". Every number here is also in summary.json; how each is computed is in docs/replay.md "
       "of the Beacon source.</p>";

  h += "<h2>Rows and calls</h2>";
  std::vector<std::pair<std::string, std::string>> rows = {
      {"rows read", Show(s["rows"]["read"])},
      {"rows replayed (unit responses of calls inside the graph)", Show(s["rows"]["replayed"])}};
  for (const auto& [k, v] : s["rows"]["skipped"].items())
    rows.push_back({"rows skipped: " + k, Show(v)});
  rows.push_back({"calls read", Show(s["calls"]["read"])});
  rows.push_back({"calls inside the graph", Show(s["calls"]["inside_graph"])});
  rows.push_back({"calls replayed", Show(s["calls"]["replayed"])});
  rows.push_back({"calls linked as duplicates by Beacon", Show(s["calls"]["linked_as_duplicate"])});
  rows.push_back({"Beacon incidents", Show(s["calls"]["incidents"])});
  rows.push_back({"units (known / without a located station)",
                  Show(s["units"]["known"]) + " / " + Show(s["units"]["without_station"])});
  rows.push_back({"forced releases (unit still busy in the replay when history sent it again)",
                  Show(s["units"]["forced_releases"])});
  h += Table(rows);
  if (s["rows"].contains("skipped_examples") && !s["rows"]["skipped_examples"].empty()) {
    h += "<p class='note'>Skipped rows, first examples per reason (all of them are in "
         "skipped.csv):</p><table><tr><th>reason</th><th>line</th><th>message</th></tr>";
    for (const auto& [reason, list] : s["rows"]["skipped_examples"].items()) {
      for (const auto& x : list) {
        h += "<tr><td>" + EscapeMarkup(reason) + "</td><td>" + Show(x["line"]) + "</td><td>" +
             Show(x["message"]) + "</td></tr>";
      }
    }
    h += "</table>";
  }

  const auto& d = s["duplicates"];
  h += "<h2>Duplicate linking</h2>";
  h += "<p class='note'>Pairs of calls: a pair is merged when Beacon put both calls in one "
       "incident, true when the export gives them the same incident number.</p>";
  h += Table({{"true pairs", Show(d["true_pairs"])},
              {"merged pairs", Show(d["merged_pairs"])},
              {"correctly merged pairs", Show(d["correct_pairs"])},
              {"precision", Pct(d["precision"])},
              {"recall", Pct(d["recall"])}});

  const auto& c = s["calibration"];
  h += "<h2>Travel-time calibration</h2>";
  h += "<p class='note'>Predicted road ETA from the unit's station vs actual en route → on "
       "scene, for engines and trucks responding from their own station.</p>";
  h += Table({{"responses", Show(c["responses"])},
              {"median absolute error", Show(c["median_abs_error_s"]) + " s"},
              {"p90 absolute error", Show(c["p90_abs_error_s"]) + " s"},
              {"bias (mean of predicted - actual)", Show(c["bias_mean_s"]) + " s"},
              {"bias (median)", Show(c["bias_median_s"]) + " s"}});
  h += Scatter(c) + Histogram(c);

  const auto& r = s["recommendation_vs_history"];
  const auto& e = r["eta_difference_when_different"];
  h += "<h2>Recommendation vs history</h2>";
  h += Table({{"incidents compared", Show(r["compared"])},
              {"Beacon's first unit = historical first unit", Pct(r["same_first_unit_share"])},
              {"same unit type", Pct(r["same_first_unit_type_share"])},
              {"no recommendation", Show(r["no_recommendation"])},
              {"when different: historical first unit's ETA - Beacon's (median / mean / p90)",
               Show(e["median_s"]) + " / " + Show(e["mean_s"]) + " / " + Show(e["p90_s"]) +
                   " s over " + Show(e["count"])}});

  const auto& n = s["nfpa_1710"];
  h += "<h2>NFPA 1710: first unit travel ≤ 240 s</h2>";
  std::vector<std::pair<std::string, std::string>> nr = {
      {"historical", Pct(n["historical"]["share_within_240s"]) + " of " +
                         Show(n["historical"]["incidents"]) + " (median " +
                         Show(n["historical"]["median_first_travel_s"]) + " s)"}};
  if (n["beacon"].is_object()) {
    nr.push_back({"Beacon (recommend mode)",
                  Pct(n["beacon"]["share_within_240s"]) + " of " + Show(n["beacon"]["incidents"]) +
                      " (median " + Show(n["beacon"]["median_first_travel_s"]) + " s)"});
    nr.push_back({"Beacon, predicted ETAs corrected by the calibration's median error",
                  Pct(n["beacon"]["share_within_240s_bias_corrected"])});
    nr.push_back(
        {"Beacon: incidents where no unit could be sent", Show(n["beacon"]["no_unit_sent"])});
  } else {
    nr.push_back({"Beacon", "run with --mode recommend"});
  }
  h += Table(nr) + NfpaChart(n);

  const auto& cov = s["coverage"];
  h += "<h2>Coverage over time</h2>";
  h += "<p class='note'>Share of the replayed calls' locations that an available unit reaches "
       "within 240 s and 480 s, every " +
       Show(cov["step_s"]) + " s of simulated time.</p>";
  h += Table({{"demand points", Show(cov["demand_points"])},
              {"within 240 s (min / median / max)", Pct(cov["share_240s"]["min"]) + " / " +
                                                        Pct(cov["share_240s"]["median"]) + " / " +
                                                        Pct(cov["share_240s"]["max"])},
              {"within 480 s (min / median / max)", Pct(cov["share_480s"]["min"]) + " / " +
                                                        Pct(cov["share_480s"]["median"]) + " / " +
                                                        Pct(cov["share_480s"]["max"])}});
  h += CoverageChart(cov);

  h += "<h2>Throughput and latency</h2>";
  const auto& t = s["throughput"];
  h += Table(
      {{"replay time", Show(t["replay_seconds"]) + " s"},
       {"rows per second", Show(t["rows_per_s"])},
       {"commands (per second)", Show(t["commands"]) + " (" + Show(t["commands_per_s"]) + ")"}});
  h += "<table><tr><th>operation</th><th>count</th><th>mean µs</th><th>p50 µs</th><th>p99 "
       "µs</th><th>max µs</th></tr>";
  for (const auto& [op, v] : s["latency"].items()) {
    h += "<tr><td>" + EscapeMarkup(op) + "</td><td>" + Show(v["count"]) + "</td><td>" +
         Show(v["mean_us"]) + "</td><td>" + Show(v["p50_us"]) + "</td><td>" + Show(v["p99_us"]) +
         "</td><td>" + Show(v["max_us"]) + "</td></tr>";
  }
  h += "</table>";
  if (!s["errors"]["counts"].empty()) {
    h += "<h2>Refused commands</h2>";
    std::vector<std::pair<std::string, std::string>> er;
    for (const auto& [k, v] : s["errors"]["counts"].items()) er.push_back({k, Show(v)});
    h += Table(er);
  }
  h += "<p class='note'>Data: San Francisco Fire Department calls for service, DataSF (PDDL) "
       "where used; roads © OpenStreetMap contributors (ODbL).</p></body></html>\n";
  return h;
}

}  // namespace beacon::replay
