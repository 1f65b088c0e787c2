// sqlite_reference_bench: what bare SQLite does on this machine and disk,
// as the reference for ingest_bench in the same run.
//
// Same settings as the Beacon store (WAL, synchronous=FULL: a COMMIT returns
// after the WAL is fsynced), one thread, a fresh database per variant in a
// temporary directory. Variants:
//   single   one INSERT of a call-sized JSON document per transaction, so one
//            fsync per row: the ceiling of a store without group commit;
//   batch64  64 such rows per transaction: what group commit can reach;
//   server64 per call the six rows Beacon writes for a new call (2 events,
//            the call and incident documents, an audit entry, the audit head),
//            64 calls per transaction: the storage cost of Beacon's own write
//            set with everything above SQLite (HTTP, JSON, locking) removed.
// Latency is per transaction (BEGIN IMMEDIATE .. COMMIT).
#include <sqlite3.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

#include "bench_util.h"

namespace beacon::bench {
namespace {

using nlohmann::json;

struct Options {
  double seconds = 10;
  double warmup_s = 2;
  std::vector<std::string> variants = {"single", "batch64", "server64"};
  std::string tmp_parent;
  std::string json_out;
};

void Check(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
  }
}

void Exec(sqlite3* db, const char* sql) {
  Check(db, sqlite3_exec(db, sql, nullptr, nullptr, nullptr), sql);
}

// A prepared statement, finalized on destruction.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    Check(db, sqlite3_prepare_v2(db, sql, -1, &s_, nullptr), sql);
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  void Run(const char* what) {
    Check(db_, sqlite3_step(s_), what);
    sqlite3_reset(s_);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

// The schema subset Beacon writes on a new call (src/store/sqlite/sqlite_store.cc).
constexpr const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events(seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, type TEXT NOT NULL,
  data TEXT NOT NULL);
CREATE TABLE calls(id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE incidents(id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE audit(seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, user TEXT NOT NULL,
  role TEXT NOT NULL, action TEXT NOT NULL, object TEXT NOT NULL, reason TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
)sql";

// Documents shaped and sized like the ones Beacon stores for one new call
// (a call document is about 235 bytes, its incident about 390).
struct Docs {
  std::mt19937_64 rng{1};
  std::string Call(std::int64_t id) {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  R"({"call_id":%lld,"channel":"phone","created_at":"2026-11-23T14:01:35.399Z",)"
                  R"("created_by":"bench","incident_id":%lld,"incident_type":"MEDICAL",)"
                  R"("location":{"lat":%.6f,"lon":%.6f},"narrative":"bench",)"
                  R"("received_at":"2026-11-23T14:01:35.399Z"})",
                  static_cast<long long>(id), static_cast<long long>(id), Lat(), Lon());
    return buf;
  }
  std::string Incident(std::int64_t id) {
    char buf[768];
    std::snprintf(
        buf, sizeof buf,
        R"({"assigned_units":[],"assignments":[],"call_ids":[%lld],"incident_id":%lld,)"
        R"("incident_type":"MEDICAL","last_call_at":"2026-11-23T14:01:35.399Z",)"
        R"("location":{"lat":%.6f,"lon":%.6f},"opened_at":"2026-11-23T14:01:35.399Z",)"
        R"("priority":2,"status":"open","timeline":[{"kind":"opened","text":"opened )"
        R"j(from call %lld (phone, Medical emergency)","time":"2026-11-23T14:01:35.399Z",)j"
        R"("user":"bench"}]})",
        static_cast<long long>(id), static_cast<long long>(id), Lat(), Lon(),
        static_cast<long long>(id));
    return buf;
  }
  std::string Hash() {
    static const char* kHex = "0123456789abcdef";
    std::string h(64, '0');
    for (auto& c : h) c = kHex[rng() & 15];
    return h;
  }
  double Lat() { return 37.75 + static_cast<double>(rng() % 100000) / 1e6; }
  double Lon() { return -122.41 + static_cast<double>(rng() % 100000) / 1e6; }
};

struct VariantResult {
  std::string name;
  int rows_per_tx = 0;
  std::int64_t rows = 0;  // rows in the measured window
  double rows_per_s = 0;
  double calls_per_s = 0;  // rows_per_s / rows per call
  double tx_per_s = 0;
  LatencySummary tx_latency;
};

VariantResult RunVariant(const std::string& name, const Options& opts, const std::string& dir) {
  const bool server_shaped = name == "server64";
  const int calls_per_tx = name == "single" ? 1 : 64;
  const int rows_per_call = server_shaped ? 6 : 1;
  if (name != "single" && name != "batch64" && name != "server64") {
    throw std::runtime_error("unknown variant " + name + "; use single, batch64 or server64");
  }
  std::string path = dir + "/" + name + ".db";
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    throw std::runtime_error("cannot open " + path);
  }
  VariantResult r;
  try {
    Exec(db, "PRAGMA journal_mode=WAL");
    Exec(db, "PRAGMA synchronous=FULL");
    Exec(db, kSchema);
    Stmt call(db, "INSERT INTO calls(id, doc) VALUES(?,?)");
    Stmt inc(db, "INSERT OR REPLACE INTO incidents(id, doc) VALUES(?,?)");
    Stmt ev(db, "INSERT INTO events(seq, time, type, data) VALUES(?,?,?,?)");
    Stmt au(db,
            "INSERT INTO audit(seq, time, user, role, action, object, reason, prev_hash, hash) "
            "VALUES(?,?,?,?,?,?,?,?,?)");
    Stmt head(db, "INSERT OR REPLACE INTO meta(key, value) VALUES('audit_head', ?)");
    Docs docs;
    std::int64_t next_id = 1, next_seq = 1;
    std::string prev_hash = "genesis";
    const std::string user = "bench", role = "call_taker", action = "call.create", empty;
    const std::string call_created = "call.created", incident_opened = "incident.opened";

    std::vector<std::int64_t> latency_ns;
    std::int64_t measured_rows = 0;
    auto start = Clock::now();
    auto measure_from = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(opts.warmup_s));
    auto measure_to = measure_from + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(opts.seconds));
    for (;;) {
      // Documents are built outside the timed transaction.
      struct Row {
        std::int64_t id;
        std::string call, incident, hash;
      };
      std::vector<Row> batch;
      for (int i = 0; i < calls_per_tx; ++i) {
        std::int64_t id = next_id++;
        batch.push_back({id, docs.Call(id), server_shaped ? docs.Incident(id) : std::string(),
                         server_shaped ? docs.Hash() : std::string()});
      }
      auto t0 = Clock::now();
      if (t0 >= measure_to) break;
      Exec(db, "BEGIN IMMEDIATE");
      for (const auto& row : batch) {
        call.Bind(1, row.id).Bind(2, row.call).Run("insert call");
        if (!server_shaped) continue;
        inc.Bind(1, row.id).Bind(2, row.incident).Run("upsert incident");
        ev.Bind(1, next_seq++)
            .Bind(2, row.id)
            .Bind(3, call_created)
            .Bind(4, row.call)
            .Run("insert event");
        ev.Bind(1, next_seq++)
            .Bind(2, row.id)
            .Bind(3, incident_opened)
            .Bind(4, row.incident)
            .Run("insert event");
        std::string object = "call/" + std::to_string(row.id);
        au.Bind(1, row.id)
            .Bind(2, row.id)
            .Bind(3, user)
            .Bind(4, role)
            .Bind(5, action)
            .Bind(6, object)
            .Bind(7, empty)
            .Bind(8, prev_hash)
            .Bind(9, row.hash)
            .Run("insert audit");
        prev_hash = row.hash;
        std::string head_value = std::to_string(row.id) + " " + row.hash + " " + row.hash;
        head.Bind(1, head_value).Run("write audit head");
      }
      Exec(db, "COMMIT");
      auto t1 = Clock::now();
      if (t1 >= measure_from && t1 < measure_to) {
        latency_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
        measured_rows += calls_per_tx * rows_per_call;
      }
    }
    r.name = name;
    r.rows_per_tx = calls_per_tx * rows_per_call;
    r.rows = measured_rows;
    r.rows_per_s = static_cast<double>(measured_rows) / opts.seconds;
    r.calls_per_s = r.rows_per_s / rows_per_call;
    r.tx_per_s = static_cast<double>(latency_ns.size()) / opts.seconds;
    r.tx_latency = Summarize(latency_ns);
  } catch (...) {
    sqlite3_close(db);
    throw;
  }
  sqlite3_close(db);
  return r;
}

int RunBench(const Options& opts) {
  TempDir tmp(opts.tmp_parent);
  std::cout << "sqlite_reference_bench: SQLite " << sqlite3_libversion()
            << ", WAL, synchronous=FULL, " << Fixed(opts.warmup_s, 1) << " s warm-up + "
            << Fixed(opts.seconds, 1) << " s per variant, in " << tmp.path() << "\n"
            << std::flush;
  json out = {{"bench", "sqlite_reference"},
              {"sqlite_version", sqlite3_libversion()},
              {"warmup_s", opts.warmup_s},
              {"seconds", opts.seconds}};
  for (const auto& v : opts.variants) {
    VariantResult r = RunVariant(v, opts, tmp.path());
    const auto& l = r.tx_latency;
    std::cout << "  " << r.name << ": " << r.rows_per_tx << " rows/tx, " << Fixed(r.rows_per_s, 0)
              << " rows/s";
    if (r.name == "server64") std::cout << " (" << Fixed(r.calls_per_s, 0) << " calls/s)";
    std::cout << ", " << Fixed(r.tx_per_s, 0) << " commits/s; commit latency ms p50 "
              << Fixed(l.p50_ms, 3) << " p99 " << Fixed(l.p99_ms, 3) << " max "
              << Fixed(l.max_ms, 3) << "\n"
              << std::flush;
    out[r.name + "_rows_per_tx"] = r.rows_per_tx;
    out[r.name + "_rows_per_s"] = r.rows_per_s;
    out[r.name + "_calls_per_s"] = r.calls_per_s;
    out[r.name + "_tx_per_s"] = r.tx_per_s;
    out[r.name + "_p50_ms"] = l.p50_ms;
    out[r.name + "_p99_ms"] = l.p99_ms;
    out[r.name + "_max_ms"] = l.max_ms;
  }
  if (!opts.json_out.empty()) std::ofstream(opts.json_out) << out.dump(2) << "\n";
  return 0;
}

}  // namespace
}  // namespace beacon::bench

int main(int argc, char** argv) {
  beacon::bench::Options opts;
  CLI::App app{"Bare SQLite insert loop (WAL, synchronous=FULL): the reference for ingest_bench",
               "sqlite_reference_bench"};
  app.add_option("--seconds", opts.seconds, "Measured duration per variant")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--warmup", opts.warmup_s, "Warm-up per variant, seconds")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  app.add_option("--variants", opts.variants, "Any of single, batch64, server64")
      ->capture_default_str();
  app.add_option("--tmp", opts.tmp_parent,
                 "Directory for the temporary databases (default: $TMPDIR or /tmp)");
  app.add_option("--json-out", opts.json_out, "Also write the results as JSON to this file");
  CLI11_PARSE(app, argc, argv);
  try {
    return beacon::bench::RunBench(opts);
  } catch (const std::exception& e) {
    std::cerr << "sqlite_reference_bench: " << e.what() << "\n";
    return 2;
  }
}
