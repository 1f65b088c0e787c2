// ScamDesk: the anti-scam desk (docs/scam.md). Fraud reports linked into
// campaigns through the identifiers of the fraud infrastructure and the
// text of the scam messages, ranked, turned into blocklists and public
// warnings.
//
// Owns its own state (the reports, the scam::Linker, per-campaign
// aggregates) under its own mutex; it is not part of service::Center but
// commits through it (Center::SubmitBatch), so its events share the event
// log's sequence and its audit records the audit chain. Warnings go out
// through the Center's CAP path (Center::IssueAlert). A command validates
// and normalises outside the lock, links and renders under it, and answers
// from the store's commit thread once durable.
//
// Reporters' contact data follow the callers' rules: only roles with
// model::Permission::kReadPersonal read it, every such read is audited
// before the answer, and no event carries it. Thread-safe.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "scam/config.h"
#include "scam/identifiers.h"
#include "scam/linker.h"
#include "scam/report.h"
#include "service/center.h"

namespace beacon::service {

class ScamDesk {
 public:
  // References must outlive the desk.
  ScamDesk(Center& center, const Clock& clock, scam::DeskConfig config,
           std::shared_ptr<const scam::Normaliser> normaliser);

  // Rebuilds reports, campaigns and the analysts' decisions from a store
  // snapshot (reports re-linked in arrival order). Call once, first.
  Status Load(const store::Snapshot& snap);

  // POST /scam/reports: 201 {report_id, campaign_id}. A report whose
  // external_id was seen before answers the first one with "duplicate": true.
  void CreateReport(const Actor& a, scam::ReportInput in, Done done);
  // POST /scam/reports:batch: every report is checked first (an error names
  // reports[i]); then all are linked and committed in one transaction.
  // 201 {results: [{report_id, campaign_id, duplicate?}]}.
  void CreateReports(const Actor& a, std::vector<scam::ReportInput> in, Done done);
  // GET /scam/reports/{id}: the report, its identifiers with their origin
  // and its campaign; the reporter only for roles that may read personal
  // data, and then after an audit entry is durable.
  void GetReport(const Actor& a, std::int64_t id, Done done);

  struct CampaignQuery {
    std::string sort = "reports";  // reports | loss | recent | growth
    std::optional<TimeMs> since;   // campaigns with a report received since
    size_t limit = 50;
  };
  Result<Json> ListCampaigns(const CampaignQuery& q) const;
  // A campaign by its id, or by the id of a campaign merged into it.
  Result<Json> GetCampaign(std::int64_t id) const;

  // Split a campaign: either the given reports (`report_ids`) against the
  // rest, or the two sides of one link (`report_id` and `with`). Pin-out:
  // one report against the rest. Audited; 200 {campaigns: [...ids]}.
  struct SplitRequest {
    std::vector<std::int64_t> report_ids;
    std::optional<std::pair<std::int64_t, std::int64_t>> link;
    std::string reason;
  };
  void Split(const Actor& a, std::int64_t campaign, SplitRequest req, Done done);
  void PinOut(const Actor& a, std::int64_t campaign, std::int64_t report, std::string reason,
              Done done);

  struct BlocklistEntry {
    std::string value;
    std::int64_t campaign_id = 0;
    std::int64_t reports = 0;
    TimeMs first_seen = 0, last_seen = 0;
  };
  // Identifiers of `kind` in at least `min_reports` reports, most reported
  // first. Invalid phone numbers are left out (a carrier cannot block them).
  std::vector<BlocklistEntry> Blocklist(scam::Kind kind, std::int64_t min_reports) const;

  // POST /scam/campaigns/{id}/warning: a CAP 1.2 public warning (category
  // Security) with the campaign's script and the numbers and sites to
  // ignore, through Center::IssueAlert. `overrides` may set language,
  // headline, description, instruction, area, expires, status, urgency,
  // severity, certainty.
  void IssueWarning(const Actor& a, std::int64_t campaign, Json overrides,
                    const std::string& sender, Done done);

  struct Stats {
    std::int64_t reports = 0, campaigns = 0;
  };
  Stats stats() const;
  const scam::DeskConfig& config() const { return config_; }

 private:
  using Index = scam::Linker::Index;
  struct Report {
    std::int64_t id = 0;
    std::uint8_t channel = 0;  // index into scam::kChannels
    TimeMs received_at = 0, created_at = 0;
    std::string created_by;
    std::string text;
    std::vector<scam::ReportIdentifier> identifiers;
    std::optional<scam::Loss> loss;
    scam::Reporter reporter;
    std::optional<std::string> external_id;
  };
  struct CampaignStats {
    std::uint32_t reports = 0;
    TimeMs first_seen = 0, last_seen = 0;
    double loss_total = 0;  // in config_.currency
    std::map<std::string, double> loss_by_currency;
    std::array<std::uint32_t, 6> channels{};
    std::map<std::int32_t, std::uint32_t> daily;  // days since the epoch -> reports
  };
  struct Prepared {
    scam::ReportInput in;
    std::vector<scam::ReportIdentifier> ids;
  };

  Result<std::vector<Prepared>> Prepare(std::vector<scam::ReportInput> in, bool batch) const;
  void Commit(const Actor& a, std::vector<Prepared> reports, bool batch, Done done);
  // Links a report (requires mu_); returns what the linker did.
  scam::Linker::Added AddLocked(Report r);
  void AddToStats(CampaignStats& s, const Report& r) const;
  void RecomputeStats(const std::vector<Index>& campaigns);
  Json ReportJson(const Report& r, bool personal) const;
  Json CampaignJson(Index campaign, bool detail) const;
  std::int64_t Growth(const CampaignStats& s) const;
  // The campaign whose id is `campaign_id` (its earliest report's), not one
  // merged into another; NotFound otherwise (requires mu_).
  Result<Index> LiveCampaign(std::int64_t campaign_id) const;
  Status ApplySeparation(const Json& doc);
  void Separate(const Actor& a, Index campaign, std::vector<Index> side_a, std::string action,
                std::string reason, Done done);

  Center& center_;
  const Clock& clock_;
  scam::DeskConfig config_;
  std::shared_ptr<const scam::Normaliser> normaliser_;

  mutable std::mutex mu_;
  scam::Linker linker_;
  std::vector<Report> reports_;  // by Index (report id - 1)
  std::unordered_map<std::string, std::int64_t> external_ids_;
  std::unordered_map<Index, CampaignStats> stats_;              // by campaign (earliest report)
  std::map<std::int64_t, std::vector<std::int64_t>> warnings_;  // campaign id -> alert ids
  std::int64_t next_action_ = 1;
};

}  // namespace beacon::service
