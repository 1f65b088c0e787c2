#include "scam/report.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "intake/json_body.h"

namespace beacon::scam {
namespace {

using nlohmann::json;

std::string Field(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

}  // namespace

Result<ReportInput> ReadReport(const json& j, const std::string& path) {
  std::string where = path.empty() ? "the body" : path;
  if (!j.is_object()) {
    return Malformed(where + " must be a JSON object, got " + intake::JsonTypeName(j), path);
  }
  intake::JsonObject obj(j, path);
  BEACON_RETURN_IF_ERROR(obj.OnlyKeys(
      {"channel", "received_at", "text", "identifiers", "loss", "reporter", "external_id"}));
  ReportInput in;
  auto channel = obj.String("channel", 16);
  if (!channel) return channel.error();
  if (std::find(std::begin(kChannels), std::end(kChannels), *channel) == std::end(kChannels)) {
    return Invalid(obj.Field("channel") +
                       " must be one of phone, sms, email, web, in_person, other (got \"" +
                       *channel + "\")",
                   obj.Field("channel"));
  }
  in.channel = *channel;
  auto received = obj.OptString("received_at", 64);
  if (!received) return received.error();
  if (*received) {
    in.received_at = ParseRfc3339(**received);
    if (!in.received_at) {
      return Invalid(obj.Field("received_at") + " must be an RFC 3339 time (2024-05-01T12:00:00Z)",
                     obj.Field("received_at"));
    }
  }
  auto text = obj.OptString("text", kMaxText);
  if (!text) return text.error();
  in.text = text->value_or("");
  if (const json* ids = obj.Find("identifiers")) {
    std::string f = obj.Field("identifiers");
    if (!ids->is_array()) return Malformed(f + " must be an array of {kind, value}", f);
    if (ids->size() > kMaxIdentifiers) {
      return Invalid(f + " holds " + std::to_string(ids->size()) + " entries; at most " +
                         std::to_string(kMaxIdentifiers) + " per report",
                     f);
    }
    for (size_t i = 0; i < ids->size(); ++i) {
      std::string p = f + "[" + std::to_string(i) + "]";
      if (!(*ids)[i].is_object()) return Malformed(p + " must be an object {kind, value}", p);
      intake::JsonObject io((*ids)[i], p);
      BEACON_RETURN_IF_ERROR(io.OnlyKeys({"kind", "value"}));
      auto kind = io.String("kind", 16);
      if (!kind) return kind.error();
      auto k = ParseKind(*kind);
      if (!k) {
        return Invalid(io.Field("kind") +
                           " must be one of phone, url, domain, email, wallet, iban, account "
                           "(got \"" +
                           *kind + "\")",
                       io.Field("kind"));
      }
      auto value = io.String("value", 2048);
      if (!value) return value.error();
      in.identifiers.push_back({*k, std::move(*value)});
    }
  }
  auto loss = obj.OptObject("loss");
  if (!loss) return loss.error();
  if (*loss) {
    BEACON_RETURN_IF_ERROR((*loss)->OnlyKeys({"amount", "currency"}));
    auto amount = (*loss)->Number("amount");
    if (!amount) return amount.error();
    if (!(*amount >= 0 && *amount <= 1e12)) {
      return Invalid((*loss)->Field("amount") + " must be between 0 and 1e12",
                     (*loss)->Field("amount"));
    }
    auto currency = (*loss)->String("currency", 3);
    if (!currency) return currency.error();
    if (currency->size() != 3 || !std::all_of(currency->begin(), currency->end(),
                                              [](char c) { return c >= 'A' && c <= 'Z'; })) {
      return Invalid((*loss)->Field("currency") + " must be an ISO 4217 code such as USD",
                     (*loss)->Field("currency"));
    }
    in.loss = Loss{*amount, *currency};
  }
  auto reporter = obj.OptObject("reporter");
  if (!reporter) return reporter.error();
  if (*reporter) {
    BEACON_RETURN_IF_ERROR((*reporter)->OnlyKeys({"name", "phone", "email"}));
    auto name = (*reporter)->OptString("name", 200);
    if (!name) return name.error();
    auto phone = (*reporter)->OptString("phone", 32);
    if (!phone) return phone.error();
    auto email = (*reporter)->OptString("email", 254);
    if (!email) return email.error();
    if (*phone) {
      int digits = 0;
      for (char c : **phone) {
        if (c >= '0' && c <= '9') {
          ++digits;
        } else if (c != '+' && c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
          digits = -1000;
        }
      }
      if (digits < 3) {
        return Invalid((*reporter)->Field("phone") + " may hold only digits, spaces and + - ( ) .",
                       (*reporter)->Field("phone"));
      }
    }
    if (*email && (**email).find('@') == std::string::npos) {
      return Invalid((*reporter)->Field("email") + " must be an e-mail address",
                     (*reporter)->Field("email"));
    }
    in.reporter = {*name, *phone, *email};
  }
  auto ext = obj.OptString("external_id", kMaxExternalId);
  if (!ext) return ext.error();
  if (*ext && (*ext)->empty()) {
    return Invalid(obj.Field("external_id") + " must not be empty", obj.Field("external_id"));
  }
  in.external_id = *ext;
  if (in.text.empty() && in.identifiers.empty()) {
    return Invalid(where + " needs a text or at least one identifier", Field(path, "text"));
  }
  return in;
}

Result<std::vector<ReportIdentifier>> PrepareIdentifiers(const ReportInput& in, const Normaliser& n,
                                                         const std::string& path) {
  std::vector<ReportIdentifier> out;
  std::set<std::string> seen;
  for (size_t i = 0; i < in.identifiers.size(); ++i) {
    const auto& g = in.identifiers[i];
    auto ids =
        n.Normalise(g.kind, g.value, Field(path, "identifiers[" + std::to_string(i) + "].value"));
    if (!ids) return ids.error();
    for (auto& id : *ids) {
      if (!seen.insert(id.Key()).second) continue;
      ReportIdentifier r;
      r.id = std::move(id);
      out.push_back(std::move(r));
    }
  }
  for (auto& x : ExtractIdentifiers(in.text, n)) {
    if (!seen.insert(x.id.Key()).second) continue;
    ReportIdentifier r;
    r.id = std::move(x.id);
    r.from_text = true;
    r.spoken = x.spoken;
    r.begin = x.begin;
    r.end = x.end;
    out.push_back(std::move(r));
  }
  return out;
}

json ToJson(const ReportIdentifier& r) {
  json j = {{"kind", ToString(r.id.kind)}, {"value", r.id.value}, {"valid", r.id.valid}};
  if (!r.id.note.empty()) j["note"] = r.id.note;
  j["source"] = r.from_text ? (r.spoken ? "spoken" : "text") : "given";
  if (r.from_text) j["span"] = {r.begin, r.end};
  return j;
}

ReportIdentifier ReportIdentifierFromJson(const json& j) {
  ReportIdentifier r;
  auto kind = ParseKind(j.at("kind").get<std::string>());
  if (!kind) throw json::other_error::create(501, "unknown identifier kind", &j);
  r.id.kind = *kind;
  r.id.value = j.at("value").get<std::string>();
  r.id.valid = j.value("valid", true);
  r.id.note = j.value("note", std::string());
  std::string source = j.value("source", std::string("given"));
  r.from_text = source != "given";
  r.spoken = source == "spoken";
  if (r.from_text && j.contains("span")) {
    r.begin = j["span"].at(0).get<size_t>();
    r.end = j["span"].at(1).get<size_t>();
  }
  return r;
}

}  // namespace beacon::scam
