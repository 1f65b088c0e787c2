// The audit chain detects every kind of tampering: modify, delete, insert,
// reorder and truncate, both on the pure chain and on the stored log.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "audit/audit_chain.h"
#include "store/sqlite/sqlite_store.h"
#include "support/harness.h"

namespace beacon::audit {
namespace {

std::vector<Record> Records(int n) {
  std::vector<Record> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({1000 + i, "ann", "dispatcher", "call.create", "call/" + std::to_string(i), ""});
  }
  return out;
}

class ChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Init());
    key_ = NewKey();
    auto recs = Records(5);
    entries_ = Chain(key_, head_, recs);
  }
  Key key_;
  std::optional<Head> head_;
  std::vector<Entry> entries_;
};

TEST_F(ChainTest, IntactVerifies) {
  auto r = Verify(key_, entries_, head_);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries, 5);
}

TEST_F(ChainTest, DetectsModify) {
  entries_[2].record.user = "mallory";
  auto r = Verify(key_, entries_, head_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 3);
}

TEST_F(ChainTest, DetectsDelete) {
  entries_.erase(entries_.begin() + 1);
  auto r = Verify(key_, entries_, head_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 3);
}

TEST_F(ChainTest, DetectsReorder) {
  std::swap(entries_[1], entries_[2]);
  EXPECT_FALSE(Verify(key_, entries_, head_).ok);
}

TEST_F(ChainTest, DetectsTruncate) {
  entries_.pop_back();
  auto r = Verify(key_, entries_, head_);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find("truncated"), std::string::npos);
}

TEST_F(ChainTest, DetectsForgeryWithoutTheKey) {
  // An attacker re-computes the chain with another key after editing.
  entries_[0].record.action = "nothing";
  Key other = NewKey();
  std::optional<Head> h;
  std::vector<Record> recs;
  for (auto& e : entries_) recs.push_back(e.record);
  auto forged = Chain(other, h, recs);
  EXPECT_FALSE(Verify(key_, forged, h).ok);
}

// The same attacks on the stored log, through SQL, as an intruder with
// database access would do them.
class StoredAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    {
      auto st = store::SqliteStore::Open(dir_.path());
      ASSERT_TRUE(st.has_value()) << st.error().message();
      for (int i = 0; i < 3; ++i) {
        store::Batch b;
        auto recs = Records(2);
        b.audit.assign(recs.begin(), recs.end());
        ASSERT_TRUE((*st)->Commit(std::move(b)).ok());
      }
    }
    ASSERT_EQ(sqlite3_open((dir_.path() + "/beacon.db").c_str(), &db_), SQLITE_OK);
  }
  void TearDown() override { sqlite3_close(db_); }

  void Sql(const char* sql) {
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db_, sql, nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  }
  VerifyReport VerifyNow() {
    auto st = store::SqliteStore::Open(dir_.path());
    EXPECT_TRUE(st.has_value());
    auto r = (*st)->VerifyAudit();
    EXPECT_TRUE(r.has_value());
    return *r;
  }

  testing::TempDir dir_;
  sqlite3* db_ = nullptr;
};

TEST_F(StoredAuditTest, IntactVerifies) {
  auto r = VerifyNow();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries, 6);
}

TEST_F(StoredAuditTest, Modify) {
  Sql("UPDATE audit SET object = 'call/999' WHERE seq = 4");
  auto r = VerifyNow();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 4);
}

TEST_F(StoredAuditTest, Delete) {
  Sql("DELETE FROM audit WHERE seq = 2");
  auto r = VerifyNow();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 3);
}

TEST_F(StoredAuditTest, InsertInTheMiddle) {
  // Make room at seq 3, then slip in a copy of entry 2 under another name.
  Sql("UPDATE audit SET seq = seq + 100 WHERE seq >= 3");
  Sql("UPDATE audit SET seq = seq - 99 WHERE seq >= 100");
  Sql("INSERT INTO audit(seq, time, user, role, action, object, reason, prev_hash, hash) "
      "SELECT 3, time, 'mallory', role, action, object, reason, hash, hash FROM audit "
      "WHERE seq = 2");
  auto r = VerifyNow();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 3);
}

TEST_F(StoredAuditTest, InsertForgedEntry) {
  Sql("INSERT INTO audit(seq, time, user, role, action, object, reason, prev_hash, hash) "
      "SELECT 7, time, 'mallory', role, action, object, reason, hash, hash FROM audit "
      "WHERE seq = 6");
  auto r = VerifyNow();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 7);
}

TEST_F(StoredAuditTest, Reorder) {
  Sql("UPDATE audit SET seq = 100 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3; "
      "UPDATE audit SET seq = 3 WHERE seq = 100");
  auto r = VerifyNow();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 2);
}

TEST_F(StoredAuditTest, Truncate) {
  Sql("DELETE FROM audit WHERE seq > 4");
  auto r = VerifyNow();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find("truncated"), std::string::npos);
}

TEST_F(StoredAuditTest, TruncateEverything) {
  Sql("DELETE FROM audit");
  EXPECT_FALSE(VerifyNow().ok);
}

TEST_F(StoredAuditTest, HeadRemoved) {
  Sql("DELETE FROM meta WHERE key = 'audit_head'");
  EXPECT_FALSE(VerifyNow().ok);
}

}  // namespace
}  // namespace beacon::audit
