// The live event stream (WebSocket /api/v1/stream) against the real beacon
// binary: hello, ordered events, fan-out to several clients, exact catch-up
// with ?since= after a disconnect or a restart, and refused handshakes.
// Every wait is bounded by StreamClient::Next's timeout.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "integration/scenario.h"

namespace beacon::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;

constexpr Place kCentre{48.8566, 2.3522};

// Index of the first event of `type` whose data.`object`.`key` is `value`;
// events.size() when there is none.
size_t FindEvent(const std::vector<json>& events, const std::string& type,
                 const std::string& object, const std::string& key, const json& value) {
  for (size_t i = 0; i < events.size(); ++i) {
    const json& e = events[i];
    if (e.value("type", "") != type) continue;
    const json data = e.value("data", json::object());
    if (data.contains(object) && data[object].value(key, json()) == value) return i;
  }
  return events.size();
}

class StreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture_.Start();
    api_.emplace(fixture_);
  }

  Api& api() { return *api_; }
  int port() const { return fixture_.server->port(); }
  std::unique_ptr<StreamClient> Connect(const std::string& role,
                                        std::optional<long long> since = std::nullopt) {
    return std::make_unique<StreamClient>(port(), fixture_.Token(role), since);
  }

  // Reads the first message, which must be hello; returns its last_seq.
  static std::int64_t ExpectHello(StreamClient& stream) {
    auto hello = stream.Next();
    if (!hello) {
      ADD_FAILURE() << "no hello message";
      return -1;
    }
    EXPECT_EQ(hello->value("type", ""), "hello") << *hello;
    EXPECT_TRUE(hello->contains("last_seq")) << *hello;
    return hello->value("last_seq", std::int64_t{-1});
  }

  // A few writes of different kinds; `n` keeps ids and places apart.
  void SomeWrites(int n) {
    std::string unit = "U" + std::to_string(n);
    api().CreateUnit(unit, "medic", "", Offset(kCentre, 100.0 * n));
    auto call = api().PostCall(CallBody("MEDICAL", Offset(kCentre, 5000.0 * n)));
    api().Assign(call.at("incident_id").get<std::int64_t>(), unit);
    api().SetStatus(unit, "en_route");
  }

  // The HTTP status of a WebSocket upgrade request for `target`.
  int UpgradeStatus(const std::string& target) {
    HttpClient http(port());
    return http
        .Request("GET", target, "", "",
                 {{"Connection", "Upgrade"},
                  {"Upgrade", "websocket"},
                  {"Sec-WebSocket-Version", "13"},
                  {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}})
        .status;
  }

  Fixture fixture_;
  std::optional<Api> api_;
};

TEST_F(StreamTest, HelloThenOrderedEventsOfEveryWrite) {
  auto stream = Connect("dispatcher");
  EXPECT_EQ(ExpectHello(*stream), api().LastSeq());

  api().CreateStation("ST1", kCentre);
  api().CreateUnit("M1", "medic", "ST1");
  auto call = api().PostCall(
      CallBody("MEDICAL", kCentre, {{"caller", {{"name", "Alan Turing"}, {"phone", "0161 555"}}}}));
  std::int64_t incident = call.at("incident_id").get<std::int64_t>();
  api().Assign(incident, "M1");
  api().SetStatus("M1", "en_route");
  std::int64_t last = api().LastSeq();

  auto events = ReadThrough(*stream, last);
  ExpectContiguous(events, 1, last);
  for (const auto& e : events) {
    EXPECT_TRUE(e.contains("time") && e.contains("data")) << e;
    EXPECT_THAT(e.dump(), Not(HasSubstr("Alan Turing"))) << "caller data leaked to the stream";
  }
  // Each write's event, in the order of the writes.
  std::vector<size_t> at = {
      FindEvent(events, "station.created", "station", "station_id", "ST1"),
      FindEvent(events, "unit.created", "unit", "unit_id", "M1"),
      FindEvent(events, "call.created", "call", "call_id", call.at("call_id")),
      FindEvent(events, "incident.opened", "incident", "incident_id", incident),
      FindEvent(events, "unit.updated", "unit", "status", "dispatched"),
      FindEvent(events, "unit.updated", "unit", "status", "en_route"),
  };
  EXPECT_TRUE(std::is_sorted(at.begin(), at.end()) &&
              std::adjacent_find(at.begin(), at.end()) == at.end() && at.back() < events.size())
      << "missing or misordered events: " << json(Types(events));
}

TEST_F(StreamTest, TwoClientsReceiveTheSameEvents) {
  SomeWrites(1);
  auto first = Connect("dispatcher");
  auto second = Connect("analyst");
  std::int64_t start = api().LastSeq();
  EXPECT_EQ(ExpectHello(*first), start);
  EXPECT_EQ(ExpectHello(*second), start);

  SomeWrites(2);
  std::int64_t last = api().LastSeq();
  auto a = ReadThrough(*first, last);
  auto b = ReadThrough(*second, last);
  ExpectContiguous(a, start + 1, last);
  EXPECT_EQ(a, b);
}

TEST_F(StreamTest, ReconnectWithSinceReplaysExactlyTheMissedEvents) {
  std::int64_t seen = 0;
  {
    auto stream = Connect("supervisor");
    EXPECT_EQ(ExpectHello(*stream), 0);
    SomeWrites(1);
    auto events = ReadThrough(*stream, api().LastSeq());
    ExpectContiguous(events, 1, api().LastSeq());
    ASSERT_FALSE(events.empty());
    seen = events.back().value("seq", std::int64_t{0});
  }  // disconnected

  SomeWrites(2);
  api().PostCall(CallBody("STRUCTURE_FIRE", Offset(kCentre, -3000)));
  std::int64_t missed_to = api().LastSeq();
  ASSERT_GT(missed_to, seen);

  auto stream = Connect("supervisor", seen);
  EXPECT_EQ(ExpectHello(*stream), missed_to);
  auto missed = ReadThrough(*stream, missed_to);
  ExpectContiguous(missed, seen + 1, missed_to);
  EXPECT_THAT(Types(missed),
              IsSupersetOf({"unit.created", "call.created", "incident.opened", "unit.updated"}));

  // Then live events, continuing with no gap or duplicate.
  SomeWrites(3);
  std::int64_t live_to = api().LastSeq();
  ExpectContiguous(ReadThrough(*stream, live_to), missed_to + 1, live_to);

  // The catch-up is the same as the stored history a since=0 client sees.
  auto replay = Connect("supervisor", 0);
  EXPECT_EQ(ExpectHello(*replay), live_to);
  auto all = ReadThrough(*replay, live_to);
  ExpectContiguous(all, 1, live_to);
  ASSERT_EQ(all.size(), static_cast<size_t>(live_to));
  std::vector<json> middle(all.begin() + seen, all.begin() + missed_to);
  EXPECT_EQ(middle, missed);
}

// Reconnects again and again while another thread keeps writing, so the
// hand-over from stored backlog to live events happens mid-write.
TEST_F(StreamTest, CatchUpIsExactWhileWritesContinue) {
  constexpr int kWrites = 40;
  std::atomic<int> failed_writes{0};
  // A jthread joins even when an assertion below throws.
  std::jthread writer([&] {
    Api api(fixture_);
    for (int i = 1; i <= kWrites; ++i) {
      try {  // no throwing out of a thread: count and check after join
        auto body = CallBody("MEDICAL", Offset(kCentre, 5000.0 * i));
        if (api.Post("/calls", body, "call_taker").status != 201) ++failed_writes;
      } catch (const std::exception&) {
        ++failed_writes;
      }
    }
  });

  std::vector<json> received;
  std::int64_t seen = 0;
  // Each connection resumes from the last event seen, reads a few (stored
  // or live) and drops. Every call makes at least one event, so the events
  // waited for are sure to come; every round consumes at least one.
  while (seen + 5 <= kWrites) {
    auto stream = Connect("dispatcher", seen);
    EXPECT_GE(ExpectHello(*stream), seen);
    auto events = ReadThrough(*stream, seen + 5);
    if (events.empty()) break;
    received.insert(received.end(), events.begin(), events.end());
    seen = events.back().value("seq", seen);
  }
  writer.join();
  EXPECT_EQ(failed_writes.load(), 0);
  std::int64_t last = api().LastSeq();
  ASSERT_GE(last, kWrites);
  auto stream = Connect("dispatcher", seen);
  EXPECT_EQ(ExpectHello(*stream), last);
  if (seen < last) {
    auto tail = ReadThrough(*stream, last);
    received.insert(received.end(), tail.begin(), tail.end());
  }
  ExpectContiguous(received, 1, last);
}

TEST_F(StreamTest, SinceResumesAcrossARestart) {
  SomeWrites(1);
  std::int64_t seen = api().LastSeq();
  fixture_.server->Kill(SIGTERM);
  api_.reset();
  fixture_.server->Start();
  LoginAll(fixture_);
  api_.emplace(fixture_);

  {
    auto stream = Connect("dispatcher");
    EXPECT_EQ(ExpectHello(*stream), seen) << "seq must continue after a restart";
  }
  SomeWrites(2);
  std::int64_t last = api().LastSeq();
  auto stream = Connect("dispatcher", seen);
  EXPECT_EQ(ExpectHello(*stream), last);
  ExpectContiguous(ReadThrough(*stream, last), seen + 1, last);
}

TEST_F(StreamTest, RefusesBadTokensAuditorsAndBadSince) {
  const std::string good = fixture_.Token("dispatcher");
  EXPECT_ANY_THROW(StreamClient(port(), "not-a-token"));
  EXPECT_ANY_THROW(StreamClient(port(), ""));
  EXPECT_ANY_THROW(StreamClient(port(), fixture_.Token("auditor")));
  EXPECT_ANY_THROW(StreamClient(port(), good, -1));

  const std::string base = "/api/v1/stream?token=";
  EXPECT_EQ(UpgradeStatus("/api/v1/stream"), 401);
  EXPECT_EQ(UpgradeStatus(base + "not-a-token"), 401);
  EXPECT_EQ(UpgradeStatus(base + fixture_.Token("auditor")), 403);
  EXPECT_EQ(UpgradeStatus(base + good + "&since=-1"), 422);
  EXPECT_EQ(UpgradeStatus(base + good + "&since=abc"), 422);
  EXPECT_EQ(UpgradeStatus(base + good + "&since=1x"), 422);
  EXPECT_EQ(UpgradeStatus(base + good + "&since="), 422);
  // Ahead of the server's last event: a wrong server or a restored backup.
  EXPECT_EQ(UpgradeStatus(base + good + "&since=999999"), 422);
  EXPECT_EQ(UpgradeStatus(base + good + "&since=0"), 101) << "control: a good upgrade";

  // The refusals did not break the server: a good client still streams.
  auto stream = Connect("dispatcher");
  EXPECT_EQ(ExpectHello(*stream), api().LastSeq());
}

}  // namespace
}  // namespace beacon::testing
