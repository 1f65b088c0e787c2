#include <gtest/gtest.h>

#include <set>

#include "model/permissions.h"
#include "model/types.h"
#include "model/unit_status.h"

namespace beacon::model {
namespace {

using S = UnitStatus;

// The transition table written out independently of the implementation.
const std::set<std::pair<S, S>> kLegal = {
    {S::kAvailable, S::kOutOfService},  {S::kDispatched, S::kEnRoute},
    {S::kDispatched, S::kOnScene},      {S::kDispatched, S::kAvailable},
    {S::kEnRoute, S::kOnScene},         {S::kEnRoute, S::kAvailable},
    {S::kOnScene, S::kTransporting},    {S::kOnScene, S::kAvailable},
    {S::kTransporting, S::kAtHospital}, {S::kTransporting, S::kAvailable},
    {S::kAtHospital, S::kAvailable},    {S::kOutOfService, S::kAvailable},
};

TEST(UnitStatusMachine, EveryPairMatchesTheTable) {
  for (S from : AllUnitStatuses()) {
    for (S to : AllUnitStatuses()) {
      EXPECT_EQ(CanTransition(from, to), kLegal.count({from, to}) == 1)
          << ToString(from) << " -> " << ToString(to);
    }
  }
}

TEST(UnitStatusMachine, DispatchedOnlyByAssignment) {
  for (S from : AllUnitStatuses()) EXPECT_FALSE(CanTransition(from, S::kDispatched));
}

TEST(UnitStatusMachine, NamesRoundTrip) {
  for (S s : AllUnitStatuses()) EXPECT_EQ(ParseUnitStatus(ToString(s)), s);
  EXPECT_FALSE(ParseUnitStatus("busy").has_value());
}

TEST(Permissions, AnalystNeverSeesPersonalData) {
  EXPECT_TRUE(Allowed(Role::kAnalyst, Permission::kReadOperations));
  EXPECT_FALSE(Allowed(Role::kAnalyst, Permission::kReadPersonal));
  EXPECT_FALSE(Allowed(Role::kAnalyst, Permission::kCreateCall));
}

TEST(Permissions, AuditorReadsOnlyTheAuditLog) {
  for (auto p :
       {Permission::kReadOperations, Permission::kReadResources, Permission::kReadPersonal,
        Permission::kCreateCall, Permission::kDispatch, Permission::kSupervise,
        Permission::kManageResources, Permission::kManageUsers, Permission::kReadMetrics}) {
    EXPECT_FALSE(Allowed(Role::kAuditor, p)) << ToString(p);
  }
  EXPECT_TRUE(Allowed(Role::kAuditor, Permission::kReadAudit));
}

TEST(Permissions, RolesBuildOnEachOther) {
  EXPECT_TRUE(Allowed(Role::kCallTaker, Permission::kCreateCall));
  EXPECT_FALSE(Allowed(Role::kCallTaker, Permission::kDispatch));
  EXPECT_TRUE(Allowed(Role::kDispatcher, Permission::kDispatch));
  EXPECT_FALSE(Allowed(Role::kDispatcher, Permission::kSupervise));
  EXPECT_TRUE(Allowed(Role::kSupervisor, Permission::kSupervise));
  EXPECT_TRUE(Allowed(Role::kSupervisor, Permission::kManageResources));
  EXPECT_TRUE(Allowed(Role::kAdmin, Permission::kManageUsers));
  EXPECT_FALSE(Allowed(Role::kSupervisor, Permission::kManageUsers));
}

TEST(ModelJson, CallRoundTripAndRedaction) {
  Call c;
  c.id = CallId{4};
  c.incident_id = IncidentId{2};
  c.channel = Channel::kText;
  c.received_at = 1000;
  c.created_at = 2000;
  c.created_by = "ann";
  c.location = LatLon{1.5, 2.5};
  c.accuracy_m = 12;
  c.incident_type = "MEDICAL";
  c.caller = Caller{"Bob", "+1 555"};
  c.duplicate_of = IncidentId{2};
  auto full = ToJson(c, true);
  EXPECT_EQ(full["caller"]["name"], "Bob");
  EXPECT_EQ(ToJson(CallFromJson(full), true), full);
  auto redacted = ToJson(c, false);
  EXPECT_FALSE(redacted.contains("caller"));
  EXPECT_EQ(redacted.dump().find("Bob"), std::string::npos);
}

TEST(ModelJson, IncidentAndUnitRoundTrip) {
  Incident i;
  i.id = IncidentId{9};
  i.incident_type = "STRUCTURE_FIRE";
  i.priority = 1;
  i.location = LatLon{3, 4};
  i.opened_at = 5000;
  i.last_call_at = 6000;
  i.call_ids = {CallId{1}, CallId{2}};
  i.assignments = {{UnitId{"E1"}, 7000, std::nullopt}, {UnitId{"M1"}, 7000, 8000}};
  i.timeline = {{5000, "opened", "opened", "ann"}};
  auto j = ToJson(i);
  EXPECT_EQ(j["assigned_units"], nlohmann::json::array({"E1"}));
  EXPECT_EQ(ToJson(IncidentFromJson(j)), j);

  Unit u;
  u.id = UnitId{"E1"};
  u.unit_type = "engine";
  u.station_id = StationId{"S1"};
  u.status = UnitStatus::kEnRoute;
  u.incident_id = IncidentId{9};
  EXPECT_EQ(ToJson(UnitFromJson(ToJson(u))), ToJson(u));
}

TEST(Permissions, ExchangeAndCameras) {
  for (auto r : AllRoles()) {
    bool works_incidents =
        r == Role::kCallTaker || r == Role::kDispatcher || r == Role::kSupervisor;
    // EIDO export carries caller data: exactly the roles that read it.
    EXPECT_EQ(Allowed(r, Permission::kExportIncidents), Allowed(r, Permission::kReadPersonal));
    EXPECT_EQ(Allowed(r, Permission::kViewCameras), works_incidents) << ToString(r);
    EXPECT_EQ(Allowed(r, Permission::kImportIncidents), Allowed(r, Permission::kDispatch));
  }
  EXPECT_FALSE(Allowed(Role::kAnalyst, Permission::kViewCameras));
  EXPECT_FALSE(Allowed(Role::kAnalyst, Permission::kExportIncidents));
  EXPECT_FALSE(Allowed(Role::kAuditor, Permission::kImportIncidents));
}

TEST(ModelJson, CameraAndEidoLinkRoundTrip) {
  Camera c{CameraId{4}, "Gate", {51.5, -0.1}, "rtsp://127.0.0.1/x", 1714564800000, "sup"};
  Camera back = CameraFromJson(ToJson(c));
  EXPECT_EQ(back.id, c.id);
  EXPECT_EQ(back.name, c.name);
  EXPECT_EQ(back.location.lat, c.location.lat);
  EXPECT_EQ(back.stream_url, c.stream_url);
  EXPECT_EQ(back.created_at, c.created_at);
  EXPECT_EQ(back.created_by, c.created_by);

  Incident i;
  i.id = IncidentId{2};
  i.incident_type = "MEDICAL";
  i.eido = EidoLink{"urn:x",         "other.example",
                    1714564800000,   {{"call-a", CallId{9}}},
                    {{"note-a", 3}}, {{"r1", "other.example", "Medic 4", "ambulance", "OnScene"}}};
  Incident j = IncidentFromJson(ToJson(i, /*with_timeline=*/false));
  ASSERT_TRUE(j.eido.has_value());
  EXPECT_EQ(j.eido->incident_id, "urn:x");
  EXPECT_EQ(j.eido->agency, "other.example");
  EXPECT_EQ(j.eido->updated_at, 1714564800000);
  ASSERT_EQ(j.eido->calls.size(), 1u);
  EXPECT_EQ(j.eido->calls[0].second, CallId{9});
  ASSERT_EQ(j.eido->notes.size(), 1u);
  EXPECT_EQ(j.eido->notes[0].second, 3);
  ASSERT_EQ(j.eido->resources.size(), 1u);
  EXPECT_EQ(j.eido->resources[0].status, "OnScene");
  EXPECT_FALSE(IncidentFromJson(ToJson(Incident{})).eido.has_value());
}

}  // namespace
}  // namespace beacon::model

namespace beacon::model {
namespace {

TEST(Premises, MatchByPointPolygonAndAddress) {
  Premise point;
  point.point = LatLon{52.0, 5.0};
  LatLon near{52.0 + 20 / 111195.0, 5.0};  // 20 m north
  LatLon far{52.0 + 40 / 111195.0, 5.0};
  EXPECT_NEAR(*PremiseDistanceM(point, near, std::nullopt), 20, 0.5);
  EXPECT_FALSE(PremiseDistanceM(point, far, std::nullopt).has_value());
  EXPECT_FALSE(PremiseDistanceM(point, std::nullopt, std::nullopt).has_value());

  Premise area;
  area.polygon = {{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}};
  EXPECT_EQ(PremiseDistanceM(area, LatLon{0.5, 0.5}, std::nullopt), 0.0);
  EXPECT_FALSE(PremiseDistanceM(area, LatLon{1.5, 0.5}, std::nullopt).has_value());

  Premise address;
  address.address = "12 Main St";
  EXPECT_EQ(PremiseDistanceM(address, std::nullopt, std::string("12  MAIN st")), 0.0);
  EXPECT_FALSE(PremiseDistanceM(address, std::nullopt, std::string("14 Main St")).has_value());
}

TEST(Premises, ReviewDateAndJsonRoundTrip) {
  Premise p;
  p.id = PremiseId{3};
  p.text = "oxygen in use";
  p.hazard = true;
  p.names_resident = true;
  p.review_by = "2026-01-31";
  p.polygon = {{0, 0}, {0, 1}, {1, 1}, {0, 0}};
  EXPECT_TRUE(NeedsReview(p, "2026-02-01"));
  EXPECT_FALSE(NeedsReview(p, "2026-01-31"));
  Premise back = PremiseFromJson(ToJson(p));
  EXPECT_EQ(back.id, p.id);
  EXPECT_EQ(back.polygon.size(), 4u);
  EXPECT_TRUE(back.names_resident);
  EXPECT_EQ(*back.review_by, "2026-01-31");
}

TEST(Incidents, PendingSinceFollowsAssignmentsAndDiverts) {
  Incident i;
  i.opened_at = 100;
  EXPECT_EQ(i.PendingSince(), 100);
  i.assignments.push_back({UnitId{"E1"}, 200, std::nullopt});
  EXPECT_FALSE(i.PendingSince().has_value());
  i.assignments.back().released_at = 300;  // released: not waiting
  EXPECT_FALSE(i.PendingSince().has_value());
  i.pending_since = 300;  // its last unit diverted away
  EXPECT_EQ(i.PendingSince(), 300);
  i.status = IncidentStatus::kClosed;
  EXPECT_FALSE(i.PendingSince().has_value());
}

TEST(ModelJson, FacilityAndUnitDestinationRoundTrip) {
  Facility f{FacilityId{"SFGH"},
             "General",
             "trauma_centre",
             {37.7, -122.4},
             "1001 Potrero",
             FacilityStatus::kDiversion,
             5000,
             "sup"};
  Facility back = FacilityFromJson(ToJson(f));
  EXPECT_EQ(back.status, FacilityStatus::kDiversion);
  EXPECT_EQ(*back.address, "1001 Potrero");
  Unit u;
  u.id = UnitId{"M1"};
  u.unit_type = "medic";
  u.destination = FacilityId{"SFGH"};
  u.status_reason = "restocking";
  Unit ub = UnitFromJson(ToJson(u));
  EXPECT_EQ(ub.destination->value(), "SFGH");
  EXPECT_EQ(*ub.status_reason, "restocking");
}

// The anti-scam desk's analyst: reports and campaigns, never callers'
// data, incidents or the reporters' own contact data (docs/roles.md).
TEST(Permissions, FraudAnalystWorksTheDeskOnly) {
  EXPECT_EQ(ParseRole("fraud_analyst"), Role::kFraudAnalyst);
  EXPECT_EQ(ToString(Role::kFraudAnalyst), "fraud_analyst");
  for (auto p : {Permission::kReportScam, Permission::kReadScamReports,
                 Permission::kReadScamCampaigns, Permission::kAnalyseScam}) {
    EXPECT_TRUE(Allowed(Role::kFraudAnalyst, p)) << ToString(p);
  }
  for (auto p : {Permission::kReadOperations, Permission::kReadResources, Permission::kReadPersonal,
                 Permission::kCreateCall, Permission::kIssueAlerts, Permission::kReadMetrics}) {
    EXPECT_FALSE(Allowed(Role::kFraudAnalyst, p)) << ToString(p);
  }
  // Reports are filed by call-takers too; warnings are the supervisor's.
  EXPECT_TRUE(Allowed(Role::kCallTaker, Permission::kReportScam));
  EXPECT_FALSE(Allowed(Role::kCallTaker, Permission::kReadScamCampaigns));
  EXPECT_TRUE(Allowed(Role::kSupervisor, Permission::kReadScamCampaigns));
  EXPECT_FALSE(Allowed(Role::kSupervisor, Permission::kAnalyseScam));
  for (auto r : {Role::kDispatcher, Role::kAnalyst, Role::kAuditor, Role::kAdmin}) {
    EXPECT_FALSE(Allowed(r, Permission::kReportScam)) << ToString(r);
    EXPECT_FALSE(Allowed(r, Permission::kReadScamReports)) << ToString(r);
  }
}

}  // namespace
}  // namespace beacon::model
