// Center commands of the camera registry: cameras, the nearest to an
// incident, and audited views. Beacon never looks at video.
#include "service/center.h"
#include "service/center_tx.h"

#include <algorithm>

#include "common/geo.h"

namespace beacon::service {

namespace {

Json CameraSummary(const model::Camera& c) {
  return {{"id", c.id.value()}, {"name", c.name}, {"lat", c.location.lat}, {"lon", c.location.lon}};
}

}  // namespace

void Center::CreateCamera(const Actor& a, intake::CameraCreateRequest req, Done done) {
  std::unique_lock lock(mu_);
  Tx tx(*this, a);
  model::Camera c{CameraId{next_camera_++},
                  std::move(req.name),
                  req.location,
                  std::move(req.stream_url),
                  tx.now(),
                  a.user};
  tx.Put(c);
  // The stream URL is handed out only by the audited view, never in events.
  tx.Event("camera.created", Json{{"camera", CameraSummary(c)}});
  tx.Audit("camera.create", "camera/" + std::to_string(c.id.value()));
  Json body = model::ToJson(c);
  cameras_.emplace(c.id.value(), std::move(c));
  Submit(tx, std::move(body), std::move(done));
}

Json Center::ListCameras() const {
  std::lock_guard lock(mu_);
  Json arr = Json::array();
  for (const auto& [id, c] : cameras_) arr.push_back(CameraSummary(c));
  return {{"cameras", std::move(arr)}};
}

Result<Json> Center::NearestCameras(IncidentId id, size_t limit) const {
  std::lock_guard lock(mu_);
  auto it = incidents_.find(id.value());
  if (it == incidents_.end()) return NotFound("no incident " + std::to_string(id.value()));
  Json arr = Json::array();
  if (it->second.location) {
    LatLon where = *it->second.location;
    std::vector<std::pair<double, const model::Camera*>> by_distance;
    for (const auto& [cid, c] : cameras_)
      by_distance.push_back({HaversineM(where, c.location), &c});
    size_t n = std::min(limit, by_distance.size());
    std::partial_sort(by_distance.begin(), by_distance.begin() + n, by_distance.end(),
                      [](const auto& x, const auto& y) {
                        if (x.first != y.first) return x.first < y.first;
                        return x.second->id.value() < y.second->id.value();
                      });
    for (size_t i = 0; i < n; ++i) {
      Json j = CameraSummary(*by_distance[i].second);
      j["distance_m"] = std::round(by_distance[i].first);
      arr.push_back(std::move(j));
    }
  }
  return Json{{"incident_id", id.value()}, {"cameras", std::move(arr)}};
}

void Center::ViewCamera(const Actor& a, IncidentId incident, CameraId camera, Done done) {
  std::unique_lock lock(mu_);
  if (!incidents_.count(incident.value())) {
    return done(NotFound("no incident " + std::to_string(incident.value())));
  }
  auto it = cameras_.find(camera.value());
  if (it == cameras_.end()) return done(NotFound("no camera " + std::to_string(camera.value())));
  Tx tx(*this, a);
  tx.Audit("camera.view",
           "camera/" + std::to_string(camera.value()) + " for " + IncidentObject(incident));
  Submit(tx,
         {{"incident_id", incident.value()},
          {"camera_id", camera.value()},
          {"name", it->second.name},
          {"stream_url", it->second.stream_url}},
         std::move(done));
}

}  // namespace beacon::service
