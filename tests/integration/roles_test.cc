// Role-based access to every route, for every role, against the real beacon
// binary. The expected table is written from the product rules, not copied
// from src/model/permissions.cc, so a wrong entry there shows up here:
//
//   call_taker  create calls, read incidents (and their calls)
//   dispatcher  + assignments, unit status and position
//   supervisor  + merge, split, close, create units and stations
//   analyst     read-only, without caller personal data
//   auditor     the audit log only
//   admin       users, units, stations
//   EIDO export carries caller data (call_taker, dispatcher, supervisor);
//   EIDO import changes incidents (dispatcher, supervisor); cameras near an
//   incident and their audited view are for the roles working incidents.
//   Timers are read by the operations roles and acknowledged by dispatchers;
//   facilities are reference data (created like units, their status set by
//   dispatchers); premise notes are read by the operations roles (redacted
//   for the analyst) and written by the supervisor.
//   fraud_analyst  the anti-scam desk: files reports (as call-takers do),
//                  reads and splits campaigns, blocklists; never incidents
//                  or callers; the supervisor reads campaigns and issues
//                  their public warnings.
//
// Every attempt gets fresh fixtures (a new call, unit, incident...) so an
// allowed request can succeed and a forbidden one would visibly change
// something if the check were missing.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <ostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "integration/scenario.h"

namespace beacon::testing {
namespace {

using RoleSet = std::set<std::string>;

const RoleSet kEveryone = {"call_taker", "dispatcher", "supervisor",   "analyst",
                           "auditor",    "admin",      "fraud_analyst"};
// Calls are created by the call taker and by the roles that build on it.
const RoleSet kCallCreators = {"call_taker", "dispatcher", "supervisor"};
// Incidents and calls (redacted for the analyst), recommendations, stream.
const RoleSet kOperationsReaders = {"call_taker", "dispatcher", "supervisor", "analyst"};
const RoleSet kDispatchers = {"dispatcher", "supervisor"};
const RoleSet kSupervisors = {"supervisor"};
const RoleSet kResourceManagers = {"supervisor", "admin"};
// Units, stations and incident types: reference data for every role except
// the auditor, who sees the audit log only.
const RoleSet kResourceReaders = {"call_taker", "dispatcher", "supervisor", "analyst", "admin"};
// Aggregate counters: the analyst's aggregates, plus the supervisor and the
// admin who run the centre and the server.
const RoleSet kMetricsReaders = {"supervisor", "analyst", "admin"};
// EIDO export carries caller name and phone: the roles that may read them.
const RoleSet kEidoExporters = {"call_taker", "dispatcher", "supervisor"};
// Cameras near an incident and the audited stream view: the roles working
// incidents, never the analyst.
const RoleSet kCameraViewers = {"call_taker", "dispatcher", "supervisor"};
const RoleSet kAuditors = {"auditor"};
// Response-time intervals: the analyst who reports on the centre and the
// supervisor who runs it.
const RoleSet kPerformanceReaders = {"supervisor", "analyst"};
const RoleSet kAdmins = {"admin"};
// The anti-scam desk: reports come from call-takers and fraud analysts; a
// report (the reporter's data audited) is read by them and the supervisor;
// campaigns by the analyst and the supervisor, who issues their warnings;
// splits, pin-outs and blocklists are the analyst's.
const RoleSet kScamReporters = {"call_taker", "fraud_analyst"};
const RoleSet kScamReportReaders = {"call_taker", "supervisor", "fraud_analyst"};
const RoleSet kScamCampaignReaders = {"supervisor", "fraud_analyst"};
const RoleSet kFraudAnalysts = {"fraud_analyst"};

constexpr Place kOrigin{40.4168, -3.7038};

// One concrete request: target relative to /api/v1, and a JSON body for
// POST (null for GET).
struct Attempt {
  std::string target;
  json body;
  std::string method = "";  // default: GET without a body, POST with one
  // Sent with a session of its own (a fresh login of the role) rather than
  // the role's shared token: for requests that end the session.
  bool own_session = false;
};

// Makes fresh fixtures through the API. Names and places are unique across
// the whole binary, whose tests share one server.
class World {
 public:
  explicit World(Api& api) : api_(api) {}

  std::string Unique(const std::string& prefix) { return prefix + std::to_string(++names_); }
  // 5 km apart from every other place handed out, so calls never link.
  Place NextPlace() {
    ++places_;
    return Offset(kOrigin, 5000.0 * (places_ % 50), 5000.0 * (places_ / 50));
  }
  json NewCall() {
    return api_.PostCall(CallBody("MEDICAL", NextPlace(),
                                  {{"caller",
                                    {{"name", "Test Caller"},
                                     // A number per call: the same one links for certain.
                                     {"phone", "555 " + std::to_string(1000 + ++phones_)}}}}));
  }
  std::string NewIncident() { return std::to_string(NewCall().at("incident_id").get<int>()); }
  // A CAP 1.2 alert with a fresh identifier at a fresh place (POST /cap).
  std::string NewCapAlert() {
    Place p = NextPlace();
    return "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>" + Unique("R") +
           "</identifier><sender>roles@test.example</sender>"
           "<sent>2026-01-01T00:00:00-00:00</sent><status>Actual</status>"
           "<msgType>Alert</msgType><scope>Public</scope><info><category>Met</category>"
           "<event>Flood</event><urgency>Expected</urgency><severity>Moderate</severity>"
           "<certainty>Likely</certainty><area><areaDesc>here</areaDesc><circle>" +
           std::to_string(p.lat) + "," + std::to_string(p.lon) +
           " 1</circle></area></info></alert>";
  }
  json NewAlertBody() {
    return {{"incident_id", std::stoi(NewIncident())},
            {"category", "Met"},
            {"urgency", "Expected"},
            {"severity", "Moderate"},
            {"certainty", "Likely"},
            {"languages", {{{"language", "en"}, {"event", "Flood"}}}},
            {"area",
             {{"description", "here"}, {"circle", {{"lat", 1}, {"lon", 2}, {"radius_km", 3}}}}}};
  }
  // An issued alert's id (issued as the supervisor).
  std::string NewIssuedAlert() {
    return std::to_string(
        api_.MustPost("/alerts", NewAlertBody(), "supervisor", 201).at("id").get<int>());
  }
  std::string NewUnit() {
    std::string id = Unique("U");
    api_.CreateUnit(id, "medic", "", NextPlace());
    return id;
  }
  std::string NewFacility() {
    std::string id = Unique("H");
    api_.MustPost("/facilities",
                  {{"facility_id", id},
                   {"name", "Hospital " + id},
                   {"kind", "hospital"},
                   {"location", ToJson(NextPlace())}},
                  "supervisor", 201);
    return id;
  }
  std::string NewCamera() {
    json c = api_.MustPost("/cameras",
                           {{"name", Unique("Camera ")},
                            {"lat", NextPlace().lat},
                            {"lon", kOrigin.lon},
                            {"stream_url", "http://127.0.0.1:9/example"}},
                           "supervisor", 201);
    return std::to_string(c.at("id").get<std::int64_t>());
  }
  // A minimal EIDO from another centre with a fresh incident tracking id.
  json NewEido() {
    return {{"$id", Unique("urn:emergency:uid:incidentid:roles-") + ":other.example"},
            {"eidoVersion", "1.0"},
            {"lastUpdateTimeStamp", "2024-05-01T12:00:00Z"},
            {"updatedByAgencyReference", {{"$ref", "other.example"}}},
            {"issuingElementIdentification", "cad.other.example"},
            {"agencyComponent", json::array()},
            {"incidentComponent",
             {{"$id", Unique("inc")},
              {"lastUpdateTimeStamp", "2024-05-01T12:00:00Z"},
              {"updatedByAgencyReference", {{"$ref", "other.example"}}},
              {"incidentTypeCommonRegistryText", "medical"},
              {"incidentTypeInternalCode", "MEDICAL"}}}};
  }
  // An incident with two calls; returns the incident and its second call.
  std::pair<std::string, std::int64_t> NewIncidentWithTwoCalls() {
    Place p = NextPlace();
    auto first = api_.PostCall(CallBody("MEDICAL", p));
    auto second = api_.PostCall(CallBody("MEDICAL", p, {{"link_to", first.at("incident_id")}}));
    EXPECT_EQ(first.at("incident_id"), second.at("incident_id")) << "second call did not link";
    return {std::to_string(first.at("incident_id").get<int>()),
            second.at("call_id").get<std::int64_t>()};
  }

  // A scam campaign of two reports linked by a number of their own;
  // returns the campaign id and the second report's id.
  std::pair<std::string, std::string> NewScamCampaign() {
    std::string phone = "+1 833 304 " + std::to_string(1000 + ++phones_ % 9000);
    json batch = {
        {"reports",
         {{{"channel", "phone"}, {"identifiers", {{{"kind", "phone"}, {"value", phone}}}}},
          {{"channel", "sms"},
           {"identifiers", {{{"kind", "phone"}, {"value", phone}}}},
           {"reporter", {{"name", "A. Reporter"}, {"phone", "+1 415 555 0100"}}}}}}};
    json r = api_.MustPost("/scam/reports:batch", batch, "fraud_analyst", 201);
    EXPECT_EQ(r["results"][0]["campaign_id"], r["results"][1]["campaign_id"]);
    return {std::to_string(r["results"][1]["campaign_id"].get<std::int64_t>()),
            std::to_string(r["results"][1]["report_id"].get<std::int64_t>())};
  }
  // A fresh analyst account (made by the admin); returns its name.
  std::string NewUser() {
    std::string name = Unique("user_");
    api_.MustPost("/users",
                  {{"username", name}, {"role", "analyst"}, {"password", "correct horse"}}, "admin",
                  201);
    return name;
  }
  json NewScamReportBody() {
    return {{"channel", "sms"}, {"text", Unique("Your parcel is held, pay the fee ")}};
  }

 private:
  Api& api_;
  static inline int names_ = 0;
  static inline int places_ = 0;
  static inline int phones_ = 0;
};

struct RouteCase {
  std::string name;  // test name suffix
  std::string method;
  std::string pattern;  // as registered in src/api/routes.cc, under /api/v1
  RoleSet allowed;
  int ok_status;
  bool is_public;
  std::function<Attempt(World&)> prepare;
};

void PrintTo(const RouteCase& c, std::ostream* os) { *os << c.method << " " << c.pattern; }

Attempt Get(std::string target) { return {std::move(target), nullptr}; }

const std::vector<RouteCase>& Routes() {
  static const std::vector<RouteCase> kRoutes = {
      {"Healthz", "GET", "/healthz", kEveryone, 200, true, [](World&) { return Get("/healthz"); }},
      {"OpenApi", "GET", "/openapi.yaml", kEveryone, 200, true,
       [](World&) { return Get("/openapi.yaml"); }},
      {"Login", "POST", "/auth/login", kEveryone, 200, true,
       [](World&) {
         return Attempt{"/auth/login", {{"username", "analyst"}, {"password", "pw-analyst"}}};
       }},
      {"Metrics", "GET", "/metrics", kMetricsReaders, 200, false,
       [](World&) { return Get("/metrics"); }},
      {"CreateCall", "POST", "/calls", kCallCreators, 201, false,
       [](World& w) {
         return Attempt{"/calls", CallBody("MEDICAL", w.NextPlace())};
       }},
      {"GetCall", "GET", "/calls/{id}", kOperationsReaders, 200, false,
       [](World& w) {
         return Get("/calls/" + std::to_string(w.NewCall().at("call_id").get<int>()));
       }},
      {"ListIncidents", "GET", "/incidents", kOperationsReaders, 200, false,
       [](World&) { return Get("/incidents?status=all"); }},
      {"GetIncident", "GET", "/incidents/{id}", kOperationsReaders, 200, false,
       [](World& w) { return Get("/incidents/" + w.NewIncident()); }},
      {"Recommendations", "GET", "/incidents/{id}/recommendations", kOperationsReaders, 200, false,
       [](World& w) { return Get("/incidents/" + w.NewIncident() + "/recommendations"); }},
      {"Assign", "POST", "/incidents/{id}/assignments", kDispatchers, 201, false,
       [](World& w) {
         return Attempt{"/incidents/" + w.NewIncident() + "/assignments",
                        {{"unit_id", w.NewUnit()}}};
       }},
      {"Merge", "POST", "/incidents/{id}/merge", kSupervisors, 200, false,
       [](World& w) {
         std::string from = w.NewIncident();
         return Attempt{"/incidents/" + from + "/merge", {{"into", std::stoi(w.NewIncident())}}};
       }},
      {"Split", "POST", "/incidents/{id}/split", kSupervisors, 201, false,
       [](World& w) {
         auto [incident, call] = w.NewIncidentWithTwoCalls();
         return Attempt{"/incidents/" + incident + "/split", {{"call_ids", {call}}}};
       }},
      {"AddNote", "POST", "/incidents/{id}/notes", kCallCreators, 201, false,
       [](World& w) {
         return Attempt{"/incidents/" + w.NewIncident() + "/notes", {{"text", "caller re-rang"}}};
       }},
      {"PatchIncident", "PATCH", "/incidents/{id}", kDispatchers, 200, false,
       [](World& w) {
         return Attempt{
             "/incidents/" + w.NewIncident(), {{"incident_type", "CARDIAC_ARREST"}}, "PATCH"};
       }},
      {"PatchCall", "PATCH", "/calls/{id}", kCallCreators, 200, false,
       [](World& w) {
         return Attempt{"/calls/" + std::to_string(w.NewCall().at("call_id").get<int>()),
                        {{"narrative", "now breathing"}},
                        "PATCH"};
       }},
      {"Duplicates", "GET", "/duplicates", kCallCreators, 200, false,
       [](World& w) {
         Place p = w.NextPlace();
         return Get("/duplicates?lat=" + std::to_string(p.lat) + "&lon=" + std::to_string(p.lon) +
                    "&incident_type=MEDICAL");
       }},
      {"Close", "POST", "/incidents/{id}/close", kSupervisors, 200, false,
       [](World& w) {
         return Attempt{"/incidents/" + w.NewIncident() + "/close", {{"disposition", "done"}}};
       }},
      {"IncidentTypes", "GET", "/incident-types", kResourceReaders, 200, false,
       [](World&) { return Get("/incident-types"); }},
      {"ListUnits", "GET", "/units", kResourceReaders, 200, false,
       [](World&) { return Get("/units"); }},
      {"CreateUnit", "POST", "/units", kResourceManagers, 201, false,
       [](World& w) {
         return Attempt{"/units", {{"unit_id", w.Unique("NEW")}, {"unit_type", "engine"}}};
       }},
      {"UnitStatus", "POST", "/units/{id}/status", kDispatchers, 200, false,
       [](World& w) {
         return Attempt{"/units/" + w.NewUnit() + "/status",
                        {{"status", "out_of_service"}, {"reason", "mechanical"}}};
       }},
      {"UnitPosition", "POST", "/units/{id}/position", kDispatchers, 200, false,
       [](World& w) {
         return Attempt{"/units/" + w.NewUnit() + "/position", ToJson(w.NextPlace())};
       }},
      {"ListStations", "GET", "/stations", kResourceReaders, 200, false,
       [](World&) { return Get("/stations"); }},
      {"CreateStation", "POST", "/stations", kResourceManagers, 201, false,
       [](World& w) {
         return Attempt{"/stations",
                        {{"station_id", w.Unique("ST")},
                         {"name", "North"},
                         {"location", ToJson(w.NextPlace())}}};
       }},
      // A plain GET of the stream route answers 426 Upgrade Required once
      // the role may read it; the WebSocket itself is checked below.
      {"StreamWithoutUpgrade", "GET", "/stream", kOperationsReaders, 426, false,
       [](World&) { return Get("/stream"); }},
      // This server runs without --graph, so a permitted role learns that
      // there is no road graph (404); routing_api_test covers the route itself.
      {"Route", "GET", "/route", kOperationsReaders, 404, false,
       [](World&) { return Get("/route?from=37.75,-122.41&to=37.76,-122.42"); }},
      // Without --graph coverage answers 409 to a permitted role;
      // planning_test covers the routes with a graph.
      {"Coverage", "GET", "/coverage", kOperationsReaders, 409, false,
       [](World&) { return Get("/coverage?seconds=240"); }},
      {"CoverageMoveUps", "GET", "/coverage/moveups", kOperationsReaders, 409, false,
       [](World&) { return Get("/coverage/moveups?seconds=240"); }},
      {"DemandStats", "GET", "/stats/demand", kOperationsReaders, 200, false,
       [](World&) { return Get("/stats/demand?by=hour"); }},
      // Without --graph there is no basemap either (404 for permitted roles).
      {"MapRoads", "GET", "/map/roads.geojson", kResourceReaders, 404, false,
       [](World&) { return Get("/map/roads.geojson"); }},
      {"Audit", "GET", "/audit", kAuditors, 200, false, [](World&) { return Get("/audit"); }},
      {"IncidentsGeoJson", "GET", "/incidents.geojson", kOperationsReaders, 200, false,
       [](World& w) {
         w.NewIncident();
         return Get("/incidents.geojson");
       }},
      {"UnitsGeoJson", "GET", "/units.geojson", kResourceReaders, 200, false,
       [](World& w) {
         w.NewUnit();
         return Get("/units.geojson");
       }},
      {"ExportEido", "GET", "/incidents/{id}/eido", kEidoExporters, 200, false,
       [](World& w) { return Get("/incidents/" + w.NewIncident() + "/eido"); }},
      {"ImportEido", "POST", "/eido", kDispatchers, 200, false,
       [](World& w) {
         return Attempt{"/eido", w.NewEido()};
       }},
      {"ListCameras", "GET", "/cameras", kResourceReaders, 200, false,
       [](World&) { return Get("/cameras"); }},
      {"CreateCamera", "POST", "/cameras", kResourceManagers, 201, false,
       [](World& w) {
         return Attempt{"/cameras",
                        {{"name", w.Unique("Cam ")},
                         {"lat", kOrigin.lat},
                         {"lon", kOrigin.lon},
                         {"stream_url", "rtsp://127.0.0.1:9/example"}}};
       }},
      {"IncidentCameras", "GET", "/incidents/{id}/cameras", kCameraViewers, 200, false,
       [](World& w) {
         w.NewCamera();
         return Get("/incidents/" + w.NewIncident() + "/cameras?limit=3");
       }},
      {"ViewCamera", "POST", "/incidents/{id}/cameras/{camera_id}/view", kCameraViewers, 200, false,
       [](World& w) {
         std::string camera = w.NewCamera();
         return Attempt{"/incidents/" + w.NewIncident() + "/cameras/" + camera + "/view",
                        json::object()};
       }},
      // CAP 1.2: alerts from other agencies are calls; public warnings are
      // issued by the supervisor and readable by anyone without a token.
      {"ReceiveCap", "POST", "/cap", kCallCreators, 201, false,
       [](World& w) {
         return Attempt{"/cap", w.NewCapAlert()};
       }},
      {"IssueAlert", "POST", "/alerts", kSupervisors, 201, false,
       [](World& w) {
         return Attempt{"/alerts", w.NewAlertBody()};
       }},
      {"AlertFeed", "GET", "/alerts/feed.atom", kEveryone, 200, true,
       [](World&) { return Get("/alerts/feed.atom"); }},
      {"AlertXml", "GET", "/alerts/{id}.xml", kEveryone, 200, true,
       [](World& w) { return Get("/alerts/" + w.NewIssuedAlert() + ".xml"); }},
      {"ListTimers", "GET", "/timers", kOperationsReaders, 200, false,
       [](World&) { return Get("/timers"); }},
      // This server runs without timers (Fixture), so a permitted role
      // learns that there is no such raised timer (404); floor_test
      // acknowledges real ones.
      {"AcknowledgeTimer", "POST", "/timers/{id}/acknowledge", kDispatchers, 404, false,
       [](World& w) {
         return Attempt{"/timers/incident:" + w.NewIncident() + ":pending/acknowledge",
                        json::object()};
       }},
      {"ListFacilities", "GET", "/facilities", kResourceReaders, 200, false,
       [](World&) { return Get("/facilities"); }},
      {"CreateFacility", "POST", "/facilities", kResourceManagers, 201, false,
       [](World& w) {
         return Attempt{"/facilities",
                        {{"facility_id", w.Unique("F")},
                         {"name", "General"},
                         {"kind", "hospital"},
                         {"location", ToJson(w.NextPlace())}}};
       }},
      {"FacilityStatus", "POST", "/facilities/{id}/status", kDispatchers, 200, false,
       [](World& w) {
         return Attempt{"/facilities/" + w.NewFacility() + "/status", {{"status", "diversion"}}};
       }},
      {"ListPremises", "GET", "/premises", kOperationsReaders, 200, false,
       [](World&) { return Get("/premises"); }},
      {"CreatePremise", "POST", "/premises", kSupervisors, 201, false,
       [](World& w) {
         return Attempt{
             "/premises",
             {{"location", ToJson(w.NextPlace())}, {"text", "dog on premises"}, {"hazard", true}}};
       }},
      // Response-time intervals: the performance figures of the centre.
      {"IntervalStats", "GET", "/stats/intervals", kPerformanceReaders, 200, false,
       [](World& w) {
         w.NewIncident();
         return Get("/stats/intervals?by=priority&explain=true");
       }},
      // The anti-scam desk (docs/scam.md).
      {"ScamReport", "POST", "/scam/reports", kScamReporters, 201, false,
       [](World& w) {
         return Attempt{"/scam/reports", w.NewScamReportBody()};
       }},
      {"ScamReportsBatch", "POST", "/scam/reports:batch", kScamReporters, 201, false,
       [](World& w) {
         return Attempt{"/scam/reports:batch",
                        {{"reports", {w.NewScamReportBody(), w.NewScamReportBody()}}}};
       }},
      {"ScamGetReport", "GET", "/scam/reports/{id}", kScamReportReaders, 200, false,
       [](World& w) { return Get("/scam/reports/" + w.NewScamCampaign().second); }},
      {"ScamCampaigns", "GET", "/scam/campaigns", kScamCampaignReaders, 200, false,
       [](World&) { return Get("/scam/campaigns?sort=recent&limit=5"); }},
      {"ScamCampaign", "GET", "/scam/campaigns/{id}", kScamCampaignReaders, 200, false,
       [](World& w) { return Get("/scam/campaigns/" + w.NewScamCampaign().first); }},
      {"ScamSplit", "POST", "/scam/campaigns/{id}/split", kFraudAnalysts, 200, false,
       [](World& w) {
         auto [campaign, report] = w.NewScamCampaign();
         return Attempt{"/scam/campaigns/" + campaign + "/split",
                        {{"report_ids", {std::stoi(report)}}, {"reason", "different scripts"}}};
       }},
      {"ScamPinOut", "POST", "/scam/campaigns/{id}/pin-out", kFraudAnalysts, 200, false,
       [](World& w) {
         auto [campaign, report] = w.NewScamCampaign();
         return Attempt{"/scam/campaigns/" + campaign + "/pin-out",
                        {{"report_id", std::stoi(report)}}};
       }},
      {"ScamBlocklist", "GET", "/scam/blocklist", kFraudAnalysts, 200, false,
       [](World&) { return Get("/scam/blocklist?kind=phone&min_reports=2&format=csv"); }},
      {"ScamWarning", "POST", "/scam/campaigns/{id}/warning", kSupervisors, 201, false,
       [](World& w) {
         return Attempt{"/scam/campaigns/" + w.NewScamCampaign().first + "/warning",
                        json::object()};
       }},
      {"CreateUser", "POST", "/users", kAdmins, 201, false,
       [](World& w) {
         return Attempt{"/users",
                        {{"username", w.Unique("new_user")},
                         {"role", "analyst"},
                         {"password", "correct horse"}}};
       }},
      // Sessions (docs/security.md): anyone may end their own session; the
      // admin disables, enables and revokes.
      {"Logout", "POST", "/auth/logout", kEveryone, 200, false,
       [](World&) {
         return Attempt{"/auth/logout", json::object(), "", true};
       }},
      {"DisableUser", "POST", "/users/{name}/disable", kAdmins, 200, false,
       [](World& w) {
         return Attempt{"/users/" + w.NewUser() + "/disable", json::object()};
       }},
      {"EnableUser", "POST", "/users/{name}/enable", kAdmins, 200, false,
       [](World& w) {
         return Attempt{"/users/" + w.NewUser() + "/enable", json::object()};
       }},
      {"RevokeSessions", "DELETE", "/sessions", kAdmins, 200, false,
       [](World& w) {
         return Attempt{"/sessions?user=" + w.NewUser(), nullptr, "DELETE"};
       }},
      // Geocoding: without --graph or --addresses there is no geocoder
      // (404 for permitted roles), as for the basemap.
      {"Geocode", "GET", "/geocode", kOperationsReaders, 404, false,
       [](World&) { return Get("/geocode?q=Mission%20St%20%26%2019th%20St"); }},
      {"Reverse", "GET", "/reverse", kOperationsReaders, 404, false,
       [](World&) { return Get("/reverse?lat=37.76&lon=-122.42"); }},
      {"StreetLabels", "GET", "/map/streets.geojson", kResourceReaders, 404, false,
       [](World&) { return Get("/map/streets.geojson"); }},
  };
  return kRoutes;
}

// One server (with a user per role) shared by every test in this binary;
// started on first use so that listing the tests starts nothing.
Fixture& Server() {
  static std::unique_ptr<Fixture> fixture = [] {
    auto f = std::make_unique<Fixture>();
    f->Start();
    return f;
  }();
  return *fixture;
}

HttpResult Send(HttpClient& http, const Attempt& a, const std::string& token,
                const std::map<std::string, std::string>& headers = {}) {
  bool get = a.body.is_null();
  if (a.body.is_string()) {  // an XML body (POST /cap)
    auto with_type = headers;
    with_type.emplace("Content-Type", "application/cap+xml");
    return http.Request("POST", "/api/v1" + a.target, a.body.get<std::string>(), token, with_type);
  }
  std::string method = !a.method.empty() ? a.method : get ? "GET" : "POST";
  return http.Request(method, "/api/v1" + a.target, get ? "" : a.body.dump(), token, headers);
}

// Expects the JSON error body {"error": {"code": `code`, "message": ...}}.
void ExpectError(const HttpResult& r, const std::string& code) {
  auto body = r.Json();
  ASSERT_TRUE(body.is_object() && body.contains("error")) << r.body;
  EXPECT_EQ(body["error"].value("code", ""), code) << r.body;
  EXPECT_FALSE(body["error"].value("message", "").empty()) << r.body;
}

class RouteRolesTest : public ::testing::TestWithParam<RouteCase> {
 protected:
  RouteRolesTest() : api_(Server()), world_(api_) {}

  // Allowed roles get the route's success status; the others 403 and no
  // change of state.
  void CheckEveryRole(const RouteCase& route) {
    for (const auto& role : AllRoles()) {
      SCOPED_TRACE(route.method + " " + route.pattern + " as " + role);
      Attempt attempt = route.prepare(world_);
      std::int64_t seq_before = api_.LastSeq();
      std::string token =
          attempt.own_session ? Login(api_.http(), role, "pw-" + role) : Server().Token(role);
      auto r = Send(api_.http(), attempt, token);
      if (route.allowed.count(role)) {
        EXPECT_EQ(r.status, route.ok_status) << r.body;
      } else {
        EXPECT_EQ(r.status, 403) << r.body;
        ExpectError(r, "forbidden");
        EXPECT_EQ(api_.LastSeq(), seq_before) << "a forbidden request changed state";
      }
    }
  }

  // Without a valid bearer token a non-public route answers 401 and changes
  // nothing; a public one answers as usual.
  void CheckWithoutAValidToken(const RouteCase& route) {
    Attempt attempt = route.prepare(world_);
    std::int64_t seq_before = api_.LastSeq();
    const std::pair<std::string, std::map<std::string, std::string>> kNoUser[] = {
        {"", {}},
        {"garbage-token", {}},
        {"", {{"Authorization", "Basic " + Server().Token("supervisor")}}},
    };
    for (const auto& [token, headers] : kNoUser) {
      SCOPED_TRACE(route.method + " " + route.pattern + " with token \"" + token + "\"" +
                   (headers.empty() ? "" : " and Basic auth"));
      auto r = Send(api_.http(), attempt, token, headers);
      if (route.is_public) {
        EXPECT_EQ(r.status, route.ok_status) << r.body;
        continue;
      }
      EXPECT_EQ(r.status, 401) << r.body;
      ExpectError(r, "unauthenticated");
      EXPECT_EQ(r.headers["www-authenticate"], "Bearer");
    }
    if (!route.is_public) {
      EXPECT_EQ(api_.LastSeq(), seq_before) << "an unauthenticated request changed state";
    }
  }

  Api api_;
  World world_;
};

TEST_P(RouteRolesTest, EnforcesRolesAndTokens) {
  CheckEveryRole(GetParam());
  CheckWithoutAValidToken(GetParam());
}

INSTANTIATE_TEST_SUITE_P(EveryRoute, RouteRolesTest, ::testing::ValuesIn(Routes()),
                         [](const auto& info) { return info.param.name; });

// The table must name every route the server registers, so a new route
// cannot be added without deciding who may use it.
TEST(RoleTableTest, CoversEveryRegisteredRoute) {
  // routes.cc and every src/api/routes_<area>.cc.
  std::string source;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(BEACON_SOURCE_DIR) + "/src/api")) {
    std::string name = entry.path().filename().string();
    if (name.rfind("routes", 0) != 0 || entry.path().extension() != ".cc") continue;
    std::ifstream in(entry.path());
    ASSERT_TRUE(in) << "cannot read " << entry.path();
    std::stringstream text;
    text << in.rdbuf();
    source += text.str();
  }
  std::set<std::string> registered;
  std::regex add(R"re(router\.Add\(\s*"([A-Z]+)"\s*,\s*v1\s*\+\s*"([^"]+)")re");
  for (std::sregex_iterator it(source.begin(), source.end(), add), end; it != end; ++it) {
    registered.insert((*it)[1].str() + " " + (*it)[2].str());
  }
  std::set<std::string> tabled;
  for (const auto& r : Routes()) tabled.insert(r.method + " " + r.pattern);
  EXPECT_GE(registered.size(), 20u) << "the route pattern no longer matches routes.cc";
  EXPECT_EQ(tabled, registered);
}

TEST(StreamRolesTest, OnlyOperationsReadersMayOpenTheStream) {
  int port = Server().server->port();
  for (const auto& role : AllRoles()) {
    SCOPED_TRACE(role);
    if (kOperationsReaders.count(role)) {
      StreamClient stream(port, Server().Token(role));
      auto hello = stream.Next();
      ASSERT_TRUE(hello.has_value());
      EXPECT_EQ(hello->value("type", ""), "hello") << *hello;
    } else {
      EXPECT_ANY_THROW(StreamClient(port, Server().Token(role)));
    }
  }
  EXPECT_ANY_THROW(StreamClient(port, "garbage-token"));
}

}  // namespace
}  // namespace beacon::testing
