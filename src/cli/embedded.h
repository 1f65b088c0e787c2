// Data files compiled into the binary so it runs from anywhere.
#pragma once

#include <string_view>

namespace beacon::cli {

// config/response_plans.json as shipped.
std::string_view DefaultResponsePlans();
// config/routing_profile.json as shipped.
std::string_view DefaultRoutingProfile();
// config/cap_mapping.json as shipped.
std::string_view DefaultCapMapping();

}  // namespace beacon::cli
