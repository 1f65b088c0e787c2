#include "cli/scam_command.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>

#include "cli/embedded.h"
#include "cli/progress.h"
#include "common/log.h"
#include "dispatch/response_plan.h"
#include "dispatch/travel_times.h"
#include "replay/http_client.h"
#include "scam/import.h"
#include "scam/report.h"
#include "store/sqlite/sqlite_store.h"

namespace beacon::cli {
namespace {

using nlohmann::json;

constexpr size_t kMaxBatchBytes = 900 * 1024;  // under the server's 1 MiB body limit
constexpr int kReasonsShown = 5;

int Fail(const std::string& msg) {
  std::cerr << "beacon scam: " << msg << "\n";
  return 2;
}

Result<std::string> ReadWhole(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Invalid(what + " " + path + ": cannot read the file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Committed events go nowhere: `beacon scam import --data` runs no stream.
class NoSink final : public service::EventSink {
 public:
  void Publish(const std::vector<store::Event>&) override {}
};

// Where the batches go: a running server, or the data directory in-process.
class Target {
 public:
  virtual ~Target() = default;
  // The body of POST /scam/reports:batch's 201.
  virtual Result<json> Send(std::vector<json> reports) = 0;
  virtual std::string Campaigns() = 0;
};

class ServerTarget final : public Target {
 public:
  explicit ServerTarget(replay::HttpTarget t) : client_(std::move(t)) {}
  Status Login(const std::string& user, const std::string& password) {
    return client_.Login(user, password);
  }
  Result<json> Send(std::vector<json> reports) override {
    auto r = client_.Request("reports:batch", "POST", "/api/v1/scam/reports:batch",
                             json{{"reports", std::move(reports)}});
    if (!r) return r.error();
    if (r->status != 201) return replay::JsonClient::Fail("POST /scam/reports:batch", *r);
    return r->body;
  }
  std::string Campaigns() override {
    auto r = client_.Request("campaigns", "GET", "/api/v1/scam/campaigns?limit=1", std::nullopt);
    if (!r || r->status != 200) return "?";
    return std::to_string(r->body.value("total", 0));
  }

 private:
  replay::JsonClient client_;
};

class DataTarget final : public Target {
 public:
  static Result<std::unique_ptr<DataTarget>> Open(const std::string& dir,
                                                  const std::optional<std::string>& config) {
    std::unique_ptr<DataTarget> t(new DataTarget());
    auto store = store::SqliteStore::Open(dir);
    if (!store) return store.error();
    t->store_ = std::move(*store);
    auto snap = t->store_->Load();
    if (!snap) return snap.error();
    auto plans = dispatch::ResponsePlans::Parse(DefaultResponsePlans());
    if (!plans) return plans.error();
    t->plans_ = std::make_unique<dispatch::ResponsePlans>(std::move(*plans));
    t->center_ = std::make_unique<service::Center>(*t->store_, *t->plans_, t->straight_line_,
                                                   t->clock_, t->sink_);
    BEACON_RETURN_IF_ERROR(t->center_->Load(*snap));
    auto desk = MakeScamDesk(*t->center_, t->clock_, config);
    if (!desk) return desk.error();
    t->desk_ = std::move(*desk);
    BEACON_RETURN_IF_ERROR(t->desk_->Load(*snap));
    std::string os_user = std::getenv("USER") ? std::getenv("USER") : "unknown";
    t->actor_ = {"cli:" + os_user, model::Role::kFraudAnalyst, "beacon scam import"};
    return t;
  }
  Result<json> Send(std::vector<json> reports) override {
    std::vector<scam::ReportInput> in;
    for (size_t i = 0; i < reports.size(); ++i) {
      auto r = scam::ReadReport(reports[i], "reports[" + std::to_string(i) + "]");
      if (!r) return r.error();
      in.push_back(std::move(*r));
    }
    std::promise<Result<json>> answer;
    auto f = answer.get_future();
    desk_->CreateReports(actor_, std::move(in),
                         [&answer](Result<json> r) { answer.set_value(std::move(r)); });
    return f.get();
  }
  std::string Campaigns() override { return std::to_string(desk_->stats().campaigns); }

 private:
  DataTarget() = default;
  SystemClock clock_;
  dispatch::StraightLineTravelTimes straight_line_;
  NoSink sink_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<dispatch::ResponsePlans> plans_;
  std::unique_ptr<service::Center> center_;
  std::unique_ptr<service::ScamDesk> desk_;
  service::Actor actor_;
};

}  // namespace

Result<scam::DeskConfig> LoadScamConfig(const std::optional<std::string>& file) {
  std::string text(BuiltinScamFile("desk.json"));
  std::string name = "built-in config/scam/desk.json";
  if (file) {
    auto t = ReadWhole(*file, "--scam-config");
    if (!t) return t.error();
    text = std::move(*t);
    name = "--scam-config " + *file;
  }
  auto c = scam::ParseDeskConfig(text);
  if (!c) return Invalid(name + ": " + c.error().message());
  return c;
}

Result<std::shared_ptr<const scam::Normaliser>> MakeScamNormaliser(const std::string& region) {
  scam::NormaliserConfig nc;
  nc.default_region = region;
  auto hosts = scam::ParseSharedHosts(BuiltinScamFile("shared_hosts.txt"));
  if (!hosts) return hosts.error();
  nc.shared_hosts = std::move(*hosts);
  auto wallets = scam::ParseWalletFormats(BuiltinScamFile("wallets.json"));
  if (!wallets) return wallets.error();
  nc.wallets = std::move(*wallets);
  return scam::Normaliser::Create(std::move(nc));
}

Result<std::unique_ptr<service::ScamDesk>> MakeScamDesk(service::Center& center, const Clock& clock,
                                                        const std::optional<std::string>& config) {
  auto c = LoadScamConfig(config);
  if (!c) return c.error();
  auto n = MakeScamNormaliser(c->default_region);
  if (!n) return Invalid("scam desk config: " + n.error().message());
  Log(Level::kInfo, "scam.desk",
      {{"default_region", c->default_region},
       {"text_threshold", c->text.threshold},
       {"bands", c->text.bands},
       {"rows", c->text.rows},
       {"recall_at_threshold", c->RecallAtThreshold()}});
  return std::make_unique<service::ScamDesk>(center, clock, std::move(*c), std::move(*n));
}

ScamCommand::ScamCommand(CLI::App& app) {
  auto* scam = app.add_subcommand("scam", "The anti-scam desk (docs/scam.md)");
  scam->require_subcommand(1);
  import_ = scam->add_subcommand(
      "import", "File the rows of a dataset as fraud reports, in batches (docs/scam.md)");
  import_->add_option("FILE", file_, "The dataset (CSV or TSV)")->required();
  import_
      ->add_option("--format", format_,
                   "A built-in mapping (ftc-dnc, robocall, uci-sms, mendeley-smishing, "
                   "phishtank, centre) or a mapping file")
      ->required();
  import_->add_option("--server", server_,
                      "A running Beacon at http://HOST:PORT (password of --user in "
                      "BEACON_PASSWORD)");
  import_
      ->add_option("--data", data_,
                   "Write into this data directory in-process (no server may run on it)")
      ->excludes("--server");
  import_->add_option("--user", user_, "The user --server logs in as (fraud_analyst or call_taker)")
      ->capture_default_str();
  import_->add_option("--batch", batch_, "Reports per batch (one durable commit each)")
      ->check(CLI::Range(1, static_cast<int>(scam::kMaxBatch)))
      ->capture_default_str();
  import_->add_option("--scam-config", config_,
                      "Desk config for --data (default: the built-in config/scam/desk.json)");
}

int ScamCommand::Run() const {
  if (!server_ && !data_) return Fail("give --server URL or --data DIR");
  // The mapping: a built-in name or a file.
  std::string mapping_text(BuiltinScamFile("formats/" + format_ + ".json"));
  if (mapping_text.empty()) {
    if (!std::filesystem::exists(format_)) {
      return Fail("--format " + format_ +
                  ": no such built-in format (ftc-dnc, robocall, uci-sms, mendeley-smishing, "
                  "phishtank, centre) and no such file");
    }
    auto t = ReadWhole(format_, "--format");
    if (!t) return Fail(t.error().message());
    mapping_text = std::move(*t);
  }
  auto format = scam::ImportFormat::Parse(mapping_text);
  if (!format) return Fail("--format " + format_ + ": " + format.error().message());
  auto text = ReadWhole(file_, "FILE");
  if (!text) return Fail(text.error().message());
  auto config = LoadScamConfig(config_);
  if (!config) return Fail(config.error().message());
  std::string region =
      format->phone_region().empty() ? config->default_region : format->phone_region();
  auto normaliser = MakeScamNormaliser(region);
  if (!normaliser) return Fail("phone_region " + region + ": " + normaliser.error().message());

  std::unique_ptr<Target> target;
  if (server_) {
    auto t = replay::ParseServerUrl(*server_);
    if (!t) return Fail(t.error().message());
    const char* pw = std::getenv("BEACON_PASSWORD");
    if (!pw) return Fail("--server needs the password of --user " + user_ + " in BEACON_PASSWORD");
    auto st = std::make_unique<ServerTarget>(*t);
    if (auto s = st->Login(user_, pw); !s.ok()) return Fail(s.message());
    target = std::move(st);
  } else {
    auto dt = DataTarget::Open(*data_, config_);
    if (!dt) return Fail("--data " + *data_ + ": " + dt.error().message());
    target = std::move(*dt);
  }

  std::string source = std::filesystem::path(file_).filename().string().substr(0, 100);
  scam::ImportReader reader(*format, *text, source);
  ProgressBar bar;
  auto t0 = std::chrono::steady_clock::now();
  std::int64_t rows = 0, sent = 0, created = 0, duplicates = 0, skipped = 0, dropped = 0;
  std::vector<std::string> reasons;
  auto note = [&](std::string why) {
    if (static_cast<int>(reasons.size()) < kReasonsShown) reasons.push_back(std::move(why));
  };
  std::vector<json> batch;
  size_t batch_bytes = 0;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    auto r = target->Send(std::move(batch));
    batch.clear();
    batch_bytes = 0;
    if (!r) return r.error();
    for (const auto& x : r->value("results", json::array())) {
      if (x.value("duplicate", false)) {
        ++duplicates;
      } else {
        ++created;
      }
    }
    return Status::Ok();
  };
  json report;
  std::string why;
  for (;;) {
    auto res = reader.Next(report, why);
    if (res == scam::ImportReader::Result::kEnd) break;
    bar.Update(static_cast<double>(reader.offset()) / std::max<size_t>(1, text->size()),
               "importing");
    if (res == scam::ImportReader::Result::kSkipped) {
      ++skipped;
      note(why);
      continue;
    }
    ++rows;
    // Identifiers the server would refuse are dropped here, so that one bad
    // cell does not refuse the whole batch; phone numbers are written in
    // E.164 with the file's region.
    if (report.contains("identifiers")) {
      json kept = json::array();
      for (const auto& id : report["identifiers"]) {
        auto kind = scam::ParseKind(id.at("kind").get<std::string>());
        auto v = id.at("value").get<std::string>();
        auto ok = normaliser->get()->Normalise(*kind, v, "value");
        if (!ok) {
          ++dropped;
          note("line " + std::to_string(reader.line()) + ": " + std::string(scam::ToString(*kind)) +
               " \"" + scam::RepairUtf8(v.substr(0, 40)) + "\" dropped: " + ok.error().message());
          continue;
        }
        if (*kind == scam::Kind::kPhone && ok->front().valid) v = ok->front().value;
        kept.push_back({{"kind", id.at("kind")}, {"value", v}});
      }
      if (kept.empty()) {
        report.erase("identifiers");
      } else {
        report["identifiers"] = std::move(kept);
      }
    }
    auto checked = scam::ReadReport(report, "");
    if (!checked) {
      ++skipped;
      note("line " + std::to_string(reader.line()) + ": " + checked.error().message());
      continue;
    }
    std::string dumped = report.dump();
    if (!batch.empty() && (batch.size() >= static_cast<size_t>(batch_) ||
                           batch_bytes + dumped.size() > kMaxBatchBytes)) {
      if (auto s = flush(); !s.ok()) {
        bar.Done();
        return Fail("after " + std::to_string(sent) + " reports: " + s.message());
      }
    }
    batch_bytes += dumped.size() + 1;
    batch.push_back(std::move(report));
    ++sent;
  }
  if (!reader.header_error().empty()) {
    bar.Done();
    return Fail(file_ + ": " + reader.header_error());
  }
  if (auto s = flush(); !s.ok()) {
    bar.Done();
    return Fail("after " + std::to_string(sent) + " reports: " + s.message());
  }
  bar.Done();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& m : reader.missing_columns()) {
    std::cerr << "beacon scam: note: " << file_ << " has no column \"" << m
              << "\" (the mapping names it; the field stays empty)\n";
  }
  std::cout << "imported " << file_ << " (" << format->name() << "): " << created
            << " new reports, " << duplicates << " already filed, " << skipped << " rows skipped, "
            << dropped << " identifiers dropped; "
            << static_cast<std::int64_t>(static_cast<double>(sent) / std::max(secs, 1e-9))
            << " reports/s; campaigns now " << target->Campaigns() << "\n";
  for (const auto& r : reasons) std::cout << "  " << r << "\n";
  return 0;
}

}  // namespace beacon::cli
