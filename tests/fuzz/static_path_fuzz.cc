// Fuzzes the path resolution of the web bundle (api::StaticFiles), which
// reads request targets from outside: a resolved path must stay relative,
// without "." or ".." segments, empty segments or characters outside the
// allowed set, whatever the percent escapes.
#include <cstdint>
#include <string>
#include <string_view>

#include "api/static_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view target(reinterpret_cast<const char*>(data), size);
  static const beacon::api::StaticFiles files("/nonexistent/beacon-fuzz-web");
  auto rel = files.Resolve(target);
  if (rel) {
    if (rel->empty() || rel->front() == '/') __builtin_trap();
    size_t i = 0;
    while (i <= rel->size()) {
      size_t j = rel->find('/', i);
      if (j == std::string::npos) j = rel->size();
      std::string_view seg(rel->data() + i, j - i);
      if (seg.empty() || seg == "." || seg == "..") __builtin_trap();
      for (char c : seg) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        if (!ok) __builtin_trap();
      }
      i = j + 1;
    }
  }
  (void)files.Serve("GET", target);
  return 0;
}
