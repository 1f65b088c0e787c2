// Router: the table of HTTP routes, their required permission and handler.
// Transport-independent (no Beast types) so routes can be unit-tested and
// compared against docs/openapi.yaml. Built once at start, then read-only;
// thread-safe to dispatch from many threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/permissions.h"
#include "service/center.h"

namespace beacon::api {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string
  std::map<std::string, std::string> query;
  std::string body;
  std::string authorization;  // Authorization header
  std::string reason;         // Beacon-Reason header
  std::string content_type;
  std::string accept_encoding;  // Accept-Encoding header
  std::string if_none_match;    // If-None-Match header
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

using Reply = std::function<void(Response)>;

// What a handler sees: the request, path parameters and who is calling.
struct Context {
  std::shared_ptr<const Request> request;
  std::vector<std::string> params;  // values of {placeholders}, in order
  service::Actor actor;             // empty user for public routes
};

using Handler = std::function<void(const Context&, Reply)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/incidents/{id}/merge"; "{id}.xml": param + suffix
  // nullopt: public (no token). Otherwise the permission the caller needs.
  std::optional<model::Permission> permission;
  Handler handler;
  std::string label;  // pattern, for metrics
};

// Splits "a=1&b=x%20y" into a map, percent-decoding; false on bad escapes.
bool ParseQuery(std::string_view query, std::map<std::string, std::string>& out);
bool PercentDecode(std::string_view in, std::string& out);

Response JsonResponse(int status, const nlohmann::json& body);
Response ErrorResponse(const Status& s);
// For the two statuses outside the Code table (405, 426).
Response ErrorResponse(int status, std::string_view code, const std::string& message);
int HttpStatus(Code code);

// Resolves the bearer token of a request. Implemented by api::Auth.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual Result<service::Actor> Authenticate(const Request& req) const = 0;
};

class Router {
 public:
  explicit Router(const Authenticator& auth) : auth_(auth) {}
  void Add(std::string method, std::string pattern, std::optional<model::Permission> permission,
           Handler handler);
  // Finds the route, checks token and permission, runs the handler.
  // `label` receives the matched pattern (for metrics).
  void Dispatch(std::shared_ptr<const Request> req, Reply reply, std::string* label) const;
  const std::vector<Route>& routes() const { return routes_; }

  // Matching only: the route for method+path and its params, or the status
  // to answer (404 unknown path, 405 known path with another method).
  struct Match {
    const Route* route = nullptr;
    std::vector<std::string> params;
    int status = 404;
    std::string allow;
  };
  Match Find(std::string_view method, std::string_view path) const;

 private:
  const Authenticator& auth_;
  std::vector<Route> routes_;
};

}  // namespace beacon::api
