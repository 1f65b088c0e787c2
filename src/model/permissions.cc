#include "model/permissions.h"

namespace beacon::model {

bool Allowed(Role role, Permission p) {
  using R = Role;
  using P = Permission;
  switch (p) {
    case P::kReadOperations:
      return role == R::kCallTaker || role == R::kDispatcher || role == R::kSupervisor ||
             role == R::kAnalyst;
    case P::kReadResources:
      return role != R::kAuditor && role != R::kFraudAnalyst;
    case P::kReadPersonal:
    case P::kCreateCall:
      return role == R::kCallTaker || role == R::kDispatcher || role == R::kSupervisor;
    case P::kDispatch:
      return role == R::kDispatcher || role == R::kSupervisor;
    case P::kSupervise:
      return role == R::kSupervisor;
    case P::kManageResources:
      return role == R::kSupervisor || role == R::kAdmin;
    case P::kReadAudit:
      return role == R::kAuditor;
    case P::kManageUsers:
      return role == R::kAdmin;
    case P::kReadMetrics:
      return role == R::kSupervisor || role == R::kAnalyst || role == R::kAdmin;
    case P::kExportIncidents:
    case P::kViewCameras:
      return role == R::kCallTaker || role == R::kDispatcher || role == R::kSupervisor;
    case P::kImportIncidents:
      return role == R::kDispatcher || role == R::kSupervisor;
    case P::kIssueAlerts:
      return role == R::kSupervisor;
    case P::kReadPerformance:
      return role == R::kSupervisor || role == R::kAnalyst;
    case P::kReportScam:
      return role == R::kCallTaker || role == R::kFraudAnalyst;
    case P::kReadScamReports:
      return role == R::kCallTaker || role == R::kSupervisor || role == R::kFraudAnalyst;
    case P::kReadScamCampaigns:
      return role == R::kSupervisor || role == R::kFraudAnalyst;
    case P::kAnalyseScam:
      return role == R::kFraudAnalyst;
    case P::kOwnSession:
      return true;
  }
  return false;
}

std::string_view ToString(Permission p) {
  switch (p) {
    case Permission::kReadOperations:
      return "read operations";
    case Permission::kReadResources:
      return "read units and stations";
    case Permission::kReadPersonal:
      return "read caller personal data";
    case Permission::kCreateCall:
      return "create calls";
    case Permission::kDispatch:
      return "dispatch units";
    case Permission::kSupervise:
      return "supervise incidents";
    case Permission::kManageResources:
      return "manage units and stations";
    case Permission::kReadAudit:
      return "read the audit log";
    case Permission::kManageUsers:
      return "manage users";
    case Permission::kReadMetrics:
      return "read metrics";
    case Permission::kExportIncidents:
      return "export incidents (EIDO)";
    case Permission::kImportIncidents:
      return "import incidents (EIDO)";
    case Permission::kViewCameras:
      return "view cameras";
    case Permission::kIssueAlerts:
      return "issue public alerts";
    case Permission::kReadPerformance:
      return "read response-time intervals";
    case Permission::kReportScam:
      return "file fraud reports";
    case Permission::kReadScamReports:
      return "read fraud reports";
    case Permission::kReadScamCampaigns:
      return "read scam campaigns";
    case Permission::kAnalyseScam:
      return "split scam campaigns and read blocklists";
    case Permission::kOwnSession:
      return "end their own session";
  }
  return "";
}

}  // namespace beacon::model
