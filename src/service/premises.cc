// Center commands on premise notes: what responders should know about a
// place. A note that can name a resident (names_resident) is personal data:
// its text is shown only to roles that may read personal data, and every
// such read is an audit record "premise.read" (docs/roles.md).
#include "service/center.h"
#include "service/center_tx.h"

#include <cmath>

#include "model/permissions.h"

namespace beacon::service {

namespace {

std::string PremiseObject(PremiseId id) { return "premise/" + std::to_string(id.value()); }

// The note as a role sees it: without its text when it names a resident and
// the role may not read personal data.
Json Visible(const model::Premise& p, bool may_read_personal, const std::string& today) {
  Json j = model::ToJson(p);
  if (p.names_resident && !may_read_personal) {
    j.erase("text");
    j["redacted"] = true;
  }
  j["needs_review"] = model::NeedsReview(p, today);
  return j;
}

std::string Today(TimeMs now) { return FormatRfc3339(now).substr(0, 10); }

}  // namespace

void Center::AuditPremiseReads(Tx& tx, const std::vector<PremiseId>& ids,
                               const std::string& context) {
  for (auto id : ids) tx.Audit("premise.read", PremiseObject(id) + " (" + context + ")");
}

Json Center::PremiseNotes(const Incident& inc, bool may_read_personal, bool hazards_only,
                          std::vector<PremiseId>& personal_read) const {
  Json out = Json::array();
  if (premises_.empty()) return out;
  const std::string today = Today(clock_.Now());
  for (const auto& [id, p] : premises_) {
    if (hazards_only && !p.hazard) continue;
    auto d = model::PremiseDistanceM(p, inc.location, inc.address);
    if (!d) continue;
    Json j = Visible(p, may_read_personal, today);
    j["distance_m"] = std::round(*d);
    if (p.names_resident && may_read_personal) personal_read.push_back(p.id);
    out.push_back(std::move(j));
  }
  return out;
}

void Center::CreatePremise(const Actor& a, intake::PremiseCreateRequest req, Done done) {
  std::unique_lock lock(mu_);
  Tx tx(*this, a);
  model::Premise p;
  p.id = PremiseId{next_premise_++};
  p.address = std::move(req.address);
  p.point = req.location;
  p.polygon = std::move(req.polygon);
  p.text = std::move(req.text);
  p.hazard = req.hazard;
  p.names_resident = req.names_resident;
  p.review_by = std::move(req.review_by);
  p.created_at = tx.now();
  p.created_by = a.user;
  tx.Put(p);
  // The stream reaches every operations role: a note naming a resident goes
  // out without its text.
  tx.Event("premise.created", Json{{"premise", Visible(p, false, Today(tx.now()))}});
  tx.Audit("premise.create", PremiseObject(p.id));
  Json body = Visible(p, true, Today(tx.now()));
  premises_.emplace(p.id.value(), std::move(p));
  Submit(tx, std::move(body), std::move(done));
}

void Center::ListPremises(const Actor& a, std::optional<LatLon> near, Done done) {
  std::unique_lock lock(mu_);
  const bool may = model::Allowed(a.role, model::Permission::kReadPersonal);
  const std::string today = Today(clock_.Now());
  Json arr = Json::array();
  std::vector<PremiseId> personal_read;
  for (const auto& [id, p] : premises_) {
    std::optional<double> d;
    if (near) {
      d = model::PremiseDistanceM(p, near, std::nullopt);
      if (!d) continue;
    }
    Json j = Visible(p, may, today);
    if (d) j["distance_m"] = std::round(*d);
    if (p.names_resident && may) personal_read.push_back(p.id);
    arr.push_back(std::move(j));
  }
  Json body{{"premises", std::move(arr)}};
  if (personal_read.empty()) {
    lock.unlock();
    return done(std::move(body));
  }
  Tx tx(*this, a);
  AuditPremiseReads(tx, personal_read, "list");
  Submit(tx, std::move(body), std::move(done));
}

}  // namespace beacon::service
