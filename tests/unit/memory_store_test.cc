// store::MemoryStore: the in-memory Store of `beacon replay` commits
// synchronously and answers like a store should.
#include <gtest/gtest.h>

#include "store/memory/memory_store.h"

namespace beacon::store {
namespace {

Batch CallBatch(std::int64_t seq, const std::string& id) {
  Batch b;
  b.events.push_back({seq, 1000 * seq, "call.created", R"({"call":{}})"});
  b.upserts.push_back({Table::kCalls, id, R"({"call_id":)" + id + "}"});
  b.timeline.push_back({7, seq - 1, R"({"kind":"opened"})"});
  b.audit.push_back({1000 * seq, "replay", "supervisor", "call.create", "call/" + id, ""});
  return b;
}

TEST(MemoryStore, CommitsBeforeSubmitReturns) {
  MemoryStore store;
  bool done = false;
  store.Submit(CallBatch(1, "1"), [&](const Status& s) {
    EXPECT_TRUE(s.ok());
    done = true;
  });
  EXPECT_TRUE(done);
  ASSERT_TRUE(store.Commit(CallBatch(2, "2")).ok());
  ASSERT_TRUE(store.Commit(CallBatch(3, "1")).ok());  // upsert replaces
  auto snap = store.Load();
  ASSERT_TRUE(snap.has_value());
  EXPECT_EQ(snap->calls.size(), 2u);
  EXPECT_EQ(snap->timeline.size(), 3u);
  EXPECT_EQ(snap->last_event_seq, 3);
  auto events = store.EventsSince(1, 10);
  ASSERT_TRUE(events.has_value());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].seq, 2);
  EXPECT_EQ(store.events(), 3);
  EXPECT_EQ(store.batches(), 3);
  auto audit = store.ReadAudit({});
  ASSERT_TRUE(audit.has_value());
  EXPECT_EQ(audit->size(), 3u);
  auto verify = store.VerifyAudit();
  ASSERT_TRUE(verify.has_value());
  EXPECT_TRUE(verify->ok) << verify->problem;
  EXPECT_EQ(verify->entries, 3);
}

TEST(MemoryStore, WithoutEventsCountsThem) {
  MemoryStore store(/*keep_events=*/false);
  ASSERT_TRUE(store.Commit(CallBatch(1, "1")).ok());
  EXPECT_EQ(store.events(), 1);
  EXPECT_TRUE(store.EventsSince(0, 10)->empty());
  EXPECT_EQ(store.Load()->last_event_seq, 1);
}

TEST(MemoryStore, UsersAreUnique) {
  MemoryStore store;
  Batch b;
  b.users.push_back({"ana", model::Role::kAdmin, "hash", 0});
  ASSERT_TRUE(store.Commit(b).ok());
  EXPECT_EQ(store.Commit(b).code(), Code::kConflict);
  auto u = store.FindUser("ana");
  ASSERT_TRUE(u.has_value() && u->has_value());
  EXPECT_EQ((*u)->role, model::Role::kAdmin);
  EXPECT_FALSE(store.FindUser("bob")->has_value());
}

// The in-process replay's store says it keeps no records, so the Center
// renders none; a default store (and every durable one) keeps them.
TEST(MemoryStore, DeclaresWhetherItKeepsRecords) {
  EXPECT_TRUE(MemoryStore().KeepsRecords());
  EXPECT_TRUE(MemoryStore(false, MemoryStore::Records::kKeep).KeepsRecords());
  MemoryStore none(false, MemoryStore::Records::kNone);
  EXPECT_FALSE(none.KeepsRecords());
  // A batch is still committed and counted.
  Batch b;
  b.events.push_back({1, 1000, "call.created", ""});
  ASSERT_TRUE(none.Commit(std::move(b)).ok());
  EXPECT_EQ(none.batches(), 1);
  EXPECT_EQ(none.events(), 1);
}

}  // namespace
}  // namespace beacon::store
