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

// The anti-scam desk's analyst: reports and campaigns, never callers'
// data, incidents or the reporters' own contact data (docs/roles.md).
namespace beacon::model {
namespace {
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
