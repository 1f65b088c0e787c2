// Fuzzes the URL query-string and percent decoding of the router, and the
// RFC 3339 time parser (both read bytes from outside).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "api/router.h"
#include "common/clock.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> q;
  (void)beacon::api::ParseQuery(s, q);
  auto t = beacon::ParseRfc3339(s);
  if (t) (void)beacon::FormatRfc3339(*t);
  return 0;
}
