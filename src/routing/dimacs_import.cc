#include "routing/dimacs_import.h"

#include <zlib.h>

#include <array>
#include <charconv>
#include <filesystem>
#include <limits>
#include <vector>

#include "common/geo.h"

namespace beacon::routing {
namespace {

std::string At(const std::string& path, std::uint64_t line) {
  return path + ":" + std::to_string(line) + ": ";
}

// Calls f(line, line_number) for every line of a plain or gzip file; stops
// at the first error f returns.
template <typename F>
Status ForEachLine(const std::string& path, F&& f) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return NotFound("DIMACS file " + path + " does not exist or is not a regular file");
  }
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return NotFound("cannot open DIMACS file " + path);
  gzbuffer(gz, 1 << 18);
  std::vector<char> buf(1 << 20);
  std::string carry;  // a line split across two reads
  std::uint64_t line_no = 0;
  Status status;
  auto emit = [&](std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    status = f(line, ++line_no);
    return status.ok();
  };
  for (;;) {
    int n = gzread(gz, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      int err = 0;
      std::string msg = gzerror(gz, &err);
      gzclose(gz);
      return Malformed("cannot read DIMACS file " + path + " (truncated or corrupt?): " + msg);
    }
    if (n == 0) break;
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = chunk.find('\n', start)) != std::string_view::npos; start = nl + 1) {
      std::string_view piece = chunk.substr(start, nl - start);
      bool ok;
      if (!carry.empty()) {
        carry.append(piece);
        ok = emit(carry);
        carry.clear();
      } else {
        ok = emit(piece);
      }
      if (!ok) {
        gzclose(gz);
        return status;
      }
    }
    carry.append(chunk.substr(start));
  }
  int err = 0;
  const char* msg = gzerror(gz, &err);
  if (err != Z_OK && err != Z_STREAM_END) {
    std::string m = msg;
    gzclose(gz);
    return Malformed("cannot read DIMACS file " + path + " (truncated or corrupt?): " + m);
  }
  gzclose(gz);
  if (!carry.empty() && !emit(carry)) return status;
  return Status::Ok();
}

// Splits on blanks into at most N tokens; returns how many were found, or
// N + 1 when there are more.
template <size_t N>
size_t Split(std::string_view line, std::array<std::string_view, N>& out) {
  size_t count = 0;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (count == N) return N + 1;
    out[count++] = line.substr(i, j - i);
    i = j;
  }
  return count;
}

template <typename T>
bool ParseInt(std::string_view s, T& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

struct DimacsArc {
  NodeIndex tail;
  NodeIndex head;
  std::uint64_t weight;
};

// Reads a .gr file: the node count and the arcs in file order. With
// `expect` (the travel-time arcs, when reading the matching -d file) every
// arc must be the same as the expected one at the same position.
Status ReadGraph(const std::string& path, NodeIndex& nodes, std::vector<DimacsArc>& arcs,
                 std::uint64_t max_weight, const std::vector<DimacsArc>* expect = nullptr) {
  bool have_problem = false;
  std::uint64_t announced_arcs = 0;
  std::uint64_t problem_line = 0;
  Status s = ForEachLine(path, [&](std::string_view line, std::uint64_t no) -> Status {
    if (line.empty() || line[0] == 'c') return Status::Ok();
    std::array<std::string_view, 4> t;
    const size_t k = Split(line, t);
    if (line[0] == 'p') {
      std::uint64_t n = 0, m = 0;
      if (have_problem) return Malformed(At(path, no) + "a second problem line");
      if (k != 4 || t[0] != "p" || t[1] != "sp" || !ParseInt(t[2], n) || !ParseInt(t[3], m)) {
        return Malformed(At(path, no) + "expected \"p sp <nodes> <arcs>\"");
      }
      if (n == 0 || n >= kNoNode || m >= std::numeric_limits<ArcIndex>::max()) {
        return Invalid(At(path, no) + "node or arc count out of range");
      }
      if (expect != nullptr && (n != nodes || m != expect->size())) {
        return Invalid(At(path, no) + "announces " + std::to_string(n) + " nodes and " +
                       std::to_string(m) + " arcs but the travel-time graph has " +
                       std::to_string(nodes) + " and " + std::to_string(expect->size()));
      }
      have_problem = true;
      problem_line = no;
      nodes = static_cast<NodeIndex>(n);
      announced_arcs = m;
      arcs.reserve(m);
      return Status::Ok();
    }
    if (line[0] == 'a') {
      if (!have_problem) return Malformed(At(path, no) + "arc before the \"p sp\" problem line");
      std::uint64_t u = 0, v = 0, w = 0;
      if (k != 4 || t[0] != "a" || !ParseInt(t[1], u) || !ParseInt(t[2], v) || !ParseInt(t[3], w)) {
        return Malformed(At(path, no) + "expected \"a <from> <to> <weight>\"");
      }
      if (u < 1 || u > nodes || v < 1 || v > nodes) {
        return Invalid(At(path, no) + "node id out of range 1.." + std::to_string(nodes));
      }
      if (arcs.size() == announced_arcs) {
        return Invalid(At(path, no) + "more arcs than the " + std::to_string(announced_arcs) +
                       " announced on line " + std::to_string(problem_line));
      }
      if (w > max_weight) {
        return Invalid(At(path, no) + "weight " + std::to_string(w) + " is over the maximum " +
                       std::to_string(max_weight));
      }
      DimacsArc arc{static_cast<NodeIndex>(u - 1), static_cast<NodeIndex>(v - 1), w};
      if (expect != nullptr) {
        const DimacsArc& e = (*expect)[arcs.size()];
        if (e.tail != arc.tail || e.head != arc.head) {
          return Invalid(At(path, no) + "arc " + std::to_string(u) + " -> " + std::to_string(v) +
                         " differs from arc " + std::to_string(arcs.size() + 1) +
                         " of the travel-time graph (" + std::to_string(e.tail + 1) + " -> " +
                         std::to_string(e.head + 1) + "); the files must list the same arcs");
        }
      }
      arcs.push_back(arc);
      return Status::Ok();
    }
    return Malformed(At(path, no) + "unknown line type '" + std::string(1, line[0]) + "'");
  });
  if (!s.ok()) return s;
  if (!have_problem) return Malformed(path + ": no \"p sp\" problem line");
  if (arcs.size() != announced_arcs) {
    return Invalid(path + ": line " + std::to_string(problem_line) + " announces " +
                   std::to_string(announced_arcs) + " arcs but the file has " +
                   std::to_string(arcs.size()));
  }
  return Status::Ok();
}

Status ReadCoordinates(const std::string& path, NodeIndex nodes, std::vector<LatLon>& coords) {
  bool have_problem = false;
  std::vector<std::uint8_t> seen(nodes, 0);
  coords.assign(nodes, LatLon{});
  Status s = ForEachLine(path, [&](std::string_view line, std::uint64_t no) -> Status {
    if (line.empty() || line[0] == 'c') return Status::Ok();
    std::array<std::string_view, 5> t;
    const size_t k = Split(line, t);
    if (line[0] == 'p') {
      std::uint64_t n = 0;
      if (have_problem) return Malformed(At(path, no) + "a second problem line");
      if (k != 5 || t[0] != "p" || t[1] != "aux" || t[2] != "sp" || t[3] != "co" ||
          !ParseInt(t[4], n)) {
        return Malformed(At(path, no) + "expected \"p aux sp co <nodes>\"");
      }
      if (n != nodes) {
        return Invalid(At(path, no) + "announces " + std::to_string(n) +
                       " nodes but the graph has " + std::to_string(nodes));
      }
      have_problem = true;
      return Status::Ok();
    }
    if (line[0] == 'v') {
      if (!have_problem) {
        return Malformed(At(path, no) + "coordinate before the \"p aux sp co\" problem line");
      }
      std::uint64_t id = 0;
      std::int64_t x = 0, y = 0;
      if (k != 4 || t[0] != "v" || !ParseInt(t[1], id) || !ParseInt(t[2], x) ||
          !ParseInt(t[3], y)) {
        return Malformed(At(path, no) + "expected \"v <id> <x> <y>\"");
      }
      if (id < 1 || id > nodes) {
        return Invalid(At(path, no) + "node id out of range 1.." + std::to_string(nodes));
      }
      const double lon = static_cast<double>(x) / 1e6, lat = static_cast<double>(y) / 1e6;
      if (!ValidLatLon(lat, lon)) return Invalid(At(path, no) + "coordinate out of range");
      if (seen[id - 1])
        return Invalid(At(path, no) + "node " + std::to_string(id) + " given twice");
      seen[id - 1] = 1;
      coords[id - 1] = {lat, lon};
      return Status::Ok();
    }
    return Malformed(At(path, no) + "unknown line type '" + std::string(1, line[0]) + "'");
  });
  if (!s.ok()) return s;
  if (!have_problem) return Malformed(path + ": no \"p aux sp co\" problem line");
  for (NodeIndex v = 0; v < nodes; ++v) {
    if (!seen[v]) return Invalid(path + ": node " + std::to_string(v + 1) + " has no coordinates");
  }
  return Status::Ok();
}

}  // namespace

Result<RoadGraph> ImportDimacs(const std::string& gr_path, const std::string& co_path,
                               const std::string& distance_gr_path) {
  NodeIndex nodes = 0;
  std::vector<DimacsArc> time_arcs;
  // time_ms = w * 100 must stay below kUnreachable.
  BEACON_RETURN_IF_ERROR(ReadGraph(gr_path, nodes, time_arcs, (kUnreachable - 1) / 100));
  std::vector<LatLon> coords;
  BEACON_RETURN_IF_ERROR(ReadCoordinates(co_path, nodes, coords));
  std::vector<DimacsArc> distance_arcs;
  if (!distance_gr_path.empty()) {
    BEACON_RETURN_IF_ERROR(ReadGraph(distance_gr_path, nodes, distance_arcs,
                                     std::numeric_limits<std::uint32_t>::max(), &time_arcs));
  }

  std::vector<ArcInput> arcs(time_arcs.size());
  for (size_t i = 0; i < time_arcs.size(); ++i) {
    const auto& a = time_arcs[i];
    const float length_m =
        distance_arcs.empty()
            ? static_cast<float>(HaversineM(coords[a.tail], coords[a.head]))
            : static_cast<float>(static_cast<double>(distance_arcs[i].weight) / 10.0);
    arcs[i] = {a.tail, a.head, static_cast<Millis>(a.weight * 100), length_m};
  }
  return BuildGraph(std::move(coords), std::move(arcs));
}

}  // namespace beacon::routing
