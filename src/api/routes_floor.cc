// The dispatch floor's routes (docs/dispatch.md): notes on incidents,
// changes to incidents and calls, the duplicate check a call form runs
// before a call is taken, timers, facilities and premise notes.

#include "api/route_util.h"
#include "api/routes.h"
#include "intake/requests.h"

namespace beacon::api {

using model::Permission;

void RegisterFloorRoutes(Router& router, const RouteDeps& d) {
  auto& center = d.center;
  const std::string v1 = "/api/v1";

  router.Add("POST", v1 + "/incidents/{id}/notes", Permission::kCreateCall,
             [&center](const Context& c, Reply reply) {
               auto id = PathId(c.params[0]);
               if (!id) return reply(ErrorResponse(BadId("incident", c.params[0])));
               auto text = intake::ParseNoteRequest(c.request->body);
               if (!text) return reply(ErrorResponse(text.error()));
               center.AddNote(c.actor, IncidentId{*id}, std::move(*text),
                              Respond(std::move(reply), 201));
             });

  router.Add("PATCH", v1 + "/incidents/{id}", Permission::kDispatch,
             [&center](const Context& c, Reply reply) {
               auto id = PathId(c.params[0]);
               if (!id) return reply(ErrorResponse(BadId("incident", c.params[0])));
               auto req = intake::ParseIncidentPatchRequest(c.request->body);
               if (!req) return reply(ErrorResponse(req.error()));
               center.PatchIncident(c.actor, IncidentId{*id}, std::move(*req),
                                    Respond(std::move(reply), 200));
             });

  router.Add("PATCH", v1 + "/calls/{id}", Permission::kCreateCall,
             [&center](const Context& c, Reply reply) {
               auto id = PathId(c.params[0]);
               if (!id) return reply(ErrorResponse(BadId("call", c.params[0])));
               auto req = intake::ParseCallPatchRequest(c.request->body);
               if (!req) return reply(ErrorResponse(req.error()));
               center.PatchCall(c.actor, CallId{*id}, std::move(*req),
                                Respond(std::move(reply), 200));
             });

  router.Add(
      "GET", v1 + "/duplicates", Permission::kCreateCall, [&center](const Context& c, Reply reply) {
        const auto& q = c.request->query;
        intake::DuplicateQuery dq;
        auto where = QueryLatLon(*c.request, /*required=*/true);
        if (!where) return reply(ErrorResponse(where.error()));
        dq.location = **where;
        auto type = q.find("incident_type");
        if (type == q.end() || type->second.empty()) {
          return reply(ErrorResponse(Invalid(
              "incident_type is required (GET /incident-types lists the codes)", "incident_type")));
        }
        dq.incident_type = type->second;
        if (auto p = q.find("phone"); p != q.end() && !p->second.empty()) {
          dq.phone = p->second;
        }
        if (auto p = q.find("alarm_panel"); p != q.end() && !p->second.empty()) {
          dq.alarm_panel = p->second;
        }
        Respond(std::move(reply), 200)(center.PossibleDuplicates(dq));
      });

  router.Add(
      "GET", v1 + "/timers", Permission::kReadOperations,
      [&center](const Context&, Reply reply) { reply(JsonResponse(200, center.ListTimers())); });

  router.Add("POST", v1 + "/timers/{id}/acknowledge", Permission::kDispatch,
             [&center](const Context& c, Reply reply) {
               center.AcknowledgeTimer(c.actor, c.params[0], Respond(std::move(reply), 200));
             });

  router.Add("GET", v1 + "/facilities", Permission::kReadResources,
             [&center](const Context&, Reply reply) {
               reply(JsonResponse(200, center.ListFacilities()));
             });

  router.Add("POST", v1 + "/facilities", Permission::kManageResources,
             [&center](const Context& c, Reply reply) {
               auto req = intake::ParseFacilityCreateRequest(c.request->body);
               if (!req) return reply(ErrorResponse(req.error()));
               center.CreateFacility(c.actor, std::move(*req), Respond(std::move(reply), 201));
             });

  router.Add("POST", v1 + "/facilities/{id}/status", Permission::kDispatch,
             [&center](const Context& c, Reply reply) {
               auto st = intake::ParseFacilityStatusRequest(c.request->body);
               if (!st) return reply(ErrorResponse(st.error()));
               center.SetFacilityStatus(c.actor, FacilityId{c.params[0]}, *st,
                                        Respond(std::move(reply), 200));
             });

  router.Add("GET", v1 + "/premises", Permission::kReadOperations,
             [&center](const Context& c, Reply reply) {
               auto near = QueryLatLon(*c.request, /*required=*/false);
               if (!near) return reply(ErrorResponse(near.error()));
               center.ListPremises(c.actor, *near, Respond(std::move(reply), 200));
             });

  router.Add("POST", v1 + "/premises", Permission::kSupervise,
             [&center](const Context& c, Reply reply) {
               auto req = intake::ParsePremiseCreateRequest(c.request->body);
               if (!req) return reply(ErrorResponse(req.error()));
               center.CreatePremise(c.actor, std::move(*req), Respond(std::move(reply), 201));
             });
}

}  // namespace beacon::api
