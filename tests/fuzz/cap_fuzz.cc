// Fuzzes the CAP 1.2 reader (cap/parser.h) with the bytes of a POST
// /api/v1/cap body. Whatever it accepts must map to a call and survive the
// writer: ToXml of an accepted alert is accepted again with the same key.
// Seeds: tests/fuzz/corpus/cap_fuzz/ and tests/golden/ (tests/golden/cap/).
#include <cstdint>
#include <string_view>

#include "cap/mapping.h"
#include "cap/parser.h"
#include "cap/writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace beacon::cap;
  static const CallMapping mapping = *CallMapping::Parse(
      R"({"version": 1, "default_incident_type": "D", "rules": [
          {"category": "Fire", "event_contains": ["fire"], "incident_type": "F"},
          {"severity": ["Extreme"], "incident_type": "X"}]})");
  auto alert = Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!alert) {
    if (RuleOf(alert.error()).empty()) __builtin_trap();  // every refusal names its rule
    return 0;
  }
  if (CheckAcceptable(*alert).ok() && alert->msg_type != "Cancel") {
    (void)ToCallInput(*alert, mapping);
  }
  auto again = Parse(ToXml(*alert));
  if (!again || again->Key() != alert->Key() || again->infos.size() != alert->infos.size()) {
    __builtin_trap();
  }
  return 0;
}
