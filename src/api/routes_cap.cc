// CAP 1.2 routes (docs/cap.md): alerts from other agencies in, public
// warnings out, and the Atom feed gateways poll.
#include <sodium.h>

#include <charconv>

#include "api/route_util.h"
#include "api/routes.h"
#include "cap/parser.h"
#include "cap/writer.h"
#include "common/log.h"
#include "intake/json_body.h"

namespace beacon::api {
namespace {

using model::Permission;
using nlohmann::json;

constexpr size_t kFeedEntries = 100;

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::string Base64(std::string_view bytes) {
  const int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// A CAP refusal: the usual error body plus the rule that failed.
Response CapRefusal(const Status& s) {
  json err = {{"code", CodeName(s.code())}, {"message", s.message()}};
  if (!s.field().empty()) err["field"] = s.field();
  std::string rule = cap::RuleOf(s);
  if (!rule.empty()) err["rule"] = rule;
  return JsonResponse(HttpStatus(s.code()), {{"error", std::move(err)}});
}

// The charset parameter of a Content-Type ("" when absent), unquoted.
std::string Charset(std::string_view content_type) {
  std::string lower(content_type);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t at = lower.find("charset=");
  if (at == std::string::npos) return "";
  std::string v(content_type.substr(at + 8));
  v = v.substr(0, v.find(';'));
  while (!v.empty() && (v.back() == ' ' || v.back() == '"')) v.pop_back();
  while (!v.empty() && (v.front() == ' ' || v.front() == '"')) v.erase(0, 1);
  return v;
}

bool XmlMediaType(std::string_view content_type) {
  std::string t(content_type.substr(0, content_type.find(';')));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t == "application/cap+xml" || t == "application/xml" || t == "text/xml";
}

}  // namespace

void RegisterCapRoutes(Router& router, const RouteDeps& d) {
  auto& center = d.center;
  const std::string v1 = "/api/v1";

  router.Add(
      "POST", v1 + "/cap", Permission::kCreateCall,
      [&center, mapping = d.cap_mapping](const Context& c, Reply reply) {
        if (!XmlMediaType(c.request->content_type)) {
          return reply(ErrorResponse(
              415, "unsupported_media_type",
              "send the CAP 1.2 message as application/cap+xml or application/xml (got \"" +
                  c.request->content_type + "\")"));
        }
        if (!mapping) {
          return reply(ErrorResponse(
              {Code::kUnavailable, "this server has no CAP mapping; start it with --cap-mapping"}));
        }
        const std::string& bytes = c.request->body;
        auto alert = cap::Parse(bytes, Charset(c.request->content_type));
        if (!alert) {
          Log(Level::kInfo, "cap.refused",
              {{"rule", cap::RuleOf(alert.error())},
               {"field", alert.error().field()},
               {"user", c.actor.user}});
          return reply(CapRefusal(alert.error()));
        }
        if (auto ok = cap::CheckAcceptable(*alert); !ok.ok()) return reply(CapRefusal(ok));
        service::Center::ReceivedCap in;
        if (alert->msg_type != "Cancel") in.call = cap::ToCallInput(*alert, *mapping);
        in.alert = std::move(*alert);
        in.sha256 = Sha256Hex(bytes);
        in.xml_base64 = Base64(bytes);
        // A repeat of the same message answers the first receipt (201,
        // "duplicate": true): senders retry, and a retry must not fail.
        center.ReceiveCap(c.actor, std::move(in), Respond(std::move(reply), 201));
      });

  router.Add("POST", v1 + "/alerts", Permission::kIssueAlerts,
             [&center, sender = d.cap_sender](const Context& c, Reply reply) {
               auto body = intake::ParseObject(c.request->body);
               if (!body) return reply(ErrorResponse(body.error()));
               if (body->contains("campaign_id")) {
                 return reply(
                     ErrorResponse(Invalid("a scam campaign's warning is issued with POST "
                                           "/api/v1/scam/campaigns/{id}/warning",
                                           "campaign_id")));
               }
               center.IssueAlert(c.actor, std::move(*body), sender, [reply](Result<json> r) {
                 if (!r) return reply(ErrorResponse(r.error()));
                 reply(JsonResponse(201, *r));
               });
             });

  // Public warnings are public: the feed and the messages need no token.
  router.Add("GET", v1 + "/alerts/feed.atom", std::nullopt,
             [&center, sender = d.cap_sender](const Context&, Reply reply) {
               cap::Feed feed;
               feed.id = "urn:beacon:alerts:" + sender;
               feed.title = "Beacon public warnings (" + sender + ")";
               feed.self_href = "/api/v1/alerts/feed.atom";
               for (const auto& a : center.IssuedAlerts(kFeedEntries)) {
                 feed.entries.push_back(
                     {"urn:beacon:alert:" + a.sender + "," + a.identifier + "," + a.sent,
                      a.msg_type == "Alert" ? a.title : a.msg_type + ": " + a.title, a.sent,
                      "/api/v1/alerts/" + std::to_string(a.id) + ".xml", a.summary});
               }
               feed.updated = feed.entries.empty() ? FormatRfc3339(SystemClock().Now())
                                                   : feed.entries.front().updated;
               Response r;
               r.content_type = "application/atom+xml";
               r.body = cap::ToAtom(feed);
               reply(std::move(r));
             });

  router.Add("GET", v1 + "/alerts/{id}.xml", std::nullopt,
             [&center](const Context& c, Reply reply) {
               auto id = PathId(c.params[0]);
               if (!id) {
                 return reply(ErrorResponse(
                     NotFound("no alert \"" + c.params[0] + "\" (ids are positive integers)")));
               }
               auto xml = center.IssuedAlertXml(*id);
               if (!xml) return reply(ErrorResponse(xml.error()));
               Response r;
               r.content_type = "application/cap+xml";
               r.body = std::move(*xml);
               reply(std::move(r));
             });
}

}  // namespace beacon::api
