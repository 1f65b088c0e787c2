// Who may do what: the role -> permission table enforced on every route.
// The table itself is documented in docs/roles.md. Pure; thread-safe.
#pragma once

#include <string_view>

#include "model/types.h"

namespace beacon::model {

enum class Permission {
  kReadOperations,  // incidents, calls (caller data redacted unless kReadPersonal), units,
                    // stations, stream
  kReadResources,   // units, stations, incident types: everyone but the auditor
  kReadPersonal,    // caller name and phone
  kCreateCall,
  kDispatch,         // assignments, unit status and position
  kSupervise,        // merge, split, close
  kManageResources,  // create units and stations
  kReadAudit,
  kManageUsers,
  kReadMetrics,
  kExportIncidents,  // EIDO export (with caller personal data; audited)
  kImportIncidents,  // EIDO import of incidents transferred from another centre
  kViewCameras,      // nearest cameras of an incident and the audited stream view
  kIssueAlerts,      // issue CAP public warnings (POST /alerts)
  kReadPerformance,  // response-time intervals (GET /stats/intervals)
  // The anti-scam desk (docs/scam.md).
  kReportScam,         // file fraud reports (POST /scam/reports, reports:batch)
  kReadScamReports,    // read a report (the reporter's data only with kReadPersonal)
  kReadScamCampaigns,  // campaigns ranked, a campaign with its links
  kAnalyseScam,        // split and pin-out, blocklists
  kOwnSession,         // end one's own session (POST /auth/logout): every role
};

bool Allowed(Role role, Permission p);
std::string_view ToString(Permission p);

}  // namespace beacon::model
