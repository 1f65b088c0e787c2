// The anti-scam desk's routes (docs/scam.md): reports in, campaigns ranked
// and explained, analysts' splits and pin-outs, blocklists, and public
// warnings through the CAP path.
#include "api/route_util.h"
#include "api/routes.h"
#include "intake/json_body.h"
#include "scam/report.h"

namespace beacon::api {
namespace {

using model::Permission;
using nlohmann::json;

Status NoDesk() {
  return Status(Code::kUnavailable, "this server runs without the anti-scam desk");
}

std::int64_t ToInt(const json& v) { return v.get<std::int64_t>(); }

Result<std::int64_t> PositiveInt(const intake::JsonObject& obj, std::string_view key) {
  const json* v = obj.Find(key);
  if (!v) return Malformed(obj.Field(key) + " is required", obj.Field(key));
  if (!v->is_number_integer() || ToInt(*v) <= 0) {
    return Malformed(obj.Field(key) + " must be a positive integer id", obj.Field(key));
  }
  return ToInt(*v);
}

// RFC 4180: a field with a comma, quote or line break is quoted.
std::string CsvField(const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void RegisterScamRoutes(Router& router, const RouteDeps& d) {
  service::ScamDesk* desk = d.scam;
  const std::string v1 = "/api/v1";

  router.Add("POST", v1 + "/scam/reports", Permission::kReportScam,
             [desk](const Context& c, Reply reply) {
               if (!desk) return reply(ErrorResponse(NoDesk()));
               auto body = intake::ParseObject(c.request->body);
               if (!body) return reply(ErrorResponse(body.error()));
               auto in = scam::ReadReport(*body, "");
               if (!in) return reply(ErrorResponse(in.error()));
               desk->CreateReport(c.actor, std::move(*in), Respond(std::move(reply), 201));
             });

  router.Add("POST", v1 + "/scam/reports:batch", Permission::kReportScam,
             [desk](const Context& c, Reply reply) {
               if (!desk) return reply(ErrorResponse(NoDesk()));
               auto body = intake::ParseObject(c.request->body);
               if (!body) return reply(ErrorResponse(body.error()));
               intake::JsonObject obj(*body, "");
               if (auto s = obj.OnlyKeys({"reports"}); !s.ok()) return reply(ErrorResponse(s));
               const json* reports = obj.Find("reports");
               if (!reports || !reports->is_array()) {
                 return reply(ErrorResponse(
                     Malformed("reports must be an array of report objects", "reports")));
               }
               if (reports->empty() || reports->size() > scam::kMaxBatch) {
                 return reply(ErrorResponse(
                     Invalid("reports must hold 1 to " + std::to_string(scam::kMaxBatch) +
                                 " reports (got " + std::to_string(reports->size()) + ")",
                             "reports")));
               }
               std::vector<scam::ReportInput> in;
               in.reserve(reports->size());
               for (size_t i = 0; i < reports->size(); ++i) {
                 auto r = scam::ReadReport((*reports)[i], "reports[" + std::to_string(i) + "]");
                 if (!r) return reply(ErrorResponse(r.error()));
                 in.push_back(std::move(*r));
               }
               desk->CreateReports(c.actor, std::move(in), Respond(std::move(reply), 201));
             });

  router.Add("GET", v1 + "/scam/reports/{id}", Permission::kReadScamReports,
             [desk](const Context& c, Reply reply) {
               if (!desk) return reply(ErrorResponse(NoDesk()));
               auto id = PathId(c.params[0]);
               if (!id) return reply(ErrorResponse(BadId("scam report", c.params[0])));
               desk->GetReport(c.actor, *id, Respond(std::move(reply), 200));
             });

  router.Add(
      "GET", v1 + "/scam/campaigns", Permission::kReadScamCampaigns,
      [desk](const Context& c, Reply reply) {
        if (!desk) return reply(ErrorResponse(NoDesk()));
        service::ScamDesk::CampaignQuery q;
        const auto& query = c.request->query;
        if (auto it = query.find("sort"); it != query.end() && !it->second.empty()) {
          q.sort = it->second;
          if (q.sort != "reports" && q.sort != "loss" && q.sort != "recent" && q.sort != "growth") {
            return reply(ErrorResponse(Invalid(
                "sort must be reports, loss, recent or growth (got \"" + q.sort + "\")", "sort")));
          }
        }
        Status err;
        q.since = QueryTime(*c.request, "since", err);
        if (auto v = QueryInt(*c.request, "limit", 1000, err)) q.limit = *v;
        if (!err.ok()) return reply(ErrorResponse(err));
        Respond(std::move(reply), 200)(desk->ListCampaigns(q));
      });

  router.Add("GET", v1 + "/scam/campaigns/{id}", Permission::kReadScamCampaigns,
             [desk](const Context& c, Reply reply) {
               if (!desk) return reply(ErrorResponse(NoDesk()));
               auto id = PathId(c.params[0]);
               if (!id) return reply(ErrorResponse(BadId("scam campaign", c.params[0])));
               Respond(std::move(reply), 200)(desk->GetCampaign(*id));
             });

  router.Add(
      "POST", v1 + "/scam/campaigns/{id}/split", Permission::kAnalyseScam,
      [desk](const Context& c, Reply reply) {
        if (!desk) return reply(ErrorResponse(NoDesk()));
        auto id = PathId(c.params[0]);
        if (!id) return reply(ErrorResponse(BadId("scam campaign", c.params[0])));
        auto body = intake::ParseObject(c.request->body);
        if (!body) return reply(ErrorResponse(body.error()));
        intake::JsonObject obj(*body, "");
        if (auto s = obj.OnlyKeys({"report_ids", "report_id", "with", "reason"}); !s.ok()) {
          return reply(ErrorResponse(s));
        }
        service::ScamDesk::SplitRequest req;
        auto reason = obj.OptString("reason", 1000);
        if (!reason) return reply(ErrorResponse(reason.error()));
        req.reason = reason->value_or("");
        if (const json* ids = obj.Find("report_ids")) {
          if (obj.Find("report_id") || obj.Find("with")) {
            return reply(ErrorResponse(Invalid(
                "give report_ids, or report_id and with (a link to cut), not both", "report_ids")));
          }
          if (!ids->is_array() || ids->size() > 100000) {
            return reply(ErrorResponse(
                Malformed("report_ids must be an array of report ids", "report_ids")));
          }
          for (size_t i = 0; i < ids->size(); ++i) {
            const json& v = (*ids)[i];
            if (!v.is_number_integer() || ToInt(v) <= 0) {
              std::string f = "report_ids[" + std::to_string(i) + "]";
              return reply(ErrorResponse(Malformed(f + " must be a positive integer id", f)));
            }
            req.report_ids.push_back(ToInt(v));
          }
        } else {
          auto from = PositiveInt(obj, "report_id");
          if (!from) return reply(ErrorResponse(from.error()));
          auto with = PositiveInt(obj, "with");
          if (!with) return reply(ErrorResponse(with.error()));
          req.link = std::make_pair(*from, *with);
        }
        desk->Split(c.actor, *id, std::move(req), Respond(std::move(reply), 200));
      });

  router.Add("POST", v1 + "/scam/campaigns/{id}/pin-out", Permission::kAnalyseScam,
             [desk](const Context& c, Reply reply) {
               if (!desk) return reply(ErrorResponse(NoDesk()));
               auto id = PathId(c.params[0]);
               if (!id) return reply(ErrorResponse(BadId("scam campaign", c.params[0])));
               auto body = intake::ParseObject(c.request->body);
               if (!body) return reply(ErrorResponse(body.error()));
               intake::JsonObject obj(*body, "");
               if (auto s = obj.OnlyKeys({"report_id", "reason"}); !s.ok()) {
                 return reply(ErrorResponse(s));
               }
               auto report = PositiveInt(obj, "report_id");
               if (!report) return reply(ErrorResponse(report.error()));
               auto reason = obj.OptString("reason", 1000);
               if (!reason) return reply(ErrorResponse(reason.error()));
               desk->PinOut(c.actor, *id, *report, reason->value_or(""),
                            Respond(std::move(reply), 200));
             });

  router.Add(
      "GET", v1 + "/scam/blocklist", Permission::kAnalyseScam,
      [desk](const Context& c, Reply reply) {
        if (!desk) return reply(ErrorResponse(NoDesk()));
        const auto& query = c.request->query;
        auto kind_it = query.find("kind");
        if (kind_it == query.end() || kind_it->second.empty()) {
          return reply(ErrorResponse(Malformed(
              "kind is required: phone, domain, url, wallet, email, iban or account", "kind")));
        }
        auto kind = scam::ParseKind(kind_it->second);
        if (!kind) {
          return reply(ErrorResponse(
              Invalid("kind must be phone, domain, url, wallet, email, iban or account (got "
                      "\"" +
                          kind_it->second.substr(0, 32) + "\")",
                      "kind")));
        }
        std::string format = "json";
        if (auto it = query.find("format"); it != query.end() && !it->second.empty()) {
          format = it->second;
        }
        if (format != "json" && format != "csv" && format != "txt") {
          return reply(ErrorResponse(Invalid("format must be txt, csv or json", "format")));
        }
        Status err;
        std::int64_t min_reports = 1;
        if (auto v = QueryInt(*c.request, "min_reports", 1000000000, err)) min_reports = *v;
        if (!err.ok()) return reply(ErrorResponse(err));
        auto entries = desk->Blocklist(*kind, min_reports);
        Response r;
        if (format == "txt") {
          r.content_type = "text/plain; charset=utf-8";
          for (const auto& e : entries) r.body += e.value + "\n";
        } else if (format == "csv") {
          r.content_type = "text/csv; charset=utf-8";
          r.body = "value,campaign_id,reports,first_seen,last_seen\r\n";
          for (const auto& e : entries) {
            r.body += CsvField(e.value) + "," + std::to_string(e.campaign_id) + "," +
                      std::to_string(e.reports) + "," + FormatRfc3339(e.first_seen) + "," +
                      FormatRfc3339(e.last_seen) + "\r\n";
          }
        } else {
          json arr = json::array();
          for (const auto& e : entries) {
            arr.push_back({{"value", e.value},
                           {"campaign_id", e.campaign_id},
                           {"reports", e.reports},
                           {"first_seen", FormatRfc3339(e.first_seen)},
                           {"last_seen", FormatRfc3339(e.last_seen)}});
          }
          r = JsonResponse(200, {{"kind", scam::ToString(*kind)},
                                 {"min_reports", min_reports},
                                 {"entries", std::move(arr)}});
        }
        reply(std::move(r));
      });

  router.Add("POST", v1 + "/scam/campaigns/{id}/warning", Permission::kIssueAlerts,
             [desk, sender = d.cap_sender](const Context& c, Reply reply) {
               if (!desk) return reply(ErrorResponse(NoDesk()));
               auto id = PathId(c.params[0]);
               if (!id) return reply(ErrorResponse(BadId("scam campaign", c.params[0])));
               json overrides = json::object();
               if (!c.request->body.empty()) {
                 auto body = intake::ParseObject(c.request->body);
                 if (!body) return reply(ErrorResponse(body.error()));
                 overrides = std::move(*body);
               }
               desk->IssueWarning(c.actor, *id, std::move(overrides), sender,
                                  Respond(std::move(reply), 201));
             });
}

}  // namespace beacon::api
