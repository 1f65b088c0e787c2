// scam_bench: the anti-scam desk on the shared real data and at scale
// (docs/scam.md, "Real data"). In one run:
//
//  1. Real data, in-process: every file of --data (FTC Do Not Call
//     complaints, robocall transcripts, UCI and Mendeley SMS spam, PhishTank)
//     read through its built-in mapping and filed with service::ScamDesk on
//     an in-memory store (normalisation, extraction, linking, rendering; no
//     fsync): reports/s, and what the campaigns are (largest ones with their
//     identifiers and scripts, numbers of the FTC file spoken in the robocall
//     transcripts, PhishTank brands and hosts).
//  2. The same reports over HTTP into the real `beacon serve` (durable, 1,000
//     per POST /scam/reports:batch, --http-clients clients): reports/s.
//  3. Synthetic: --reports reports (texts and identifiers drawn from the
//     shared data, mutated) through scam::Linker alone: reports/s, the
//     latency of one Add at the end, memory.
//  4. The reference in the same run: exact all-pairs Jaccard on a sample of
//     --sample texts against the LSH candidates and the campaigns.
//
// Writes JSON (--json-out) and the Markdown section of docs/scam.md between
// its report markers (--report-out). Exits 1 when something failed.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "bench_util.h"
#include "dispatch/response_plan.h"
#include "dispatch/travel_times.h"
#include "history/csv_reader.h"
#include "scam/config.h"
#include "scam/import.h"
#include "scam/linker.h"
#include "scam/report.h"
#include "service/center.h"
#include "service/scam_desk.h"
#include "store/memory/memory_store.h"

namespace beacon::bench {
namespace {

using nlohmann::json;
using std::chrono::duration;

struct Options {
  std::string data = "../shared/data/scam";
  std::string source = BEACON_SOURCE_DIR;
  std::string beacon = BEACON_BINARY;
  std::string tmp_parent;
  std::int64_t reports = 1000000;
  int sample = 5000;
  int http_clients = 2;
  bool http = true;
  std::uint64_t seed = 14;
  std::string json_out, report_out;
};

struct Dataset {
  std::string file, format, label;
};
const Dataset kDatasets[] = {
    {"ftc_dnc_complaint_numbers_2021-07-08.csv", "ftc-dnc", "FTC Do Not Call complaints"},
    {"robocall_transcripts_metadata.csv", "robocall", "robocall transcripts"},
    {"uci_SMSSpamCollection.tsv", "uci-sms", "UCI SMS spam"},
    {"mendeley_smishing_Dataset_5971.csv", "mendeley-smishing", "Mendeley smishing"},
    {"phishtank_online-valid_2019-05-15.csv", "phishtank", "PhishTank"},
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double Seconds(Clock::time_point since) { return duration<double>(Clock::now() - since).count(); }

// VmRSS / VmHWM of this process in MiB.
double MemMiB(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(std::strlen(key))) / 1024.0;
  }
  return 0;
}

class NoSink final : public service::EventSink {
 public:
  void Publish(const std::vector<store::Event>&) override {}
};

std::string Cut(std::string s, size_t n) {
  for (auto& c : s) {
    if (c == '\n' || c == '\r' || c == '|') c = ' ';
  }
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "…";
}

std::string Num(double v, int decimals = 0) {
  std::string s = Fixed(v, decimals);
  // Thousands separators on the integer part.
  size_t dot = s.find('.');
  size_t end = dot == std::string::npos ? s.size() : dot;
  size_t start = s[0] == '-' ? 1 : 0;
  for (std::ptrdiff_t i = static_cast<std::ptrdiff_t>(end) - 3;
       i > static_cast<std::ptrdiff_t>(start); i -= 3) {
    s.insert(static_cast<size_t>(i), ",");
  }
  return s;
}

// The shared files read through their mappings: report bodies in order, with
// the dataset of each and what the report needs beside it.
struct Loaded {
  std::vector<json> bodies;
  std::vector<int> dataset;        // per body
  std::vector<std::string> brand;  // PhishTank target per body ("" elsewhere)
  std::map<int, std::int64_t> rows, skipped;
};

Loaded LoadAll(const Options& o, const scam::Normaliser& n) {
  Loaded out;
  // PhishTank brands by phish id.
  std::map<std::string, std::string> brands;
  {
    std::string text = ReadFile(o.data + "/phishtank_online-valid_2019-05-15.csv");
    history::CsvReader r(text);
    history::CsvRecord rec;
    std::string err;
    while (r.Next(rec, err) != history::CsvReader::Result::kEnd) {
      if (rec.fields.size() >= 8) brands["phishtank:" + rec.fields[0]] = rec.fields[7];
    }
  }
  for (int d = 0; d < static_cast<int>(std::size(kDatasets)); ++d) {
    const auto& ds = kDatasets[d];
    auto format = scam::ImportFormat::Parse(
        ReadFile(o.source + "/config/scam/formats/" + ds.format + ".json"));
    if (!format) throw std::runtime_error(ds.format + ": " + format.error().message());
    std::string text = ReadFile(o.data + "/" + ds.file);
    if (text.empty()) throw std::runtime_error("cannot read " + o.data + "/" + ds.file);
    scam::ImportReader reader(*format, text, ds.file);
    json report;
    std::string why;
    for (;;) {
      auto res = reader.Next(report, why);
      if (res == scam::ImportReader::Result::kEnd) break;
      ++out.rows[d];
      if (res == scam::ImportReader::Result::kSkipped) {
        ++out.skipped[d];
        continue;
      }
      // As `beacon scam import` does: bad cells dropped, phones in E.164.
      if (report.contains("identifiers")) {
        json kept = json::array();
        for (const auto& id : report["identifiers"]) {
          auto kind = scam::ParseKind(id["kind"].get<std::string>());
          auto ok = n.Normalise(*kind, id["value"].get<std::string>(), "value");
          if (!ok) continue;
          std::string v = id["value"];
          if (*kind == scam::Kind::kPhone && ok->front().valid) v = ok->front().value;
          kept.push_back({{"kind", id["kind"]}, {"value", v}});
        }
        report["identifiers"] = kept;
        if (kept.empty()) report.erase("identifiers");
      }
      if (!report.contains("identifiers") && !report.contains("text")) {
        ++out.skipped[d];
        continue;
      }
      out.brand.push_back(brands[report.value("external_id", std::string())]);
      out.bodies.push_back(std::move(report));
      out.dataset.push_back(d);
    }
  }
  return out;
}

// ---- 1. Real data in-process ----------------------------------------------

struct RealRun {
  double seconds = 0;
  std::int64_t reports = 0;
  json markdown_facts;
};

json SyncCall(const std::function<void(service::Done)>& f) {
  json out;
  f([&out](Result<json> r) {
    if (!r) throw std::runtime_error(r.error().message());
    out = std::move(*r);
  });
  return out;
}

// ---- 3. Synthetic ----------------------------------------------------------

struct Pools {
  std::vector<std::string> texts, phones, vocabulary;
  std::vector<std::vector<std::string>> sites;  // the keys of one URL (url, domain)
};

// Distinct phone numbers and sites of the shared files, in file order.
Pools MakePools(const Loaded& l, const scam::Normaliser& n) {
  Pools p;
  std::set<std::string> vocab, phones, sites;
  for (const auto& b : l.bodies) {
    if (b.contains("text")) {
      p.texts.push_back(b["text"]);
      for (const auto& w : scam::NormalisedWords(b["text"].get<std::string>())) {
        if (w != "#" && w != "<url>" && vocab.size() < 20000) vocab.insert(w);
      }
    }
    for (const auto& id : b.value("identifiers", json::array())) {
      auto kind = scam::ParseKind(id["kind"].get<std::string>());
      auto ids = n.Normalise(*kind, id["value"].get<std::string>(), "v");
      if (!ids) continue;
      if (*kind == scam::Kind::kPhone) {
        if (phones.insert(ids->front().Key()).second) p.phones.push_back(ids->front().Key());
      } else if (*kind == scam::Kind::kUrl && sites.insert(ids->front().Key()).second) {
        std::vector<std::string> keys;
        for (const auto& x : *ids) keys.push_back(x.Key());
        p.sites.push_back(std::move(keys));
      }
    }
  }
  p.vocabulary.assign(vocab.begin(), vocab.end());
  return p;
}

struct Synthetic {
  std::vector<std::vector<std::string>> keys;
  std::vector<std::string> texts;
};

// Reports drawn from the shared data with mutations, in latent campaigns
// (as fraud arrives): a report belongs to one of reports/8 campaigns, the
// larger ones more often (campaign = floor(C * u^2)). A campaign has, drawn
// once from its own seed: with probability 0.6 a script (a real scam text
// with a fifth of its words replaced), one or two phone numbers (the FTC
// file's, each used by one campaign only, while they last; then new ones)
// and with probability 0.3 a site (PhishTank's, likewise, then new). Each
// report of it carries the script with up to 3 more words replaced and its
// numbers changed, one of its numbers (p 0.7), its site (p 0.5), and with
// probability 0.01 a number of another campaign (the noise that merges
// campaigns).
Synthetic MakeSynthetic(const Pools& p, std::int64_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [](std::mt19937_64& r, size_t size) {
    return std::uniform_int_distribution<size_t>(0, size - 1)(r);
  };
  std::uniform_real_distribution<double> u(0, 1);
  const std::int64_t campaigns = std::max<std::int64_t>(1, n / 8);
  auto words_of = [](const std::string& t) {
    std::vector<std::string> w;
    std::istringstream in(t);
    for (std::string x; in >> x;) w.push_back(x);
    return w;
  };
  auto mutate = [&](std::vector<std::string> words, int changes, std::mt19937_64& r) {
    for (int c = 0; c < changes && !words.empty(); ++c) {
      words[pick(r, words.size())] = p.vocabulary[pick(r, p.vocabulary.size())];
    }
    std::string out;
    for (const auto& w : words) {
      out += (out.empty() ? "" : " ") +
             (std::any_of(w.begin(), w.end(), ::isdigit) ? std::to_string(r() % 100000) : w);
    }
    return out;
  };
  auto phone_of = [&](std::int64_t c, int k) {
    size_t i = static_cast<size_t>(c) * 2 + static_cast<size_t>(k);
    if (i < p.phones.size()) return p.phones[i];
    return "phone:+1" +
           std::to_string(2000000000 + (static_cast<std::uint64_t>(c) * 7919 + k) % 7999999999ULL);
  };
  struct Campaign {
    std::vector<std::string> script, phones, site;
  };
  std::map<std::int64_t, Campaign> known;
  auto campaign = [&](std::int64_t c) -> const Campaign& {
    auto it = known.find(c);
    if (it != known.end()) return it->second;
    std::mt19937_64 r(seed * 1000003 + static_cast<std::uint64_t>(c));
    Campaign k;
    if (u(r) < 0.6 && !p.texts.empty()) {
      auto w = words_of(p.texts[pick(r, p.texts.size())]);
      k.script = words_of(mutate(w, static_cast<int>(w.size() / 5), r));
    }
    int phones = u(r) < 0.5 ? 1 : 2;
    for (int i = 0; i < phones; ++i) k.phones.push_back(phone_of(c, i));
    if (u(r) < 0.3) {
      if (static_cast<size_t>(c) < p.sites.size()) {
        k.site = p.sites[static_cast<size_t>(c)];
      } else {
        std::string host = "c" + std::to_string(c) + ".example";
        k.site = {"url:" + host + "/login", "domain:" + host};
      }
    }
    return known.emplace(c, std::move(k)).first->second;
  };
  Synthetic s;
  s.keys.resize(static_cast<size_t>(n));
  s.texts.resize(static_cast<size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    double x = u(rng);
    auto c = static_cast<std::int64_t>(static_cast<double>(campaigns) * x * x);
    const Campaign& k = campaign(c);
    auto& keys = s.keys[static_cast<size_t>(i)];
    if (!k.script.empty()) {
      s.texts[static_cast<size_t>(i)] = mutate(k.script, static_cast<int>(u(rng) * 4), rng);
    }
    if (u(rng) < 0.7) keys.push_back(k.phones[pick(rng, k.phones.size())]);
    if (!k.site.empty() && u(rng) < 0.5) keys.insert(keys.end(), k.site.begin(), k.site.end());
    if (u(rng) < 0.01) keys.push_back(phone_of(static_cast<std::int64_t>(pick(rng, campaigns)), 0));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  }
  return s;
}

int Main(int argc, char** argv) {
  Options o;
  CLI::App app{"The anti-scam desk on the shared data and at 1M reports"};
  app.add_option("--data", o.data, "The shared scam data directory")->capture_default_str();
  app.add_option("--source", o.source, "The Beacon source tree (config/scam)")
      ->capture_default_str();
  app.add_option("--beacon", o.beacon, "The beacon binary")->capture_default_str();
  app.add_option("--tmp", o.tmp_parent, "Parent of the temporary data dir");
  app.add_option("--reports", o.reports, "Synthetic reports")->capture_default_str();
  app.add_option("--sample", o.sample, "Texts in the exact all-pairs sample")
      ->capture_default_str();
  app.add_option("--http-clients", o.http_clients, "Concurrent HTTP clients")
      ->capture_default_str();
  app.add_flag("!--no-http", o.http, "Skip the HTTP run");
  app.add_option("--seed", o.seed, "Random seed")->capture_default_str();
  app.add_option("--json-out", o.json_out, "Write the results as JSON here");
  app.add_option("--report-out", o.report_out,
                 "Rewrite the report section of this Markdown file (docs/scam.md)");
  CLI11_PARSE(app, argc, argv);

  json out;
  auto config = scam::ParseDeskConfig(ReadFile(o.source + "/config/scam/desk.json"));
  if (!config) throw std::runtime_error(config.error().message());
  scam::NormaliserConfig nc;
  nc.default_region = config->default_region;
  nc.shared_hosts = *scam::ParseSharedHosts(ReadFile(o.source + "/config/scam/shared_hosts.txt"));
  nc.wallets = *scam::ParseWalletFormats(ReadFile(o.source + "/config/scam/wallets.json"));
  auto normaliser = scam::Normaliser::Create(nc);
  if (!normaliser) throw std::runtime_error(normaliser.error().message());

  // ---- 1. Real data, in-process -------------------------------------------
  auto t_read = Clock::now();
  Loaded loaded = LoadAll(o, **normaliser);
  double read_s = Seconds(t_read);
  std::cerr << "scam_bench: " << loaded.bodies.size() << " reports read in " << read_s << " s\n";

  store::MemoryStore memory(/*keep_events=*/false);
  auto plans = dispatch::ResponsePlans::Load(o.source + "/config/response_plans.json");
  if (!plans) throw std::runtime_error(plans.error().message());
  dispatch::StraightLineTravelTimes straight;
  SystemClock clock;
  NoSink sink;
  service::Center center(memory, *plans, straight, clock, sink);
  service::ScamDesk desk(center, clock, *config, *normaliser);
  service::Actor actor{"bench", model::Role::kFraudAnalyst, ""};
  std::vector<std::int64_t> report_ids;  // per body
  auto t_real = Clock::now();
  double cpu_real = ProcessCpuSeconds(::getpid());
  for (size_t i = 0; i < loaded.bodies.size(); i += scam::kMaxBatch) {
    std::vector<scam::ReportInput> in;
    for (size_t k = i; k < std::min(loaded.bodies.size(), i + scam::kMaxBatch); ++k) {
      auto r = scam::ReadReport(loaded.bodies[k], "");
      if (!r) throw std::runtime_error("report " + std::to_string(k) + ": " + r.error().message());
      in.push_back(std::move(*r));
    }
    json res = SyncCall([&](service::Done d) { desk.CreateReports(actor, std::move(in), d); });
    for (const auto& x : res["results"]) report_ids.push_back(x["report_id"]);
  }
  double real_s = Seconds(t_real);
  cpu_real = ProcessCpuSeconds(::getpid()) - cpu_real;
  auto stats = desk.stats();
  out["real"] = {{"reports", stats.reports},
                 {"campaigns", stats.campaigns},
                 {"read_s", read_s},
                 {"file_s", real_s},
                 {"reports_per_s", static_cast<double>(stats.reports) / real_s},
                 {"cpu_s", cpu_real},
                 {"reports_per_cpu_s", static_cast<double>(stats.reports) / cpu_real}};
  std::cerr << "scam_bench: filed in-process at " << out["real"]["reports_per_s"] << " reports/s\n";

  // What each report became.
  std::vector<json> reports(report_ids.size());
  std::map<std::int64_t, size_t> body_of;  // report id -> body index
  for (size_t i = 0; i < report_ids.size(); ++i) {
    body_of[report_ids[i]] = i;
    reports[i] = SyncCall([&](service::Done d) { desk.GetReport(actor, report_ids[i], d); });
  }
  // Per dataset: rows, reports, identifiers given / from text / spoken.
  json per_dataset = json::array();
  for (int d = 0; d < static_cast<int>(std::size(kDatasets)); ++d) {
    std::int64_t n = 0, given = 0, text = 0, spoken = 0, invalid_phones = 0, campaigns_multi = 0;
    std::set<std::int64_t> campaigns;
    for (size_t i = 0; i < reports.size(); ++i) {
      if (loaded.dataset[i] != d) continue;
      ++n;
      campaigns.insert(reports[i]["campaign_id"].get<std::int64_t>());
      for (const auto& id : reports[i]["identifiers"]) {
        std::string src = id["source"];
        (src == "given" ? given : src == "spoken" ? spoken : text) += 1;
        if (id["kind"] == "phone" && !id["valid"].get<bool>()) ++invalid_phones;
      }
    }
    for (auto c : campaigns) {
      auto detail = desk.GetCampaign(c);
      if (detail && (*detail)["reports"].get<std::int64_t>() > 1) ++campaigns_multi;
    }
    per_dataset.push_back({{"dataset", kDatasets[d].label},
                           {"file", kDatasets[d].file},
                           {"rows", loaded.rows[d]},
                           {"skipped", loaded.skipped[d]},
                           {"reports", n},
                           {"identifiers_given", given},
                           {"identifiers_text", text},
                           {"identifiers_spoken", spoken},
                           {"invalid_phones", invalid_phones},
                           {"campaigns", campaigns.size()},
                           {"campaigns_with_2_or_more", campaigns_multi}});
  }
  out["datasets"] = per_dataset;

  // Campaigns: sizes, link reasons, the largest.
  json all = *desk.ListCampaigns({"reports", std::nullopt, 1000000});
  std::int64_t multi = 0, in_multi = 0, cross = 0;
  std::map<std::string, std::int64_t> reasons;
  for (const auto& c : all["campaigns"]) {
    std::int64_t r = c["reports"];
    if (r > 1) {
      ++multi;
      in_multi += r;
    }
  }
  json largest = json::array();
  size_t shown = 0;
  for (const auto& c : all["campaigns"]) {
    std::int64_t r = c["reports"];
    if (r < 2) break;
    json detail = *desk.GetCampaign(c["campaign_id"]);
    std::map<std::string, std::int64_t> by_dataset;
    for (const auto& id : detail["report_ids"]) {
      by_dataset[kDatasets[loaded.dataset[body_of[id.get<std::int64_t>()]]].format] += 1;
    }
    if (by_dataset.size() > 1) ++cross;
    std::map<std::string, std::int64_t> why;
    for (const auto& l : detail["links"]) {
      ++why[l["reason"].get<std::string>()];
      ++reasons[l["reason"].get<std::string>()];
    }
    if (shown++ < 12) {
      json ids = json::array();
      for (size_t k = 0; k < detail["identifiers"].size() && k < 3; ++k) {
        ids.push_back(detail["identifiers"][k]);
      }
      largest.push_back({{"campaign_id", c["campaign_id"]},
                         {"reports", r},
                         {"datasets", by_dataset},
                         {"links", why},
                         {"identifiers", ids},
                         {"sample_text", detail["sample_text"]}});
    }
  }
  out["campaigns"] = {
      {"total", all["total"]},    {"with_2_or_more", multi}, {"reports_in_them", in_multi},
      {"across_datasets", cross}, {"links", reasons},        {"largest", largest}};

  // FTC numbers that the robocall transcripts say.
  std::set<std::string> ftc, spoken, written;
  for (size_t i = 0; i < reports.size(); ++i) {
    for (const auto& id : reports[i]["identifiers"]) {
      if (id["kind"] != "phone" || !id["valid"].get<bool>()) continue;
      std::string v = id["value"];
      if (kDatasets[loaded.dataset[i]].format == "ftc-dnc") ftc.insert(v);
      if (kDatasets[loaded.dataset[i]].format == "robocall") {
        (id["source"] == "spoken" ? spoken : written).insert(v);
      }
    }
  }
  json overlap_examples = json::array();
  std::int64_t spoken_in_ftc = 0, written_in_ftc = 0;
  for (const auto& v : spoken) {
    if (ftc.count(v)) {
      ++spoken_in_ftc;
      overlap_examples.push_back(v + " (spoken)");
    }
  }
  for (const auto& v : written) {
    if (ftc.count(v)) {
      ++written_in_ftc;
      if (overlap_examples.size() < 12) overlap_examples.push_back(v);
    }
  }
  out["ftc_in_robocalls"] = {{"ftc_numbers", ftc.size()},
                             {"robocall_numbers_spoken", spoken.size()},
                             {"robocall_numbers_written", written.size()},
                             {"spoken_in_ftc", spoken_in_ftc},
                             {"written_in_ftc", written_in_ftc},
                             {"examples", overlap_examples}};

  // PhishTank: brands and hosts, and the campaigns they form.
  std::map<std::string, std::int64_t> brand_reports, hosts, shared_hosts;
  std::map<std::int64_t, std::set<std::string>> campaign_brands;
  std::map<std::int64_t, std::int64_t> campaign_size;
  for (size_t i = 0; i < reports.size(); ++i) {
    if (kDatasets[loaded.dataset[i]].format != "phishtank") continue;
    const std::string& b = loaded.brand[i];
    ++brand_reports[b];
    std::int64_t c = reports[i]["campaign_id"];
    campaign_brands[c].insert(b);
    ++campaign_size[c];
    for (const auto& id : reports[i]["identifiers"]) {
      if (id["kind"] != "url") continue;
      std::string v = id["value"];
      std::string host = v.substr(0, v.find('/'));
      ++hosts[host];
      if (id.value("note", "") == "shared host") ++shared_hosts[host];
    }
  }
  auto top = [](const std::map<std::string, std::int64_t>& m, size_t n) {
    std::vector<std::pair<std::int64_t, std::string>> v;
    for (const auto& [k, c] : m) v.push_back({-c, k});
    std::sort(v.begin(), v.end());
    json out = json::array();
    for (size_t i = 0; i < v.size() && i < n; ++i) out.push_back({v[i].second, -v[i].first});
    return out;
  };
  std::int64_t pt_multi = 0, pt_mixed = 0;
  for (const auto& [c, n] : campaign_size) {
    if (n > 1) {
      ++pt_multi;
      std::set<std::string> named;
      for (const auto& b : campaign_brands[c]) {
        if (b != "Other") named.insert(b);
      }
      if (named.size() > 1) ++pt_mixed;
    }
  }
  out["phishtank"] = {
      {"brands", top(brand_reports, 12)},         {"hosts", top(hosts, 12)},
      {"shared_hosts", top(shared_hosts, 10)},    {"distinct_hosts", hosts.size()},
      {"campaigns", campaign_size.size()},        {"campaigns_with_2_or_more", pt_multi},
      {"campaigns_mixing_named_brands", pt_mixed}};

  // ---- 2. HTTP, durable -----------------------------------------------------
  if (o.http) {
    TempDir dir(o.tmp_parent, "beacon-scam-bench-");
    std::string data_dir = dir.path() + "/data";
    auto added = Run({o.beacon, "--log-level", "warn", "user", "add", "bench", "--role",
                      "fraud_analyst", "--data", data_dir},
                     "bench-password\n");
    if (added.exit_code != 0) throw std::runtime_error("user add: " + added.output);
    BeaconProcess server(o.beacon, data_dir, {});
    server.Start();
    auto login = HttpOnce(server.port(), "POST", "/api/v1/auth/login",
                          json{{"username", "bench"}, {"password", "bench-password"}}.dump());
    std::string token = json::parse(login.body).value("token", "");
    // Batches of 1,000 (under 900 KB), handed out to the clients in order.
    std::vector<std::string> batches;
    json cur = json::array();
    size_t bytes = 0;
    for (const auto& b : loaded.bodies) {
      std::string d = b.dump();
      if (!cur.empty() && (cur.size() >= scam::kMaxBatch || bytes + d.size() > 900 * 1024)) {
        batches.push_back(json{{"reports", cur}}.dump());
        cur = json::array();
        bytes = 0;
      }
      bytes += d.size() + 1;
      cur.push_back(b);
    }
    if (!cur.empty()) batches.push_back(json{{"reports", cur}}.dump());
    std::atomic<size_t> next{0};
    std::atomic<std::int64_t> accepted{0};
    std::atomic<int> failures{0};
    std::vector<std::int64_t> latency_ns(batches.size());
    auto t_http = Clock::now();
    double cpu_server = ProcessCpuSeconds(server.pid());
    std::vector<std::thread> clients;
    for (int c = 0; c < o.http_clients; ++c) {
      clients.emplace_back([&] {
        for (size_t i; (i = next++) < batches.size();) {
          auto t0 = Clock::now();
          try {
            auto r = HttpOnce(server.port(), "POST", "/api/v1/scam/reports:batch", batches[i],
                              token, std::chrono::seconds(120));
            if (r.status != 201) {
              ++failures;
              std::cerr << "scam_bench: HTTP " << r.status << " " << r.body.substr(0, 300) << "\n";
              continue;
            }
            accepted += static_cast<std::int64_t>(json::parse(r.body)["results"].size());
          } catch (const std::exception& e) {
            ++failures;
            std::cerr << "scam_bench: " << e.what() << "\n";
          }
          latency_ns[i] = (Clock::now() - t0).count();
        }
      });
    }
    for (auto& t : clients) t.join();
    double http_s = Seconds(t_http);
    cpu_server = ProcessCpuSeconds(server.pid()) - cpu_server;
    server.Stop();
    auto lat = Summarize(latency_ns);
    out["http"] = {{"reports", accepted.load()},
                   {"batches", batches.size()},
                   {"clients", o.http_clients},
                   {"seconds", http_s},
                   {"reports_per_s", static_cast<double>(accepted.load()) / http_s},
                   {"batch_p50_ms", lat.p50_ms},
                   {"batch_p99_ms", lat.p99_ms},
                   {"server_cpu_s", cpu_server},
                   {"reports_per_server_cpu_s", static_cast<double>(accepted.load()) / cpu_server},
                   {"failures", failures.load()}};
    std::cerr << "scam_bench: HTTP " << out["http"]["reports_per_s"] << " durable reports/s\n";
    if (failures.load() > 0) return 1;
  }

  // ---- 3. Synthetic, the linker alone ----------------------------------------
  Pools pools = MakePools(loaded, **normaliser);
  auto t_gen = Clock::now();
  Synthetic syn = MakeSynthetic(pools, o.reports, o.seed);
  double gen_s = Seconds(t_gen);
  double rss_before = MemMiB("VmRSS:");
  // Normalisation cost on real raw values (what a report's fields cost).
  std::int64_t normalised = 0;
  auto t_norm = Clock::now();
  for (const auto& b : loaded.bodies) {
    for (const auto& id : b.value("identifiers", json::array())) {
      auto r = (*normaliser)
                   ->Normalise(*scam::ParseKind(id["kind"].get<std::string>()),
                               id["value"].get<std::string>(), "v");
      normalised += r ? 1 : 0;
    }
  }
  double norm_s = Seconds(t_norm);
  std::int64_t extracted = 0, texts = 0;
  auto t_extract = Clock::now();
  for (const auto& b : loaded.bodies) {
    if (!b.contains("text")) continue;
    ++texts;
    extracted += static_cast<std::int64_t>(
        scam::ExtractIdentifiers(b["text"].get<std::string>(), **normaliser).size());
  }
  double extract_s = Seconds(t_extract);

  scam::Linker linker(config->text);
  std::vector<std::int64_t> tail_ns;
  std::int64_t tail_from = std::max<std::int64_t>(0, o.reports - 10000);
  auto t_link = Clock::now();
  double cpu_link = ProcessCpuSeconds(::getpid());
  double at_half_s = 0;
  std::vector<scam::Linker::KeyId> ids;
  for (std::int64_t i = 0; i < o.reports; ++i) {
    auto t0 = Clock::now();
    ids.clear();
    for (const auto& k : syn.keys[static_cast<size_t>(i)]) ids.push_back(linker.Intern(k));
    linker.Add(ids, syn.texts[static_cast<size_t>(i)]);
    if (i >= tail_from) tail_ns.push_back((Clock::now() - t0).count());
    if (i == o.reports / 2) at_half_s = Seconds(t_link);
  }
  double link_s = Seconds(t_link);
  cpu_link = ProcessCpuSeconds(::getpid()) - cpu_link;
  double rss_after = MemMiB("VmRSS:");
  auto tail = Summarize(tail_ns);
  auto campaigns = linker.Campaigns();
  std::int64_t syn_multi = 0;
  size_t syn_largest = 0;
  for (auto c : campaigns) {
    size_t n = linker.CampaignSize(c);
    syn_multi += n > 1;
    syn_largest = std::max(syn_largest, n);
  }
  out["synthetic"] = {
      {"reports", o.reports},
      {"with_text", std::count_if(syn.texts.begin(), syn.texts.end(),
                                  [](const std::string& t) { return !t.empty(); })},
      {"generate_s", gen_s},
      {"link_s", link_s},
      {"reports_per_s", static_cast<double>(o.reports) / link_s},
      {"link_cpu_s", cpu_link},
      {"reports_per_cpu_s", static_cast<double>(o.reports) / cpu_link},
      {"second_half_reports_per_s",
       static_cast<double>(o.reports - o.reports / 2) / std::max(1e-9, link_s - at_half_s)},
      {"last_10000_add_p50_us", tail.p50_ms * 1000},
      {"last_10000_add_p99_us", tail.p99_ms * 1000},
      {"last_10000_add_max_us", tail.max_ms * 1000},
      {"campaigns", campaigns.size()},
      {"campaigns_with_2_or_more", syn_multi},
      {"largest_campaign", syn_largest},
      {"linker_memory_mib", static_cast<double>(linker.MemoryBytes()) / (1024.0 * 1024.0)},
      {"rss_growth_mib", rss_after - rss_before},
      {"peak_rss_mib", MemMiB("VmHWM:")},
      {"normalise_us_per_identifier", norm_s * 1e6 / std::max<std::int64_t>(1, normalised)},
      {"extract_us_per_text", extract_s * 1e6 / std::max<std::int64_t>(1, texts)},
      {"extracted_per_text", static_cast<double>(extracted) / std::max<std::int64_t>(1, texts)}};
  std::cerr << "scam_bench: linked " << o.reports << " at " << out["synthetic"]["reports_per_s"]
            << " reports/s\n";

  // ---- 4. Exact all-pairs Jaccard on a sample --------------------------------
  std::vector<scam::Linker::Index> sample;
  for (scam::Linker::Index i = 0; i < linker.size() && static_cast<int>(sample.size()) < o.sample;
       ++i) {
    if (!linker.ShinglesOf(i).empty()) sample.push_back(i);
  }
  auto t_exact = Clock::now();
  std::vector<std::pair<scam::Linker::Index, scam::Linker::Index>> similar;
  for (size_t a = 0; a < sample.size(); ++a) {
    for (size_t b = a + 1; b < sample.size(); ++b) {
      if (scam::Jaccard(linker.ShinglesOf(sample[a]), linker.ShinglesOf(sample[b])) >=
          config->text.threshold) {
        similar.push_back({sample[a], sample[b]});
      }
    }
  }
  double exact_s = Seconds(t_exact);
  // The LSH on the same sample: candidates (a shared band) and campaigns.
  scam::MinHasher hasher(config->text);
  std::map<scam::Linker::Index, std::vector<std::uint32_t>> bands;
  auto t_lsh = Clock::now();
  for (auto i : sample) hasher.BandKeys(linker.ShinglesOf(i), bands[i]);
  double lsh_s = Seconds(t_lsh);
  std::int64_t candidates = 0, same_campaign = 0;
  for (const auto& [a, b] : similar) {
    bool shared = false;
    for (int k = 0; k < config->text.bands; ++k) shared = shared || bands[a][k] == bands[b][k];
    candidates += shared;
    same_campaign += linker.CampaignOf(a) == linker.CampaignOf(b);
  }
  double pairs = static_cast<double>(sample.size()) * (sample.size() - 1) / 2;
  double per_pair_s = exact_s / std::max(1.0, pairs);
  auto with_text = static_cast<double>(std::count_if(
      syn.texts.begin(), syn.texts.end(), [](const std::string& t) { return !t.empty(); }));
  double all_pairs_1m_s = per_pair_s * with_text * (with_text - 1) / 2;
  out["exact_sample"] = {
      {"texts", sample.size()},
      {"pairs", pairs},
      {"pairs_at_or_above_threshold", similar.size()},
      {"lsh_candidate_recall",
       similar.empty() ? 1.0 : static_cast<double>(candidates) / similar.size()},
      {"same_campaign_recall",
       similar.empty() ? 1.0 : static_cast<double>(same_campaign) / similar.size()},
      {"recall_bound_at_threshold", config->RecallAtThreshold()},
      {"exact_all_pairs_s", exact_s},
      {"minhash_s", lsh_s},
      {"exact_all_pairs_at_synthetic_size_estimate_h", all_pairs_1m_s / 3600}};

  std::string machine;
  {
    std::ifstream cpu("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpu, line)) {
      if (line.rfind("model name", 0) == 0) {
        machine = line.substr(line.find(':') + 2);
        break;
      }
    }
    machine += ", " + std::to_string(std::thread::hardware_concurrency()) + " cores";
  }
  out["machine"] = machine;
  {
    std::ifstream load("/proc/loadavg");
    std::string l1, l5, l15;
    load >> l1 >> l5 >> l15;
    out["load_at_end"] = l1 + " " + l5 + " " + l15;
  }

  if (!o.json_out.empty()) std::ofstream(o.json_out) << out.dump(2) << "\n";
  if (!o.report_out.empty()) {
    std::ostringstream md;
    const json& r = out["real"];
    md << "Written by `make bench` (`bench/scam_bench`, " << machine << ", load average at the end "
       << out["load_at_end"].get<std::string>() << "; built-in "
       << "config/scam/desk.json: " << config->text.bands << " bands × " << config->text.rows
       << " rows, threshold " << config->text.threshold << ", region " << config->default_region
       << "). Data: `../shared/data/scam/` (FTC Do Not Call "
       << "complaints, public domain; robocall transcripts of Prasad & Reaves, IEEE S&P 2025, "
       << "public domain; UCI SMS Spam Collection, Almeida & Gómez Hidalgo 2011, CC BY 4.0; "
       << "Mendeley SMS Phishing Dataset, Mishra & Soni 2022, CC BY 4.0; PhishTank "
       << "online-valid 2019-05-15, Cisco Talos, CC BY-SA 2.5).\n\n";
    md << "### What the shared files become\n\n"
       << "| dataset | rows | filed | skipped | identifiers given / from text / spoken | invalid "
          "phone numbers kept | campaigns | of them ≥ 2 reports "
          "|\n|---|--:|--:|--:|--:|--:|--:|--:|\n";
    for (const auto& d : out["datasets"]) {
      md << "| " << d["dataset"].get<std::string>() << " | " << Num(d["rows"]) << " | "
         << Num(d["reports"]) << " | " << Num(d["skipped"]) << " | " << Num(d["identifiers_given"])
         << " / " << Num(d["identifiers_text"]) << " / " << Num(d["identifiers_spoken"]) << " | "
         << Num(d["invalid_phones"]) << " | " << Num(d["campaigns"]) << " | "
         << Num(d["campaigns_with_2_or_more"]) << " |\n";
    }
    const json& c = out["campaigns"];
    md << "\nRows skipped are ham messages (the SMS files' non-spam, filtered by the mapping) and "
          "FTC rows whose number cell is blank or has fewer than 3 digits. All "
       << Num(r["reports"]) << " reports together: **" << Num(c["total"]) << " campaigns**, "
       << Num(c["with_2_or_more"]) << " of them with 2 or more reports ("
       << Num(c["reports_in_them"]) << " reports), " << Num(c["across_datasets"])
       << " joining reports of different files. Links inside them: ";
    for (const auto& [k, v] : c["links"].items()) md << Num(v) << " by " << k << " ";
    md << "(the explanations `GET /scam/campaigns/{id}` gives).\n\n";
    md << "### The largest campaigns\n\n| campaign | reports | files | links | top identifiers "
          "(reports) | script |\n|--:|--:|---|---|---|---|\n";
    for (const auto& l : c["largest"]) {
      md << "| " << l["campaign_id"] << " | " << Num(l["reports"]) << " | ";
      for (const auto& [k, v] : l["datasets"].items()) md << k << " " << Num(v) << " ";
      md << "| ";
      for (const auto& [k, v] : l["links"].items()) md << k << " " << Num(v) << " ";
      md << "| ";
      for (const auto& id : l["identifiers"]) {
        md << "`" << Cut(id["value"].get<std::string>(), 40) << "` (" << id["reports"] << ") ";
      }
      md << "| " << Cut(l["sample_text"].get<std::string>(), 140) << " |\n";
    }
    const json& f = out["ftc_in_robocalls"];
    md << "\n### FTC numbers said in the robocall transcripts\n\n"
       << "The FTC file holds " << Num(f["ftc_numbers"]) << " distinct valid numbers. The "
       << "transcripts yield " << Num(f["robocall_numbers_written"])
       << " valid numbers written with digits and " << Num(f["robocall_numbers_spoken"])
       << " spoken in words; **" << Num(f["written_in_ftc"]) << " written and "
       << Num(f["spoken_in_ftc"]) << " spoken** of them are also in the FTC complaints, so "
       << "those transcripts join the complaints' campaigns";
    if (!f["examples"].empty()) {
      md << " (";
      for (size_t i = 0; i < f["examples"].size() && i < 8; ++i) {
        md << (i ? ", " : "") << f["examples"][i].get<std::string>();
      }
      md << ")";
    }
    md << ".\n\n";
    const json& p = out["phishtank"];
    md << "### PhishTank: brands and hosts\n\n"
       << Num(p["distinct_hosts"]) << " distinct hosts; the URLs form " << Num(p["campaigns"])
       << " campaigns, " << Num(p["campaigns_with_2_or_more"])
       << " with 2 or more URLs (same registrable domain, or "
       << "same site on shared hosting), " << Num(p["campaigns_mixing_named_brands"])
       << " of which impersonate more than one named brand.\n\n"
       << "| brand (target) | URLs |\n|---|--:|\n";
    for (const auto& b : p["brands"])
      md << "| " << b[0].get<std::string>() << " | " << Num(b[1]) << " |\n";
    md << "\n| host | URLs | | shared host | URLs kept apart by path |\n|---|--:|---|---|--:|\n";
    for (size_t i = 0; i < p["hosts"].size(); ++i) {
      md << "| " << p["hosts"][i][0].get<std::string>() << " | " << Num(p["hosts"][i][1])
         << " | | ";
      if (i < p["shared_hosts"].size()) {
        md << p["shared_hosts"][i][0].get<std::string>() << " | " << Num(p["shared_hosts"][i][1]);
      } else {
        md << " | ";
      }
      md << " |\n";
    }
    const json& s = out["synthetic"];
    const json& e = out["exact_sample"];
    md << "\n### Speed\n\n| measurement | result |\n|---|--:|\n"
       << "| import + linking of all " << Num(r["reports"]) << " shared reports in-process "
       << "(ScamDesk on the in-memory store: normalising, extraction, linking) | **"
       << Num(r["reports_per_s"]) << " reports/s** (" << Fixed(r["file_s"], 2) << " s; "
       << Num(r["reports_per_cpu_s"]) << " per CPU-second) |\n";
    if (out.contains("http")) {
      const json& h = out["http"];
      md << "| the same over HTTP into `beacon serve`, durable (" << Num(h["batches"])
         << " `POST /scam/reports:batch` of ≤ 1,000, " << h["clients"]
         << " clients; goal ≥ 5,000) | **" << Num(h["reports_per_s"]) << " reports/s** (batch p50 "
         << Fixed(h["batch_p50_ms"], 0) << " ms, p99 " << Fixed(h["batch_p99_ms"], 0) << " ms; "
         << Num(h["reports_per_server_cpu_s"]) << " per server CPU-second) |\n";
    }
    md << "| synthetic: " << Num(s["reports"]) << " reports (" << Num(s["with_text"])
       << " with text) linked by `scam::Linker` (goal ≥ 20,000/s) | **" << Num(s["reports_per_s"])
       << " reports/s**; second half " << Num(s["second_half_reports_per_s"]) << "/s; "
       << Num(s["reports_per_cpu_s"]) << " per CPU-second |\n"
       << "| one report linked at " << Num(s["reports"]) << " (the last 10,000; goal ≤ 1 ms) | p50 "
       << Fixed(s["last_10000_add_p50_us"], 1) << " µs, p99 "
       << Fixed(s["last_10000_add_p99_us"], 1) << " µs, max "
       << Fixed(s["last_10000_add_max_us"], 0) << " µs |\n"
       << "| synthetic campaigns | " << Num(s["campaigns"]) << " ("
       << Num(s["campaigns_with_2_or_more"]) << " with ≥ 2 reports; largest "
       << Num(s["largest_campaign"]) << ") |\n"
       << "| memory of the linker at " << Num(s["reports"]) << " reports | "
       << Num(s["linker_memory_mib"]) << " MiB counted; RSS grew " << Num(s["rss_growth_mib"])
       << " MiB (peak RSS " << Num(s["peak_rss_mib"]) << " MiB, synthetic input included) |\n"
       << "| normalising one given identifier (libphonenumber, libpsl, ...) | "
       << Fixed(s["normalise_us_per_identifier"], 1) << " µs |\n"
       << "| extracting identifiers from one text (" << Fixed(s["extracted_per_text"], 2)
       << " found per text) | " << Fixed(s["extract_us_per_text"], 1) << " µs |\n"
       << "| **reference, same run**: exact all-pairs Jaccard over " << Num(e["texts"])
       << " synthetic texts (" << Num(e["pairs"]) << " pairs) | "
       << Fixed(e["exact_all_pairs_s"], 2) << " s; at " << Num(s["reports"])
       << " reports it would take ~" << Num(e["exact_all_pairs_at_synthetic_size_estimate_h"])
       << " h |\n"
       << "| pairs of that sample at or above the threshold | "
       << Num(e["pairs_at_or_above_threshold"])
       << " |\n| of them LSH candidates (bound from the parameters: "
       << Fixed(e["recall_bound_at_threshold"], 4) << " at the threshold) | "
       << Fixed(100 * e["lsh_candidate_recall"].get<double>(), 2) << " % |\n"
       << "| of them in one campaign after linking all " << Num(s["reports"]) << " | "
       << Fixed(100 * e["same_campaign_recall"].get<double>(), 2) << " % |\n\n"
       << "The machine is shared (four engineers building and testing on two cores): wall-clock "
          "rates follow its load; the rates per CPU-second do much less.\n\n"
       << "Command: `bench/run.sh` runs `"
       << "build/bench/scam_bench --data ../shared/data/scam "
       << "--reports " << o.reports << " --sample " << o.sample << " --report-out docs/scam.md`.\n";
    std::string doc = ReadFile(o.report_out);
    const std::string begin = "<!-- report:begin -->", end = "<!-- report:end -->";
    size_t b = doc.find(begin), en = doc.find(end);
    if (b == std::string::npos || en == std::string::npos || en < b) {
      throw std::runtime_error(o.report_out + " has no report markers");
    }
    doc = doc.substr(0, b + begin.size()) + "\n" + md.str() + doc.substr(en);
    std::ofstream(o.report_out) << doc;
  }
  std::cout << out.dump() << "\n";
  return 0;
}

}  // namespace
}  // namespace beacon::bench

int main(int argc, char** argv) {
  try {
    return beacon::bench::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "scam_bench: " << e.what() << "\n";
    return 1;
  }
}
