// Fuzzes the EIDO parser (eido::Parse): any bytes must give a Document or a
// Status naming a field, never a crash, and a parsed Document keeps the
// limits Parse promises. Seeds: tests/fuzz/corpus/eido_fuzz/ (a Beacon
// export, NENA-style documents, broken ones).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "eido/eido.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace beacon::eido;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto doc = Parse(body);
  if (!doc) {
    // Every refusal says what is wrong.
    if (doc.error().message().empty()) std::abort();
    return 0;
  }
  if (doc->incident_id.empty() || doc->incident_id.size() > kMaxIdBytes) std::abort();
  if (doc->calls.size() > kMaxComponents || doc->notes.size() > kMaxComponents ||
      doc->resources.size() > kMaxComponents) {
    std::abort();
  }
  for (const auto& c : doc->calls) {
    if (c.location.point && !beacon::ValidLatLon(c.location.point->lat, c.location.point->lon)) {
      std::abort();
    }
    if (c.narrative && c.narrative->size() > kMaxTextBytes) std::abort();
  }
  return 0;
}
