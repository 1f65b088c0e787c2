#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <future>
#include <thread>

#include "store/sqlite/sqlite_store.h"
#include "support/harness.h"

namespace beacon::store {
namespace {

std::string EventData(std::int64_t seq) { return nlohmann::json{{"n", seq}}.dump(); }

Batch EventBatch(std::int64_t seq) {
  Batch b;
  std::string id = "S" + std::to_string(seq);
  b.events.push_back({seq, 1000 + seq, "test.event", EventData(seq)});
  nlohmann::json station = {
      {"station_id", id}, {"name", "n"}, {"location", {{"lat", 1}, {"lon", 2}}}};
  b.upserts.push_back({Table::kStations, id, station.dump()});
  return b;
}

TEST(SqliteStore, GroupCommitKeepsOrderAndEveryBatch) {
  testing::TempDir dir;
  constexpr int kBatches = 400;
  {
    auto st = SqliteStore::Open(dir.path());
    ASSERT_TRUE(st.has_value()) << st.error().message();
    std::atomic<int> done{0};
    std::atomic<int> failed{0};
    std::mutex mu;
    std::int64_t last = 0;
    bool in_order = true;
    for (int i = 1; i <= kBatches; ++i) {
      (*st)->Submit(EventBatch(i), [&, i](const Status& s) {
        if (!s.ok()) ++failed;
        std::lock_guard lock(mu);
        in_order = in_order && i == last + 1;
        last = i;
        ++done;
      });
    }
    for (int spins = 0; done < kBatches && spins < 3000; ++spins) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(done, kBatches);
    EXPECT_EQ(failed, 0);
    EXPECT_TRUE(in_order);
    // Group commit: far fewer transactions than batches.
    EXPECT_LT((*st)->commits(), static_cast<std::uint64_t>(kBatches));
  }
  auto st = SqliteStore::Open(dir.path());
  ASSERT_TRUE(st.has_value());
  auto snap = (*st)->Load();
  ASSERT_TRUE(snap.has_value());
  EXPECT_EQ(snap->last_event_seq, kBatches);
  EXPECT_EQ(snap->stations.size(), static_cast<size_t>(kBatches));
  auto page = (*st)->EventsSince(kBatches - 10, 5);
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->size(), 5u);
  EXPECT_EQ((*page)[0].seq, kBatches - 9);
  EXPECT_EQ((*page)[0].data, EventData(kBatches - 9));
}

TEST(SqliteStore, UsersAreUniqueAndBatchIsAtomic) {
  testing::TempDir dir;
  auto st = SqliteStore::Open(dir.path());
  ASSERT_TRUE(st.has_value());
  Batch a;
  a.users.push_back({"ann", model::Role::kDispatcher, "hash", 1});
  ASSERT_TRUE((*st)->Commit(std::move(a)).ok());
  Batch b = EventBatch(1);
  b.users.push_back({"ann", model::Role::kAdmin, "hash", 2});
  Status s = (*st)->Commit(std::move(b));
  EXPECT_EQ(s.code(), Code::kConflict);
  // The batch's event was rolled back with the duplicate user...
  auto snap = (*st)->Load();
  EXPECT_EQ(snap->last_event_seq, 0);
  auto user = (*st)->FindUser("ann");
  ASSERT_TRUE(user.has_value() && user->has_value());
  EXPECT_EQ((*user)->role, model::Role::kDispatcher);
}

TEST(SqliteStore, SessionsPersist) {
  testing::TempDir dir;
  {
    auto st = SqliteStore::Open(dir.path());
    Batch b;
    b.users.push_back({"ann", model::Role::kAnalyst, "hash", 1});
    b.sessions.push_back({"abc", "ann", model::Role::kAnalyst, 99});
    ASSERT_TRUE((*st)->Commit(std::move(b)).ok());
  }
  auto st = SqliteStore::Open(dir.path());
  auto snap = (*st)->Load();
  ASSERT_EQ(snap->sessions.size(), 1u);
  EXPECT_EQ(snap->sessions[0].user, "ann");
}

// Logout, revocation and disabling survive a restart; a session of a user
// who is gone from the store is not loaded.
TEST(SqliteStore, EndedSessionsStayEnded) {
  testing::TempDir dir;
  {
    auto st = SqliteStore::Open(dir.path());
    ASSERT_TRUE(st.has_value()) << st.error().message();
    Batch b;
    for (const char* u : {"ann", "bob", "cyd"})
      b.users.push_back({u, model::Role::kAnalyst, "h", 1});
    b.sessions.push_back({"ann-1", "ann", model::Role::kAnalyst, 99});
    b.sessions.push_back({"ann-2", "ann", model::Role::kAnalyst, 99});
    b.sessions.push_back({"bob-1", "bob", model::Role::kAnalyst, 99});
    b.sessions.push_back({"bob-2", "bob", model::Role::kAnalyst, 99});
    b.sessions.push_back({"cyd-1", "cyd", model::Role::kAnalyst, 99});
    b.sessions.push_back({"gone-1", "gone", model::Role::kAdmin, 99});
    ASSERT_TRUE((*st)->Commit(std::move(b)).ok());
    Batch end;
    end.revoked_sessions.push_back("ann-1");  // logout
    end.revoked_users.push_back("bob");       // DELETE /sessions?user=bob
    end.user_disabled.push_back({"cyd", true});
    end.user_disabled.push_back({"nobody", true});  // ignored
    ASSERT_TRUE((*st)->Commit(std::move(end)).ok());
  }
  auto st = SqliteStore::Open(dir.path());
  ASSERT_TRUE(st.has_value());
  auto snap = (*st)->Load();
  ASSERT_TRUE(snap.has_value());
  ASSERT_EQ(snap->sessions.size(), 1u);
  EXPECT_EQ(snap->sessions[0].token_hash, "ann-2");
  auto cyd = (*st)->FindUser("cyd");
  ASSERT_TRUE(cyd.has_value() && cyd->has_value());
  EXPECT_TRUE((*cyd)->disabled);
  auto ann = (*st)->FindUser("ann");
  ASSERT_TRUE(ann.has_value() && ann->has_value());
  EXPECT_FALSE((*ann)->disabled);
  Batch enable;
  enable.user_disabled.push_back({"cyd", false});
  ASSERT_TRUE((*st)->Commit(std::move(enable)).ok());
  EXPECT_FALSE((*(*st)->FindUser("cyd"))->disabled);
}

// A data directory of schema version 5 (users without `disabled`) opens,
// keeps its users and sessions, and is migrated to version 6.
TEST(SqliteStore, MigratesSchemaFiveToSix) {
  testing::TempDir dir;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() + "/beacon.db").c_str(), &db), SQLITE_OK);
    const char* v5 =
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES('schema_version', '5');"
        "CREATE TABLE users(name TEXT PRIMARY KEY, role TEXT NOT NULL,"
        "  password_hash TEXT NOT NULL, created_at INTEGER NOT NULL);"
        "CREATE TABLE sessions(token_hash TEXT PRIMARY KEY, user TEXT NOT NULL,"
        "  role TEXT NOT NULL, expires_at INTEGER NOT NULL);"
        "INSERT INTO users VALUES('ann', 'dispatcher', 'hash', 1);"
        "INSERT INTO sessions VALUES('t1', 'ann', 'dispatcher', 99);";
    ASSERT_EQ(sqlite3_exec(db, v5, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  {
    auto st = SqliteStore::Open(dir.path());
    ASSERT_TRUE(st.has_value()) << st.error().message();
    auto ann = (*st)->FindUser("ann");
    ASSERT_TRUE(ann.has_value() && ann->has_value()) << (ann ? "" : ann.error().message());
    EXPECT_FALSE((*ann)->disabled);
    auto snap = (*st)->Load();
    ASSERT_TRUE(snap.has_value());
    EXPECT_EQ(snap->sessions.size(), 1u);
    Batch b;
    b.user_disabled.push_back({"ann", true});
    ASSERT_TRUE((*st)->Commit(std::move(b)).ok());
  }
  auto st = SqliteStore::Open(dir.path());  // reopening a version-6 directory
  ASSERT_TRUE(st.has_value()) << st.error().message();
  EXPECT_TRUE((*(*st)->FindUser("ann"))->disabled);
  EXPECT_TRUE((*st)->Load()->sessions.empty());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() + "/beacon.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='schema_version'", -1, &q, nullptr);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)), "6");
  sqlite3_finalize(q);
  sqlite3_close(db);
}

TEST(SqliteStore, AnEmptyDocumentDeletesTheRecord) {
  testing::TempDir dir;
  auto st = SqliteStore::Open(dir.path());
  Batch put;
  put.upserts.push_back({Table::kTimers, "incident:1:pending", R"({"a":1})"});
  put.upserts.push_back({Table::kFacilities, "SFGH", R"({"b":2})"});
  ASSERT_TRUE((*st)->Commit(std::move(put)).ok());
  Batch erase;
  erase.upserts.push_back({Table::kTimers, "incident:1:pending", ""});
  ASSERT_TRUE((*st)->Commit(std::move(erase)).ok());
  auto snap = (*st)->Load();
  ASSERT_TRUE(snap.has_value());
  EXPECT_TRUE(snap->timers.empty());
  ASSERT_EQ(snap->facilities.size(), 1u);
}

TEST(SqliteStore, RefusesCorruptAuditKey) {
  testing::TempDir dir;
  { ASSERT_TRUE(SqliteStore::Open(dir.path()).has_value()); }
  std::FILE* f = std::fopen((dir.path() + "/audit.key").c_str(), "w");
  std::fputs("short", f);
  std::fclose(f);
  auto st = SqliteStore::Open(dir.path());
  ASSERT_FALSE(st.has_value());
  EXPECT_NE(st.error().message().find("audit key"), std::string::npos);
}

}  // namespace
}  // namespace beacon::store

namespace beacon::store {
namespace {

// Regression: a duplicate user used to fail the whole group commit and put
// the store into its failed state, refusing every later write.
TEST(SqliteStore, ConflictFailsOnlyItsOwnBatch) {
  testing::TempDir dir;
  auto st = SqliteStore::Open(dir.path());
  ASSERT_TRUE(st.has_value());
  Batch a;
  a.users.push_back({"ann", model::Role::kDispatcher, "hash", 1});
  ASSERT_TRUE((*st)->Commit(std::move(a)).ok());
  std::promise<Status> dup_done, next_done;
  Batch dup;
  dup.users.push_back({"ann", model::Role::kAdmin, "hash", 2});
  (*st)->Submit(std::move(dup), [&](const Status& s) { dup_done.set_value(s); });
  (*st)->Submit(EventBatch(1), [&](const Status& s) { next_done.set_value(s); });
  EXPECT_EQ(dup_done.get_future().get().code(), Code::kConflict);
  EXPECT_TRUE(next_done.get_future().get().ok());
  EXPECT_TRUE((*st)->Commit(EventBatch(2)).ok());
  EXPECT_EQ((*st)->Load()->last_event_seq, 2);
}

}  // namespace
}  // namespace beacon::store
