// Placing a call on intake: geocoding its address, or labelling its
// location (docs/geocoding.md).
#include "service/center.h"

namespace beacon::service {

Json Center::ResolveLocation(model::CallInput& in) const {
  Json out = Json::object();
  model::LocationInfo& info = in.location_info;
  if (in.location) {
    // Without a geocoder a located call is stored exactly as before.
    if (resolver_ && !info.source) info.source = "reported";
    if (resolver_ && !info.label) info.label = resolver_->Describe(*in.location);
  } else if (in.address) {
    std::optional<ResolvedAddress> r;
    if (resolver_) r = resolver_->Resolve(*in.address);
    if (r) {
      in.location = r->location;
      info.source = "geocoded";
      info.label = r->label;
      info.verified = r->verified;
      out["location"] = {{"lat", r->location.lat}, {"lon", r->location.lon}};
      out["geocode"] = {{"kind", r->kind}, {"why", r->why}};
    } else {
      info.verified = false;
      out["location_warning"] =
          resolver_ ? "address \"" + *in.address +
                          "\" was not found: the incident has no location until someone sets one"
                    : std::string(
                          "this server has no geocoder (no --graph with a gazetteer, no "
                          "--addresses): the incident has no location until someone sets "
                          "one");
    }
  }
  model::PutLocationInfo(out, info);
  return out;
}

}  // namespace beacon::service
