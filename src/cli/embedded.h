// Data files compiled into the binary so it runs from anywhere.
#pragma once

#include <string_view>

namespace beacon::cli {

// config/response_plans.json as shipped.
std::string_view DefaultResponsePlans();
// config/routing_profile.json as shipped.
std::string_view DefaultRoutingProfile();
// config/formats/<name>.json as shipped (call-history formats for
// `beacon replay`); empty when there is no such built-in format.
std::string_view BuiltinHistoryFormat(std::string_view name);
// config/cap_mapping.json as shipped.
std::string_view DefaultCapMapping();
// config/scam/<name> as shipped ("desk.json", "shared_hosts.txt",
// "wallets.json", "formats/ftc-dnc.json", ...); empty when there is none.
std::string_view BuiltinScamFile(std::string_view name);

}  // namespace beacon::cli
