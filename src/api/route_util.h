// Small helpers every route file uses: answering with a Center result and
// reading ids from the path. Internal to api/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/router.h"
#include "service/center.h"

namespace beacon::api {

// Adapts a Center result to an HTTP reply with `ok_status` on success.
service::Done Respond(Reply reply, int ok_status);

// A positive decimal id from a path segment, or nullopt.
std::optional<std::int64_t> PathId(const std::string& s);

// The 404 for a path id that is not a positive integer.
Status BadId(const std::string& what, const std::string& s);

// An RFC 3339 query parameter; nullopt when absent or empty. A bad value
// sets `err` (naming `key`) unless an earlier parameter already did.
std::optional<TimeMs> QueryTime(const Request& r, const std::string& key, Status& err);

// An integer query parameter from 0 to `max`; nullopt when absent. A bad
// value sets `err` (naming `key`).
std::optional<std::int64_t> QueryInt(const Request& r, const std::string& key, std::int64_t max,
                                     Status& err);

// The query's `lat` and `lon` as a position: nullopt when both are absent
// (unless `required`); a missing, non-numeric or out-of-range one is an
// error naming it.
Result<std::optional<LatLon>> QueryLatLon(const Request& r, bool required);

}  // namespace beacon::api
