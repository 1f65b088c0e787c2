// The anti-scam desk: reports in, campaigns linked and explained, analysts'
// splits and pin-outs, blocklists and CAP warnings (docs/scam.md).
#include "service/scam_desk.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "common/log.h"
#include "model/permissions.h"

namespace beacon::service {
namespace {

constexpr TimeMs kDayMs = 24LL * 3600 * 1000;
constexpr size_t kTopIdentifiers = 10;
constexpr size_t kMaxMembersShown = 1000;
constexpr size_t kSampleText = 600;

std::int32_t Day(TimeMs t) {
  return static_cast<std::int32_t>(t >= 0 ? t / kDayMs : (t - kDayMs + 1) / kDayMs);
}

std::uint8_t ChannelIndex(const std::string& c) {
  for (size_t i = 0; i < std::size(scam::kChannels); ++i) {
    if (scam::kChannels[i] == c) return static_cast<std::uint8_t>(i);
  }
  return static_cast<std::uint8_t>(std::size(scam::kChannels) - 1);
}

std::string ReportObject(std::int64_t id) { return "scam_report/" + std::to_string(id); }
std::string CampaignObject(std::int64_t id) { return "scam_campaign/" + std::to_string(id); }

// "kind:value" -> {kind, value}.
Json KeyJson(const std::string& key) {
  size_t colon = key.find(':');
  return {{"kind", key.substr(0, colon)}, {"value", key.substr(colon + 1)}};
}

// A URL or domain made harmless in a public warning: example[.]com.
std::string Defang(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '.') {
      out += "[.]";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Cut(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // UTF-8 boundary
  return s.substr(0, n) + "...";
}

}  // namespace

ScamDesk::ScamDesk(Center& center, const Clock& clock, scam::DeskConfig config,
                   std::shared_ptr<const scam::Normaliser> normaliser)
    : center_(center),
      clock_(clock),
      config_(std::move(config)),
      normaliser_(std::move(normaliser)),
      linker_(config_.text) {}

// ---- Loading ---------------------------------------------------------------

Status ScamDesk::Load(const store::Snapshot& snap) {
  std::lock_guard lock(mu_);
  try {
    // Analysts' decisions are replayed where they happened in the sequence
    // of reports, so the campaigns come out as they were.
    std::vector<Json> actions;
    for (const auto& d : snap.scam_actions) actions.push_back(Json::parse(d));
    std::sort(actions.begin(), actions.end(), [](const Json& a, const Json& b) {
      return a.at("id").get<std::int64_t>() < b.at("id").get<std::int64_t>();
    });
    std::vector<Json> docs;
    docs.reserve(snap.scam_reports.size());
    for (const auto& d : snap.scam_reports) docs.push_back(Json::parse(d));
    std::sort(docs.begin(), docs.end(), [](const Json& a, const Json& b) {
      return a.at("id").get<std::int64_t>() < b.at("id").get<std::int64_t>();
    });
    size_t next_action = 0;
    auto apply_due = [&](std::int64_t reports_so_far) -> Status {
      while (next_action < actions.size() &&
             actions[next_action].at("after_report").get<std::int64_t>() <= reports_so_far) {
        BEACON_RETURN_IF_ERROR(ApplySeparation(actions[next_action]));
        next_action_ = actions[next_action].at("id").get<std::int64_t>() + 1;
        ++next_action;
      }
      return Status::Ok();
    };
    BEACON_RETURN_IF_ERROR(apply_due(0));
    for (const auto& j : docs) {
      Report r;
      r.id = j.at("id").get<std::int64_t>();
      if (r.id != static_cast<std::int64_t>(reports_.size()) + 1) {
        return Status(Code::kInternal, "scam report ids are not contiguous at " +
                                           std::to_string(r.id) + "; restore from backup");
      }
      r.channel = ChannelIndex(j.at("channel").get<std::string>());
      r.received_at = *ParseRfc3339(j.at("received_at").get<std::string>());
      r.created_at = *ParseRfc3339(j.at("created_at").get<std::string>());
      r.created_by = j.value("created_by", std::string());
      r.text = j.value("text", std::string());
      for (const auto& x : j.at("identifiers")) {
        r.identifiers.push_back(scam::ReportIdentifierFromJson(x));
      }
      if (j.contains("loss")) {
        r.loss = scam::Loss{j["loss"].at("amount").get<double>(),
                            j["loss"].at("currency").get<std::string>()};
      }
      if (j.contains("reporter")) {
        const Json& p = j["reporter"];
        if (p.contains("name")) r.reporter.name = p["name"].get<std::string>();
        if (p.contains("phone")) r.reporter.phone = p["phone"].get<std::string>();
        if (p.contains("email")) r.reporter.email = p["email"].get<std::string>();
      }
      if (j.contains("external_id")) r.external_id = j["external_id"].get<std::string>();
      std::int64_t id = r.id;
      AddLocked(std::move(r));
      BEACON_RETURN_IF_ERROR(apply_due(id));
    }
    for (const auto& d : snap.alerts) {
      Json a = Json::parse(d);
      if (a.value("direction", "") == "issued" && a.contains("campaign_id")) {
        warnings_[a["campaign_id"].get<std::int64_t>()].push_back(a.at("id").get<std::int64_t>());
      }
    }
  } catch (const Json::exception& e) {
    return Status(Code::kInternal, std::string("stored scam record is corrupt: ") + e.what());
  } catch (const std::bad_optional_access&) {
    return Status(Code::kInternal, "stored scam report has a bad time");
  }
  return Status::Ok();
}

// ---- Reports ---------------------------------------------------------------

Result<std::vector<ScamDesk::Prepared>> ScamDesk::Prepare(std::vector<scam::ReportInput> in,
                                                          bool batch) const {
  std::vector<Prepared> out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    std::string path = batch ? "reports[" + std::to_string(i) + "]" : "";
    auto ids = scam::PrepareIdentifiers(in[i], *normaliser_, path);
    if (!ids) return ids.error();
    out.push_back({std::move(in[i]), std::move(*ids)});
  }
  return out;
}

void ScamDesk::CreateReport(const Actor& a, scam::ReportInput in, Done done) {
  std::vector<scam::ReportInput> one;
  one.push_back(std::move(in));
  auto prepared = Prepare(std::move(one), false);
  if (!prepared) return done(prepared.error());
  Commit(a, std::move(*prepared), false, std::move(done));
}

void ScamDesk::CreateReports(const Actor& a, std::vector<scam::ReportInput> in, Done done) {
  if (in.empty()) return done(Invalid("reports must hold at least one report", "reports"));
  if (in.size() > scam::kMaxBatch) {
    return done(Invalid("a batch holds at most " + std::to_string(scam::kMaxBatch) +
                            " reports (got " + std::to_string(in.size()) + ")",
                        "reports"));
  }
  auto prepared = Prepare(std::move(in), true);
  if (!prepared) return done(prepared.error());
  Commit(a, std::move(*prepared), true, std::move(done));
}

void ScamDesk::AddToStats(CampaignStats& s, const Report& r) const {
  if (s.reports == 0 || r.received_at < s.first_seen) s.first_seen = r.received_at;
  if (s.reports == 0 || r.received_at > s.last_seen) s.last_seen = r.received_at;
  ++s.reports;
  ++s.channels[r.channel];
  ++s.daily[Day(r.received_at)];
  if (r.loss) {
    s.loss_by_currency[r.loss->currency] += r.loss->amount;
    if (r.loss->currency == config_.currency) s.loss_total += r.loss->amount;
  }
}

scam::Linker::Added ScamDesk::AddLocked(Report r) {
  std::vector<scam::Linker::KeyId> keys;
  keys.reserve(r.identifiers.size());
  for (const auto& x : r.identifiers) keys.push_back(linker_.Intern(x.id.Key()));
  auto added = linker_.Add(keys, r.text);
  if (r.external_id) external_ids_.emplace(*r.external_id, r.id);
  // The campaigns that joined fold into the one that remains.
  auto& into = stats_[added.campaign];
  for (Index m : added.merged) {
    auto it = stats_.find(m);
    if (it == stats_.end()) continue;
    CampaignStats& from = it->second;
    if (into.reports == 0 || from.first_seen < into.first_seen) into.first_seen = from.first_seen;
    if (into.reports == 0 || from.last_seen > into.last_seen) into.last_seen = from.last_seen;
    into.reports += from.reports;
    into.loss_total += from.loss_total;
    for (const auto& [c, v] : from.loss_by_currency) into.loss_by_currency[c] += v;
    for (size_t i = 0; i < into.channels.size(); ++i) into.channels[i] += from.channels[i];
    for (const auto& [d, n] : from.daily) into.daily[d] += n;
    stats_.erase(it);
  }
  AddToStats(stats_[added.campaign], r);
  reports_.push_back(std::move(r));
  return added;
}

void ScamDesk::Commit(const Actor& a, std::vector<Prepared> reports, bool batch, Done done) {
  std::lock_guard lock(mu_);
  TimeMs now = clock_.Now();
  for (size_t i = 0; i < reports.size(); ++i) {
    const auto& in = reports[i].in;
    if (in.received_at && *in.received_at > now + 5 * 60 * 1000) {
      std::string f = batch ? "reports[" + std::to_string(i) + "].received_at" : "received_at";
      return done(Invalid(f + " is more than 5 minutes in the future", f));
    }
  }
  store::Batch b;
  Json results = Json::array();
  Json streamed = Json::array();
  for (auto& p : reports) {
    if (p.in.external_id) {
      auto seen = external_ids_.find(*p.in.external_id);
      if (seen != external_ids_.end()) {
        Index idx = static_cast<Index>(seen->second - 1);
        results.push_back({{"report_id", seen->second},
                           {"campaign_id", linker_.CampaignOf(idx) + 1},
                           {"duplicate", true}});
        continue;
      }
    }
    Report r;
    r.id = static_cast<std::int64_t>(reports_.size()) + 1;
    r.channel = ChannelIndex(p.in.channel);
    r.received_at = p.in.received_at.value_or(now);
    r.created_at = now;
    r.created_by = a.user;
    r.text = std::move(p.in.text);
    r.identifiers = std::move(p.ids);
    r.loss = p.in.loss;
    r.reporter = std::move(p.in.reporter);
    r.external_id = p.in.external_id;
    std::int64_t id = r.id;
    Json doc = ReportJson(r, /*personal=*/true);
    doc["created_by"] = r.created_by;
    auto added = AddLocked(std::move(r));
    std::int64_t campaign = added.campaign + 1;
    b.upserts.push_back({store::Table::kScamReports, std::to_string(id), doc.dump()});
    b.audit.push_back({now, a.user, std::string(model::ToString(a.role)), "scam_report.create",
                       ReportObject(id), a.reason});
    Json merged = Json::array();
    for (Index m : added.merged) merged.push_back(m + 1);
    // No reporter data and no text in events: the stream is read by other roles.
    streamed.push_back({{"report_id", id}, {"campaign_id", campaign}, {"merged", merged}});
    results.push_back({{"report_id", id}, {"campaign_id", campaign}});
  }
  Json body = batch ? Json{{"results", results}} : results.at(0);
  if (!streamed.empty()) {
    b.events.push_back({0, now, "scam.reports", Json{{"reports", streamed}}.dump()});
  }
  if (b.empty()) return done(std::move(body));
  center_.SubmitBatch(std::move(b),
                      [body = std::move(body), done = std::move(done)](const Status& s) mutable {
                        if (!s.ok()) return done(s);
                        done(std::move(body));
                      });
}

Json ScamDesk::ReportJson(const Report& r, bool personal) const {
  Json ids = Json::array();
  for (const auto& x : r.identifiers) ids.push_back(scam::ToJson(x));
  Json j = {{"id", r.id},
            {"channel", scam::kChannels[r.channel]},
            {"received_at", FormatRfc3339(r.received_at)},
            {"created_at", FormatRfc3339(r.created_at)},
            {"text", r.text},
            {"identifiers", std::move(ids)}};
  if (r.loss) j["loss"] = {{"amount", r.loss->amount}, {"currency", r.loss->currency}};
  if (r.external_id) j["external_id"] = *r.external_id;
  if (!r.reporter.empty()) {
    if (personal) {
      Json p = Json::object();
      if (r.reporter.name) p["name"] = *r.reporter.name;
      if (r.reporter.phone) p["phone"] = *r.reporter.phone;
      if (r.reporter.email) p["email"] = *r.reporter.email;
      j["reporter"] = std::move(p);
    } else {
      j["reporter"] = {{"redacted", true}};
    }
  }
  return j;
}

void ScamDesk::GetReport(const Actor& a, std::int64_t id, Done done) {
  std::unique_lock lock(mu_);
  if (id < 1 || id > static_cast<std::int64_t>(reports_.size())) {
    return done(NotFound("no scam report " + std::to_string(id)));
  }
  const Report& r = reports_[id - 1];
  bool personal = model::Allowed(a.role, model::Permission::kReadPersonal) && !r.reporter.empty();
  Json body = ReportJson(r, personal);
  body.erase("id");
  body["report_id"] = id;
  body["campaign_id"] = linker_.CampaignOf(static_cast<Index>(id - 1)) + 1;
  lock.unlock();
  if (!personal) return done(std::move(body));
  // The reporter's data is shown only once the read is on the audit log.
  store::Batch b;
  b.audit.push_back({clock_.Now(), a.user, std::string(model::ToString(a.role)),
                     "scam_report.read_personal", ReportObject(id), a.reason});
  center_.SubmitBatch(std::move(b),
                      [body = std::move(body), done = std::move(done)](const Status& s) mutable {
                        if (!s.ok()) return done(s);
                        done(std::move(body));
                      });
}

// ---- Campaigns -------------------------------------------------------------

std::int64_t ScamDesk::Growth(const CampaignStats& s) const {
  std::int32_t today = Day(clock_.Now());
  std::int32_t w = config_.growth_window_days;
  std::int64_t recent = 0, before = 0;
  for (auto it = s.daily.lower_bound(today - 2 * w + 1); it != s.daily.end(); ++it) {
    if (it->first > today) break;
    (it->first > today - w ? recent : before) += it->second;
  }
  return recent - before;
}

Json ScamDesk::CampaignJson(Index campaign, bool detail) const {
  const CampaignStats& s = stats_.at(campaign);
  auto members = linker_.Members(campaign);
  // Identifiers by the number of the campaign's reports that carry them.
  std::map<scam::Linker::KeyId, std::int64_t> counts;
  for (Index m : members) {
    for (auto k : linker_.Keys(m)) ++counts[k];
  }
  std::vector<std::pair<std::int64_t, scam::Linker::KeyId>> ranked;
  for (const auto& [k, n] : counts) ranked.push_back({-n, k});
  std::sort(ranked.begin(), ranked.end());
  Json ids = Json::array();
  for (size_t i = 0; i < ranked.size() && (detail || i < kTopIdentifiers); ++i) {
    Json x = KeyJson(linker_.KeyText(ranked[i].second));
    x["reports"] = -ranked[i].first;
    ids.push_back(std::move(x));
  }
  std::string sample;
  for (Index m : members) {
    if (!reports_[m].text.empty()) {
      sample = Cut(reports_[m].text, kSampleText);
      break;
    }
  }
  Json channels = Json::object();
  for (size_t i = 0; i < s.channels.size(); ++i) {
    if (s.channels[i]) channels[std::string(scam::kChannels[i])] = s.channels[i];
  }
  Json j = {{"campaign_id", campaign + 1},
            {"reports", s.reports},
            {"first_seen", FormatRfc3339(s.first_seen)},
            {"last_seen", FormatRfc3339(s.last_seen)},
            {"loss_total", s.loss_total},
            {"loss_currency", config_.currency},
            {"loss_by_currency", s.loss_by_currency},
            {"growth", Growth(s)},
            {"identifiers", std::move(ids)},
            {"sample_text", sample},
            {"channels", std::move(channels)}};
  Json warned = Json::array();
  for (const auto& [cid, alerts] : warnings_) {
    if (cid >= 1 && cid <= static_cast<std::int64_t>(reports_.size()) &&
        linker_.CampaignOf(static_cast<Index>(cid - 1)) == campaign) {
      for (auto id : alerts) warned.push_back(id);
    }
  }
  j["warnings"] = std::move(warned);
  if (!detail) return j;

  Json report_ids = Json::array();
  for (Index m : members) report_ids.push_back(m + 1);
  j["report_ids"] = std::move(report_ids);
  auto links = linker_.CampaignLinks(campaign);
  auto link_json = [&](const scam::Linker::Link& l, bool reversed) {
    Json x = {{"report_id", (reversed ? l.with : l.report) + 1},
              {"with", (reversed ? l.report : l.with) + 1}};
    if (l.reason == scam::Linker::Reason::kIdentifier) {
      x["reason"] = "identifier";
      x["identifier"] = KeyJson(linker_.KeyText(l.key));
    } else {
      x["reason"] = "text";
      x["similarity"] = std::round(l.similarity * 1000) / 1000;
    }
    return x;
  };
  Json jl = Json::array();
  for (const auto& l : links) jl.push_back(link_json(l, false));
  j["links"] = std::move(jl);
  // Why each report is in: the link to its parent in the tree of links
  // rooted at the campaign's first report.
  std::unordered_map<Index, std::vector<size_t>> adjacent;
  for (size_t i = 0; i < links.size(); ++i) {
    adjacent[links[i].report].push_back(i);
    adjacent[links[i].with].push_back(i);
  }
  std::unordered_map<Index, Json> why;
  std::vector<Index> queue{campaign};
  why[campaign] = nullptr;
  for (size_t q = 0; q < queue.size(); ++q) {
    Index at = queue[q];
    for (size_t li : adjacent[at]) {
      const auto& l = links[li];
      Index other = l.report == at ? l.with : l.report;
      if (why.count(other)) continue;
      why[other] = link_json(l, /*reversed=*/l.report != other);
      queue.push_back(other);
    }
  }
  Json jm = Json::array();
  for (size_t i = 0; i < members.size() && i < kMaxMembersShown; ++i) {
    const Report& r = reports_[members[i]];
    Json x = {{"report_id", r.id},
              {"channel", scam::kChannels[r.channel]},
              {"received_at", FormatRfc3339(r.received_at)},
              {"text", Cut(r.text, 280)}};
    if (r.loss) x["loss"] = {{"amount", r.loss->amount}, {"currency", r.loss->currency}};
    Json w = why.count(members[i]) ? why[members[i]] : Json();
    if (!w.is_null()) {
      w.erase("report_id");
      x["link"] = std::move(w);
    } else {
      x["link"] = nullptr;
    }
    jm.push_back(std::move(x));
  }
  j["members"] = std::move(jm);
  j["members_truncated"] = members.size() > kMaxMembersShown;
  Json daily = Json::array();
  for (const auto& [d, n] : s.daily) {
    daily.push_back(
        {{"date", FormatRfc3339(static_cast<TimeMs>(d) * kDayMs).substr(0, 10)}, {"reports", n}});
  }
  j["daily"] = std::move(daily);
  return j;
}

Result<Json> ScamDesk::ListCampaigns(const CampaignQuery& q) const {
  std::lock_guard lock(mu_);
  struct Row {
    Index id;
    double key;
    TimeMs last;
  };
  std::vector<Row> rows;
  rows.reserve(stats_.size());
  for (const auto& [id, s] : stats_) {
    if (q.since && s.last_seen < *q.since) continue;
    double key = 0;
    if (q.sort == "reports") {
      key = s.reports;
    } else if (q.sort == "loss") {
      key = s.loss_total;
    } else if (q.sort == "recent") {
      key = static_cast<double>(s.last_seen);
    } else {
      key = static_cast<double>(Growth(s));
    }
    rows.push_back({id, key, s.last_seen});
  }
  // Ties: more reports, then the most recent, then the oldest campaign.
  auto cmp = [&](const Row& a, const Row& b) {
    if (a.key != b.key) return a.key > b.key;
    std::uint32_t ra = stats_.at(a.id).reports, rb = stats_.at(b.id).reports;
    if (ra != rb) return ra > rb;
    if (a.last != b.last) return a.last > b.last;
    return a.id < b.id;
  };
  size_t n = std::min(q.limit, rows.size());
  std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n), rows.end(), cmp);
  Json out = Json::array();
  for (size_t i = 0; i < n; ++i) out.push_back(CampaignJson(rows[i].id, false));
  return Json{{"campaigns", std::move(out)},
              {"total", rows.size()},
              {"reports", reports_.size()},
              {"sort", q.sort}};
}

Result<Json> ScamDesk::GetCampaign(std::int64_t id) const {
  std::lock_guard lock(mu_);
  if (id < 1 || id > static_cast<std::int64_t>(reports_.size())) {
    return NotFound("no scam campaign " + std::to_string(id));
  }
  Index campaign = linker_.CampaignOf(static_cast<Index>(id - 1));
  Json j = CampaignJson(campaign, true);
  // The id of a campaign that merged into another (or of any report):
  // the campaign it is in now, saying so.
  if (campaign != static_cast<Index>(id - 1)) j["requested_id"] = id;
  return j;
}

// ---- Analysts' decisions ---------------------------------------------------

Status ScamDesk::ApplySeparation(const Json& doc) {
  std::vector<Index> a, b;
  for (const auto& x : doc.at("side_a")) a.push_back(static_cast<Index>(x.get<std::int64_t>() - 1));
  for (const auto& x : doc.at("side_b")) b.push_back(static_cast<Index>(x.get<std::int64_t>() - 1));
  std::vector<Index> before;
  for (Index r : a) {
    if (r >= linker_.size()) return Status(Code::kInternal, "scam action names a missing report");
    before.push_back(linker_.CampaignOf(r));
  }
  for (Index r : b) {
    if (r >= linker_.size()) return Status(Code::kInternal, "scam action names a missing report");
    before.push_back(linker_.CampaignOf(r));
  }
  auto after = linker_.Separate(a, b);
  std::sort(before.begin(), before.end());
  before.erase(std::unique(before.begin(), before.end()), before.end());
  for (Index c : before) stats_.erase(c);
  RecomputeStats(after);
  return Status::Ok();
}

void ScamDesk::RecomputeStats(const std::vector<Index>& campaigns) {
  for (Index c : campaigns) {
    CampaignStats s;
    for (Index m : linker_.Members(c)) AddToStats(s, reports_[m]);
    stats_[c] = std::move(s);
  }
}

void ScamDesk::Separate(const Actor& a, Index campaign, std::vector<Index> side_a,
                        std::string action, std::string reason, Done done) {
  // Requires mu_ (held by the caller through `lock` below).
  auto members = linker_.Members(campaign);
  std::set<Index> in_a(side_a.begin(), side_a.end());
  std::vector<Index> side_b;
  for (Index m : members) {
    if (!in_a.count(m)) side_b.push_back(m);
  }
  Json ja = Json::array(), jb = Json::array();
  for (Index m : side_a) ja.push_back(m + 1);
  for (Index m : side_b) jb.push_back(m + 1);
  TimeMs now = clock_.Now();
  std::int64_t id = next_action_++;
  Json doc = {{"id", id},
              {"action", action},
              {"campaign_id", campaign + 1},
              {"side_a", ja},
              {"side_b", jb},
              {"after_report", reports_.size()},
              {"by", a.user},
              {"at", FormatRfc3339(now)},
              {"reason", reason}};
  if (auto s = ApplySeparation(doc); !s.ok()) return done(s);
  std::vector<std::int64_t> now_campaigns;
  for (Index m : members) now_campaigns.push_back(linker_.CampaignOf(m) + 1);
  std::sort(now_campaigns.begin(), now_campaigns.end());
  now_campaigns.erase(std::unique(now_campaigns.begin(), now_campaigns.end()), now_campaigns.end());
  store::Batch b;
  b.upserts.push_back({store::Table::kScamActions, std::to_string(id), doc.dump()});
  b.audit.push_back({now, a.user, std::string(model::ToString(a.role)), "scam_campaign." + action,
                     CampaignObject(campaign + 1) + ":" + ja.dump(), a.reason});
  Json event = {{"action", action}, {"campaign_id", campaign + 1}, {"campaigns", now_campaigns}};
  b.events.push_back({0, now, "scam.campaign." + action, event.dump()});
  Json body = {{"campaign_id", campaign + 1}, {"action", action}, {"campaigns", now_campaigns}};
  center_.SubmitBatch(std::move(b),
                      [body = std::move(body), done = std::move(done)](const Status& s) mutable {
                        if (!s.ok()) return done(s);
                        done(std::move(body));
                      });
}

Result<ScamDesk::Index> ScamDesk::LiveCampaign(std::int64_t campaign_id) const {
  if (campaign_id < 1 || campaign_id > static_cast<std::int64_t>(reports_.size()) ||
      linker_.CampaignOf(static_cast<Index>(campaign_id - 1)) !=
          static_cast<Index>(campaign_id - 1)) {
    return NotFound("no scam campaign " + std::to_string(campaign_id));
  }
  return static_cast<Index>(campaign_id - 1);
}

void ScamDesk::Split(const Actor& a, std::int64_t campaign_id, SplitRequest req, Done done) {
  std::lock_guard lock(mu_);
  auto n = static_cast<std::int64_t>(reports_.size());
  auto found = LiveCampaign(campaign_id);
  if (!found) return done(found.error());
  Index campaign = *found;
  auto in_campaign = [&](std::int64_t r) {
    return r >= 1 && r <= n && linker_.CampaignOf(static_cast<Index>(r - 1)) == campaign;
  };
  std::vector<Index> side_a;
  if (req.link) {
    const std::int64_t from = req.link->first;
    const std::int64_t with = req.link->second;
    if (!in_campaign(from)) {
      return done(Invalid(
          "report " + std::to_string(from) + " is not in campaign " + std::to_string(campaign_id),
          "report_id"));
    }
    // The side of `from` once its link with `with` is cut: the reports
    // reachable from it through the other links.
    auto links = linker_.CampaignLinks(campaign);
    auto is_link = [&](const scam::Linker::Link& l) {
      return (l.report + 1 == from && l.with + 1 == with) ||
             (l.report + 1 == with && l.with + 1 == from);
    };
    if (std::none_of(links.begin(), links.end(), is_link)) {
      return done(Invalid("campaign " + std::to_string(campaign_id) + " has no link between " +
                              std::to_string(from) + " and " + std::to_string(with) +
                              " (see its links)",
                          "with"));
    }
    std::set<Index> reached{static_cast<Index>(from - 1)};
    bool grew = true;
    while (grew) {
      grew = false;
      for (const auto& l : links) {
        if (is_link(l)) continue;
        bool r = reached.count(l.report), w = reached.count(l.with);
        if (r != w) {
          reached.insert(r ? l.with : l.report);
          grew = true;
        }
      }
    }
    side_a.assign(reached.begin(), reached.end());
  } else {
    if (req.report_ids.empty()) {
      return done(
          Invalid("give report_ids (the reports to split off) or report_id and with (a "
                  "link to cut)",
                  "report_ids"));
    }
    for (size_t i = 0; i < req.report_ids.size(); ++i) {
      if (!in_campaign(req.report_ids[i])) {
        std::string f = "report_ids[" + std::to_string(i) + "]";
        return done(Invalid(f + ": report " + std::to_string(req.report_ids[i]) +
                                " is not in campaign " + std::to_string(campaign_id),
                            f));
      }
      side_a.push_back(static_cast<Index>(req.report_ids[i] - 1));
    }
  }
  std::sort(side_a.begin(), side_a.end());
  side_a.erase(std::unique(side_a.begin(), side_a.end()), side_a.end());
  if (side_a.size() >= linker_.CampaignSize(campaign)) {
    return done(Invalid("a split must leave at least one report on the other side", "report_ids"));
  }
  Separate(a, campaign, std::move(side_a), "split", std::move(req.reason), std::move(done));
}

void ScamDesk::PinOut(const Actor& a, std::int64_t campaign_id, std::int64_t report,
                      std::string reason, Done done) {
  std::lock_guard lock(mu_);
  auto n = static_cast<std::int64_t>(reports_.size());
  auto found = LiveCampaign(campaign_id);
  if (!found) return done(found.error());
  Index campaign = *found;
  if (report < 1 || report > n || linker_.CampaignOf(static_cast<Index>(report - 1)) != campaign) {
    return done(Invalid(
        "report " + std::to_string(report) + " is not in campaign " + std::to_string(campaign_id),
        "report_id"));
  }
  if (linker_.CampaignSize(campaign) < 2) {
    return done(
        Invalid("campaign " + std::to_string(campaign_id) + " has only this report", "report_id"));
  }
  Separate(a, campaign, {static_cast<Index>(report - 1)}, "pin_out", std::move(reason),
           std::move(done));
}

// ---- Blocklist -------------------------------------------------------------

std::vector<ScamDesk::BlocklistEntry> ScamDesk::Blocklist(scam::Kind kind,
                                                          std::int64_t min_reports) const {
  std::lock_guard lock(mu_);
  std::string prefix = std::string(scam::ToString(kind)) + ":";
  std::vector<BlocklistEntry> out;
  for (scam::Linker::KeyId k = 0; k < linker_.key_count(); ++k) {
    const std::string& key = linker_.KeyText(k);
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    const auto& rs = linker_.KeyReports(k);
    if (static_cast<std::int64_t>(rs.size()) < min_reports) continue;
    BlocklistEntry e;
    e.value = key.substr(prefix.size());
    e.reports = static_cast<std::int64_t>(rs.size());
    std::map<Index, std::int64_t> campaigns;
    bool valid = true;
    for (size_t i = 0; i < rs.size(); ++i) {
      const Report& r = reports_[rs[i]];
      if (i == 0 || r.received_at < e.first_seen) e.first_seen = r.received_at;
      if (i == 0 || r.received_at > e.last_seen) e.last_seen = r.received_at;
      ++campaigns[linker_.CampaignOf(rs[i])];
      if (i == 0) {
        for (const auto& x : r.identifiers) {
          if (x.id.kind == kind && x.id.value == e.value) valid = x.id.valid;
        }
      }
    }
    if (!valid) continue;
    // The campaign most of its reports are in.
    std::int64_t best = -1;
    for (const auto& [c, count] : campaigns) {
      if (count > best) {
        best = count;
        e.campaign_id = c + 1;
      }
    }
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const BlocklistEntry& a, const BlocklistEntry& b) {
    return a.reports != b.reports ? a.reports > b.reports : a.value < b.value;
  });
  return out;
}

// ---- Warnings --------------------------------------------------------------

void ScamDesk::IssueWarning(const Actor& a, std::int64_t campaign_id, Json overrides,
                            const std::string& sender, Done done) {
  if (!overrides.is_object()) return done(Malformed("the body must be a JSON object"));
  static const std::set<std::string> kAllowed = {
      "language", "headline", "description", "instruction", "area", "expires",
      "status",   "urgency",  "severity",    "certainty",   "event"};
  for (const auto& [k, v] : overrides.items()) {
    if (!kAllowed.count(k)) {
      return done(Invalid("unknown field \"" + k +
                              "\"; a warning may set language, event, headline, description, "
                              "instruction, area, expires, status, urgency, severity, certainty",
                          k));
    }
    if (k == "area" ? !v.is_object() : !v.is_string()) {
      return done(Malformed(k + (k == "area" ? " must be an object" : " must be a string"), k));
    }
  }
  Json body;
  {
    std::lock_guard lock(mu_);
    auto found = LiveCampaign(campaign_id);
    if (!found) return done(found.error());
    Index campaign = *found;
    Json c = CampaignJson(campaign, false);
    const Json& w = config_.warning;
    // The numbers and sites to ignore: every valid phone number, domain,
    // URL on shared hosting, e-mail address and wallet of the campaign.
    // (URLs only where no domain says it: on shared hosting.)
    std::vector<std::string> ignore;
    Json all = CampaignJson(campaign, true).at("identifiers");
    bool has_domain =
        std::any_of(all.begin(), all.end(), [](const Json& x) { return x.at("kind") == "domain"; });
    for (const auto& x : all) {
      std::string kind = x.at("kind").get<std::string>();
      std::string value = x.at("value").get<std::string>();
      if (kind == "phone" && value.front() != '+') continue;  // invalid: not a number to dial
      if (kind == "url" && has_domain) continue;
      if (kind == "domain" || kind == "url" || kind == "email") value = Defang(value);
      ignore.push_back(value);
      if (ignore.size() >= 20) break;
    }
    std::string list;
    for (const auto& v : ignore) list += (list.empty() ? "" : ", ") + v;
    std::string script = c.at("sample_text").get<std::string>();
    std::int64_t reports = c.at("reports").get<std::int64_t>();
    std::string headline = "Scam warning: " + std::to_string(reports) + " reports" +
                           (ignore.empty() ? std::string() : " about " + Cut(ignore.front(), 60));
    std::string description =
        "Beacon's anti-scam desk has linked " + std::to_string(reports) +
        " reports of the same fraud (received " +
        c.at("first_seen").get<std::string>().substr(0, 10) + " to " +
        c.at("last_seen").get<std::string>().substr(0, 10) + ")." +
        (script.empty() ? std::string() : " What the scammers say: \"" + Cut(script, 500) + "\"");
    std::string instruction =
        "Do not call back, reply, open links or pay. Legitimate organisations never ask for "
        "payment in gift cards or crypto." +
        (list.empty() ? std::string() : " Ignore and block: " + list + ".");
    TimeMs expires =
        clock_.Now() + static_cast<TimeMs>(w.value("expires_hours", 168)) * 3600 * 1000;
    Json lang = {
        {"language", overrides.value("language", w.value("language", std::string("en-US")))},
        {"event", overrides.value("event", std::string("Scam warning"))},
        {"headline", overrides.value("headline", Cut(headline, 150))},
        {"description", overrides.value("description", description)},
        {"instruction", overrides.value("instruction", instruction)}};
    body = {
        {"campaign_id", campaign_id},
        {"category", "Security"},
        {"urgency", overrides.value("urgency", w.value("urgency", std::string("Expected")))},
        {"severity", overrides.value("severity", w.value("severity", std::string("Moderate")))},
        {"certainty", overrides.value("certainty", w.value("certainty", std::string("Observed")))},
        {"status", overrides.value("status", std::string("Actual"))},
        {"response_types", {"Avoid"}},
        {"expires", overrides.value("expires", FormatRfc3339(expires))},
        {"languages", {lang}},
        {"area", overrides.contains("area") ? overrides["area"] : w.value("area", Json())}};
  }
  center_.IssueAlert(a, std::move(body), sender,
                     [this, campaign_id, done = std::move(done)](Result<Json> r) {
                       if (r) {
                         std::lock_guard lock(mu_);
                         warnings_[campaign_id].push_back(r->at("id").get<std::int64_t>());
                       }
                       done(std::move(r));
                     });
}

ScamDesk::Stats ScamDesk::stats() const {
  std::lock_guard lock(mu_);
  return {static_cast<std::int64_t>(reports_.size()), static_cast<std::int64_t>(stats_.size())};
}

}  // namespace beacon::service
