// Data-driven bad-input tests of the HTTP API, against the real beacon binary.
//
// One server is started for the whole file and seeded from
// tests/golden/api/seed.json. Then:
//  - every case of tests/golden/api/bad_input.json must be refused with the
//    expected 4xx status (never 5xx) and the JSON error shape, and leave the
//    seeded state unchanged;
//  - every case of tests/golden/api/accepted_input.json (hostile-looking but
//    valid text) must be accepted and read back verbatim.
// The case format is described in tests/golden/api/README.md; adding a case
// needs no C++.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "support/harness.h"
#include "support/json_match.h"

namespace beacon::testing {
namespace {

constexpr size_t kMinBadCases = 70;
constexpr auto kExchangeTimeout = std::chrono::seconds(30);

// Every key a case may use; a misspelt key fails the test instead of being ignored.
constexpr std::array<std::string_view, 17> kCaseKeys = {
    "name",      "note",          "method",       "path",        "role",
    "token",     "headers",       "body",         "body_hex",    "body_repeat",
    "body_json", "expect_status", "expect_field", "expect_code", "expect_message_contains",
    "fetch",     "fetch_role"};
constexpr std::array<std::string_view, 4> kBodyKeys = {"body", "body_hex", "body_repeat",
                                                       "body_json"};

json LoadGolden(const std::string& file) {
  const std::string path = std::string(BEACON_SOURCE_DIR) + "/tests/golden/api/" + file;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());  // a broken golden file should fail loudly
}

// Checks a case's keys; returns false (with a test failure) if it is unusable.
bool ValidCase(const json& c) {
  if (!c.is_object() || !c.contains("name") || !c.contains("method") || !c.contains("path") ||
      !c.contains("expect_status")) {
    ADD_FAILURE() << "a case needs name, method, path and expect_status: " << c.dump();
    return false;
  }
  int bodies = 0;
  for (const auto& [key, value] : c.items()) {
    if (std::find(kCaseKeys.begin(), kCaseKeys.end(), key) == kCaseKeys.end()) {
      ADD_FAILURE() << "case " << c["name"] << " has unknown key \"" << key << "\"";
      return false;
    }
    bodies += std::find(kBodyKeys.begin(), kBodyKeys.end(), key) != kBodyKeys.end();
  }
  if (bodies > 1) {
    ADD_FAILURE() << "case " << c["name"] << " has more than one body";
    return false;
  }
  return true;
}

// Loads a list of cases, failing the test on duplicate names or bad keys.
std::vector<json> LoadCases(const std::string& file) {
  std::vector<json> cases;
  std::set<std::string> names;
  for (const auto& c : LoadGolden(file)) {
    if (!ValidCase(c)) continue;
    if (!names.insert(c["name"].get<std::string>()).second) {
      ADD_FAILURE() << file << ": duplicate case name " << c["name"];
    }
    cases.push_back(c);
  }
  return cases;
}

std::string Unhex(const std::string& hex) {
  auto nibble = [&](char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    throw std::invalid_argument("bad hex digit in " + hex);
  };
  if (hex.size() % 2 != 0) throw std::invalid_argument("odd-length hex " + hex);
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  }
  return out;
}

// A string, or {"prefix", "unit", "count", "suffix"} = prefix + unit x count + suffix.
std::string Expand(const json& spec) {
  if (spec.is_string()) return spec.get<std::string>();
  std::string out = spec.value("prefix", "");
  const std::string unit = spec.at("unit").get<std::string>();
  const int count = spec.at("count").get<int>();
  out.reserve(out.size() + unit.size() * static_cast<size_t>(count) + 64);
  for (int i = 0; i < count; ++i) out += unit;
  return out + spec.value("suffix", "");
}

// The raw bytes a case sends.
std::string BodyOf(const json& c) {
  if (c.contains("body_hex")) return Unhex(c["body_hex"].get<std::string>());
  if (c.contains("body_repeat")) return Expand(c["body_repeat"]);
  if (c.contains("body_json")) return c["body_json"].dump();
  return c.value("body", "");
}

// Replaces each "{key}" in `target` with the value of `key` in `fields`.
std::string FillTemplate(std::string target, const json& fields) {
  for (const auto& [key, value] : fields.items()) {
    const std::string hole = "{" + key + "}";
    const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    for (auto pos = target.find(hole); pos != std::string::npos; pos = target.find(hole)) {
      target.replace(pos, hole.size(), text);
    }
  }
  return target;
}

std::string Lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// Splits raw HTTP response bytes; nullopt until the head and the whole
// Content-Length body are there.
std::optional<HttpResult> ParseResponse(const std::string& in) {
  const auto head_end = in.find("\r\n\r\n");
  if (head_end == std::string::npos || in.compare(0, 5, "HTTP/") != 0) return std::nullopt;
  HttpResult r;
  r.status = std::atoi(in.c_str() + in.find(' ') + 1);
  for (size_t at = in.find("\r\n") + 2; at < head_end;) {
    const size_t eol = in.find("\r\n", at);
    const std::string line = in.substr(at, eol - at);
    const size_t colon = line.find(':');
    const size_t value = line.find_first_not_of(' ', colon + 1);
    if (colon != std::string::npos && value != std::string::npos) {
      r.headers[Lower(line.substr(0, colon))] = line.substr(value);
    }
    at = eol + 2;
  }
  r.body = in.substr(head_end + 4);
  auto length = r.headers.find("content-length");
  if (length != r.headers.end() && r.body.size() < std::stoul(length->second)) return std::nullopt;
  return r;
}

// Sends one request on a fresh connection and reads the answer while still
// sending: the server may answer (413) and close before it has read the
// whole body, and a client that reads only after writing sees a broken pipe.
// Plain sockets, so this file shares no Boost.Beast instances with the
// harness (tests/CMakeLists.txt compiles the two with different Beast
// string_view settings). Throws std::runtime_error when no answer arrives.
HttpResult Exchange(int port, const std::string& method, const std::string& target,
                    const std::string& body, const std::string& token,
                    const std::map<std::string, std::string>& headers) {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!token.empty()) out += "Authorization: Bearer " + token + "\r\n";
  if (!body.empty() || method == "POST") {
    out +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  out += "\r\n" + body;

  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("connect failed");
  }
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  std::string in;
  size_t sent = 0;
  bool sending = true;
  std::optional<HttpResult> answer;
  const auto deadline = std::chrono::steady_clock::now() + kExchangeTimeout;
  while (!answer && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, static_cast<short>(POLLIN | (sending ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[65536];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0) {
        in.append(buf, static_cast<size_t>(n));
        answer = ParseResponse(in);
        continue;
      }
      if (n == 0 || errno != EAGAIN) break;  // closed or reset: no more to read
    }
    if (sending && (p.revents & POLLOUT)) {
      const ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n > 0) sent += static_cast<size_t>(n);
      // Done, or the server stopped reading: from now on only its answer matters.
      if (sent == out.size() || (n < 0 && errno != EAGAIN)) sending = false;
    }
  }
  ::close(fd);
  if (!answer) {
    throw std::runtime_error("no complete HTTP answer; got " + std::to_string(in.size()) +
                             " bytes after sending " + std::to_string(sent) + " of " +
                             std::to_string(out.size()));
  }
  return *answer;
}

void ExpectJsonHeaders(const HttpResult& r) {
  auto header = [&](const std::string& name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string("(absent)") : it->second;
  };
  EXPECT_EQ(header("content-type").rfind("application/json", 0), 0u) << header("content-type");
  EXPECT_EQ(header("x-content-type-options"), "nosniff");
}

// A refused request: expected status, a 4xx, and {"error": {code, message, field?}}.
void ExpectRefused(const json& c, const HttpResult& r) {
  EXPECT_EQ(r.status, c["expect_status"].get<int>()) << r.body.substr(0, 500);
  EXPECT_TRUE(r.status >= 400 && r.status <= 499) << "status " << r.status << " is not a 4xx";
  ExpectJsonHeaders(r);
  const json body = r.Json();
  ASSERT_TRUE(body.is_object() && body.contains("error") && body["error"].is_object())
      << "not the error shape: " << r.body.substr(0, 500);
  const json& err = body["error"];
  const std::string code = err.value("code", "");
  const std::string message = err.value("message", "");
  EXPECT_FALSE(code.empty()) << r.body;
  EXPECT_FALSE(message.empty()) << r.body;
  if (c.contains("expect_code")) {
    EXPECT_EQ(code, c["expect_code"].get<std::string>()) << message;
  }
  if (c.contains("expect_field")) {
    EXPECT_EQ(err.value("field", "(absent)"), c["expect_field"].get<std::string>()) << message;
  }
  if (c.contains("expect_message_contains")) {
    const auto want = c["expect_message_contains"].get<std::string>();
    EXPECT_NE(message.find(want), std::string::npos) << "\"" << want << "\" not in: " << message;
  }
}

// One server for the file, seeded once; tests share it and its clients' tokens.
class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fixture_ = std::make_unique<Fixture>();
    fixture_->Start();
    seed_ = LoadGolden("seed.json");
    for (const auto& c : seed_["requests"]) {
      auto r = Send(c);
      ASSERT_EQ(r.status, c["expect_status"].get<int>()) << "seed " << c["name"] << ": " << r.body;
    }
  }
  static void TearDownTestSuite() { fixture_.reset(); }

  // The bearer token a case sends: "token" verbatim, else that of the role
  // named by `role_key`, else none.
  static std::string TokenFor(const json& c, const std::string& role_key) {
    if (role_key == "role" && c.contains("token")) return c["token"].get<std::string>();
    if (!c.contains(role_key)) return "";
    const auto role = c[role_key].get<std::string>();
    if (!fixture_->tokens.count(role)) throw std::invalid_argument("unknown role " + role);
    return fixture_->Token(role);
  }

  static HttpResult Send(const json& c) {
    const json header_specs = c.value("headers", json::object());
    std::map<std::string, std::string> headers;
    for (const auto& [name, spec] : header_specs.items()) headers[name] = Expand(spec);
    return Exchange(fixture_->server->port(), c["method"].get<std::string>(),
                    c["path"].get<std::string>(), BodyOf(c), TokenFor(c, "role"), headers);
  }

  // What the seeded objects look like now (status and body of each snapshot path).
  static json Snapshot(HttpClient& http) {
    json out = json::object();
    const std::string token = fixture_->Token(seed_["snapshot_role"].get<std::string>());
    for (const auto& path : seed_["snapshot"]) {
      auto r = http.Get(path.get<std::string>(), token);
      out[path.get<std::string>()] = {{"status", r.status}, {"body", r.Json()}};
    }
    return out;
  }

  static inline std::unique_ptr<Fixture> fixture_;
  static inline json seed_;
};

TEST_F(BadInputTest, HostileTextIsAcceptedAndReturnedVerbatim) {
  const auto cases = LoadCases("accepted_input.json");
  EXPECT_FALSE(cases.empty());
  HttpClient http(fixture_->server->port());
  for (const auto& c : cases) {
    SCOPED_TRACE("case " + c["name"].get<std::string>());
    const std::string fetch = c.value("fetch", "");
    EXPECT_FALSE(fetch.empty()) << "an accepted case needs \"fetch\", the path to read it back";
    auto created = Send(c);
    EXPECT_EQ(created.status, c["expect_status"].get<int>()) << created.body;
    if (fetch.empty() || created.status != c["expect_status"].get<int>()) continue;
    ExpectJsonHeaders(created);
    auto fetched = http.Get(FillTemplate(fetch, created.Json()), TokenFor(c, "fetch_role"));
    EXPECT_EQ(fetched.status, 200) << fetched.body;
    ExpectJsonHeaders(fetched);
    std::string where;
    EXPECT_TRUE(JsonContains(fetched.Json(), json::parse(BodyOf(c)), &where))
        << "differs at " << where << ": " << fetched.body.substr(0, 2000);
  }
}

TEST_F(BadInputTest, EveryBadRequestIsRefusedWith4xxAndChangesNothing) {
  const auto cases = LoadCases("bad_input.json");
  EXPECT_GE(cases.size(), kMinBadCases);
  HttpClient http(fixture_->server->port());
  const json before = Snapshot(http);

  for (const auto& c : cases) {
    SCOPED_TRACE("case " + c["name"].get<std::string>());
    try {
      ExpectRefused(c, Send(c));
    } catch (const std::exception& e) {
      ADD_FAILURE() << "case did not run: " << e.what();
    }
  }

  auto health = http.Get("/api/v1/healthz");
  EXPECT_EQ(health.status, 200) << health.body;
  const json after = Snapshot(http);
  for (const auto& [path, was] : before.items()) {
    EXPECT_TRUE(after.at(path) == was)
        << "seeded " << path << " changed from " << was.dump().substr(0, 400) << " to "
        << after.at(path).dump().substr(0, 400);
  }
  // Bad input must not leave the server unable to write.
  for (const auto& c : seed_["probe_after"]) {
    auto r = Send(c);
    EXPECT_EQ(r.status, c["expect_status"].get<int>()) << "probe " << c["name"] << ": " << r.body;
  }
}

}  // namespace
}  // namespace beacon::testing
