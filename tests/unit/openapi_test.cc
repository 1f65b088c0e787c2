// Checks docs/openapi.yaml against the server: the routes registered by
// api::RegisterRoutes, the copy compiled into the binary, the role table,
// and, by walking one incident through the real routes, Center and SQLite
// store, the statuses and JSON bodies the handlers produce and the events
// they publish for the stream.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <boost/asio/thread_pool.hpp>
#include <cctype>
#include <chrono>
#include <fstream>
#include <future>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <utility>

#include "api/auth.h"
#include "api/metrics.h"
#include "api/planning_feed.h"
#include "api/router.h"
#include "api/routes.h"
#include "api/stream_hub.h"
#include "cap/mapping.h"
#include "dispatch/response_plan.h"
#include "dispatch/travel_times.h"
#include "model/permissions.h"
#include "service/center.h"
#include "store/sqlite/sqlite_store.h"
#include "support/harness.h"

namespace beacon::api {
namespace {

using nlohmann::json;

const std::string kSpecPath = std::string(BEACON_SOURCE_DIR) + "/docs/openapi.yaml";
const std::set<std::string> kHttpMethods = {"get",     "put",  "post",  "delete",
                                            "options", "head", "patch", "trace"};
constexpr TimeMs kStart = 1714564800000;  // 2024-05-01T12:00:00Z

// The spelling used in x-permission. A new Permission fails to compile here
// (-Wswitch) until the spec's vocabulary is extended.
std::string PermissionName(model::Permission p) {
  using P = model::Permission;
  switch (p) {
    case P::kReadOperations:
      return "read_operations";
    case P::kReadResources:
      return "read_resources";
    case P::kReadPersonal:
      return "read_personal";
    case P::kCreateCall:
      return "create_call";
    case P::kDispatch:
      return "dispatch";
    case P::kSupervise:
      return "supervise";
    case P::kManageResources:
      return "manage_resources";
    case P::kReadAudit:
      return "read_audit";
    case P::kManageUsers:
      return "manage_users";
    case P::kReadMetrics:
      return "read_metrics";
    case P::kExportIncidents:
      return "export_incidents";
    case P::kImportIncidents:
      return "import_incidents";
    case P::kViewCameras:
      return "view_cameras";
    case P::kIssueAlerts:
      return "issue_alerts";
    case P::kReadPerformance:
      return "read_performance";
    case P::kReportScam:
      return "report_scam";
    case P::kReadScamReports:
      return "read_scam_reports";
    case P::kReadScamCampaigns:
      return "read_scam_campaigns";
    case P::kAnalyseScam:
      return "analyse_scam";
    case P::kOwnSession:
      return "own_session";
  }
  return "?";
}

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const YAML::Node& Spec() {
  static const YAML::Node spec = YAML::LoadFile(kSpecPath);
  return spec;
}

// Follows a chain of {$ref: '#/...'} to the node it names; an undefined
// node when a reference does not resolve.
YAML::Node Resolve(const YAML::Node& root, const YAML::Node& node) {
  // Node assignment in yaml-cpp writes through to the referenced node, so
  // walk with reset(), which only rebinds.
  if (!node) return YAML::Node(YAML::NodeType::Undefined);
  YAML::Node n;
  n.reset(node);
  for (int hops = 0; hops < 16 && n.IsMap() && std::as_const(n)["$ref"]; ++hops) {
    std::string ref = std::as_const(n)["$ref"].as<std::string>();
    if (ref.rfind("#/", 0) != 0) return YAML::Node(YAML::NodeType::Undefined);
    YAML::Node at;
    at.reset(root);
    std::stringstream parts(ref.substr(2));
    std::string part;
    while (std::getline(parts, part, '/')) {
      const YAML::Node& cur = at;
      if (!cur.IsMap() || !cur[part]) return YAML::Node(YAML::NodeType::Undefined);
      const YAML::Node next = cur[part];
      at.reset(next);
    }
    n.reset(at);
  }
  return n;
}

// A JSON Schema subset (the one docs/openapi.yaml uses): $ref, allOf,
// anyOf, oneOf, type, nullable, enum, required, properties,
// additionalProperties, items, min/max, lengths, pattern, date-time.
// Strict about objects: a field the schema does not name is an error
// unless the schema allows additional properties, so that every field
// the server sends is documented.
class SchemaChecker {
 public:
  explicit SchemaChecker(const YAML::Node& root) : root_(root) {}

  std::vector<std::string> Check(const YAML::Node& schema, const json& v,
                                 const std::string& at) const {
    std::vector<std::string> errs;
    Walk(schema, v, at, true, errs);
    return errs;
  }

 private:
  void CollectProps(const YAML::Node& schema, std::set<std::string>& props, bool& open) const {
    const YAML::Node s = Resolve(root_, schema);
    if (s["properties"]) {
      for (const auto& kv : s["properties"]) props.insert(kv.first.as<std::string>());
    }
    if (s["additionalProperties"] && s["additionalProperties"].IsMap()) open = true;
    if (s["allOf"]) {
      for (const auto& b : s["allOf"]) CollectProps(b, props, open);
    }
  }

  static bool TypeMatches(const std::string& type, const json& v) {
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "integer") return v.is_number_integer();
    if (type == "number") return v.is_number();
    if (type == "boolean") return v.is_boolean();
    return false;
  }

  void Walk(const YAML::Node& schema, const json& v, const std::string& at, bool strict,
            std::vector<std::string>& errs) const {
    const YAML::Node s = Resolve(root_, schema);
    if (!s.IsDefined() || !s.IsMap()) {
      errs.push_back(at + ": schema does not resolve");
      return;
    }
    if (v.is_null() && s["nullable"] && s["nullable"].as<bool>()) return;
    if (s["allOf"]) {
      for (const auto& b : s["allOf"]) Walk(b, v, at, false, errs);
    }
    if (s["anyOf"]) {
      bool any = false;
      for (const auto& b : s["anyOf"]) {
        std::vector<std::string> e;
        Walk(b, v, at, false, e);
        any = any || e.empty();
      }
      if (!any) errs.push_back(at + ": matches none of anyOf");
    }
    if (s["oneOf"]) {
      int n = 0;
      for (const auto& b : s["oneOf"]) {
        std::vector<std::string> e;
        Walk(b, v, at, true, e);
        n += e.empty();
      }
      if (n != 1) errs.push_back(at + ": matches " + std::to_string(n) + " of oneOf, not 1");
    }
    if (s["type"]) {
      auto type = s["type"].as<std::string>();
      if (!TypeMatches(type, v)) {
        errs.push_back(at + ": expected " + type + ", got " + v.dump());
        return;
      }
    }
    if (s["enum"]) {
      bool found = false;
      for (const auto& e : s["enum"]) {
        found = found || (v.is_string() && e.as<std::string>() == v.get<std::string>());
      }
      if (!found) errs.push_back(at + ": " + v.dump() + " is not in the enum");
    }
    if (v.is_string()) {
      const auto& str = v.get_ref<const std::string&>();
      if (s["minLength"] && str.size() < s["minLength"].as<size_t>()) {
        errs.push_back(at + ": shorter than minLength");
      }
      if (s["maxLength"] && str.size() > s["maxLength"].as<size_t>()) {
        errs.push_back(at + ": longer than maxLength");
      }
      if (s["pattern"] && !std::regex_search(str, std::regex(s["pattern"].as<std::string>()))) {
        errs.push_back(at + ": " + str + " does not match the pattern");
      }
      if (s["format"] && s["format"].as<std::string>() == "date-time" && !ParseRfc3339(str)) {
        errs.push_back(at + ": " + str + " is not an RFC 3339 date-time");
      }
    }
    if (v.is_number()) {
      double d = v.get<double>();
      if (s["minimum"] && d < s["minimum"].as<double>()) errs.push_back(at + ": below minimum");
      if (s["maximum"] && d > s["maximum"].as<double>()) errs.push_back(at + ": above maximum");
    }
    if (v.is_array()) {
      if (s["minItems"] && v.size() < s["minItems"].as<size_t>()) {
        errs.push_back(at + ": fewer than minItems");
      }
      if (s["maxItems"] && v.size() > s["maxItems"].as<size_t>()) {
        errs.push_back(at + ": more than maxItems");
      }
      if (s["items"]) {
        for (size_t i = 0; i < v.size(); ++i) {
          Walk(s["items"], v[i], at + "[" + std::to_string(i) + "]", true, errs);
        }
      }
    }
    if (v.is_object()) {
      if (s["required"]) {
        for (const auto& r : s["required"]) {
          if (!v.contains(r.as<std::string>())) {
            errs.push_back(at + ": required field " + r.as<std::string>() + " is missing");
          }
        }
      }
      const YAML::Node props = s["properties"];
      for (const auto& [k, x] : v.items()) {
        if (props && props[k]) {
          Walk(props[k], x, at + "." + k, true, errs);
        } else if (s["additionalProperties"] && s["additionalProperties"].IsMap()) {
          Walk(s["additionalProperties"], x, at + "." + k, true, errs);
        }
      }
      if (strict && (s["properties"] || s["allOf"])) {
        std::set<std::string> known;
        bool open = false;
        CollectProps(s, known, open);
        for (const auto& [k, x] : v.items()) {
          if (!open && !known.count(k)) errs.push_back(at + "." + k + ": not in the schema");
        }
      }
    }
  }

  const YAML::Node& root_;
};

// Resolves "Bearer <role name>" to an actor with that role (user = role).
class RoleAuthenticator final : public Authenticator {
 public:
  Result<service::Actor> Authenticate(const Request& req) const override {
    constexpr std::string_view kBearer = "Bearer ";
    std::string_view h = req.authorization;
    if (h.substr(0, kBearer.size()) == kBearer) {
      if (auto role = model::ParseRole(h.substr(kBearer.size()))) {
        return service::Actor{std::string(h.substr(kBearer.size())), *role, ""};
      }
    }
    return Status(Code::kUnauthenticated, "missing or unknown test token");
  }
};

struct Answer {
  int status = 0;
  std::string content_type;
  std::string body;
  json Json() const { return json::parse(body, nullptr, false); }
};

// The real routes over a real store in a temporary directory.
class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::SqliteStore::Open(dir_.path());
    ASSERT_TRUE(opened) << opened.error().message();
    store_ = std::move(*opened);
    auto snap = store_->Load();
    ASSERT_TRUE(snap) << snap.error().message();
    auto plans = dispatch::ResponsePlans::Load(std::string(BEACON_SOURCE_DIR) +
                                               "/config/response_plans.json");
    ASSERT_TRUE(plans) << plans.error().message();
    plans_ = std::move(*plans);
    hub_.SetPublishedSeq(snap->last_event_seq);
    hub_.Subscribe([this](std::int64_t, StreamMessage m) {
      std::lock_guard lock(events_mu_);
      events_.push_back(*m);
    });
    center_.emplace(*store_, plans_, travel_times_, clock_, feed_);
    ASSERT_TRUE(center_->Load(*snap).ok());
    auth_.emplace(*store_, clock_);
    auto mapping = cap::CallMapping::Parse(
        ReadFile(std::string(BEACON_SOURCE_DIR) + "/config/cap_mapping.json"));
    ASSERT_TRUE(mapping) << mapping.error().message();
    cap_mapping_.emplace(std::move(*mapping));
    RouteDeps deps{*center_, *auth_, metrics_, *store_, pool_, nullptr, &planner_};
    deps.cap_mapping = &*cap_mapping_;
    RegisterRoutes(router_, deps);
  }

  void TearDown() override { pool_.join(); }

  // Dispatches one request through the router and waits (bounded) for the reply.
  Answer Send(const std::string& method, const std::string& target, const std::string& role,
              const std::string& body = "", const std::string& content_type = "application/json") {
    auto req = std::make_shared<Request>();
    req->method = method;
    req->content_type = content_type;
    auto q = target.find('?');
    req->path = target.substr(0, q);
    if (q != std::string::npos) {
      EXPECT_TRUE(ParseQuery(target.substr(q + 1), req->query));
    }
    req->body = body;
    if (!role.empty()) req->authorization = "Bearer " + role;
    auto promise = std::make_shared<std::promise<Response>>();
    auto future = promise->get_future();
    router_.Dispatch(
        req, [promise](Response r) { promise->set_value(std::move(r)); }, nullptr);
    Answer a;
    if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      ADD_FAILURE() << method << " " << target << ": no reply within 30 s";
      return a;
    }
    auto r = future.get();
    return {r.status, r.content_type, r.body};
  }

  // Sends, expects `status`, and checks the answer against the spec: the
  // status is documented for the route and a JSON body fits its schema.
  json Expect(const std::string& method, const std::string& target, const std::string& role,
              const json& body, int status) {
    std::string text = body.is_null() ? "" : body.dump();
    Answer a = Send(method, target, role, text);
    std::string what = method + " " + target + " as " + (role.empty() ? "nobody" : role);
    EXPECT_EQ(a.status, status) << what << " answered " << a.body;
    CheckDocumented(method, target, a, what);
    return a.Json();
  }

  void CheckDocumented(const std::string& method, const std::string& target, const Answer& a,
                       const std::string& what) {
    const YAML::Node& spec = Spec();
    auto m = router_.Find(method, target.substr(0, target.find('?')));
    ASSERT_NE(m.route, nullptr) << what << ": no route";
    const YAML::Node op = spec["paths"][m.route->pattern][Lower(method)];
    ASSERT_TRUE(op.IsMap()) << what << ": route " << m.route->pattern << " is not in the spec";
    const YAML::Node resp = Resolve(spec, op["responses"][std::to_string(a.status)]);
    ASSERT_TRUE(resp.IsMap()) << what << ": status " << a.status << " is not documented for "
                              << method << " " << m.route->pattern << "; body " << a.body;
    std::string media = a.content_type.substr(0, a.content_type.find(';'));
    const YAML::Node content = resp["content"];
    ASSERT_TRUE(content && content[media])
        << what << ": content type " << media << " is not documented for " << a.status;
    if (media != "application/json") return;
    json body = a.Json();
    ASSERT_FALSE(body.is_discarded()) << what << ": body is not JSON: " << a.body;
    SchemaChecker checker(spec);
    for (const auto& e : checker.Check(content[media]["schema"], body, "body")) {
      ADD_FAILURE() << what << " -> " << a.status << ": " << e << "\n  body: " << a.body;
    }
  }

  std::vector<std::string> Events() {
    std::lock_guard lock(events_mu_);
    return events_;
  }

  beacon::testing::TempDir dir_;
  std::unique_ptr<store::SqliteStore> store_;
  dispatch::ResponsePlans plans_;
  dispatch::StraightLineTravelTimes travel_times_;
  ManualClock clock_{kStart};
  std::mutex events_mu_;
  std::vector<std::string> events_;
  StreamHub hub_;
  planning::Planner planner_{nullptr};  // no road graph: demand counts only
  PlanningFeed feed_{planner_, hub_};
  std::optional<service::Center> center_;
  std::optional<Auth> auth_;
  std::optional<cap::CallMapping> cap_mapping_;
  Metrics metrics_;
  boost::asio::thread_pool pool_{1};
  RoleAuthenticator authn_;
  Router router_{authn_};
};

using Ops = std::set<std::pair<std::string, std::string>>;

Ops SpecOperations() {
  Ops out;
  const YAML::Node paths = Spec()["paths"];
  for (const auto& path : paths) {
    for (const auto& op : path.second) {
      auto key = op.first.as<std::string>();
      if (kHttpMethods.count(key)) out.insert({Upper(key), path.first.as<std::string>()});
    }
  }
  return out;
}

TEST_F(OpenApiTest, SpecDescribesExactlyTheRegisteredRoutes) {
  Ops routes;
  for (const auto& r : router_.routes()) {
    EXPECT_TRUE(routes.insert({r.method, r.pattern}).second)
        << "route registered twice: " << r.method << " " << r.pattern;
  }
  Ops spec = SpecOperations();
  std::string missing, extra;
  for (const auto& [m, p] : routes) {
    if (!spec.count({m, p})) missing += "\n  " + m + " " + p;
  }
  for (const auto& [m, p] : spec) {
    if (!routes.count({m, p})) extra += "\n  " + m + " " + p;
  }
  EXPECT_TRUE(missing.empty()) << "routes missing from docs/openapi.yaml:" << missing;
  EXPECT_TRUE(extra.empty()) << "docs/openapi.yaml describes routes the server lacks:" << extra;
  EXPECT_FALSE(routes.empty());
}

TEST_F(OpenApiTest, EmbeddedSpecIsTheFile) {
  std::string file = ReadFile(kSpecPath);
  ASSERT_FALSE(file.empty()) << kSpecPath;
  EXPECT_TRUE(OpenApiSpec() == file)
      << "the spec compiled into the binary differs from " << kSpecPath
      << " (re-run cmake; or the file contains @VAR@ or the raw-string delimiter)";
  Answer a = Send("GET", "/api/v1/openapi.yaml", "");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.content_type, "application/yaml");
  EXPECT_TRUE(a.body == file);
}

TEST_F(OpenApiTest, SpecHeader) {
  const YAML::Node& spec = Spec();
  EXPECT_EQ(spec["openapi"].as<std::string>(), "3.0.3");
  ASSERT_TRUE(spec["servers"].IsSequence());
  EXPECT_EQ(spec["servers"][0]["url"].as<std::string>(), "/");
  const YAML::Node bearer = spec["components"]["securitySchemes"]["bearerAuth"];
  ASSERT_TRUE(bearer.IsMap());
  EXPECT_EQ(bearer["type"].as<std::string>(), "http");
  EXPECT_EQ(bearer["scheme"].as<std::string>(), "bearer");
  ASSERT_TRUE(spec["security"].IsSequence());
  ASSERT_EQ(spec["security"].size(), 1u);
  EXPECT_TRUE(spec["security"][0]["bearerAuth"].IsSequence());
}

TEST_F(OpenApiTest, PermissionsAndRolesMatchTheRoleTable) {
  const YAML::Node& spec = Spec();
  for (const auto& r : router_.routes()) {
    SCOPED_TRACE(r.method + " " + r.pattern);
    const YAML::Node op = spec["paths"][r.pattern][Lower(r.method)];
    if (!op.IsMap()) continue;  // reported by SpecDescribesExactlyTheRegisteredRoutes
    ASSERT_TRUE(op["x-permission"]) << "no x-permission";
    std::string permission = op["x-permission"].as<std::string>();
    if (!r.permission) {
      EXPECT_EQ(permission, "public");
      ASSERT_TRUE(op["security"]) << "a public route needs security: []";
      EXPECT_TRUE(op["security"].IsSequence() && op["security"].size() == 0)
          << "a public route needs security: []";
      EXPECT_FALSE(op["x-roles"]) << "a public route has no x-roles";
      continue;
    }
    EXPECT_EQ(permission, PermissionName(*r.permission));
    if (op["security"]) {
      EXPECT_GT(op["security"].size(), 0u) << "security: [] on a route that needs a token";
    }
    std::set<std::string> want, got;
    for (auto role : model::AllRoles()) {
      if (model::Allowed(role, *r.permission)) want.insert(std::string(model::ToString(role)));
    }
    ASSERT_TRUE(op["x-roles"] && op["x-roles"].IsSequence()) << "no x-roles list";
    for (const auto& role : op["x-roles"]) {
      EXPECT_TRUE(got.insert(role.as<std::string>()).second) << "role listed twice";
    }
    EXPECT_EQ(got, want) << "x-roles differ from model::Allowed for " << permission;
    EXPECT_TRUE(op["responses"]["401"]) << "401 is not documented";
    EXPECT_TRUE(op["responses"]["403"]) << "403 is not documented";
  }
}

TEST_F(OpenApiTest, EveryOperationIsWellFormed) {
  const YAML::Node& spec = Spec();
  std::set<std::string> operation_ids;
  for (const auto& path : spec["paths"]) {
    std::string pattern = path.first.as<std::string>();
    std::set<std::string> templated;
    std::regex var("\\{([^}]+)\\}");
    for (std::sregex_iterator it(pattern.begin(), pattern.end(), var), end; it != end; ++it) {
      templated.insert((*it)[1]);
    }
    for (const auto& entry : path.second) {
      std::string method = entry.first.as<std::string>();
      if (!kHttpMethods.count(method)) continue;
      SCOPED_TRACE(Upper(method) + " " + pattern);
      const YAML::Node op = entry.second;
      ASSERT_TRUE(op["operationId"]) << "no operationId";
      EXPECT_TRUE(operation_ids.insert(op["operationId"].as<std::string>()).second)
          << "operationId used twice";
      ASSERT_TRUE(op["responses"].IsMap());
      int client_errors = 0, successes = 0;
      for (const auto& resp : op["responses"]) {
        int code = std::stoi(resp.first.as<std::string>());
        client_errors += code >= 400 && code < 500;
        successes += code >= 100 && code < 300;
      }
      EXPECT_GE(client_errors, 1) << "no 4xx response documented";
      EXPECT_EQ(successes, 1) << "expected exactly one success response";
      std::set<std::string> declared;
      for (const auto& p : op["parameters"]) {
        const YAML::Node param = Resolve(spec, p);
        ASSERT_TRUE(param.IsMap()) << "a parameter does not resolve";
        if (param["in"].as<std::string>() == "path") {
          EXPECT_TRUE(param["required"] && param["required"].as<bool>());
          declared.insert(param["name"].as<std::string>());
        }
      }
      EXPECT_EQ(declared, templated) << "path parameters differ from the path template";
    }
  }
}

// Every $ref in the document points at something that exists.
void CheckRefs(const YAML::Node& root, const YAML::Node& n, const std::string& at) {
  if (n.IsMap()) {
    if (n["$ref"]) {
      EXPECT_TRUE(Resolve(root, n).IsDefined())
          << at << ": $ref " << n["$ref"].as<std::string>() << " does not resolve";
    }
    for (const auto& kv : n) CheckRefs(root, kv.second, at + "/" + kv.first.as<std::string>());
  } else if (n.IsSequence()) {
    for (size_t i = 0; i < n.size(); ++i) CheckRefs(root, n[i], at + "/" + std::to_string(i));
  }
}

TEST_F(OpenApiTest, EveryReferenceResolves) { CheckRefs(Spec(), Spec(), "#"); }

// Walks the API the way docs/api.md does and checks every answer against
// the spec: documented status, documented content type, body fits schema.
TEST_F(OpenApiTest, ServerAnswersFitTheSpec) {
  const std::string v1 = "/api/v1";
  const json none;  // no body

  Expect("GET", v1 + "/healthz", "", none, 200);
  Expect("GET", v1 + "/openapi.yaml", "", none, 200);

  // Users and login.
  json ann = {{"username", "ann"}, {"role", "dispatcher"}, {"password", "correct horse"}};
  Expect("POST", v1 + "/users", "admin", ann, 201);
  Expect("POST", v1 + "/users", "dispatcher", ann, 403);
  Expect("POST", v1 + "/users", "admin",
         {{"username", "bob"}, {"role", "pilot"}, {"password", "12345678"}}, 422);
  Expect("POST", v1 + "/auth/login", "", {{"username", "ann"}, {"password", "correct horse"}}, 200);
  Expect("POST", v1 + "/auth/login", "", {{"username", "ann"}, {"password", "wrong"}}, 401);
  Expect("POST", v1 + "/auth/login", "", json::object(), 400);

  // Stations and units.
  json s1 = {
      {"station_id", "S1"}, {"name", "Station 1"}, {"location", {{"lat", 52.370}, {"lon", 4.890}}}};
  Expect("POST", v1 + "/stations", "supervisor", s1, 201);
  Expect("POST", v1 + "/stations", "supervisor", s1, 409);
  Expect("POST", v1 + "/stations", "admin", {{"station_id", "S2"}, {"name", "x"}}, 400);
  Expect("POST", v1 + "/units", "supervisor",
         {{"unit_id", "E1"}, {"unit_type", "engine"}, {"station_id", "S1"}}, 201);
  Expect(
      "POST", v1 + "/units", "admin",
      {{"unit_id", "M1"}, {"unit_type", "medic"}, {"position", {{"lat", 52.372}, {"lon", 4.893}}}},
      201);
  Expect("POST", v1 + "/units", "supervisor", {{"unit_id", "E1"}, {"unit_type", "engine"}}, 409);
  Expect("POST", v1 + "/units", "supervisor", {{"unit_id", "X1"}, {"unit_type", "zeppelin"}}, 422);
  Expect("GET", v1 + "/units", "call_taker", none, 200);
  Expect("GET", v1 + "/units", "auditor", none, 403);
  Expect("GET", v1 + "/stations", "analyst", none, 200);
  Expect("GET", v1 + "/incident-types", "admin", none, 200);

  // Sessions: logout (of a test token, which ends nothing), disabling,
  // enabling, revocation.
  Expect("POST", v1 + "/auth/logout", "auditor", none, 200);
  Expect("POST", v1 + "/auth/logout", "", none, 401);
  Expect("POST", v1 + "/users/ann/disable", "admin", none, 200);
  Expect("POST", v1 + "/users/ann/enable", "admin", none, 200);
  Expect("POST", v1 + "/users/nobody/disable", "admin", none, 404);
  Expect("POST", v1 + "/users/ann/disable", "supervisor", none, 403);
  Expect("DELETE", v1 + "/sessions?user=ann", "admin", none, 200);
  Expect("DELETE", v1 + "/sessions", "admin", none, 400);

  // Calls: a fire, a duplicate of it, and a call with only an address.
  json fire = {{"channel", "phone"},
               {"location", {{"lat", 52.3702}, {"lon", 4.8952}, {"accuracy_m", 15}}},
               {"address", "Damrak 1"},
               {"incident_type", "STRUCTURE_FIRE"},
               {"narrative", "smoke from second floor"},
               {"caller", {{"name", "Jan"}, {"phone", "+31 20 555 0100"}}}};
  json c1 = Expect("POST", v1 + "/calls", "call_taker", fire, 201);
  EXPECT_EQ(c1.value("incident_id", 0), 1);
  json c2 = Expect("POST", v1 + "/calls", "dispatcher", fire, 201);
  EXPECT_EQ(c2.value("duplicate_of", 0), 1);
  Expect("POST", v1 + "/calls", "supervisor",
         {{"channel", "web"}, {"address", "Dam 2"}, {"incident_type", "MEDICAL"}}, 201);
  Expect("POST", v1 + "/calls", "", fire, 401);
  Expect("POST", v1 + "/calls", "analyst", fire, 403);
  Expect("POST", v1 + "/calls", "call_taker",
         {{"channel", "pigeon"}, {"address", "x"}, {"incident_type", "MEDICAL"}}, 422);
  Expect(
      "POST", v1 + "/calls", "call_taker",
      {{"channel", "phone"}, {"location", {{"lat", 95}, {"lon", 4}}}, {"incident_type", "MEDICAL"}},
      422);
  Expect("POST", v1 + "/calls", "call_taker",
         {{"channel", "phone"}, {"address", 7}, {"incident_type", "MEDICAL"}}, 400);

  json with_caller = Expect("GET", v1 + "/calls/1", "dispatcher", none, 200);
  EXPECT_TRUE(with_caller.contains("caller"));
  json without = Expect("GET", v1 + "/calls/1", "analyst", none, 200);
  EXPECT_FALSE(without.contains("caller"));
  Expect("GET", v1 + "/calls/99", "analyst", none, 404);
  Expect("GET", v1 + "/calls/abc", "analyst", none, 404);

  // Incidents and recommendations.
  Expect("GET", v1 + "/incidents", "analyst", none, 200);
  Expect("GET", v1 + "/incidents?status=all", "analyst", none, 200);
  Expect("GET", v1 + "/incidents?status=bogus", "analyst", none, 422);
  Expect("GET", v1 + "/incidents/1", "dispatcher", none, 200);
  Expect("GET", v1 + "/incidents/1", "auditor", none, 403);
  Expect("GET", v1 + "/incidents/1/recommendations", "dispatcher", none, 200);
  Expect("GET", v1 + "/incidents/2/recommendations", "dispatcher", none, 422);
  Expect("GET", v1 + "/incidents/99/recommendations", "dispatcher", none, 404);

  // Assignment and unit statuses.
  Expect("POST", v1 + "/incidents/1/assignments", "dispatcher", {{"unit_id", "E1"}}, 201);
  Expect("POST", v1 + "/incidents/1/assignments", "dispatcher", {{"unit_id", "E1"}}, 409);
  Expect("POST", v1 + "/incidents/1/assignments", "dispatcher", {{"unit_id", "NOPE"}}, 422);
  Expect("POST", v1 + "/incidents/99/assignments", "dispatcher", {{"unit_id", "M1"}}, 404);
  Expect("POST", v1 + "/incidents/1/assignments", "call_taker", {{"unit_id", "M1"}}, 403);
  Expect("POST", v1 + "/units/E1/status", "dispatcher", {{"status", "en_route"}}, 200);
  Expect("POST", v1 + "/units/E1/status", "dispatcher", {{"status", "dispatched"}}, 409);
  Expect("POST", v1 + "/units/E1/status", "dispatcher", {{"status", "flying"}}, 422);
  Expect("POST", v1 + "/units/NOPE/status", "dispatcher", {{"status", "available"}}, 404);
  Expect("POST", v1 + "/units/M1/position", "dispatcher", {{"lat", 52.371}, {"lon", 4.894}}, 200);
  Expect("POST", v1 + "/units/NOPE/position", "dispatcher", {{"lat", 52.0}, {"lon", 4.0}}, 404);
  Expect("POST", v1 + "/units/M1/position", "dispatcher", {{"lat", 52.0}}, 400);

  // Split the duplicate off, merge it back, close.
  json split = Expect("POST", v1 + "/incidents/1/split", "supervisor",
                      {{"call_ids", json::array({2})}}, 201);
  std::string fresh = std::to_string(split.value("incident_id", 0));
  Expect("POST", v1 + "/incidents/1/split", "supervisor", {{"call_ids", json::array({1})}}, 422);
  Expect("POST", v1 + "/incidents/1/split", "supervisor", {{"call_ids", json::array()}}, 422);
  Expect("POST", v1 + "/incidents/1/split", "dispatcher", {{"call_ids", json::array({1})}}, 403);
  Expect("POST", v1 + "/incidents/" + fresh + "/merge", "supervisor", {{"into", 1}}, 200);
  Expect("POST", v1 + "/incidents/" + fresh + "/merge", "supervisor", {{"into", 1}}, 409);
  Expect("POST", v1 + "/incidents/1/merge", "supervisor", {{"into", 1}}, 422);
  Expect("POST", v1 + "/incidents/1/merge", "supervisor", {{"into", "two"}}, 400);
  Expect("POST", v1 + "/incidents/1/close", "supervisor", {{"disposition", "fire out"}}, 200);
  Expect("POST", v1 + "/incidents/1/close", "supervisor", {{"disposition", "again"}}, 409);
  Expect("GET", v1 + "/incidents/1/recommendations", "dispatcher", none, 409);
  Expect("GET", v1 + "/incidents?status=closed", "analyst", none, 200);

  // Cameras, GeoJSON and EIDO (routes_exchange.cc).
  json cam = Expect("POST", v1 + "/cameras", "supervisor",
                    {{"name", "Dam / Damrak"},
                     {"lat", 52.373},
                     {"lon", 4.893},
                     {"stream_url", "http://127.0.0.1:8554/example/cam1"}},
                    201);
  std::string cam_id = std::to_string(cam.value("id", 0));
  Expect("POST", v1 + "/cameras", "supervisor",
         {{"name", "x"}, {"lat", 52.0}, {"lon", 4.0}, {"stream_url", "file:///etc/passwd"}}, 422);
  Expect("POST", v1 + "/cameras", "supervisor", {{"name", "x"}, {"lat", 52.0}}, 400);
  Expect("GET", v1 + "/cameras", "analyst", none, 200);
  Expect("GET", v1 + "/incidents/1/cameras?limit=3", "call_taker", none, 200);
  Expect("GET", v1 + "/incidents/1/cameras?limit=0", "call_taker", none, 422);
  Expect("GET", v1 + "/incidents/99/cameras", "call_taker", none, 404);
  Expect("GET", v1 + "/incidents/1/cameras", "analyst", none, 403);
  Expect("POST", v1 + "/incidents/1/cameras/" + cam_id + "/view", "dispatcher", none, 200);
  Expect("POST", v1 + "/incidents/1/cameras/99/view", "dispatcher", none, 404);
  Expect("GET", v1 + "/incidents.geojson?status=all", "analyst", none, 200);
  Expect("GET", v1 + "/incidents.geojson?status=bogus", "analyst", none, 422);
  Expect("GET", v1 + "/units.geojson", "admin", none, 200);
  Expect("GET", v1 + "/incidents/1/eido", "dispatcher", none, 200);
  Expect("GET", v1 + "/incidents/99/eido", "dispatcher", none, 404);
  Expect("GET", v1 + "/incidents/1/eido", "analyst", none, 403);
  std::string sample = ReadFile(std::string(BEACON_SOURCE_DIR) +
                                "/../shared/data/standards/eido/Sample_call_transfer_EIDO.json");
  ASSERT_FALSE(sample.empty()) << "the NENA sample EIDO is missing from ../shared/data";
  Expect("POST", v1 + "/eido", "dispatcher", json::parse(sample), 200);
  Expect("POST", v1 + "/eido", "dispatcher", {{"eidoVersion", "1.0"}}, 400);
  Expect("POST", v1 + "/eido", "call_taker", json::parse(sample), 403);

  // The floor (routes_floor.cc): facilities, premise notes, timers.
  json hospital = {{"facility_id", "H1"},
                   {"name", "General"},
                   {"kind", "hospital"},
                   {"location", {{"lat", 52.36}, {"lon", 4.90}}}};
  Expect("POST", v1 + "/facilities", "supervisor", hospital, 201);
  Expect("POST", v1 + "/facilities", "supervisor", hospital, 409);
  json spa = hospital;
  spa["facility_id"] = "H2";
  spa["kind"] = "spa";
  Expect("POST", v1 + "/facilities", "admin", spa, 422);
  Expect("POST", v1 + "/facilities", "dispatcher", hospital, 403);
  Expect("GET", v1 + "/facilities", "analyst", none, 200);
  Expect("POST", v1 + "/facilities/H1/status", "dispatcher", {{"status", "diversion"}}, 200);
  Expect("POST", v1 + "/facilities/NOPE/status", "dispatcher", {{"status", "open"}}, 404);
  Expect("POST", v1 + "/facilities/H1/status", "dispatcher", {{"status", "full"}}, 422);
  json note = {{"location", {{"lat", 52.3702}, {"lon", 4.8952}}},
               {"text", "gas meter in the basement"},
               {"hazard", true}};
  Expect("POST", v1 + "/premises", "supervisor", note, 201);
  Expect("POST", v1 + "/premises", "supervisor",
         {{"polygon", {{1, 1}, {1, 2}, {2, 2}, {2, 1}}}, {"text", "not closed"}}, 422);
  Expect("POST", v1 + "/premises", "dispatcher", note, 403);
  Expect("GET", v1 + "/premises?lat=52.3702&lon=4.8952", "analyst", none, 200);
  Expect("GET", v1 + "/premises?lat=100&lon=4", "analyst", none, 422);
  Expect("GET", v1 + "/incidents/1", "dispatcher", none, 200);
  // The address-only medical call (incident 2) has waited past its
  // priority's threshold: its pending timer is raised, acknowledged, and
  // cleared by an assignment.
  clock_.Advance(10 * 60 * 1000);
  center_->EvaluateTimers();
  json timers = Expect("GET", v1 + "/timers", "analyst", none, 200);
  ASSERT_FALSE(timers["timers"].empty()) << timers;
  const std::string pending = "/timers/incident:2:pending/acknowledge";
  Expect("POST", v1 + pending, "dispatcher", none, 200);
  Expect("POST", v1 + pending, "dispatcher", none, 409);
  Expect("POST", v1 + pending, "call_taker", none, 403);
  Expect("POST", v1 + "/timers/unit:NOPE:dispatched/acknowledge", "dispatcher", none, 404);
  Expect("POST", v1 + "/incidents/2/assignments", "dispatcher", {{"unit_id", "M1"}}, 201);
  Expect("POST", v1 + "/units/M1/status", "dispatcher", {{"status", "en_route"}}, 200);
  Expect("POST", v1 + "/units/M1/status", "dispatcher", {{"status", "on_scene"}}, 200);
  json transporting = Expect("POST", v1 + "/units/M1/status", "dispatcher",
                             {{"status", "transporting"}, {"destination", "H1"}}, 200);
  EXPECT_TRUE(transporting.contains("warning")) << "H1 is on diversion";
  Expect("POST", v1 + "/units/M1/status", "dispatcher",
         {{"status", "at_hospital"}, {"destination", "H1"}}, 422);

  // Audit, metrics, stream.
  // Planning without a road graph: coverage is 409, demand counts work.
  Expect("GET", v1 + "/coverage?seconds=240", "analyst", none, 409);
  Expect("GET", v1 + "/coverage?seconds=0", "analyst", none, 422);
  Expect("GET", v1 + "/coverage/moveups", "dispatcher", none, 409);
  Expect("GET", v1 + "/coverage/moveups?limit=50", "dispatcher", none, 422);
  Expect("GET", v1 + "/coverage", "auditor", none, 403);
  json by_type = Expect("GET", v1 + "/stats/demand?by=type", "analyst", none, 200);
  EXPECT_FALSE(by_type["buckets"].empty()) << by_type;
  Expect("GET", v1 + "/stats/demand?by=weekday&from=2020-01-01T00:00:00Z", "supervisor", none, 200);
  Expect("GET", v1 + "/stats/demand", "analyst", none, 400);
  Expect("GET", v1 + "/stats/demand?by=hour&to=soon", "analyst", none, 422);
  Expect("GET", v1 + "/stats/demand?by=hour", "auditor", none, 403);

  json audit = Expect("GET", v1 + "/audit?limit=500", "auditor", none, 200);
  EXPECT_FALSE(audit.value("entries", json::array()).empty());
  Expect("GET", v1 + "/audit?from=yesterday", "auditor", none, 422);
  Expect("GET", v1 + "/audit?limit=20000", "auditor", none, 422);
  Expect("GET", v1 + "/audit", "admin", none, 403);
  Expect("GET", v1 + "/metrics", "analyst", none, 200);
  Expect("GET", v1 + "/metrics", "call_taker", none, 403);
  Expect("GET", v1 + "/stream", "dispatcher", none, 426);
  Expect("GET", v1 + "/stream", "", none, 401);

  // Every event published fits StreamEvent, in order without gaps, and
  // the walk above produced every event type the spec names.
  const YAML::Node& spec = Spec();
  SchemaChecker checker(spec);
  const YAML::Node event_schema = spec["components"]["schemas"]["StreamEvent"];
  std::set<std::string> seen, named;
  for (const auto& t : event_schema["properties"]["type"]["enum"])
    named.insert(t.as<std::string>());
  std::int64_t expect_seq = 1;
  for (const auto& text : Events()) {
    json e = json::parse(text);
    for (const auto& err : checker.Check(event_schema, e, "event"))
      ADD_FAILURE() << err << "\n" << text;
    EXPECT_EQ(e.value("seq", 0), expect_seq++);
    std::string type = e.value("type", "");
    seen.insert(type);
    std::string noun = type.substr(0, type.find('.'));
    // One record per event; incident events also carry the timeline
    // entries the change added (the record itself has no timeline).
    EXPECT_EQ(e["data"].size(), noun == "incident" ? 2u : 1u) << text;
    EXPECT_TRUE(e["data"].contains(noun)) << text;
    if (noun == "incident") {
      EXPECT_TRUE(e["data"]["timeline_added"].is_array()) << text;
      EXPECT_FALSE(e["data"]["incident"].contains("timeline")) << text;
    }
    if (noun == "call") {
      EXPECT_FALSE(e["data"]["call"].contains("caller")) << text;
    }
  }
  EXPECT_EQ(seen, named);
}

// The CAP routes (docs/cap.md): XML in, JSON receipts, XML and Atom out.
TEST_F(OpenApiTest, CapAnswersFitTheSpec) {
  const std::string v1 = "/api/v1";
  const std::string examples = std::string(BEACON_SOURCE_DIR) + "/../shared/data/standards/cap/";
  std::string quake = ReadFile(examples + "examples/Oasis_EarthquakeReport.xml");
  ASSERT_FALSE(quake.empty());
  auto cap = [&](const std::string& role, const std::string& xml, int status,
                 const std::string& type = "application/cap+xml") {
    Answer a = Send("POST", v1 + "/cap", role, xml, type);
    std::string what = "POST /cap as " + role;
    EXPECT_EQ(a.status, status) << what << " answered " << a.body;
    CheckDocumented("POST", v1 + "/cap", a, what);
    return a.Json();
  };
  json taken = cap("call_taker", quake, 201);
  EXPECT_EQ(taken["msg_type"], "Update");
  EXPECT_EQ(cap("dispatcher", quake, 201)["duplicate"], true);
  cap("call_taker", quake + " ", 409);
  cap("analyst", quake, 403);
  cap("", quake, 401);
  cap("call_taker", quake, 415, "application/json");
  EXPECT_EQ(cap("call_taker", "<alert", 400)["error"]["rule"], "xml.syntax");
  std::string unclosed = quake;
  unclosed.replace(unclosed.find("<circle>"),
                   unclosed.find("</circle>") - unclosed.find("<circle>"),
                   "<polygon>1,1 1,2 2,2 2,1</polygon><circle>1,1 0");
  EXPECT_EQ(cap("call_taker", unclosed, 422)["error"]["rule"], "cap.polygon.closed");
  Expect("GET", v1 + "/calls/" + taken["call_id"].dump(), "dispatcher", nullptr, 200);

  json alert = {{"incident_id", taken["incident_id"]},
                {"category", "Geo"},
                {"urgency", "Past"},
                {"severity", "Minor"},
                {"certainty", "Observed"},
                {"languages", {{{"language", "en-US"}, {"event", "Earthquake"}}}},
                {"area",
                 {{"description", "Brawley"},
                  {"circle", {{"lat", 32.95}, {"lon", -115.55}, {"radius_km", 10}}}}}};
  json issued = Expect("POST", v1 + "/alerts", "supervisor", alert, 201);
  Expect("POST", v1 + "/alerts", "dispatcher", alert, 403);
  Expect("POST", v1 + "/alerts", "supervisor", {{"incident_id", 1}}, 400);
  json no_such = alert;
  no_such["incident_id"] = 999;
  Expect("POST", v1 + "/alerts", "supervisor", no_such, 422);
  Expect("POST", v1 + "/alerts", "supervisor", json::array(), 400);
  Expect("POST", v1 + "/alerts", "supervisor",
         {{"msg_type", "Cancel"}, {"references_alert_id", issued["id"]}}, 201);
  Expect("POST", v1 + "/alerts", "supervisor",
         {{"msg_type", "Cancel"}, {"references_alert_id", issued["id"]}}, 409);
  Expect("GET", v1 + "/alerts/" + issued["id"].dump() + ".xml", "", nullptr, 200);
  Expect("GET", v1 + "/alerts/" + taken["alert_id"].dump() + ".xml", "", nullptr, 404);
  Expect("GET", v1 + "/alerts/feed.atom", "", nullptr, 200);
}

}  // namespace
}  // namespace beacon::api
