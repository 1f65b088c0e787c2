// The dispatch floor's routes (docs/dispatch.md): notes on incidents,
// changes to incidents and calls, and the duplicate check a call form runs
// before a call is taken.
#include <cstdlib>

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
        double coord[2];
        const char* keys[] = {"lat", "lon"};
        for (int i = 0; i < 2; ++i) {
          auto it = q.find(keys[i]);
          char* end = nullptr;
          double v = it == q.end() ? 0 : std::strtod(it->second.c_str(), &end);
          double lim = i == 0 ? 90 : 180;
          if (it == q.end() || it->second.empty() || *end != '\0' || !(v >= -lim) || !(v <= lim)) {
            return reply(ErrorResponse(
                Invalid(std::string(keys[i]) + " is required: a number in [-" +
                            std::to_string(int(lim)) + ", " + std::to_string(int(lim)) + "]",
                        keys[i])));
          }
          coord[i] = v;
        }
        dq.location = {coord[0], coord[1]};
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
}

}  // namespace beacon::api
