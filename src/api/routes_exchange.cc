// Routes that exchange incidents and map data with the outside: EIDO export
// and import (docs/eido.md), GeoJSON views of incidents and units, and the
// camera registry with its audited stream view.
#include <charconv>

#include "api/route_util.h"
#include "api/routes.h"
#include "eido/eido.h"
#include "intake/requests.h"

namespace beacon::api {

using model::Permission;
using nlohmann::json;
using service::Done;

namespace {

Response GeoJson(json features) {
  Response r =
      JsonResponse(200, {{"type", "FeatureCollection"}, {"features", std::move(features)}});
  r.content_type = "application/geo+json";
  return r;
}

json Point(const json& loc) {
  return {{"type", "Point"}, {"coordinates", {loc.at("lon"), loc.at("lat")}}};
}

// Incidents as GeoJSON points. Properties come from the incident record,
// which never holds caller personal data (that lives on the calls).
json IncidentFeatures(const json& list) {
  json out = json::array();
  for (const auto& i : list.at("incidents")) {
    auto loc = i.find("location");
    if (loc == i.end()) continue;
    json props = {{"incident_id", i.at("incident_id")}, {"incident_type", i.at("incident_type")},
                  {"priority", i.at("priority")},       {"status", i.at("status")},
                  {"opened_at", i.at("opened_at")},     {"last_call_at", i.at("last_call_at")},
                  {"calls", i.at("call_ids").size()},   {"assigned_units", i.at("assigned_units")}};
    if (i.contains("address")) props["address"] = i.at("address");
    if (i.contains("eido")) props["eido_id"] = i.at("eido").at("incident_id");
    out.push_back({{"type", "Feature"},
                   {"id", i.at("incident_id")},
                   {"geometry", Point(*loc)},
                   {"properties", std::move(props)}});
  }
  return out;
}

// Units at their last reported position, or at their station's when they
// have reported none.
json UnitFeatures(const json& units, const json& stations) {
  std::map<std::string, json> station_at;
  for (const auto& s : stations.at("stations")) {
    station_at[s.at("station_id").get<std::string>()] = s.at("location");
  }
  json out = json::array();
  for (const auto& u : units.at("units")) {
    json loc;
    std::string source;
    if (u.contains("position")) {
      loc = u.at("position");
      source = "reported";
    } else if (u.contains("station_id") &&
               station_at.count(u.at("station_id").get<std::string>())) {
      loc = station_at.at(u.at("station_id").get<std::string>());
      source = "station";
    } else {
      continue;
    }
    json props = {{"unit_id", u.at("unit_id")},
                  {"unit_type", u.at("unit_type")},
                  {"status", u.at("status")},
                  {"status_at", u.at("status_at")},
                  {"position_source", source}};
    for (const char* key : {"station_id", "incident_id", "position_at"}) {
      if (u.contains(key)) props[key] = u.at(key);
    }
    out.push_back({{"type", "Feature"},
                   {"id", u.at("unit_id")},
                   {"geometry", Point(loc)},
                   {"properties", std::move(props)}});
  }
  return out;
}

}  // namespace

void RegisterExchangeRoutes(Router& router, const RouteDeps& d) {
  auto& center = d.center;
  const std::string v1 = "/api/v1";

  router.Add("GET", v1 + "/incidents.geojson", Permission::kReadOperations,
             [&center](const Context& c, Reply reply) {
               auto it = c.request->query.find("status");
               bool given = it != c.request->query.end() && !it->second.empty();
               auto r = center.ListIncidents(given ? it->second : "open");
               if (!r) return reply(ErrorResponse(r.error()));
               reply(GeoJson(IncidentFeatures(*r)));
             });

  router.Add("GET", v1 + "/units.geojson", Permission::kReadResources,
             [&center](const Context&, Reply reply) {
               reply(GeoJson(UnitFeatures(center.ListUnits(), center.ListStations())));
             });

  router.Add("GET", v1 + "/incidents/{id}/eido", Permission::kExportIncidents,
             [&center, self = d.eido_self](const Context& c, Reply reply) {
               auto id = PathId(c.params[0]);
               if (!id) return reply(ErrorResponse(BadId("incident", c.params[0])));
               center.ExportIncident(c.actor, IncidentId{*id}, self,
                                     Respond(std::move(reply), 200));
             });

  router.Add("POST", v1 + "/eido", Permission::kImportIncidents,
             [&center, self = d.eido_self](const Context& c, Reply reply) {
               auto doc = eido::Parse(c.request->body);
               if (!doc) return reply(ErrorResponse(doc.error()));
               center.ImportIncident(c.actor, std::move(*doc), self,
                                     Respond(std::move(reply), 200));
             });

  router.Add(
      "GET", v1 + "/cameras", Permission::kReadResources,
      [&center](const Context&, Reply reply) { reply(JsonResponse(200, center.ListCameras())); });

  router.Add("POST", v1 + "/cameras", Permission::kManageResources,
             [&center](const Context& c, Reply reply) {
               auto req = intake::ParseCameraCreateRequest(c.request->body);
               if (!req) return reply(ErrorResponse(req.error()));
               center.CreateCamera(c.actor, std::move(*req), Respond(std::move(reply), 201));
             });

  router.Add(
      "GET", v1 + "/incidents/{id}/cameras", Permission::kViewCameras,
      [&center](const Context& c, Reply reply) {
        auto id = PathId(c.params[0]);
        if (!id) return reply(ErrorResponse(BadId("incident", c.params[0])));
        std::int64_t limit = 5;
        if (auto it = c.request->query.find("limit"); it != c.request->query.end()) {
          const std::string& s = it->second;
          auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), limit);
          if (ec != std::errc() || p != s.data() + s.size() || limit < 1 || limit > 50) {
            return reply(ErrorResponse(Invalid("limit must be an integer from 1 to 50", "limit")));
          }
        }
        Respond(std::move(reply),
                200)(center.NearestCameras(IncidentId{*id}, static_cast<size_t>(limit)));
      });

  router.Add("POST", v1 + "/incidents/{id}/cameras/{camera_id}/view", Permission::kViewCameras,
             [&center](const Context& c, Reply reply) {
               auto id = PathId(c.params[0]);
               if (!id) return reply(ErrorResponse(BadId("incident", c.params[0])));
               auto cam = PathId(c.params[1]);
               if (!cam) return reply(ErrorResponse(BadId("camera", c.params[1])));
               center.ViewCamera(c.actor, IncidentId{*id}, CameraId{*cam},
                                 Respond(std::move(reply), 200));
             });
}

}  // namespace beacon::api
