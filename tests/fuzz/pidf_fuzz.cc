// Fuzzes the PIDF-LO reader (pidf::Parse): hardened XML loading, namespace
// resolution and every shape and civic address. Nothing may crash; every
// answer is a location or a kInvalid refusal.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pidf/pidf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = beacon::pidf::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!r && r.error().code() != beacon::Code::kInvalid) std::abort();
  return 0;
}
