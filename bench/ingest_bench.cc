// ingest_bench: durable call intake over HTTP on loopback.
//
// Starts the real `beacon serve` (127.0.0.1, port 0, temporary data dir),
// adds a call_taker with `beacon user add`, logs in, then drives
// --connections keep-alive HTTP/1.1 connections (asynchronous Boost.Beast on
// --client-threads threads), each posting POST /api/v1/calls back to back:
// a closed loop, so throughput is what the server sustains with that many
// calls in flight. Requests completing during the --warmup seconds are not
// measured; those completing in the next --seconds are. A 201 is only sent
// once the call is committed (WAL, synchronous=FULL), so every counted call
// is durable; after shutdown the bench checks that the calls table holds at
// least as many rows as it got 201s. Exits 1 if any answer was not 201.
#include <sqlite3.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "bench_util.h"

namespace beacon::bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using nlohmann::json;

struct Options {
  int connections = 64;
  double seconds = 10;
  double warmup_s = 2;
  int client_threads = 1;
  int server_threads = 2;
  double spread_deg = 0.5;
  std::uint64_t seed = 1;
  std::string incident_type = "MEDICAL";
  bool without_location = false;
  std::string beacon = BEACON_BINARY;
  std::string tmp_parent;
  std::string json_out;
  std::string plans;  // beacon serve --plans (empty: the built-in plans)
};

// The run's phase boundaries; written before the load starts, then read-only.
struct Phases {
  Clock::time_point start;
  Clock::time_point measure_from;
  Clock::time_point measure_to;
};

// What one client thread saw. Only that thread writes it; merged at the end.
struct Recorder {
  std::vector<std::int64_t> latency_ns;  // requests completed in the measured window
  std::vector<std::int64_t> per_second;  // all completions, by whole second since start
  std::int64_t created = 0;              // 201s over the whole run
  std::int64_t duplicates = 0;           // of which linked to an open incident
  std::int64_t non_201 = 0;
  std::int64_t transport_errors = 0;
  std::map<int, std::int64_t> statuses;
  std::string first_error;
};

// One keep-alive connection posting calls back to back. Lives on one
// io_context (one thread); owned by main, which outlives the io_context run.
class Connection {
 public:
  Connection(net::io_context& ioc, const Phases& phases, const Options& opts, int port,
             const std::string& token, Recorder& rec, std::uint64_t seed)
      : stream_(ioc),
        phases_(phases),
        opts_(opts),
        endpoint_(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
        rec_(rec),
        rng_(seed),
        jitter_(-opts.spread_deg, opts.spread_deg) {
    req_.method(http::verb::post);
    req_.target("/api/v1/calls");
    req_.version(11);
    req_.set(http::field::host, "127.0.0.1");
    req_.set(http::field::authorization, "Bearer " + token);
    req_.set(http::field::content_type, "application/json");
    req_.keep_alive(true);
  }

  void Start() { Connect(); }

 private:
  void Connect() {
    stream_.expires_after(std::chrono::seconds(30));
    stream_.async_connect(endpoint_, [this](beast::error_code ec) {
      if (ec) return Fail("connect: " + ec.message());
      Send();
    });
  }

  void Send() {
    if (Clock::now() >= phases_.measure_to) return Close();
    char body[256];
    if (opts_.without_location) {
      std::snprintf(body, sizeof body,
                    R"({"channel":"phone","address":"%d Bench St","incident_type":"%s",)"
                    R"("narrative":"bench"})",
                    static_cast<int>(rng_() % 10000), opts_.incident_type.c_str());
    } else {
      std::snprintf(body, sizeof body,
                    R"({"channel":"phone","location":{"lat":%.6f,"lon":%.6f},)"
                    R"("incident_type":"%s","narrative":"bench"})",
                    37.75 + jitter_(rng_), -122.41 + jitter_(rng_), opts_.incident_type.c_str());
    }
    req_.body() = body;
    req_.prepare_payload();
    res_ = {};
    sent_at_ = Clock::now();
    stream_.expires_after(std::chrono::seconds(30));
    http::async_write(stream_, req_, [this](beast::error_code ec, size_t) {
      if (ec) return Fail("write: " + ec.message());
      http::async_read(stream_, buffer_, res_, [this](beast::error_code ec2, size_t) {
        if (ec2) return Fail("read: " + ec2.message());
        OnResponse();
      });
    });
  }

  void OnResponse() {
    auto now = Clock::now();
    auto second = static_cast<size_t>(
        std::chrono::duration_cast<std::chrono::seconds>(now - phases_.start).count());
    if (rec_.per_second.size() <= second) rec_.per_second.resize(second + 1, 0);
    ++rec_.per_second[second];
    int status = static_cast<int>(res_.result_int());
    ++rec_.statuses[status];
    if (status == 201) {
      ++rec_.created;
      if (res_.body().find("\"duplicate_of\"") != std::string::npos) ++rec_.duplicates;
    } else {
      ++rec_.non_201;
      if (rec_.first_error.empty()) {
        rec_.first_error = "HTTP " + std::to_string(status) + ": " + res_.body().substr(0, 300);
      }
    }
    if (now >= phases_.measure_from && now < phases_.measure_to) {
      rec_.latency_ns.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(now - sent_at_).count());
    }
    if (!res_.keep_alive()) {
      beast::error_code ignored;
      stream_.socket().close(ignored);
      buffer_.clear();
      if (now < phases_.measure_to) Connect();
      return;
    }
    Send();
  }

  void Fail(const std::string& what) {
    ++rec_.transport_errors;
    if (rec_.first_error.empty()) rec_.first_error = what;
    Close();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  const Phases& phases_;
  const Options& opts_;
  tcp::endpoint endpoint_;
  Recorder& rec_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> jitter_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  beast::flat_buffer buffer_;
  Clock::time_point sent_at_;
};

// Rows in the calls table of the (stopped) server's database, or -1.
std::int64_t CountCalls(const std::string& db_path, std::string& err) {
  sqlite3* db = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM calls", -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
      n = sqlite3_column_int64(s, 0);
    }
    if (n < 0) err = sqlite3_errmsg(db);
    sqlite3_finalize(s);
  } else {
    err = db ? sqlite3_errmsg(db) : "out of memory";
  }
  sqlite3_close(db);
  return n;
}

template <typename Duration>
Duration Seconds(double s) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

int RunBench(const Options& opts) {
  TempDir tmp(opts.tmp_parent);
  const std::string data = tmp.path() + "/data";
  const std::string password = "bench-password-1";

  auto added = Run({opts.beacon, "--log-level", "warn", "user", "add", "bench", "--role",
                    "call_taker", "--data", data},
                   password + "\n");
  if (added.exit_code != 0) {
    std::cerr << "ingest_bench: beacon user add failed: " << added.output << "\n";
    return 2;
  }
  std::vector<std::string> serve_args = {"--threads", std::to_string(opts.server_threads)};
  if (!opts.plans.empty()) serve_args.insert(serve_args.end(), {"--plans", opts.plans});
  BeaconProcess server(opts.beacon, data, serve_args);
  server.Start();
  const pid_t server_pid = server.pid();
  auto login = HttpOnce(server.port(), "POST", "/api/v1/auth/login",
                        json{{"username", "bench"}, {"password", password}}.dump());
  auto login_json = json::parse(login.body, nullptr, false);
  if (login.status != 200 || !login_json.is_object() || !login_json.contains("token")) {
    std::cerr << "ingest_bench: login failed: HTTP " << login.status << " " << login.body << "\n";
    return 2;
  }
  const std::string token = login_json["token"].get<std::string>();

  std::cout << "ingest_bench: " << opts.connections << " connections, " << opts.client_threads
            << " client thread(s), server --threads " << opts.server_threads << ", "
            << Fixed(opts.warmup_s, 1) << " s warm-up + " << Fixed(opts.seconds, 1)
            << " s measured, "
            << (opts.without_location
                    ? std::string("addresses only (no location)")
                    : "locations 37.75/-122.41 +/- " + Fixed(opts.spread_deg, 3) + " deg")
            << "\n"
            << "  server pid " << server.pid() << " on 127.0.0.1:" << server.port() << ", data "
            << data << "\n"
            << std::flush;

  Phases phases;
  phases.start = Clock::now();
  phases.measure_from = phases.start + Seconds<Clock::duration>(opts.warmup_s);
  phases.measure_to = phases.measure_from + Seconds<Clock::duration>(opts.seconds);

  std::vector<std::unique_ptr<net::io_context>> iocs;
  std::vector<Recorder> recorders(static_cast<size_t>(opts.client_threads));
  std::vector<std::unique_ptr<Connection>> connections;
  for (int t = 0; t < opts.client_threads; ++t) {
    iocs.push_back(std::make_unique<net::io_context>(1));
  }
  for (int c = 0; c < opts.connections; ++c) {
    auto t = static_cast<size_t>(c % opts.client_threads);
    connections.push_back(
        std::make_unique<Connection>(*iocs[t], phases, opts, server.port(), token, recorders[t],
                                     opts.seed * 1000003 + static_cast<std::uint64_t>(c)));
    connections.back()->Start();
  }

  // CPU use of the server (per thread) and of this client over the window.
  std::map<int, double> server_threads_from, server_threads_to;
  double server_from = 0, server_to = 0, client_from = 0, client_to = 0;
  double machine_from = 0, machine_to = 0;
  std::thread sampler([&] {
    std::this_thread::sleep_until(phases.measure_from);
    server_threads_from = ThreadCpuSeconds(server_pid);
    server_from = ProcessCpuSeconds(server_pid);
    client_from = ProcessCpuSeconds(::getpid());
    machine_from = MachineBusyCpuSeconds();
    std::this_thread::sleep_until(phases.measure_to);
    server_threads_to = ThreadCpuSeconds(server_pid);
    server_to = ProcessCpuSeconds(server_pid);
    client_to = ProcessCpuSeconds(::getpid());
    machine_to = MachineBusyCpuSeconds();
  });
  // Server CPU at each whole second of the run, to see how the cost of a
  // call changes as the server's state grows.
  const auto whole_seconds = static_cast<int>(opts.warmup_s + opts.seconds);
  std::vector<double> cpu_at_second;
  std::thread ticker([&] {
    for (int i = 0; i <= whole_seconds; ++i) {
      std::this_thread::sleep_until(phases.start + std::chrono::seconds(i));
      cpu_at_second.push_back(ProcessCpuSeconds(server_pid));
    }
  });
  // Bounded: every operation has a 30 s expiry; run_for is a second bound.
  auto limit = Seconds<std::chrono::milliseconds>(opts.warmup_s + opts.seconds + 60);
  std::vector<std::thread> threads;
  for (auto& ioc : iocs) threads.emplace_back([&ioc, limit] { ioc->run_for(limit); });
  for (auto& t : threads) t.join();
  sampler.join();
  ticker.join();
  connections.clear();

  std::string stopped = server.Stop();
  std::string count_err;
  std::int64_t rows = CountCalls(data + "/beacon.db", count_err);

  // Merge the per-thread recorders.
  Recorder all;
  for (auto& r : recorders) {
    all.latency_ns.insert(all.latency_ns.end(), r.latency_ns.begin(), r.latency_ns.end());
    if (all.per_second.size() < r.per_second.size()) all.per_second.resize(r.per_second.size(), 0);
    for (size_t i = 0; i < r.per_second.size(); ++i) all.per_second[i] += r.per_second[i];
    all.created += r.created;
    all.duplicates += r.duplicates;
    all.non_201 += r.non_201;
    all.transport_errors += r.transport_errors;
    for (auto [k, v] : r.statuses) all.statuses[k] += v;
    if (all.first_error.empty()) all.first_error = r.first_error;
  }
  LatencySummary lat = Summarize(all.latency_ns);
  // Server CPU microseconds per completed call in each whole second.
  std::vector<std::int64_t> cpu_us_per_call;
  for (size_t i = 0; i + 1 < cpu_at_second.size() && i < all.per_second.size(); ++i) {
    double cpu_s = cpu_at_second[i + 1] - cpu_at_second[i];
    auto n = static_cast<double>(std::max<std::int64_t>(all.per_second[i], 1));
    cpu_us_per_call.push_back(std::llround(cpu_s / n * 1e6));
  }
  double calls_per_s = static_cast<double>(lat.count) / opts.seconds;
  double server_cores = (server_to - server_from) / opts.seconds;
  double client_cores = (client_to - client_from) / opts.seconds;
  // Everything else the machine ran meanwhile (other users, the kernel, steal).
  double other_cores =
      std::max(0.0, (machine_to - machine_from) / opts.seconds - server_cores - client_cores);
  // Threads in creation order (ascending thread id): in `beacon serve` at the
  // time of writing #0 is main (an I/O thread), #1 the store's commit thread,
  // #2 the blocking pool (logins), #3.. the other I/O threads.
  json thread_cores = json::object();
  int ordinal = 0;
  for (auto [tid, to] : server_threads_to) {
    double from = server_threads_from.count(tid) ? server_threads_from[tid] : 0;
    thread_cores["#" + std::to_string(ordinal++)] =
        std::round((to - from) / opts.seconds * 100) / 100;
  }

  std::cout << "  calls/s        " << Fixed(calls_per_s, 1) << " (" << lat.count
            << " calls completed in the measured window)\n"
            << "  latency ms     p50 " << Fixed(lat.p50_ms, 2) << "  p90 " << Fixed(lat.p90_ms, 2)
            << "  p99 " << Fixed(lat.p99_ms, 2) << "  p99.9 " << Fixed(lat.p999_ms, 2) << "  max "
            << Fixed(lat.max_ms, 2) << "  mean " << Fixed(lat.mean_ms, 2) << "\n"
            << "  errors         non-201 " << all.non_201 << ", transport " << all.transport_errors
            << "\n"
            << "  cpu (cores)    server " << Fixed(server_cores, 2) << " " << thread_cores.dump()
            << ", client " << Fixed(client_cores, 2) << ", everything else on the machine "
            << Fixed(other_cores, 2) << "\n"
            << "  durable        " << all.created << " calls answered 201; " << rows
            << " rows in calls after shutdown (" << stopped << ")\n"
            << "  duplicates     " << all.duplicates
            << " calls were linked to an already open incident\n"
            << "  calls per second of the run:";
  for (auto n : all.per_second) std::cout << " " << n;
  std::cout << "\n";
  std::cout << "  server CPU us per call, per second:";
  for (auto us : cpu_us_per_call) std::cout << " " << us;
  std::cout << "\n";
  if (!all.first_error.empty()) std::cout << "  first error    " << all.first_error << "\n";
  if (rows < 0) std::cout << "  cannot count rows: " << count_err << "\n";

  if (!opts.json_out.empty()) {
    json statuses = json::object();
    for (auto [k, v] : all.statuses) statuses[std::to_string(k)] = v;
    json out = {{"bench", "ingest"},
                {"connections", opts.connections},
                {"client_threads", opts.client_threads},
                {"server_threads", opts.server_threads},
                {"warmup_s", opts.warmup_s},
                {"seconds", opts.seconds},
                {"spread_deg", opts.spread_deg},
                {"without_location", opts.without_location},
                {"plans", opts.plans},
                {"calls_per_s", calls_per_s},
                {"measured_calls", lat.count},
                {"p50_ms", lat.p50_ms},
                {"p90_ms", lat.p90_ms},
                {"p99_ms", lat.p99_ms},
                {"p999_ms", lat.p999_ms},
                {"max_ms", lat.max_ms},
                {"mean_ms", lat.mean_ms},
                {"created_total", all.created},
                {"duplicates_total", all.duplicates},
                {"non_201", all.non_201},
                {"transport_errors", all.transport_errors},
                {"statuses", statuses},
                {"first_error", all.first_error},
                {"rows_in_calls", rows},
                {"server_cpu_cores", server_cores},
                {"server_thread_cores", thread_cores},
                {"client_cpu_cores", client_cores},
                {"other_cpu_cores", other_cores},
                {"per_second", all.per_second},
                {"server_cpu_us_per_call", cpu_us_per_call}};
    std::ofstream(opts.json_out) << out.dump(2) << "\n";
  }

  if (all.non_201 > 0 || all.transport_errors > 0) {
    std::ifstream log(server.stderr_path());
    std::vector<std::string> lines;
    for (std::string line; std::getline(log, line);) lines.push_back(line);
    size_t from = lines.size() > 20 ? lines.size() - 20 : 0;
    std::cout << "  server stderr (last " << lines.size() - from << " lines):\n";
    for (size_t i = from; i < lines.size(); ++i) std::cout << "    " << lines[i] << "\n";
  }
  bool durable = rows >= all.created;
  if (!durable) std::cout << "  FAIL: fewer rows than 201 answers\n";
  if (all.non_201 > 0 || all.transport_errors > 0 || !durable || lat.count == 0) return 1;
  return 0;
}

}  // namespace
}  // namespace beacon::bench

int main(int argc, char** argv) {
  beacon::bench::Options opts;
  CLI::App app{"Durable call intake over HTTP on loopback against a real beacon serve",
               "ingest_bench"};
  app.add_option("--connections", opts.connections, "Concurrent keep-alive connections")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--seconds", opts.seconds, "Measured duration")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--warmup", opts.warmup_s, "Warm-up before measuring, seconds")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  app.add_option("--client-threads", opts.client_threads, "Client I/O threads")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  app.add_option("--server-threads", opts.server_threads, "beacon serve --threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--spread-deg", opts.spread_deg,
                 "Calls are placed uniformly within this many degrees of 37.75,-122.41")
      ->check(CLI::Range(0.0, 10.0))
      ->capture_default_str();
  app.add_option("--incident-type", opts.incident_type, "incident_type of every call")
      ->capture_default_str();
  app.add_flag("--without-location", opts.without_location,
               "Send an address instead of a location (the server then skips duplicate "
               "detection; for diagnosis, not the headline number)");
  app.add_option("--seed", opts.seed, "Seed of the location jitter")->capture_default_str();
  app.add_option("--beacon", opts.beacon, "The beacon binary")->capture_default_str();
  app.add_option("--tmp", opts.tmp_parent,
                 "Directory for the temporary data dir (default: $TMPDIR or /tmp)");
  app.add_option("--json-out", opts.json_out, "Also write the results as JSON to this file");
  app.add_option(
      "--plans", opts.plans,
      "Response plans file for the server (e.g. with \"duplicate\": {\"mode\": \"link\"})");
  CLI11_PARSE(app, argc, argv);
  try {
    return beacon::bench::RunBench(opts);
  } catch (const std::exception& e) {
    std::cerr << "ingest_bench: " << e.what() << "\n";
    return 2;
  }
}
