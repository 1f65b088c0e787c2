// Center commands of CAP 1.2 (docs/cap.md): received alerts become calls,
// issued public warnings are stored byte for byte.
#include "service/center.h"
#include "service/center_tx.h"

#include <algorithm>

#include "cap/parser.h"
#include "cap/writer.h"
#include "intake/alert_request.h"

namespace beacon::service {

// ---- CAP 1.2 -------------------------------------------------------------

void Center::LoadAlerts(const store::Snapshot& snap) {
  for (const auto& d : snap.alerts) {
    Json j = Json::parse(d);
    std::int64_t id = j.at("id").get<std::int64_t>();
    next_alert_ = std::max(next_alert_, id + 1);
    if (j.at("direction") == "received") {
      CapReceived r;
      r.alert_id = id;
      if (j.contains("call_id")) r.call_id = j["call_id"].get<std::int64_t>();
      if (j.contains("incident_id")) r.incident_id = j["incident_id"].get<std::int64_t>();
      r.sha256 = j.at("sha256").get<std::string>();
      r.result = j.at("result");
      cap_received_[j.at("key").get<std::string>()] = std::move(r);
    } else {
      std::string xml = j.at("xml").get<std::string>();
      j.erase("xml");
      issued_[id] = {std::move(j), std::move(xml)};
    }
  }
}

model::Incident* Center::CapIncident(const std::string& key) {
  auto it = cap_received_.find(key);
  if (it == cap_received_.end()) return nullptr;
  std::optional<std::int64_t> inc_id = it->second.incident_id;
  // The call's incident is the current one: calls move on merge and split.
  if (it->second.call_id) {
    auto c = calls_.find(*it->second.call_id);
    if (c != calls_.end()) inc_id = c->second.incident_id.value();
  }
  if (!inc_id) return nullptr;
  for (size_t hops = 0; hops <= incidents_.size(); ++hops) {
    auto inc = incidents_.find(*inc_id);
    if (inc == incidents_.end()) return nullptr;
    if (inc->second.status == IncidentStatus::kMerged && inc->second.merged_into) {
      inc_id = inc->second.merged_into->value();
      continue;
    }
    return &inc->second;
  }
  return nullptr;
}

void Center::ReceiveCap(const Actor& a, ReceivedCap in, Done done) {
  std::unique_lock lock(mu_);
  const cap::Alert& alert = in.alert;
  std::string key = alert.Key();
  if (auto it = cap_received_.find(key); it != cap_received_.end()) {
    if (it->second.sha256 != in.sha256) {
      return done(Conflict("a different message with sender " + alert.sender + ", identifier " +
                               alert.identifier + " and sent " + alert.sent +
                               " was received before (alert " +
                               std::to_string(it->second.alert_id) +
                               "); a correction must be an Update with a new identifier",
                           "identifier"));
    }
    Json again = it->second.result;
    again["duplicate"] = true;
    return done(std::move(again));
  }
  Tx tx(*this, a);
  std::int64_t alert_id = next_alert_++;
  Json source = {{"standard", "CAP 1.2"},  {"alert_id", alert_id}, {"identifier", alert.identifier},
                 {"sender", alert.sender}, {"sent", alert.sent},   {"msg_type", alert.msg_type},
                 {"status", alert.status}, {"sha256", in.sha256}};
  if (alert.signed_xml) source["signed"] = true;
  Json refs = Json::array();
  for (const auto& r : alert.references) refs.push_back(r.Key());
  if (!refs.empty()) source["references"] = refs;

  // The earlier alert this one updates or cancels: the first reference
  // Beacon has received whose incident is still open.
  Incident* linked = nullptr;
  std::string linked_key;
  for (const auto& r : alert.references) {
    Incident* inc = CapIncident(r.Key());
    if (inc && inc->status == IncidentStatus::kOpen) {
      linked = inc;
      linked_key = r.Key();
      break;
    }
  }

  Json body = {{"alert_id", alert_id},
               {"identifier", alert.identifier},
               {"sender", alert.sender},
               {"sent", alert.sent},
               {"msg_type", alert.msg_type}};
  CapReceived rec;
  rec.alert_id = alert_id;
  rec.sha256 = in.sha256;
  if (in.call) {
    in.call->source = source;
    std::optional<correlate::Match> link;
    if (linked) {
      link = correlate::Match{linked->id, 0, 0, "CAP Update of " + linked_key};
    }
    auto r = AddCall(tx, a, std::move(*in.call), std::move(link));
    if (!r) {
      --next_alert_;
      return done(r.error());
    }
    rec.call_id = r->at("call_id").get<std::int64_t>();
    rec.incident_id = r->at("incident_id").get<std::int64_t>();
    body["call_id"] = *rec.call_id;
    body["incident_id"] = *rec.incident_id;
  } else if (linked) {
    std::string why = alert.note.value_or("");
    if (why.empty() && !alert.infos.empty()) {
      why = alert.infos.front().headline.value_or(alert.infos.front().event);
    }
    tx.Timeline(*linked, "cap_cancel",
                "CAP Cancel " + key + " of " + linked_key + (why.empty() ? "" : ": " + why) +
                    " (the incident stays open until a supervisor closes it)");
    tx.PutEvent("incident.updated", *linked);
    rec.incident_id = linked->id.value();
    body["incident_id"] = *rec.incident_id;
  }
  if (linked) body["linked_to"] = linked_key;
  body["linked"] = linked != nullptr;
  rec.result = body;

  Json doc = source;
  doc["id"] = alert_id;
  doc["direction"] = "received";
  doc["key"] = key;
  doc["received_by"] = a.user;
  doc["received_at"] = FormatRfc3339(tx.now());
  if (rec.call_id) doc["call_id"] = *rec.call_id;
  if (rec.incident_id) doc["incident_id"] = *rec.incident_id;
  doc["result"] = body;
  doc["xml_base64"] = std::move(in.xml_base64);
  tx.batch().upserts.push_back({store::Table::kAlerts, std::to_string(alert_id), doc.dump()});
  tx.Audit("cap.receive", "alert/" + std::to_string(alert_id) + ":" + key);
  cap_received_[key] = std::move(rec);
  Submit(tx, std::move(body), std::move(done));
}

namespace {

// A CAP identifier Beacon issues: unique per sender (the alert id) and
// readable ("beacon-20261123T161247-42"); no spaces, commas, < or &.
std::string IssuedIdentifier(const std::string& sent, std::int64_t id) {
  std::string compact;
  for (char c : sent.substr(0, 19)) {
    if (c != '-' && c != ':') compact += c;
  }
  return "beacon-" + compact + "-" + std::to_string(id);
}

cap::Alert BuildAlert(const intake::AlertIssueRequest& r, const std::string& identifier,
                      const std::string& sender, const std::string& sent,
                      std::vector<cap::Reference> references) {
  cap::Alert a;
  a.identifier = identifier;
  a.sender = sender;
  a.sent = sent;
  a.status = r.status;
  a.msg_type = r.msg_type;
  a.scope = "Public";
  a.references = std::move(references);
  a.incidents = r.campaign_id ? "beacon-scam-campaign-" + std::to_string(*r.campaign_id)
                              : "beacon-incident-" + std::to_string(r.incident_id.value());
  for (const auto& t : r.languages) {
    cap::Info info;
    info.language = t.language;
    info.categories = {r.category};
    info.event = t.event;
    info.response_types = r.response_types;
    info.urgency = r.urgency;
    info.severity = r.severity;
    info.certainty = r.certainty;
    if (r.expires) info.expires = cap::FormatCapTime(*r.expires);
    info.headline = t.headline;
    info.description = t.description;
    info.instruction = t.instruction;
    cap::Area area;
    area.desc = r.area.description;
    if (!r.area.polygon.empty()) area.polygons.push_back(r.area.polygon);
    if (r.area.circle_centre)
      area.circles.push_back({*r.area.circle_centre, r.area.circle_radius_km});
    info.areas.push_back(std::move(area));
    a.infos.push_back(std::move(info));
  }
  return a;
}

}  // namespace

void Center::IssueAlert(const Actor& a, Json body, const std::string& sender, Done done) {
  if (!body.is_object()) return done(Malformed("the body must be a JSON object"));
  std::unique_lock lock(mu_);
  // An Update or Cancel starts from the request of the alert it replaces.
  Json merged = body;
  IssuedAlert* previous = nullptr;
  if (auto ref = body.find("references_alert_id"); ref != body.end() && ref->is_number_integer()) {
    auto it = issued_.find(ref->get<std::int64_t>());
    if (it == issued_.end()) {
      return done(Invalid("no issued alert " + std::to_string(ref->get<std::int64_t>()),
                          "references_alert_id"));
    }
    previous = &it->second;
    if (previous->doc.contains("superseded_by")) {
      return done(Conflict("alert " + std::to_string(it->first) +
                               " was already replaced by alert " +
                               previous->doc["superseded_by"].dump() + "; reference that one",
                           "references_alert_id"));
    }
    if (previous->doc.value("msg_type", "") == "Cancel") {
      return done(
          Conflict("alert " + std::to_string(it->first) + " is a Cancel; nothing to replace",
                   "references_alert_id"));
    }
    merged = previous->doc.at("request");
    for (auto kv = body.begin(); kv != body.end(); ++kv) merged[kv.key()] = kv.value();
    const Json& prev_incident = previous->doc.value("incident_id", Json());
    if (body.contains("incident_id") && body["incident_id"] != prev_incident) {
      return done(Invalid("an " + body.value("msg_type", std::string("Update")) +
                              " keeps the incident of the alert it replaces (incident " +
                              prev_incident.dump() + ")",
                          "incident_id"));
    }
  }
  auto req = intake::ReadAlertIssueRequest(merged);
  if (!req) return done(req.error());
  // A scam campaign's warning has no incident (the desk checked the campaign).
  auto inc = incidents_.find(req->incident_id.value());
  if (!req->campaign_id && inc == incidents_.end()) {
    return done(Invalid("no incident " + std::to_string(req->incident_id.value()), "incident_id"));
  }
  Tx tx(*this, a);
  if (req->expires && *req->expires <= tx.now()) {
    return done(Invalid("expires is in the past", "expires"));
  }
  std::int64_t id = next_alert_++;
  std::string sent = cap::FormatCapTime(tx.now());
  std::string identifier = IssuedIdentifier(sent, id);
  std::vector<cap::Reference> refs;
  Json ref_keys = Json::array();
  if (previous) {
    // The message replaced and everything it referenced.
    for (const auto& k : previous->doc.value("references", Json::array())) {
      std::string key = k.get<std::string>();
      size_t c1 = key.find(','), c2 = key.rfind(',');
      refs.push_back({key.substr(0, c1), key.substr(c1 + 1, c2 - c1 - 1), key.substr(c2 + 1)});
    }
    refs.push_back({previous->doc.at("sender").get<std::string>(),
                    previous->doc.at("identifier").get<std::string>(),
                    previous->doc.at("sent").get<std::string>()});
  }
  for (const auto& r : refs) ref_keys.push_back(r.Key());
  cap::Alert alert = BuildAlert(*req, identifier, sender, sent, refs);
  std::string xml = cap::ToXml(alert);
  // What Beacon issues must pass its own reader; anything else is a bug.
  if (auto check = cap::Parse(xml); !check) {
    --next_alert_;
    return done(Status(Code::kInternal,
                       "issued alert does not validate: " + check.error().message(),
                       check.error().field()));
  }
  const auto& first = req->languages.front();
  Json request = merged;
  request.erase("msg_type");
  request.erase("references_alert_id");
  Json doc = {{"id", id},
              {"direction", "issued"},
              {"identifier", identifier},
              {"sender", sender},
              {"sent", sent},
              {"msg_type", req->msg_type},
              {"status", req->status},
              {"references", ref_keys},
              {"title", first.headline.value_or(first.event)},
              {"summary", first.description.value_or(first.instruction.value_or(""))},
              {"issued_by", a.user},
              {"request", request}};
  if (req->references_alert_id) doc["references_alert_id"] = *req->references_alert_id;
  if (req->campaign_id) {
    doc["campaign_id"] = *req->campaign_id;
  } else {
    doc["incident_id"] = req->incident_id.value();
  }
  Json stored = doc;
  stored["xml"] = xml;
  tx.batch().upserts.push_back({store::Table::kAlerts, std::to_string(id), stored.dump()});
  if (previous) {
    previous->doc["superseded_by"] = id;
    Json prev = previous->doc;
    prev["xml"] = previous->xml;
    tx.batch().upserts.push_back({store::Table::kAlerts, prev.at("id").dump(), prev.dump()});
  }
  if (!req->campaign_id) {
    tx.Timeline(inc->second, "alert_issued",
                "CAP " + req->msg_type + " " + identifier +
                    " issued: " + first.headline.value_or(first.event));
    tx.PutEvent("incident.updated", inc->second);
  }
  tx.Audit("alert.issue", "alert/" + std::to_string(id) + ":" + req->msg_type);
  Json out = {{"id", id},
              {"identifier", identifier},
              {"sender", sender},
              {"sent", sent},
              {"msg_type", req->msg_type},
              {"status", req->status},
              {"references", ref_keys},
              {"xml_url", "/api/v1/alerts/" + std::to_string(id) + ".xml"}};
  if (req->campaign_id) {
    out["campaign_id"] = *req->campaign_id;
  } else {
    out["incident_id"] = req->incident_id.value();
  }
  issued_[id] = {std::move(doc), std::move(xml)};
  Submit(tx, std::move(out), std::move(done));
}

Result<std::string> Center::IssuedAlertXml(std::int64_t id) const {
  std::lock_guard lock(mu_);
  auto it = issued_.find(id);
  if (it == issued_.end()) return NotFound("no issued alert " + std::to_string(id));
  return it->second.xml;
}

std::vector<Center::IssuedAlertSummary> Center::IssuedAlerts(size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<IssuedAlertSummary> out;
  for (auto it = issued_.rbegin(); it != issued_.rend() && out.size() < limit; ++it) {
    const Json& d = it->second.doc;
    out.push_back({it->first, d.at("identifier").get<std::string>(),
                   d.at("sender").get<std::string>(), d.at("sent").get<std::string>(),
                   d.at("msg_type").get<std::string>(), d.value("title", std::string()),
                   d.value("summary", std::string())});
  }
  return out;
}

}  // namespace beacon::service
