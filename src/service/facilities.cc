// Center commands on facilities: hospitals, trauma centres and yards that
// transporting units go to, with their status (open, diversion, closed)
// shown in the destination picker.
#include "service/center.h"
#include "service/center_tx.h"

namespace beacon::service {

namespace {
std::string FacilityObject(const FacilityId& id) { return "facility/" + id.value(); }
}  // namespace

void Center::CreateFacility(const Actor& a, intake::FacilityCreateRequest req, Done done) {
  std::unique_lock lock(mu_);
  if (facilities_.count(req.facility_id.value())) {
    return done(Conflict("facility " + req.facility_id.value() + " already exists", "facility_id"));
  }
  Tx tx(*this, a);
  model::Facility f;
  f.id = req.facility_id;
  f.name = std::move(req.name);
  f.kind = std::move(req.kind);
  f.location = req.location;
  f.address = std::move(req.address);
  f.status = req.status;
  f.status_at = tx.now();
  f.status_by = a.user;
  Json j = model::ToJson(f);
  tx.Put(f);
  tx.Event("facility.created", Json{{"facility", j}});
  tx.Audit("facility.create", FacilityObject(f.id));
  facilities_.emplace(f.id.value(), std::move(f));
  Submit(tx, std::move(j), std::move(done));
}

void Center::SetFacilityStatus(const Actor& a, FacilityId id, model::FacilityStatus status,
                               Done done) {
  std::unique_lock lock(mu_);
  auto it = facilities_.find(id.value());
  if (it == facilities_.end()) return done(NotFound("no facility " + id.value()));
  model::Facility& f = it->second;
  Tx tx(*this, a);
  std::string from(model::ToString(f.status));
  f.status = status;
  f.status_at = tx.now();
  f.status_by = a.user;
  Json j = model::ToJson(f);
  tx.Put(f);
  tx.Event("facility.updated", Json{{"facility", j}});
  tx.Audit("facility.status",
           FacilityObject(f.id) + ":" + from + "->" + std::string(model::ToString(status)));
  Submit(tx, std::move(j), std::move(done));
}

Json Center::ListFacilities() const {
  std::lock_guard lock(mu_);
  Json arr = Json::array();
  for (const auto& [id, f] : facilities_) arr.push_back(model::ToJson(f));
  return {{"facilities", std::move(arr)}};
}

}  // namespace beacon::service
