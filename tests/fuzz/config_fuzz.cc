// Fuzzes the configuration parsers: response plans, the routing profile
// (JSON files an operator edits) and the calibration file (written by
// beacon calibrate, possibly edited). The first byte picks the parser. An
// accepted calibration must survive being written and read again.
#include <cstdint>
#include <string_view>

#include "calibrate/model.h"
#include "dispatch/response_plan.h"
#include "routing/profile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      (void)beacon::dispatch::ResponsePlans::Parse(text);
      break;
    case 1:
      (void)beacon::routing::Profile::Parse(text);
      break;
    default: {
      auto model = beacon::calibrate::ParseModel(text);
      if (model && !beacon::calibrate::ParseModel(beacon::calibrate::ModelToJson(*model))) {
        __builtin_trap();
      }
      break;
    }
  }
  return 0;
}
