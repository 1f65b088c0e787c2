#include "cli/commands.h"

#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "api/auth.h"
#include "api/http_server.h"
#include "api/metrics.h"
#include "api/planning_feed.h"
#include "api/routes.h"
#include "api/stream_hub.h"
#include "cap/mapping.h"
#include "cli/calibrate_command.h"
#include "cli/demo.h"
#include "cli/embedded.h"
#include "cli/geocode_command.h"
#include "cli/history_inputs.h"
#include "cli/planning_bench.h"
#include "cli/replay_command.h"
#include "cli/routing_bench.h"
#include "cli/routing_commands.h"
#include "cli/scam_command.h"
#include "common/log.h"
#include "dispatch/response_plan.h"
#include "dispatch/travel_times.h"
#include "routing/road_network.h"
#include "service/center.h"
#include "store/sqlite/sqlite_store.h"

namespace beacon::cli {
namespace {

int Fail(const std::string& msg) {
  std::cerr << "beacon: " << msg << "\n";
  return 2;
}

Result<dispatch::ResponsePlans> LoadPlans(const std::optional<std::string>& file) {
  if (file) return dispatch::ResponsePlans::Load(*file);
  return dispatch::ResponsePlans::Parse(DefaultResponsePlans());
}

// The CAP alert -> call mapping; every incident type it names must have a
// response plan.
Result<cap::CallMapping> LoadCapMapping(const std::optional<std::string>& file,
                                        const dispatch::ResponsePlans& plans) {
  std::string text(DefaultCapMapping());
  std::string name = "built-in config/cap_mapping.json";
  if (file) {
    std::ifstream in(*file, std::ios::binary);
    if (!in) return Invalid("--cap-mapping " + *file + ": cannot read the file");
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    name = "--cap-mapping " + *file;
  }
  auto m = cap::CallMapping::Parse(text);
  if (!m) return Invalid(name + ": " + m.error().message());
  for (const auto& t : m->IncidentTypes()) {
    if (!plans.Find(t)) {
      return Invalid(name + ": incident type " + t +
                     " has no response plan; valid codes: " + plans.CodeList());
    }
  }
  return m;
}

bool ValidCapSender(const std::string& s) {
  if (s.empty() || s.size() > 200) return false;
  for (char c : s) {
    if (c == ' ' || c == ',' || c == '<' || c == '&' || static_cast<unsigned char>(c) < 0x21) {
      return false;
    }
  }
  return true;
}

// Reads one line from stdin without echo when stdin is a terminal.
std::string ReadPassword() {
  bool tty = ::isatty(STDIN_FILENO);
  termios old{};
  if (tty) {
    std::cerr << "password: " << std::flush;
    ::tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int UserAdd(const std::string& name, const std::string& role_text, const std::string& dir) {
  auto role = model::ParseRole(role_text);
  if (!role) {
    return Fail(
        "unknown role \"" + role_text +
        "\"; use call_taker, dispatcher, supervisor, analyst, auditor, admin or fraud_analyst");
  }
  if (name.empty() || name.size() > 32 ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
          std::string::npos) {
    return Fail("user name must be 1-32 characters of A-Z a-z 0-9 _ . -");
  }
  std::string password = ReadPassword();
  if (password.size() < 8) return Fail("password must be at least 8 characters (read from stdin)");
  auto store = store::SqliteStore::Open(dir);
  if (!store) return Fail(store.error().message());
  auto hash = api::HashPassword(password);
  if (!hash) return Fail(hash.error().message());
  TimeMs now = SystemClock().Now();
  store::Batch b;
  b.users.push_back({name, *role, *hash, now});
  std::string os_user = std::getenv("USER") ? std::getenv("USER") : "unknown";
  b.audit.push_back(
      {now, "cli:" + os_user, "admin", "user.create", "user/" + name, "beacon user add"});
  Status s = (*store)->Commit(std::move(b));
  if (!s.ok()) return Fail(s.message());
  std::cout << "added user " << name << " with role " << model::ToString(*role) << "\n";
  return 0;
}

int AuditVerify(const std::string& dir) {
  if (!std::filesystem::exists(dir + "/beacon.db")) {
    return Fail("no Beacon database in " + dir + " (expected " + dir + "/beacon.db)");
  }
  auto store = store::SqliteStore::Open(dir);
  if (!store) return Fail(store.error().message());
  auto rep = (*store)->VerifyAudit();
  if (!rep) return Fail(rep.error().message());
  if (!rep->ok) {
    std::cout << "audit log TAMPERED: first bad entry " << rep->first_bad_seq.value_or(0) << ": "
              << rep->problem << "\n";
    return 1;
  }
  std::cout << "audit log intact: " << rep->entries << " entries verified\n";
  return 0;
}

// `web/` beside the running binary (build/beacon -> build/web).
std::string DefaultWebDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "web";
  return (exe.parent_path() / "web").string();
}

// Raises the soft limit on open files to the hard limit (a server holds one
// per connection) and returns the limit in force.
rlim_t RaiseFileLimit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  rlim_t before = rl.rlim_cur;
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit want = rl;
    want.rlim_cur = rl.rlim_max;
    // An unlimited hard limit is refused for files; fs.nr_open's 1 Mi is the usual ceiling.
    if (want.rlim_cur == RLIM_INFINITY) want.rlim_cur = 1 << 20;
    if (::setrlimit(RLIMIT_NOFILE, &want) == 0) rl.rlim_cur = want.rlim_cur;
  }
  Log(Level::kInfo, "serve.nofile",
      {{"soft_before", static_cast<std::uint64_t>(before)},
       {"soft", static_cast<std::uint64_t>(rl.rlim_cur)},
       {"hard", rl.rlim_max == RLIM_INFINITY
                    ? nlohmann::json("unlimited")
                    : nlohmann::json(static_cast<std::uint64_t>(rl.rlim_max))}});
  return rl.rlim_cur;
}

// Descriptors kept back from connections: SQLite (database, WAL, shared
// memory, two connections), the graph, logs, the thread pool's eventfds.
constexpr rlim_t kFileReserve = 128;
constexpr size_t kMaxDefaultConnections = 16384;

}  // namespace

int Serve(const ServeOptions& opts) {
  auto listen = api::ParseListen(opts.listen);
  if (!listen) return Fail(listen.error().message());
  {
    rlim_t files = RaiseFileLimit();
    size_t cap = files > 2 * kFileReserve ? static_cast<size_t>(files - kFileReserve)
                                          : static_cast<size_t>(files / 2);
    listen->max_connections = opts.max_connections.value_or(std::min(cap, kMaxDefaultConnections));
    if (listen->max_connections + kFileReserve / 2 > files) {
      Log(Level::kWarn, "serve.max_connections_high",
          {{"max_connections", listen->max_connections}, {"open_files_limit", files}});
    }
    listen->header_timeout =
        std::chrono::milliseconds(static_cast<std::int64_t>(opts.header_timeout_s * 1000));
    listen->idle_timeout =
        std::chrono::milliseconds(static_cast<std::int64_t>(opts.idle_timeout_s * 1000));
    listen->stream_queue_bytes = opts.stream_queue_bytes;
    Log(Level::kInfo, "serve.limits",
        {{"max_connections", listen->max_connections},
         {"header_timeout_s", opts.header_timeout_s},
         {"idle_timeout_s", opts.idle_timeout_s},
         {"stream_queue_bytes", opts.stream_queue_bytes},
         {"session_lifetime_s", opts.session_lifetime_s}});
  }
  auto plans = LoadPlans(opts.plans_file);
  if (!plans) return Fail(plans.error().message());
  auto cap_mapping = LoadCapMapping(opts.cap_mapping_file, *plans);
  if (!cap_mapping) return Fail(cap_mapping.error().message());
  if (!ValidCapSender(opts.cap_sender)) {
    return Fail("--cap-sender must be 1-200 characters without spaces, commas, '<' or '&'");
  }

  // Declared first so it outlives the store, whose commit callbacks post into it.
  boost::asio::io_context ioc(opts.threads);
  auto opened = store::SqliteStore::Open(opts.data_dir);
  if (!opened) return Fail(opened.error().message());
  auto& store = **opened;
  auto snap = store.Load();
  if (!snap) return Fail(snap.error().message());

  SystemClock clock;
  dispatch::StraightLineTravelTimes straight_line;
  std::unique_ptr<routing::RoadNetwork> network;
  if (opts.graph_file) {
    auto n = routing::RoadNetwork::Open(*opts.graph_file);
    if (!n) return Fail("--graph " + *opts.graph_file + ": " + n.error().message());
    network = std::move(*n);
    Log(Level::kInfo, "graph.loaded",
        {{"file", *opts.graph_file},
         {"nodes", network->graph().nodes()},
         {"arcs", network->graph().arcs()}});
  }
  if (opts.calibration_file) {
    if (!network) return Fail("--calibration needs --graph (it calibrates road travel times)");
    auto calibrated = CalibratedNetwork(*network, *opts.calibration_file);
    if (!calibrated) return Fail(calibrated.error().message());
    network = std::move(*calibrated);
  }
  const dispatch::TravelTimes& travel_times =
      network ? static_cast<const dispatch::TravelTimes&>(*network) : straight_line;
  api::StreamHub hub;
  hub.SetPublishedSeq(snap->last_event_seq);
  // Planning sees every committed event before the stream hub does.
  planning::Planner planner(network.get());
  if (auto s = api::LoadPlanner(planner, *snap); !s.ok()) return Fail(s.message());
  api::PlanningFeed feed(planner, hub);
  service::Center center(store, *plans, travel_times, clock, feed);
  if (auto s = center.Load(*snap); !s.ok()) return Fail(s.message());
  auto scam_desk = MakeScamDesk(center, clock, opts.scam_config_file);
  if (!scam_desk) return Fail(scam_desk.error().message());
  if (auto s = (*scam_desk)->Load(*snap); !s.ok()) return Fail(s.message());
  api::Auth auth(store, clock, opts.session_lifetime_s * 1000);
  auth.Restore(snap->sessions);
  api::Metrics metrics;
  boost::asio::thread_pool blocking(1);
  // Geocoding: the graph's gazetteer and the centre's address points.
  auto geocoder = LoadGeocoder(opts.graph_file, opts.address_files);
  if (!geocoder) return Fail(geocoder.error().message());
  std::optional<GeocoderResolver> resolver;
  if (*geocoder) {
    resolver.emplace(**geocoder);
    center.SetLocationResolver(&*resolver);
  }
  api::Router router(auth);
  api::RouteDeps deps{center, auth, metrics, store, blocking, network.get(), &planner};
  deps.geocoder = geocoder->get();
  deps.eido_self = {opts.agency, "beacon." + opts.agency};
  deps.cap_mapping = &*cap_mapping;
  deps.cap_sender = opts.cap_sender;
  deps.scam = scam_desk->get();
  api::RegisterRoutes(router, deps);
  std::optional<api::StaticFiles> web;
  {
    std::string dir = opts.web_dir.value_or(DefaultWebDir());
    api::StaticFiles files(dir);
    if (files.Valid()) {
      web.emplace(std::move(files));
      listen->web = &*web;
      Log(Level::kInfo, "web.serving", {{"dir", dir}});
    } else if (opts.web_dir) {
      return Fail("--web " + dir + ": no index.html there (build the web bundle with make build)");
    } else {
      Log(Level::kWarn, "web.missing",
          {{"dir", dir},
           {"hint", "no command-room bundle: build it with make build, or pass --web DIR"}});
    }
  }
  api::HttpServer server(ioc, *listen, router, hub, store, auth, metrics);
  if (auto s = server.Start(); !s.ok()) return Fail(s.message());

  std::unique_ptr<DemoTraffic> demo;
  if (opts.demo) {
    if (auto s = SeedDemoCity(center); !s.ok()) return Fail("demo city: " + s.message());
    demo = std::make_unique<DemoTraffic>(center, opts.demo_seed, opts.demo_calls_per_min,
                                         opts.demo_pace);
    demo->Start();
  }

  // Pending and status timers fire on a one-second tick (docs/dispatch.md).
  boost::asio::steady_timer tick(ioc);
  std::function<void()> arm_tick = [&] {
    tick.expires_after(std::chrono::seconds(1));
    tick.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      center.EvaluateTimers();
      arm_tick();
    });
  };
  arm_tick();

  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    Log(Level::kInfo, "shutdown", {{"signal", sig}});
    tick.cancel();
    server.Stop();
    ioc.stop();
  });
  Log(Level::kInfo, "listening",
      {{"address", listen->address},
       {"port", server.port()},
       {"data", opts.data_dir},
       {"incident_types", plans->types().size()}});
  std::cout << "beacon listening on http://"
            << (listen->address.find(':') != std::string::npos ? "[" + listen->address + "]"
                                                               : listen->address)
            << ":" << server.port() << "\n"
            << std::flush;

  std::vector<std::thread> threads;
  for (int i = 1; i < opts.threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  if (demo) demo->Stop();
  blocking.join();
  return 0;
}

int Main(int argc, char** argv) {
  CLI::App app{"Beacon: incident response for emergency services", "beacon"};
  app.set_version_flag("--version", std::string("beacon ") + BEACON_VERSION);
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "debug, info, warn or error")->capture_default_str();

  ServeOptions serve_opts;
  auto* serve = app.add_subcommand("serve", "Run the HTTP/WebSocket API server");
  serve->add_option("--data", serve_opts.data_dir, "Data directory (created on first start)")
      ->required();
  serve->add_option("--listen", serve_opts.listen, "Address to listen on, HOST:PORT (port 0 = any)")
      ->capture_default_str();
  serve->add_option("--plans", serve_opts.plans_file,
                    "Response plans file (default: the built-in config/response_plans.json)");
  serve->add_option("--graph", serve_opts.graph_file,
                    "Road graph file from beacon import-osm: recommendations use road ETAs");
  serve->add_option("--calibration", serve_opts.calibration_file,
                    "Calibration file from beacon calibrate: every ETA uses the learnt travel "
                    "times (needs --graph)");
  serve->add_option("--web", serve_opts.web_dir,
                    "Command-room web bundle to serve at / (default: web/ beside the binary)");
  serve
      ->add_option("--agency", serve_opts.agency,
                   "This centre's agency id in EIDO exports, a domain name (e.g. psap.example.org)")
      ->check([](const std::string& s) {
        bool ok = !s.empty() && s.size() <= 253;
        for (char c : s) {
          ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-');
        }
        return ok ? std::string() : std::string("--agency must be a domain name (a-z 0-9 . -)");
      })
      ->capture_default_str();
  serve->add_option("--threads", serve_opts.threads, "I/O threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  serve->add_option("--cap-mapping", serve_opts.cap_mapping_file,
                    "CAP alert -> call mapping (default: the built-in config/cap_mapping.json)");
  serve->add_option("--cap-sender", serve_opts.cap_sender, "<sender> of the CAP alerts issued")
      ->capture_default_str();
  serve->add_option("--scam-config", serve_opts.scam_config_file,
                    "Anti-scam desk config (default: the built-in config/scam/desk.json)");
  serve->add_option("--addresses", serve_opts.address_files,
                    "Address points for the geocoder: CSV or GeoJSON, FILE or FILE,MAPPING.json "
                    "(repeatable; docs/geocoding.md)");

  serve
      ->add_option("--session-lifetime", serve_opts.session_lifetime_s,
                   "Seconds a login's token is valid")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{30} * 24 * 3600))
      ->capture_default_str();
  serve
      ->add_option("--header-timeout", serve_opts.header_timeout_s,
                   "Seconds to receive a request's line and headers")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  serve
      ->add_option("--idle-timeout", serve_opts.idle_timeout_s,
                   "Seconds a kept-alive connection may wait for its next request")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  serve
      ->add_option("--max-connections", serve_opts.max_connections,
                   "Connections open at once; more are answered 503 (default: the open-files "
                   "limit less 128, at most 16384)")
      ->check(CLI::Range(size_t{1}, size_t{1} << 24));
  serve
      ->add_option("--stream-queue-bytes", serve_opts.stream_queue_bytes,
                   "Unsent bytes a stream subscriber may queue before it is closed (code 4008)")
      ->check(CLI::Range(size_t{4096}, size_t{1} << 30))
      ->capture_default_str();

  auto* user = app.add_subcommand("user", "Manage users");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "Add a user; the password is read from stdin");
  std::string user_name, user_role, user_dir;
  user_add->add_option("NAME", user_name, "User name")->required();
  user_add
      ->add_option("--role", user_role,
                   "call_taker, dispatcher, supervisor, analyst, auditor, admin or fraud_analyst")
      ->required();
  user_add->add_option("--data", user_dir, "Data directory")->required();

  auto* audit = app.add_subcommand("audit", "Audit log tools");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand("verify", "Verify the audit log's hash chain");
  std::string audit_dir;
  verify->add_option("--data", audit_dir, "Data directory")->required();

  auto* demo = app.add_subcommand("demo", "Run a demo centre with generated calls");
  std::string demo_listen = "127.0.0.1:8080", demo_dir;
  std::uint64_t demo_seed = 1;
  double demo_rate = 6;
  demo->add_option("--listen", demo_listen, "Address to listen on")->capture_default_str();
  demo->add_option("--data", demo_dir, "Data directory (default: a new temporary one)");
  demo->add_option("--seed", demo_seed, "Random seed of the call generator")->capture_default_str();
  std::optional<std::string> demo_osm, demo_graph;
  demo->add_option("--osm", demo_osm,
                   "OpenStreetMap extract to import for road ETAs (the demo city lies in "
                   "south-central San Francisco)");
  demo->add_option("--graph", demo_graph, "Road graph file made by beacon import-osm")
      ->excludes("--osm");
  std::optional<std::string> demo_web;
  demo->add_option("--web", demo_web,
                   "Command-room web bundle to serve at / (default: web/ beside the binary)");
  demo->add_option("--calls-per-min", demo_rate, "Mean call rate")
      ->check(CLI::Range(0.1, 6000.0))
      ->capture_default_str();
  double demo_pace = 1;
  demo->add_option("--pace", demo_pace,
                   "Scale of the simulated dispatchers' and crews' waits (0.1: ten times faster)")
      ->check(CLI::Range(0.01, 100.0))
      ->capture_default_str();
  std::optional<std::string> demo_plans;
  demo->add_option("--plans", demo_plans, "Response plans file (default: the built-in plans)");
  std::vector<std::string> demo_addresses;
  demo->add_option("--addresses", demo_addresses,
                   "Address points for the geocoder (repeatable; docs/geocoding.md)");

  auto* import_osm = app.add_subcommand(
      "import-osm", "Import an OpenStreetMap extract into a query-ready road graph file");
  std::string osm_input, osm_out;
  std::optional<std::string> osm_profile;
  import_osm->add_option("INPUT", osm_input, ".osm.pbf, .osm or .osm.bz2 file")->required();
  import_osm->add_option("--out", osm_out, "Graph file to write")->required();
  import_osm->add_option("--profile", osm_profile,
                         "Routing profile (default: the built-in config/routing_profile.json)");
  bool osm_no_gazetteer = false;
  import_osm->add_flag("--no-gazetteer", osm_no_gazetteer,
                       "Build the road graph only, without the geocoder's gazetteer");

  auto* import_dimacs = app.add_subcommand(
      "import-dimacs", "Import a 9th DIMACS challenge road graph (for benchmarks)");
  std::string dimacs_gr, dimacs_co, dimacs_out;
  std::optional<std::string> dimacs_distance;
  import_dimacs->add_option("GR", dimacs_gr, "Travel-time arcs (.gr or .gr.gz)")->required();
  import_dimacs->add_option("--coords", dimacs_co, "Coordinates (.co or .co.gz)")->required();
  import_dimacs->add_option("--distance", dimacs_distance,
                            "Distance arcs in the same order (.gr or .gr.gz), optional");
  import_dimacs->add_option("--out", dimacs_out, "Graph file to write")->required();

  auto* route = app.add_subcommand("route", "Fastest road route between two points, as JSON");
  std::string route_graph, route_from, route_to;
  route->add_option("--graph", route_graph, "Graph file")->required();
  route->add_option("--from", route_from, "LAT,LON")->required();
  route->add_option("--to", route_to, "LAT,LON")->required();

  auto* table = app.add_subcommand("table", "Travel times from many points to one, as JSON");
  std::string table_graph, table_sources, table_target;
  table->add_option("--graph", table_graph, "Graph file")->required();
  table->add_option("--sources", table_sources, "File with one LAT,LON per line")->required();
  table->add_option("--target", table_target, "LAT,LON")->required();

  auto* bench = app.add_subcommand("bench", "Measure Beacon on this machine");
  bench->require_subcommand(1);
  auto* bench_routing = bench->add_subcommand(
      "routing", "Routing queries vs plain Dijkstra on a graph file; prints JSON");
  RoutingBenchOptions rb;
  bench_routing->add_option("--graph", rb.graph, "Graph file")->required();
  bench_routing->add_option("--units", rb.units, "Units (sources)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  bench_routing->add_option("--incidents", rb.incidents, "Incidents (targets)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  bench_routing->add_option("--pairs", rb.pairs, "Point-to-point pairs")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  bench_routing->add_option("--seed", rb.seed, "Random seed")->capture_default_str();
  auto* bench_planning = bench->add_subcommand(
      "planning", "Live coverage model and move-up planner on a graph file; prints JSON");
  PlanningBenchOptions pb;
  bench_planning->add_option("--graph", pb.graph, "Graph file")->required();
  bench_planning->add_option("--units", pb.units, "Available units")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  bench_planning->add_option("--stations", pb.stations, "Stations")
      ->capture_default_str()
      ->check(CLI::Range(2, 10000));
  bench_planning->add_option("--calls", pb.calls, "Calls (demand)")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000000));
  bench_planning->add_option("--seed", pb.seed, "Random seed")->capture_default_str();

  ReplayCommand replay(app);
  GeocodeCommands geocode(app);
  CalibrateCommand calibrate(app);
  ScamCommand scam(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  Level level;
  if (!ParseLogLevel(log_level, level))
    return Fail("--log-level must be debug, info, warn or error");
  SetLogLevel(level);

  if (*serve) return Serve(serve_opts);
  if (*import_osm) return ImportOsmCommand(osm_input, osm_out, osm_profile, !osm_no_gazetteer);
  if (*import_dimacs) return ImportDimacsCommand(dimacs_gr, dimacs_co, dimacs_distance, dimacs_out);
  if (*route) return RouteCommand(route_graph, route_from, route_to);
  if (*table) return TableCommand(table_graph, table_sources, table_target);
  if (*bench_routing) return RoutingBenchCommand(rb);
  if (*bench_planning) return PlanningBenchCommand(pb);
  if (replay.selected()) return replay.Run();
  if (geocode.selected()) return geocode.Run();
  if (calibrate.selected()) return calibrate.Run();
  if (scam.selected()) return scam.Run();
  if (*user_add) return UserAdd(user_name, user_role, user_dir);
  if (*verify) return AuditVerify(audit_dir);
  if (*demo) {
    if (demo_dir.empty()) {
      std::string tmpl = (std::filesystem::temp_directory_path() / "beacon-demo-XXXXXX").string();
      if (!::mkdtemp(tmpl.data())) return Fail("cannot create a temporary data directory");
      demo_dir = tmpl;
    }
    auto store = store::SqliteStore::Open(demo_dir);
    if (!store) return Fail(store.error().message());
    std::cout << "demo data directory: " << demo_dir << "\n"
              << "demo users (user / password):\n";
    store::Batch b;
    TimeMs now = SystemClock().Now();
    for (auto role : model::AllRoles()) {
      std::string name(model::ToString(role));
      std::string password = "demo-" + name;
      auto existing = (*store)->FindUser(name);
      if (existing && !*existing) {
        auto hash = api::HashPassword(password);
        if (!hash) return Fail(hash.error().message());
        b.users.push_back({name, role, *hash, now});
        b.audit.push_back({now, "demo", "admin", "user.create", "user/" + name, "beacon demo"});
      }
      std::cout << "  " << name << " / " << password << "\n";
    }
    if (!b.empty()) {
      if (auto s = (*store)->Commit(std::move(b)); !s.ok()) return Fail(s.message());
    }
    store->reset();
    ServeOptions o;
    o.graph_file = demo_graph;
    if (demo_osm) {
      o.graph_file = demo_dir + "/demo.graph";
      if (int rc = ImportOsmCommand(*demo_osm, *o.graph_file, std::nullopt)) return rc;
    }
    o.data_dir = demo_dir;
    o.listen = demo_listen;
    o.demo = true;
    o.demo_seed = demo_seed;
    o.demo_calls_per_min = demo_rate;
    o.demo_pace = demo_pace;
    o.plans_file = demo_plans;
    o.web_dir = demo_web;
    o.address_files = demo_addresses;
    return Serve(o);
  }
  return 0;
}

}  // namespace beacon::cli
