// Fuzzes every JSON request-body parser (intake/requests.h, alert_request.h): the first byte
// picks the parser, the rest is the body. Seeds: tests/golden/.
#include <cstdint>
#include <string_view>

#include "intake/alert_request.h"
#include "intake/json_body.h"
#include "intake/requests.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace beacon::intake;
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  // Golden call bodies start with '{' and go to the call parser.
  switch (data[0] == '{' ? 0 : data[0] % 19) {
    case 0:
      (void)ParseCallRequest(std::string_view(reinterpret_cast<const char*>(data), size));
      break;
    case 1:
      (void)ParseLoginRequest(body);
      break;
    case 2:
      (void)ParseUnitCreateRequest(body);
      break;
    case 3:
      (void)ParseStationCreateRequest(body);
      break;
    case 4:
      (void)ParseUnitStatusRequest(body);
      break;
    case 5:
      (void)ParsePositionRequest(body);
      break;
    case 6:
      (void)ParseAssignmentRequest(body);
      break;
    case 7:
      (void)ParseMergeRequest(body);
      break;
    case 8:
      (void)ParseSplitRequest(body);
      break;
    case 9:
      (void)ParseCloseRequest(body);
      break;
    case 10:
      (void)ParseUserCreateRequest(body);
      break;
    case 11:
      (void)ParseCameraCreateRequest(body);
      break;
    case 12:
      (void)ParseIncidentPatchRequest(body);
      break;
    case 13:
      (void)ParseCallPatchRequest(body);
      break;
    case 14:
      (void)ParseNoteRequest(body);
      break;
    case 15:
      (void)ParseFacilityCreateRequest(body);
      break;
    case 16:
      (void)ParseFacilityStatusRequest(body);
      break;
    case 17:
      (void)ParsePremiseCreateRequest(body);
      break;
    default: {
      // POST /alerts: the route parses the body, then reads the request.
      auto j = ParseObject(body);
      if (j) (void)ReadAlertIssueRequest(*j);
      break;
    }
  }
  return 0;
}
