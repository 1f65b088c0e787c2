// Fuzzes the two configuration parsers: response plans and the routing
// profile (JSON files an operator edits). The first byte picks the parser.
#include <cstdint>
#include <string_view>

#include "dispatch/response_plan.h"
#include "routing/profile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    (void)beacon::dispatch::ResponsePlans::Parse(text);
  } else {
    (void)beacon::routing::Profile::Parse(text);
  }
  return 0;
}
