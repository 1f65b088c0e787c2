// Durability under crashes, against the real beacon binary.
//
// Client threads post calls continuously while the test kills the server
// with SIGKILL at random moments (seeded RNG) and restarts it on the same
// data directory. Afterwards every call that was acknowledged with 201 must
// be readable with the content that was posted (and every fraud report the
// anti-scam desk acknowledged, single or in a batch), no call id may have been
// acknowledged twice, the tokens from before the first crash must still be
// accepted, and `beacon audit verify` must report the audit chain intact.

#include <gtest/gtest.h>
#include <signal.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/harness.h"
#include "support/json_match.h"

namespace beacon::testing {
namespace {

using std::chrono::milliseconds;

constexpr int kKills = 24;
constexpr int kClients = 2;
constexpr std::uint32_t kSeed = 0xBEAC0;
constexpr int kMinKillDelayMs = 20;
constexpr int kMaxKillDelayMs = 300;
// After the last restart each client must get this many calls through.
constexpr int kAcksAfterLastRestart = 20;
constexpr auto kAfterLastRestartTimeout = std::chrono::seconds(30);
constexpr int kMaxCallsPerClient = 50000;  // bounds the client loop
constexpr int kMaxReportedFailures = 10;

struct Acked {
  std::int64_t call_id = 0;
  json body;  // as posted
};

// A later change acknowledged with 201/200: a note on the call's incident,
// text appended to the call's narrative, the incident's priority changed
// (PATCH /incidents/{id}, as the dispatcher) or a premise note written at
// the call's place (as the supervisor).
struct AckedChange {
  enum Kind { kNote, kNarrative, kPriority, kPremise };
  std::int64_t call_id = 0;
  Kind kind = kNote;
  std::string text;  // the note or narrative text, the premise note's text
  int priority = 0;
};

// The tokens the clients act with.
struct Tokens {
  std::string call_taker, dispatcher, supervisor;
};

// A fraud report acknowledged with 201 (alone or in a batch).
struct AckedReport {
  std::int64_t report_id = 0;
  std::string text;
};

// What one client thread saw. `acks` may be read while the thread runs;
// the vectors only after it has been joined.
struct ClientLog {
  std::atomic<int> acks{0};
  std::vector<Acked> acked;
  std::vector<AckedChange> changes;
  std::vector<AckedReport> reports;
  std::vector<std::string> unexpected;  // answers other than 201
  int transport_errors = 0;
};

// A distinct call for (client, n). Located calls are spread more than 1 km
// apart so none is linked to another's incident; every 8th has a caller.
json CallBody(int client, int n) {
  static constexpr std::array<const char*, 5> kChannels = {"phone", "text", "web", "alarm",
                                                           "agency"};
  static constexpr std::array<const char*, 5> kTypes = {"MEDICAL", "STRUCTURE_FIRE",
                                                        "TRAFFIC_HAZARD", "GAS_LEAK", "ASSAULT"};
  const std::string tag = "client " + std::to_string(client) + " call " + std::to_string(n);
  json body = {{"channel", kChannels[n % kChannels.size()]},
               {"incident_type", kTypes[(n / 2) % kTypes.size()]},
               {"narrative", "crash test " + tag}};
  if (n % 2 == 0) {
    body["location"] = {{"lat", -60.0 + 60.0 * client + 0.05 * (n / 600)},
                        {"lon", -150.0 + 1.0 * ((n / 2) % 300)}};
  } else {
    body["address"] = std::to_string(n) + " Crash Street, " + tag;
  }
  if (n % 8 == 0) {
    body["caller"] = {{"name", "Caller " + tag}, {"phone", "+1 555 " + std::to_string(1000 + n)}};
  }
  return body;
}

// Posts calls until `stop`, following the server to whatever port it is on
// (0 while it is down) and tolerating transport errors.
void RunClient(int client, const Tokens& tokens, const std::atomic<int>& port,
               const std::atomic<bool>& stop, ClientLog& log) {
  const std::string& token = tokens.call_taker;
  std::unique_ptr<HttpClient> http;
  int http_port = 0;
  for (int n = 0; n < kMaxCallsPerClient && !stop.load();) {
    const int p = port.load();
    if (p == 0) {  // the server is being restarted; poll until it is back
      std::this_thread::sleep_for(milliseconds(1));
      continue;
    }
    if (p != http_port) {
      http = std::make_unique<HttpClient>(p);
      http_port = p;
    }
    json body = CallBody(client, n++);
    try {
      auto r = http->Post("/api/v1/calls", body, token);
      if (r.status == 201) {
        json answer = r.Json();
        std::int64_t call_id = answer.value("call_id", std::int64_t{0});
        std::int64_t incident = answer.value("incident_id", std::int64_t{0});
        log.acked.push_back({call_id, std::move(body)});
        ++log.acks;
        // Every third call gets a note, every fifth a narrative addition.
        std::string tag = "client " + std::to_string(client) + " change " + std::to_string(n);
        if (n % 3 == 0) {
          auto c = http->Post("/api/v1/incidents/" + std::to_string(incident) + "/notes",
                              {{"text", "note " + tag}}, token);
          if (c.status == 201) {
            log.changes.push_back({call_id, AckedChange::kNote, "note " + tag});
          }
        }
        if (n % 5 == 0) {
          auto c = http->Request("PATCH", "/api/v1/calls/" + std::to_string(call_id),
                                 json{{"narrative", "more " + tag}}.dump(), token);
          if (c.status == 200) {
            log.changes.push_back({call_id, AckedChange::kNarrative, "more " + tag});
          }
        }
        // Every seventh incident's priority changes; every eleventh located
        // call gets a premise note at its place.
        if (n % 7 == 0) {
          int priority = 1 + n % 5;
          auto c = http->Request("PATCH", "/api/v1/incidents/" + std::to_string(incident),
                                 json{{"priority", priority}}.dump(), tokens.dispatcher);
          if (c.status == 200) {
            log.changes.push_back({call_id, AckedChange::kPriority, "", priority});
          }
        }
        if (n % 11 == 0 && body.contains("location")) {
          auto c = http->Post("/api/v1/premises",
                              {{"location", body["location"]}, {"text", "premise " + tag}},
                              tokens.supervisor);
          if (c.status == 201) {
            log.changes.push_back({call_id, AckedChange::kPremise, "premise " + tag});
          }
        }
        // Every fourth, fraud reports for the anti-scam desk: a batch of
        // three sharing a number, or one alone.
        if (n % 4 == 0) {
          std::vector<std::string> texts;
          for (int k = 0; k < (n % 8 == 0 ? 3 : 1); ++k) {
            texts.push_back("crash test scam " + tag + " report " + std::to_string(k) +
                            ": your account is locked, call 833-304-" +
                            std::to_string(1000 + client * 100 + n % 100));
          }
          json reports = json::array();
          for (const auto& t : texts) reports.push_back({{"channel", "sms"}, {"text", t}});
          auto c = texts.size() == 1
                       ? http->Post("/api/v1/scam/reports", reports[0], token)
                       : http->Post("/api/v1/scam/reports:batch", {{"reports", reports}}, token);
          if (c.status == 201) {
            json a = c.Json();
            json results = texts.size() == 1 ? json::array({a}) : a["results"];
            for (size_t k = 0; k < texts.size() && k < results.size(); ++k) {
              log.reports.push_back({results[k].value("report_id", std::int64_t{0}), texts[k]});
            }
          } else {
            log.unexpected.push_back("scam report: " + std::to_string(c.status) + " " + c.body);
          }
        }
      } else {
        log.unexpected.push_back(std::to_string(r.status) + " " + r.body);
      }
    } catch (const std::exception&) {
      ++log.transport_errors;  // the server died under us; back off briefly
      std::this_thread::sleep_for(milliseconds(1));
    }
  }
}

// Stops and joins the client threads on every way out of the test.
class ClientThreads {
 public:
  ClientThreads(const Tokens& tokens, const std::atomic<int>& port, std::vector<ClientLog>& logs)
      : tokens_(tokens) {
    for (int i = 0; i < static_cast<int>(logs.size()); ++i) {
      threads_.emplace_back(RunClient, i, std::cref(tokens_), std::cref(port), std::cref(stop_),
                            std::ref(logs[static_cast<size_t>(i)]));
    }
  }
  ~ClientThreads() { Join(); }
  void Join() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  const Tokens tokens_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// Waits (bounded) until every client has `want` acks more than in `base`.
bool WaitForAcks(const std::vector<ClientLog>& logs, const std::vector<int>& base, int want) {
  const auto deadline = std::chrono::steady_clock::now() + kAfterLastRestartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    bool all = true;
    for (size_t i = 0; i < logs.size(); ++i) all = all && logs[i].acks.load() >= base[i] + want;
    if (all) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return false;
}

TEST(CrashTest, AcknowledgedCallsSurviveRepeatedSigkill) {
  Fixture f;
  f.Start();
  BeaconProcess& server = *f.server;
  std::atomic<int> port{server.port()};
  std::vector<ClientLog> logs(kClients);
  ClientThreads clients({f.Token("call_taker"), f.Token("dispatcher"), f.Token("supervisor")}, port,
                        logs);

  std::mt19937 rng(kSeed);
  std::uniform_int_distribution<int> delay_ms(kMinKillDelayMs, kMaxKillDelayMs);
  for (int kill = 1; kill <= kKills; ++kill) {
    std::this_thread::sleep_for(milliseconds(delay_ms(rng)));
    port = 0;
    server.Kill(SIGKILL);
    server.Start();
    port = server.port();
    // Sessions are stored: a token from before the first crash still works.
    HttpClient http(server.port());
    auto r = http.Get("/api/v1/units", f.Token("dispatcher"));
    EXPECT_EQ(r.status, 200) << "token refused after restart " << kill << ": " << r.body;
  }
  std::vector<int> base;
  for (const auto& log : logs) base.push_back(log.acks.load());
  EXPECT_TRUE(WaitForAcks(logs, base, kAcksAfterLastRestart))
      << "clients made no progress after the last restart";
  clients.Join();

  // Every acknowledged call is there, once, as posted.
  std::map<std::int64_t, int> owner;  // call id -> client that got the 201
  int lost = 0, acked = 0;
  HttpClient http(server.port());
  for (int client = 0; client < kClients; ++client) {
    const ClientLog& log = logs[static_cast<size_t>(client)];
    EXPECT_TRUE(log.unexpected.empty())
        << log.unexpected.size() << " answers other than 201, first: " << log.unexpected.front();
    for (const auto& a : log.acked) {
      ++acked;
      if (!owner.emplace(a.call_id, client).second) {
        ADD_FAILURE() << "call id " << a.call_id << " was acknowledged twice";
        continue;
      }
      auto r = http.Get("/api/v1/calls/" + std::to_string(a.call_id), f.Token("dispatcher"));
      std::string where;
      // The narrative may have grown since (appended, never overwritten).
      json expect = a.body;
      std::string narrative = expect.value("narrative", "");
      expect.erase("narrative");
      if (r.status == 200 && JsonContains(r.Json(), expect, &where) &&
          r.Json().value("narrative", "").rfind(narrative, 0) == 0) {
        continue;
      }
      if (++lost <= kMaxReportedFailures) {
        ADD_FAILURE() << "acknowledged call " << a.call_id << " came back as " << r.status
                      << " (differs at " << where << "): " << r.body
                      << "\nposted: " << a.body.dump();
      }
    }
  }
  // Every acknowledged note, narrative addition, priority change and
  // premise note is there too.
  const std::string premises =
      http.Get("/api/v1/premises", f.Token("supervisor")).body;  // every note, once
  int changes = 0, lost_changes = 0;
  for (const auto& log : logs) {
    for (const auto& c : log.changes) {
      ++changes;
      auto call = http.Get("/api/v1/calls/" + std::to_string(c.call_id), f.Token("dispatcher"));
      bool found = false;
      if (call.status != 200) {
        found = false;
      } else if (c.kind == AckedChange::kNarrative) {
        found = call.Json().value("narrative", "").find(c.text) != std::string::npos;
      } else if (c.kind == AckedChange::kPremise) {
        found = premises.find("\"" + c.text + "\"") != std::string::npos;
      } else {
        auto inc =
            http.Get("/api/v1/incidents/" + std::to_string(call.Json().value("incident_id", 0)),
                     f.Token("dispatcher"));
        if (inc.status == 200 && c.kind == AckedChange::kNote) {
          found = inc.body.find(c.text) != std::string::npos;
        } else if (inc.status == 200) {
          // The change is in the timeline ("priority 3 -> 5"), or the
          // incident already had that priority (nothing to record).
          found = inc.Json()["timeline"].dump().find("-> " + std::to_string(c.priority)) !=
                      std::string::npos ||
                  inc.Json().value("priority", 0) == c.priority;
        }
      }
      if (!found && ++lost_changes <= kMaxReportedFailures) {
        static const char* kNames[] = {"note", "narrative addition", "priority change",
                                       "premise note"};
        ADD_FAILURE() << "acknowledged " << kNames[c.kind] << " \"" << c.text << "\" (priority "
                      << c.priority << ") of call " << c.call_id << " is missing";
      }
    }
  }
  EXPECT_EQ(lost_changes, 0) << "of " << changes << " acknowledged changes";
  EXPECT_GT(changes, 0);

  // Every acknowledged fraud report is there, once, with its text.
  std::map<std::int64_t, int> report_owner;
  int reports = 0, lost_reports = 0;
  for (const auto& log : logs) {
    for (const auto& a : log.reports) {
      ++reports;
      if (!report_owner.emplace(a.report_id, 1).second) {
        ADD_FAILURE() << "scam report id " << a.report_id << " was acknowledged twice";
        continue;
      }
      auto r =
          http.Get("/api/v1/scam/reports/" + std::to_string(a.report_id), f.Token("fraud_analyst"));
      if (r.status == 200 && r.Json().value("text", "") == a.text) continue;
      if (++lost_reports <= kMaxReportedFailures) {
        ADD_FAILURE() << "acknowledged scam report " << a.report_id << " came back as " << r.status
                      << ": " << r.body << "\nposted: " << a.text;
      }
    }
  }
  EXPECT_EQ(lost_reports, 0) << "of " << reports << " acknowledged scam reports";
  EXPECT_GT(reports, 0);

  int transport_errors = 0;
  for (const auto& log : logs) transport_errors += log.transport_errors;
  std::cout << "[ crash    ] " << kKills << " kills, " << acked << " calls acknowledged, "
            << transport_errors << " requests cut off\n";
  EXPECT_EQ(lost, 0) << "of " << acked << " acknowledged calls";
  EXPECT_GT(acked, kKills) << "too few calls were acknowledged to test anything";

  // The audit chain survives the crashes, including a final one.
  server.Kill(SIGKILL);
  auto verify = RunBeacon({"audit", "verify", "--data", server.data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("intact"), std::string::npos) << verify.output;
}

}  // namespace
}  // namespace beacon::testing
