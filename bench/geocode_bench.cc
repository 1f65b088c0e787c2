// Geocoding latency on a graph file's gazetteer (docs/geocoding.md), in one
// run: queries generated from the gazetteer itself (prefixes of street
// names for type-ahead; full names with abbreviations, intersections and
// house numbers for full geocoding), answered
//   - in process by the index (Geocoder::Geocode),
//   - in process by a brute-force scan of the same index (every name
//     scored; the reference),
//   - over HTTP on loopback by the real `beacon serve --graph G`, one
//     keep-alive connection, GET /api/v1/geocode (with autocomplete=true
//     for the type-ahead set), closed loop, after a warm-up pass.
// Prints JSON (one top-level key per line, for bench/run.sh).
#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "bench_util.h"
#include "geocode/gazetteer.h"
#include "geocode/geocoder.h"
#include "routing/graph_file.h"

namespace beacon::bench {
namespace {

namespace http = boost::beast::http;
using nlohmann::json;

struct Options {
  std::string graph;
  std::string beacon = BEACON_BINARY;
  std::string tmp_parent;
  std::string json_out;
  int queries = 2000;
  int passes = 3;
  std::uint64_t seed = 1;
};

std::string UrlEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// A prefix of `s` of at least `min` bytes, never cutting a UTF-8 character.
std::string Prefix(const std::string& s, size_t n) {
  n = std::min(n, s.size());
  while (n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) ++n;
  return s.substr(0, n);
}

std::string Abbreviate(std::string name) {
  static const std::pair<const char*, const char*> kAbbrev[] = {
      {"Rua ", "R. "},       {"Avenida ", "Av. "}, {"Praça ", "Pç. "},
      {"Travessa ", "Tv. "}, {"Street", "St"},     {"Avenue", "Ave"},
      {"Boulevard", "Blvd"}, {"Largo ", "Lg. "},   {"Estrada ", "Estr. "}};
  for (auto [from, to] : kAbbrev) {
    if (auto at = name.find(from); at != std::string::npos) {
      name.replace(at, std::strlen(from), to);
      break;
    }
  }
  return name;
}

struct Measured {
  LatencySummary summary;
  std::int64_t answered = 0;  // queries with at least one candidate
};

template <typename Fn>
Measured Time(const std::vector<std::string>& queries, int passes, Fn fn) {
  std::vector<std::int64_t> ns;
  Measured m;
  for (int pass = 0; pass <= passes; ++pass) {  // pass 0 warms up
    for (const auto& q : queries) {
      auto t0 = Clock::now();
      bool any = fn(q);
      auto dt = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
      if (pass > 0) {
        ns.push_back(dt);
        m.answered += any;
      }
    }
  }
  m.summary = Summarize(ns);
  return m;
}

json ToJson(const Measured& m, size_t queries, int passes) {
  return {{"p50_ms", m.summary.p50_ms},
          {"p90_ms", m.summary.p90_ms},
          {"p99_ms", m.summary.p99_ms},
          {"max_ms", m.summary.max_ms},
          {"mean_ms", m.summary.mean_ms},
          {"requests", m.summary.count},
          {"answered_share",
           m.summary.count ? static_cast<double>(m.answered) / static_cast<double>(queries * passes)
                           : 0.0}};
}

int RunBench(const Options& opts) {
  auto t_load = Clock::now();
  auto file = routing::GraphFile::Open(opts.graph);
  if (!file) throw std::runtime_error(file.error().message());
  auto gaz = geocode::LoadGazetteer(*file);
  if (!gaz) throw std::runtime_error(gaz.error().message());
  auto g = geocode::Geocoder::Build(std::move(*gaz), {});
  double load_s = std::chrono::duration<double>(Clock::now() - t_load).count();

  // Queries from the map itself.
  std::mt19937_64 rng(opts.seed);
  auto lines = g->StreetLines();
  std::erase_if(lines, [](const auto& l) { return l.name.size() < 6; });
  if (lines.empty()) throw std::runtime_error("the gazetteer has no street names");
  std::vector<std::string> typeahead, full;
  std::uniform_int_distribution<size_t> pick(0, lines.size() - 1);
  while (static_cast<int>(typeahead.size()) < opts.queries) {
    const auto& name = lines[pick(rng)].name;
    std::uniform_int_distribution<size_t> len(3, name.size());
    typeahead.push_back(Prefix(name, len(rng)));
  }
  while (static_cast<int>(full.size()) < opts.queries) {
    const auto& l = lines[pick(rng)];
    switch (full.size() % 3) {
      case 0:
        full.push_back(Abbreviate(l.name));
        break;
      case 1: {
        const auto& pts = l.lines[rng() % l.lines.size()];
        auto r = g->Reverse(pts[pts.size() / 2], 50);
        if (r && !r->cross_streets.empty()) {
          full.push_back(Abbreviate(l.name) + " & " + Abbreviate(r->cross_streets.front()));
        } else {
          full.push_back(l.name);
        }
        break;
      }
      default:
        full.push_back(std::to_string(1 + rng() % 200) + " " + l.name);
    }
  }

  // In process: the index, then the brute-force scan of the same index.
  geocode::GeocodeOptions ac{.limit = 5, .autocomplete = true};
  geocode::GeocodeOptions fo{.limit = 5};
  auto index_ac = Time(typeahead, opts.passes,
                       [&](const std::string& q) { return !g->Geocode(q, ac).candidates.empty(); });
  auto index_full = Time(full, opts.passes, [&](const std::string& q) {
    return !g->Geocode(q, fo).candidates.empty();
  });
  geocode::GeocodeOptions bac = ac, bfo = fo;
  bac.brute_force = bfo.brute_force = true;
  auto brute_ac = Time(
      typeahead, 1, [&](const std::string& q) { return !g->Geocode(q, bac).candidates.empty(); });
  auto brute_full =
      Time(full, 1, [&](const std::string& q) { return !g->Geocode(q, bfo).candidates.empty(); });

  // Over HTTP against the real server.
  TempDir tmp(opts.tmp_parent);
  const std::string data = tmp.path() + "/data";
  const std::string password = "bench-password-1";
  auto added = Run({opts.beacon, "--log-level", "warn", "user", "add", "bench", "--role",
                    "call_taker", "--data", data},
                   password + "\n");
  if (added.exit_code != 0) throw std::runtime_error("beacon user add: " + added.output);
  BeaconProcess server(opts.beacon, data, {"--graph", opts.graph, "--threads", "2"});
  server.Start();
  auto login = HttpOnce(server.port(), "POST", "/api/v1/auth/login",
                        json{{"username", "bench"}, {"password", password}}.dump());
  auto token = json::parse(login.body, nullptr, false).value("token", "");
  if (login.status != 200 || token.empty()) throw std::runtime_error("login: " + login.body);

  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket socket(ioc);
  boost::asio::ip::tcp::resolver resolver(ioc);
  boost::asio::connect(socket, resolver.resolve("127.0.0.1", std::to_string(server.port())));
  boost::beast::flat_buffer buffer;
  std::int64_t non_200 = 0;
  auto get = [&](const std::string& target) {
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Bearer " + token);
    req.keep_alive(true);
    http::write(socket, req);
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    if (res.result_int() != 200) ++non_200;
    return res.body().find("\"label\"") != std::string::npos;
  };
  auto http_ac = Time(typeahead, opts.passes, [&](const std::string& q) {
    return get("/api/v1/geocode?autocomplete=true&q=" + UrlEncode(q));
  });
  auto http_full = Time(full, opts.passes, [&](const std::string& q) {
    return get("/api/v1/geocode?q=" + UrlEncode(q));
  });
  boost::system::error_code ec;
  socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  server.Stop();

  const auto& st = g->stats();
  json out = {{"graph", opts.graph},
              {"streets", st.streets},
              {"intersections", st.intersections},
              {"house_numbers", st.numbers},
              {"places", st.places},
              {"names", st.names},
              {"words", st.words},
              {"index_build_s", st.build_s},
              {"load_and_build_s", load_s},
              {"queries_per_set", opts.queries},
              {"passes", opts.passes},
              {"http_non_200", non_200},
              {"http_autocomplete", ToJson(http_ac, typeahead.size(), opts.passes)},
              {"http_full", ToJson(http_full, full.size(), opts.passes)},
              {"index_autocomplete", ToJson(index_ac, typeahead.size(), opts.passes)},
              {"index_full", ToJson(index_full, full.size(), opts.passes)},
              {"brute_autocomplete", ToJson(brute_ac, typeahead.size(), 1)},
              {"brute_full", ToJson(brute_full, full.size(), 1)},
              {"example_queries",
               {typeahead[0], typeahead[1], full[0], full[1], full[2], full[3], full[4], full[5]}}};
  std::string text;
  for (auto it = out.begin(); it != out.end(); ++it) {
    text += (text.empty() ? "{\n" : ",\n") + std::string("  \"") + it.key() + "\": " + it->dump();
  }
  text += "\n}\n";
  std::cout << text;
  if (!opts.json_out.empty()) std::ofstream(opts.json_out) << text;
  return non_200 == 0 ? 0 : 1;
}

}  // namespace
}  // namespace beacon::bench

int main(int argc, char** argv) {
  beacon::bench::Options opts;
  CLI::App app{"Geocoding latency: index vs brute force in process, and over HTTP",
               "geocode_bench"};
  app.add_option("--graph", opts.graph, "Graph file with a gazetteer (beacon import-osm)")
      ->required();
  app.add_option("--queries", opts.queries, "Queries per set (type-ahead, full)")
      ->check(CLI::Range(10, 1000000))
      ->capture_default_str();
  app.add_option("--passes", opts.passes, "Measured passes over each set")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_option("--seed", opts.seed, "Seed of the query generator")->capture_default_str();
  app.add_option("--beacon", opts.beacon, "The beacon binary")->capture_default_str();
  app.add_option("--tmp", opts.tmp_parent, "Parent of the temporary data dir");
  app.add_option("--json-out", opts.json_out, "Also write the JSON here");
  CLI11_PARSE(app, argc, argv);
  try {
    return beacon::bench::RunBench(opts);
  } catch (const std::exception& e) {
    std::cerr << "geocode_bench: " << e.what() << "\n";
    return 2;
  }
}
