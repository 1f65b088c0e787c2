#include "api/routes.h"

#include <boost/asio/post.hpp>
#include <charconv>
#include <cmath>

#include "api/route_util.h"
#include "intake/requests.h"

namespace beacon::api {

using model::Permission;
using nlohmann::json;
using service::Done;

void RegisterRoutes(Router& router, RouteDeps d) {
  auto& center = d.center;
  const std::string v1 = "/api/v1";

  router.Add("GET", v1 + "/healthz", std::nullopt, [&center](const Context&, Reply reply) {
    auto s = center.Stats();
    reply(JsonResponse(200, {{"status", "ok"}, {"last_seq", s.last_seq}}));
  });

  router.Add("GET", v1 + "/openapi.yaml", std::nullopt, [](const Context&, Reply reply) {
    Response r;
    r.content_type = "application/yaml";
    r.body = std::string(OpenApiSpec());
    reply(std::move(r));
  });

  router.Add("POST", v1 + "/auth/login", std::nullopt,
             [&auth = d.auth, &pool = d.blocking](const Context& c, Reply reply) {
               auto req = intake::ParseLoginRequest(c.request->body);
               if (!req) return reply(ErrorResponse(req.error()));
               boost::asio::post(pool, [&auth, req = std::move(*req), reply = std::move(reply)] {
                 auth.Login(req.username, req.password, Respond(reply, 200));
               });
             });

  router.Add("POST", v1 + "/auth/logout", Permission::kOwnSession,
             [&auth = d.auth](const Context& c, Reply reply) {
               std::string user = c.actor.user;
               auth.Logout(c.actor, BearerToken(c.request->authorization),
                           [reply = std::move(reply), user](const Status& s) {
                             if (!s.ok()) return reply(ErrorResponse(s));
                             reply(JsonResponse(200, {{"username", user}, {"logged_out", true}}));
                           });
             });

  router.Add("GET", v1 + "/metrics", Permission::kReadMetrics,
             [&center, &m = d.metrics](const Context&, Reply reply) {
               Response r;
               r.content_type = "text/plain; version=0.0.4";
               r.body = m.Render(center.Stats());
               reply(std::move(r));
             });

  router.Add("POST", v1 + "/calls", Permission::kCreateCall,
             [&center](const Context& c, Reply reply) {
               auto in = intake::ParseCallRequest(c.request->body);
               if (!in) return reply(ErrorResponse(in.error()));
               center.CreateCall(c.actor, std::move(*in), Respond(std::move(reply), 201));
             });

  router.Add("GET", v1 + "/calls/{id}", Permission::kReadOperations,
             [&center](const Context& c, Reply reply) {
               auto id = PathId(c.params[0]);
               if (!id) return reply(ErrorResponse(BadId("call", c.params[0])));
               center.GetCall(c.actor, CallId{*id}, Respond(std::move(reply), 200));
             });

  router.Add("GET", v1 + "/incidents", Permission::kReadOperations,
             [&center](const Context& c, Reply reply) {
               auto it = c.request->query.find("status");
               bool given = it != c.request->query.end() && !it->second.empty();
               auto r = center.ListIncidents(given ? it->second : "open");
               Respond(std::move(reply), 200)(std::move(r));
             });

  router.Add("GET", v1 + "/incidents/{id}", Permission::kReadOperations,
             [&center](const Context& c, Reply reply) {
               auto id = PathId(c.params[0]);
               if (!id) return reply(ErrorResponse(BadId("incident", c.params[0])));
               center.GetIncident(c.actor, IncidentId{*id}, Respond(std::move(reply), 200));
             });

  router.Add("GET", v1 + "/incidents/{id}/recommendations", Permission::kReadOperations,
             [&center](const Context& c, Reply reply) {
               auto id = PathId(c.params[0]);
               if (!id) return reply(ErrorResponse(BadId("incident", c.params[0])));
               Respond(std::move(reply), 200)(center.Recommend(IncidentId{*id}));
             });

  router.Add("POST", v1 + "/incidents/{id}/assignments", Permission::kDispatch,
             [&center](const Context& c, Reply reply) {
               auto id = PathId(c.params[0]);
               if (!id) return reply(ErrorResponse(BadId("incident", c.params[0])));
               auto req = intake::ParseAssignmentRequest(c.request->body);
               if (!req) return reply(ErrorResponse(req.error()));
               center.Assign(c.actor, IncidentId{*id}, req->unit_id, Respond(std::move(reply), 201),
                             req->divert);
             });

  router.Add("POST", v1 + "/incidents/{id}/merge", Permission::kSupervise,
             [&center](const Context& c, Reply reply) {
               auto id = PathId(c.params[0]);
               if (!id) return reply(ErrorResponse(BadId("incident", c.params[0])));
               auto into = intake::ParseMergeRequest(c.request->body);
               if (!into) return reply(ErrorResponse(into.error()));
               center.Merge(c.actor, IncidentId{*id}, *into, Respond(std::move(reply), 200));
             });

  router.Add("POST", v1 + "/incidents/{id}/split", Permission::kSupervise,
             [&center](const Context& c, Reply reply) {
               auto id = PathId(c.params[0]);
               if (!id) return reply(ErrorResponse(BadId("incident", c.params[0])));
               auto req = intake::ParseSplitRequest(c.request->body);
               if (!req) return reply(ErrorResponse(req.error()));
               center.Split(c.actor, IncidentId{*id}, std::move(req->call_ids),
                            Respond(std::move(reply), 201));
             });

  router.Add("POST", v1 + "/incidents/{id}/close", Permission::kSupervise,
             [&center](const Context& c, Reply reply) {
               auto id = PathId(c.params[0]);
               if (!id) return reply(ErrorResponse(BadId("incident", c.params[0])));
               auto disp = intake::ParseCloseRequest(c.request->body);
               if (!disp) return reply(ErrorResponse(disp.error()));
               center.Close(c.actor, IncidentId{*id}, std::move(*disp),
                            Respond(std::move(reply), 200));
             });

  router.Add(
      "GET", v1 + "/incident-types", Permission::kReadResources,
      [&center](const Context&, Reply reply) { reply(JsonResponse(200, center.IncidentTypes())); });

  router.Add(
      "GET", v1 + "/units", Permission::kReadResources,
      [&center](const Context&, Reply reply) { reply(JsonResponse(200, center.ListUnits())); });

  router.Add("POST", v1 + "/units", Permission::kManageResources,
             [&center](const Context& c, Reply reply) {
               auto req = intake::ParseUnitCreateRequest(c.request->body);
               if (!req) return reply(ErrorResponse(req.error()));
               center.CreateUnit(c.actor, std::move(*req), Respond(std::move(reply), 201));
             });

  router.Add("POST", v1 + "/units/{id}/status", Permission::kDispatch,
             [&center](const Context& c, Reply reply) {
               auto st = intake::ParseUnitStatusRequest(c.request->body);
               if (!st) return reply(ErrorResponse(st.error()));
               center.SetUnitStatus(c.actor, UnitId{c.params[0]}, *st,
                                    Respond(std::move(reply), 200));
             });

  router.Add("POST", v1 + "/units/{id}/position", Permission::kDispatch,
             [&center](const Context& c, Reply reply) {
               auto pos = intake::ParsePositionRequest(c.request->body);
               if (!pos) return reply(ErrorResponse(pos.error()));
               center.SetUnitPosition(c.actor, UnitId{c.params[0]}, *pos,
                                      Respond(std::move(reply), 200));
             });

  router.Add(
      "GET", v1 + "/stations", Permission::kReadResources,
      [&center](const Context&, Reply reply) { reply(JsonResponse(200, center.ListStations())); });

  router.Add("POST", v1 + "/stations", Permission::kManageResources,
             [&center](const Context& c, Reply reply) {
               auto req = intake::ParseStationCreateRequest(c.request->body);
               if (!req) return reply(ErrorResponse(req.error()));
               center.CreateStation(c.actor, std::move(*req), Respond(std::move(reply), 201));
             });

  // The upgrade itself is handled by the HTTP server; a plain GET lands here.
  router.Add("GET", v1 + "/stream", Permission::kReadOperations, [](const Context&, Reply reply) {
    Response r = ErrorResponse(426, "upgrade_required",
                               "GET /api/v1/stream is a WebSocket; send an Upgrade request");
    r.headers.push_back({"Upgrade", "websocket"});
    reply(std::move(r));
  });

  router.Add(
      "GET", v1 + "/route", Permission::kReadOperations,
      [network = d.network](const Context& c, Reply reply) {
        if (!network) {
          return reply(
              ErrorResponse(NotFound("this server has no road graph; start it with --graph FILE "
                                     "(made by beacon import-osm)")));
        }
        LatLon ends[2];
        const char* keys[] = {"from", "to"};
        for (int i = 0; i < 2; ++i) {
          auto it = c.request->query.find(keys[i]);
          if (it == c.request->query.end()) {
            return reply(
                ErrorResponse(Malformed(std::string(keys[i]) + " is required (LAT,LON)", keys[i])));
          }
          auto p = ParseLatLon(it->second);
          if (!p) {
            return reply(ErrorResponse(
                Invalid(std::string(keys[i]) + " must be LAT,LON with lat in [-90, 90] and lon in "
                                               "[-180, 180]",
                        keys[i])));
          }
          ends[i] = *p;
        }
        auto r = network->Route(ends[0], ends[1]);
        if (!r) return reply(ErrorResponse(r.error()));
        json coords = json::array();
        for (const auto& p : r->geometry) coords.push_back({p.lon, p.lat});
        reply(JsonResponse(200, {{"eta_s", std::round(r->eta_s * 10) / 10},
                                 {"distance_m", std::round(r->distance_m)},
                                 {"from_snap_m", std::round(r->from_snap_m * 10) / 10},
                                 {"to_snap_m", std::round(r->to_snap_m * 10) / 10},
                                 {"geometry", {{"type", "LineString"}, {"coordinates", coords}}}}));
      });

  router.Add("GET", v1 + "/audit", Permission::kReadAudit,
             [&store = d.store](const Context& c, Reply reply) {
               store::AuditQuery q;
               Status err;
               q.from = QueryTime(*c.request, "from", err);
               q.to = QueryTime(*c.request, "to", err);
               if (!err.ok()) return reply(ErrorResponse(err));
               const auto& query = c.request->query;
               if (auto it = query.find("user"); it != query.end() && !it->second.empty()) {
                 q.user = it->second;
               }
               if (auto v = QueryInt(*c.request, "after", INT64_MAX, err)) q.after_seq = *v;
               if (auto v = QueryInt(*c.request, "limit", 10000, err)) q.limit = *v;
               if (!err.ok()) return reply(ErrorResponse(err));
               auto entries = store.ReadAudit(q);
               if (!entries) return reply(ErrorResponse(entries.error()));
               json arr = json::array();
               for (const auto& e : *entries) {
                 arr.push_back({{"seq", e.seq},
                                {"time", FormatRfc3339(e.record.time)},
                                {"user", e.record.user},
                                {"role", e.record.role},
                                {"action", e.record.action},
                                {"object", e.record.object},
                                {"reason", e.record.reason},
                                {"prev_hash", e.prev_hash},
                                {"hash", e.hash}});
               }
               reply(JsonResponse(200, {{"entries", std::move(arr)}}));
             });

  router.Add("POST", v1 + "/users", Permission::kManageUsers,
             [&store = d.store, &pool = d.blocking](const Context& c, Reply reply) {
               auto req = intake::ParseUserCreateRequest(c.request->body);
               if (!req) return reply(ErrorResponse(req.error()));
               boost::asio::post(pool, [&store, actor = c.actor, req = std::move(*req),
                                        reply = std::move(reply)] {
                 auto hash = HashPassword(req.password);
                 if (!hash) return reply(ErrorResponse(hash.error()));
                 store::Batch b;
                 auto now = SystemClock().Now();
                 b.users.push_back({req.username, req.role, *hash, now});
                 b.audit.push_back({now, actor.user, std::string(model::ToString(actor.role)),
                                    "user.create", "user/" + req.username, actor.reason});
                 json body = {{"username", req.username}, {"role", model::ToString(req.role)}};
                 store.Submit(std::move(b), [reply, body](const Status& s) {
                   if (!s.ok()) return reply(ErrorResponse(s));
                   reply(JsonResponse(201, body));
                 });
               });
             });

  auto set_disabled = [&auth = d.auth](bool disabled) {
    return [&auth, disabled](const Context& c, Reply reply) {
      auth.SetDisabled(c.actor, c.params[0], disabled, Respond(std::move(reply), 200));
    };
  };
  router.Add("POST", v1 + "/users/{name}/disable", Permission::kManageUsers, set_disabled(true));
  router.Add("POST", v1 + "/users/{name}/enable", Permission::kManageUsers, set_disabled(false));

  router.Add("DELETE", v1 + "/sessions", Permission::kManageUsers,
             [&auth = d.auth](const Context& c, Reply reply) {
               auto it = c.request->query.find("user");
               if (it == c.request->query.end() || it->second.empty()) {
                 return reply(ErrorResponse(
                     Malformed("user is required: DELETE /api/v1/sessions?user=NAME", "user")));
               }
               auth.RevokeSessions(c.actor, it->second, Respond(std::move(reply), 200));
             });

  RegisterPlanningRoutes(router, d);
  RegisterMapRoutes(router, d);
  RegisterExchangeRoutes(router, d);
  RegisterCapRoutes(router, d);
  RegisterFloorRoutes(router, d);
  RegisterGeocodeRoutes(router, d);
  RegisterStatsRoutes(router, d);
  RegisterScamRoutes(router, d);
}

}  // namespace beacon::api
