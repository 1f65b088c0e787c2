// Sessions end (issue 16, docs/security.md) against the real beacon binary:
// logout, an admin disabling a user or revoking their sessions, and expiry
// each make the token answer 401 (also after a restart) and close the
// streams opened with it (close code 4401); a disabled user cannot log in;
// every such event is in the audit log. Every wait is bounded.

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "integration/scenario.h"

namespace beacon::testing {
namespace {

// Reads the stream until the server closes it (bounded); returns the close
// code. One long read: a read that times out abandons the WebSocket.
int WaitForClose(StreamClient& stream) {
  for (int i = 0; i < 1000 && stream.Next(std::chrono::seconds(30)); ++i) {
  }
  return stream.CloseCode();
}

class SessionsTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> extra = {}) {
    fixture_.Start(std::move(extra));
    http_.emplace(fixture_.server->port());
  }
  void Restart() {
    http_.reset();
    fixture_.server->Kill(SIGTERM);
    fixture_.server->Start();
    http_.emplace(fixture_.server->port());
    fixture_.tokens["admin"] = Login(*http_, "admin", "pw-admin");
    fixture_.tokens["auditor"] = Login(*http_, "auditor", "pw-auditor");
  }
  HttpClient& http() { return *http_; }
  int port() const { return fixture_.server->port(); }

  // A new analyst account; returns its name (password "correct horse").
  std::string NewUser(const std::string& name) {
    auto r = http().Post("/api/v1/users",
                         {{"username", name}, {"role", "analyst"}, {"password", "correct horse"}},
                         fixture_.Token("admin"));
    EXPECT_EQ(r.status, 201) << r.body;
    return name;
  }
  int IncidentsStatus(const std::string& token) {
    return http().Get("/api/v1/incidents", token).status;
  }
  HttpResult Admin(const std::string& method, const std::string& target) {
    return http().Request(method, "/api/v1" + target, method == "POST" ? "{}" : "",
                          fixture_.Token("admin"));
  }
  // The audit actions on `object` (e.g. "user/ann"), oldest first.
  std::vector<std::string> AuditActions(const std::string& object) {
    auto r = http().Get("/api/v1/audit", fixture_.Token("auditor"));
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    for (const auto& e : r.Json().value("entries", json::array())) {
      if (e.value("object", "") == object) out.push_back(e.value("action", ""));
    }
    return out;
  }

  Fixture fixture_;
  std::optional<HttpClient> http_;
};

TEST_F(SessionsTest, LogoutRevokesTheTokenAndClosesItsStream) {
  Start();
  std::string token = Login(http(), "dispatcher", "pw-dispatcher");
  std::string other = Login(http(), "dispatcher", "pw-dispatcher");
  StreamClient stream(port(), token);
  ASSERT_EQ(stream.Next().value_or(json()).value("type", ""), "hello");
  StreamClient kept(port(), other);
  ASSERT_EQ(kept.Next().value_or(json()).value("type", ""), "hello");

  auto r = http().Request("POST", "/api/v1/auth/logout", "", token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().value("username", ""), "dispatcher");
  EXPECT_EQ(IncidentsStatus(token), 401);
  EXPECT_EQ(http().Request("POST", "/api/v1/auth/logout", "", token).status, 401);
  EXPECT_EQ(WaitForClose(stream), 4401) << stream.CloseReason();
  // The other session of the same user goes on, stream included.
  EXPECT_EQ(IncidentsStatus(other), 200);
  auto call = http().Post("/api/v1/calls", CallBody("MEDICAL", {40.0, -3.0}), other);
  ASSERT_EQ(call.status, 201) << call.body;
  auto next = kept.Next();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->value("type", ""), "call.created");

  Restart();
  EXPECT_EQ(IncidentsStatus(token), 401) << "a logged-out token came back after a restart";
  EXPECT_EQ(IncidentsStatus(other), 200);
  EXPECT_EQ(AuditActions("user/dispatcher").back(), "logout");
}

TEST_F(SessionsTest, DisabledUserIsLockedOutAndCanBeEnabled) {
  Start();
  std::string name = NewUser("ann");
  std::string token = Login(http(), name, "correct horse");
  StreamClient stream(port(), token);
  ASSERT_EQ(stream.Next().value_or(json()).value("type", ""), "hello");

  auto r = Admin("POST", "/users/ann/disable");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json(), json({{"username", "ann"}, {"disabled", true}}));
  EXPECT_EQ(IncidentsStatus(token), 401);
  EXPECT_EQ(WaitForClose(stream), 4401);
  // The same answer as a wrong password.
  auto refused =
      http().Post("/api/v1/auth/login", {{"username", name}, {"password", "correct horse"}});
  auto wrong = http().Post("/api/v1/auth/login", {{"username", name}, {"password", "wrong horse"}});
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.body, wrong.body);
  EXPECT_EQ(Admin("POST", "/users/nobody/disable").status, 404);

  Restart();
  EXPECT_EQ(IncidentsStatus(token), 401);
  EXPECT_EQ(
      http().Post("/api/v1/auth/login", {{"username", name}, {"password", "correct horse"}}).status,
      401)
      << "disabled must survive a restart";
  r = Admin("POST", "/users/ann/enable");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(IncidentsStatus(token), 401) << "enabling does not bring old sessions back";
  std::string again = Login(http(), name, "correct horse");
  EXPECT_EQ(IncidentsStatus(again), 200);
  auto actions = AuditActions("user/ann");
  for (const char* a : {"user.disable", "login.disabled", "login.failed", "user.enable"}) {
    EXPECT_NE(std::find(actions.begin(), actions.end(), a), actions.end()) << a;
  }
}

TEST_F(SessionsTest, AdminRevokesEverySessionOfAUser) {
  Start();
  std::string name = NewUser("bob");
  std::string t1 = Login(http(), name, "correct horse");
  std::string t2 = Login(http(), name, "correct horse");
  StreamClient stream(port(), t1);
  ASSERT_EQ(stream.Next().value_or(json()).value("type", ""), "hello");
  auto r = Admin("DELETE", "/sessions?user=bob");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().value("revoked", -1), 2);
  EXPECT_EQ(IncidentsStatus(t1), 401);
  EXPECT_EQ(IncidentsStatus(t2), 401);
  EXPECT_EQ(WaitForClose(stream), 4401);
  EXPECT_EQ(Admin("DELETE", "/sessions").status, 400);
  // Revoked, not disabled: bob logs in again.
  EXPECT_EQ(IncidentsStatus(Login(http(), name, "correct horse")), 200);
  Restart();
  EXPECT_EQ(IncidentsStatus(t1), 401);
  auto actions = AuditActions("user/bob");
  EXPECT_NE(std::find(actions.begin(), actions.end(), "sessions.revoke"), actions.end());
}

// The finding: a stream kept delivering events for 65 s after its token
// expired. Now it is closed at expiry (checked at least once a second).
TEST_F(SessionsTest, StreamIsClosedWhenItsTokenExpires) {
  Start({"--session-lifetime", "3"});
  std::string token = Login(http(), "dispatcher", "pw-dispatcher");
  StreamClient stream(port(), token);
  ASSERT_EQ(stream.Next().value_or(json()).value("type", ""), "hello");
  EXPECT_EQ(WaitForClose(stream), 4401) << stream.CloseReason();
  EXPECT_EQ(IncidentsStatus(token), 401);
}

}  // namespace
}  // namespace beacon::testing
