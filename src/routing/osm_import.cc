#include "routing/osm_import.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <osmium/io/bzip2_compression.hpp>
#include <osmium/io/gzip_compression.hpp>
#include <osmium/io/pbf_input.hpp>
#include <osmium/io/reader.hpp>
#include <osmium/io/xml_input.hpp>
#include <osmium/osm/node.hpp>
#include <osmium/osm/relation.hpp>
#include <osmium/osm/way.hpp>
#include <sstream>

#include "common/geo.h"
#include "routing/strong_components.h"

namespace beacon::routing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The osmium format string for the file's content, or "" when the first
// bytes are not those of an OSM PBF or (possibly compressed) XML file.
// Content wins over the extension so that a mislabelled file still loads
// and a non-OSM file gets a clear message instead of a decoder error.
std::string DetectFormat(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char buf[64] = {};
  in.read(buf, sizeof buf);
  const auto n = static_cast<size_t>(in.gcount());
  std::string_view head(buf, n);
  // PBF: a 4-byte big-endian BlobHeader length, then field 1 (type) = "OSMHeader".
  if (n >= 15 && head.substr(4, 2) == std::string_view("\x0a\x09", 2) &&
      head.substr(6, 9) == "OSMHeader") {
    return "pbf";
  }
  if (head.starts_with("BZh")) return "osm.bz2";
  if (head.starts_with("\x1f\x8b")) return "osm.gz";
  if (head.starts_with("\xef\xbb\xbf")) head.remove_prefix(3);
  while (!head.empty() && (head.front() == ' ' || head.front() == '\n' || head.front() == '\r' ||
                           head.front() == '\t')) {
    head.remove_prefix(1);
  }
  if (head.starts_with("<")) return "osm";
  return {};
}

struct WayRecord {
  std::int64_t id;
  std::uint32_t ref_begin;  // into Collected::refs
  std::uint32_t ref_end;
  float forward_kmh;
  float backward_kmh;
  std::uint8_t road_class;  // index into Collected::road_class_names
};

struct RawRestriction {
  std::int64_t from_way;
  std::int64_t via_node;
  std::int64_t to_way;
  TurnRestriction::Kind kind;
};

// Everything kept from the file, in file order.
struct Collected {
  std::vector<std::int64_t> node_ids;
  std::vector<osmium::Location> node_locations;
  bool nodes_sorted = true;
  std::vector<WayRecord> ways;
  std::vector<std::int64_t> refs;
  std::vector<RawRestriction> restrictions;
  std::vector<std::string> road_class_names;  // highway values, in order of first use
};

class Importer {
 public:
  Importer(const Profile& profile, const ImportOptions& options, ImportSummary& summary)
      : profile_(profile), options_(options), summary_(summary) {}

  void Progress(double fraction, std::string_view phase) {
    if (options_.progress) options_.progress(fraction, phase);
  }

  // Decodes the file; osmium exceptions propagate to ImportOsm.
  void Read(const std::string& path, const std::string& format) {
    osmium::io::Reader reader(osmium::io::File(path, format),
                              osmium::osm_entity_bits::node | osmium::osm_entity_bits::way |
                                  osmium::osm_entity_bits::relation,
                              osmium::io::read_meta::no);
    const double size = static_cast<double>(std::max<size_t>(reader.file_size(), 1));
    while (osmium::memory::Buffer buffer = reader.read()) {
      for (const auto& item : buffer) {
        OsmObjectSink* sink = options_.sink;
        switch (item.type()) {
          case osmium::item_type::node:
            Node(static_cast<const osmium::Node&>(item));
            if (sink) sink->Node(static_cast<const osmium::Node&>(item));
            break;
          case osmium::item_type::way:
            Way(static_cast<const osmium::Way&>(item));
            if (sink) sink->Way(static_cast<const osmium::Way&>(item));
            break;
          case osmium::item_type::relation:
            Relation(static_cast<const osmium::Relation&>(item));
            if (sink) sink->Relation(static_cast<const osmium::Relation&>(item));
            break;
          default:
            break;
        }
      }
      Progress(0.6 * std::min(1.0, static_cast<double>(reader.offset()) / size), "reading");
    }
    reader.close();
  }

  Collected& data() { return data_; }

 private:
  void Node(const osmium::Node& node) {
    ++summary_.osm_nodes;
    if (!node.location().valid()) return;
    if (!data_.node_ids.empty() && node.id() <= data_.node_ids.back()) data_.nodes_sorted = false;
    data_.node_ids.push_back(node.id());
    data_.node_locations.push_back(node.location());
  }

  // The index of a highway value in road_class_names (added on first use;
  // the profile's classes are far fewer than 255, the last index is shared
  // by any beyond).
  std::uint8_t RoadClass(std::string_view highway) {
    auto& names = data_.road_class_names;
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == highway) return static_cast<std::uint8_t>(i);
    }
    if (names.size() == 255) return 254;
    names.emplace_back(highway);
    return static_cast<std::uint8_t>(names.size() - 1);
  }

  void FillTags(const osmium::TagList& tags) {
    tags_.clear();
    for (const auto& t : tags) tags_.push_back({t.key(), t.value()});
  }

  void Way(const osmium::Way& way) {
    ++summary_.osm_ways;
    // Most ways in a full extract are buildings: skip them before copying tags.
    if (way.tags()["highway"] == nullptr || way.nodes().size() < 2) return;
    FillTags(way.tags());
    WayRule rule = profile_.EvaluateWay(tags_);
    if (!rule.routable) return;
    ++summary_.routable_ways;
    WayRecord rec;
    rec.id = way.id();
    rec.ref_begin = static_cast<std::uint32_t>(data_.refs.size());
    for (const auto& nr : way.nodes()) data_.refs.push_back(nr.ref());
    rec.ref_end = static_cast<std::uint32_t>(data_.refs.size());
    rec.forward_kmh = rule.forward ? static_cast<float>(rule.forward_kmh) : 0.0f;
    rec.backward_kmh = rule.backward ? static_cast<float>(rule.backward_kmh) : 0.0f;
    rec.road_class = RoadClass(way.tags()["highway"]);
    data_.ways.push_back(rec);
  }

  void Relation(const osmium::Relation& rel) {
    ++summary_.osm_relations;
    const char* type = rel.tags()["type"];
    if (type == nullptr || std::string_view(type) != "restriction") return;
    FillTags(rel.tags());
    RestrictionRule rule = profile_.EvaluateRestriction(tags_);
    if (rule == RestrictionRule::kNotRestriction) return;
    if (rule == RestrictionRule::kIgnored) {
      ++summary_.restrictions_ignored;
      return;
    }
    int from_count = 0, to_count = 0, via_nodes = 0, via_ways = 0;
    RawRestriction r{
        0, 0, 0,
        rule == RestrictionRule::kNo ? TurnRestriction::Kind::kNo : TurnRestriction::Kind::kOnly};
    for (const auto& m : rel.members()) {
      std::string_view role = m.role();
      if (role == "from" && m.type() == osmium::item_type::way) {
        ++from_count;
        r.from_way = m.ref();
      } else if (role == "to" && m.type() == osmium::item_type::way) {
        ++to_count;
        r.to_way = m.ref();
      } else if (role == "via" && m.type() == osmium::item_type::node) {
        ++via_nodes;
        r.via_node = m.ref();
      } else if (role == "via" && m.type() == osmium::item_type::way) {
        ++via_ways;
      }
    }
    if (via_ways > 0) {
      ++summary_.restrictions_skipped_via_way;
      return;
    }
    if (from_count != 1 || to_count != 1 || via_nodes != 1) {
      ++summary_.restrictions_skipped_invalid;
      return;
    }
    data_.restrictions.push_back(r);
  }

  const Profile& profile_;
  const ImportOptions& options_;
  ImportSummary& summary_;
  Collected data_;
  std::vector<Tag> tags_;
};

struct GenArc {
  std::uint32_t tail;  // node position, later compact id
  std::uint32_t head;
  Millis time_ms;
  float length_m;
  std::uint8_t road_class;
};

Millis TimeMs(double length_m, double speed_kmh) {
  double ms = std::round(length_m / (speed_kmh / 3.6) * 1000.0);
  if (!(ms >= 1)) return 1;
  if (ms >= static_cast<double>(kUnreachable - 1)) return kUnreachable - 1;
  return static_cast<Millis>(ms);
}

// Turns the collected OSM data into the graph. Separate from reading so the
// steps can be timed and reported.
Result<ImportResult> Build(Collected& d, const ImportOptions& options, ImportSummary& summary,
                           Importer& importer, const std::string& path) {
  // 1. Node table sorted by id (PBF is sorted already; XML need not be).
  if (!d.nodes_sorted) {
    std::vector<std::uint32_t> perm(d.node_ids.size());
    std::iota(perm.begin(), perm.end(), 0u);
    std::stable_sort(perm.begin(), perm.end(), [&](std::uint32_t a, std::uint32_t b) {
      return d.node_ids[a] < d.node_ids[b];
    });
    std::vector<std::int64_t> ids;
    std::vector<osmium::Location> locs;
    ids.reserve(perm.size());
    locs.reserve(perm.size());
    for (auto p : perm) {
      if (!ids.empty() && ids.back() == d.node_ids[p]) continue;  // duplicate: keep the first
      ids.push_back(d.node_ids[p]);
      locs.push_back(d.node_locations[p]);
    }
    d.node_ids = std::move(ids);
    d.node_locations = std::move(locs);
  }
  auto find_node = [&](std::int64_t id) -> std::uint32_t {
    auto it = std::lower_bound(d.node_ids.begin(), d.node_ids.end(), id);
    if (it == d.node_ids.end() || *it != id) return kNone;
    return static_cast<std::uint32_t>(it - d.node_ids.begin());
  };

  // 2. Way refs -> node positions; one arc per segment and allowed direction.
  std::vector<std::uint32_t> ref_pos(d.refs.size());
  for (size_t i = 0; i < d.refs.size(); ++i) {
    ref_pos[i] = find_node(d.refs[i]);
    if (ref_pos[i] == kNone) ++summary.missing_node_refs;
  }
  // seg_forward[i] / seg_backward[i]: the generated arc for the segment
  // refs[i] -> refs[i+1] / refs[i+1] -> refs[i] of a way, or kNone.
  std::vector<std::uint32_t> seg_forward(d.refs.size(), kNone);
  std::vector<std::uint32_t> seg_backward(d.refs.size(), kNone);
  std::vector<GenArc> arcs;
  arcs.reserve(d.refs.size() * 2);
  std::vector<std::uint8_t> used(d.node_ids.size(), 0);
  for (const auto& w : d.ways) {
    for (std::uint32_t i = w.ref_begin; i + 1 < w.ref_end; ++i) {
      const std::uint32_t a = ref_pos[i], b = ref_pos[i + 1];
      if (a == kNone || b == kNone || a == b) continue;
      const auto& la = d.node_locations[a];
      const auto& lb = d.node_locations[b];
      const double len = HaversineM({la.lat(), la.lon()}, {lb.lat(), lb.lon()});
      if (w.forward_kmh > 0) {
        seg_forward[i] = static_cast<std::uint32_t>(arcs.size());
        arcs.push_back({a, b, TimeMs(len, w.forward_kmh), static_cast<float>(len), w.road_class});
      }
      if (w.backward_kmh > 0) {
        seg_backward[i] = static_cast<std::uint32_t>(arcs.size());
        arcs.push_back({b, a, TimeMs(len, w.backward_kmh), static_cast<float>(len), w.road_class});
      }
      used[a] = used[b] = 1;
    }
  }
  if (arcs.empty()) {
    return Invalid("no routable roads for this profile in OSM file " + path + " (" +
                   std::to_string(summary.osm_ways) + " ways read, " +
                   std::to_string(summary.routable_ways) + " routable)");
  }
  importer.Progress(0.65, "building");

  // 3. Compact ids for the nodes that carry arcs, in OSM id order.
  std::vector<std::uint32_t> compact(d.node_ids.size(), kNone);
  NodeIndex n = 0;
  for (size_t p = 0; p < used.size(); ++p) {
    if (used[p]) compact[p] = n++;
  }
  for (auto& a : arcs) {
    a.tail = compact[a.tail];
    a.head = compact[a.head];
  }

  // 4. Preliminary CSR: counting sort by tail, then by head within a tail
  //    (ties by generation order, as BuildGraph's stable sort would).
  std::vector<ArcIndex> first_out(n + 1, 0);
  for (const auto& a : arcs) ++first_out[a.tail + 1];
  for (NodeIndex v = 0; v < n; ++v) first_out[v + 1] += first_out[v];
  std::vector<std::uint32_t> order(arcs.size());
  {
    std::vector<ArcIndex> fill(first_out.begin(), first_out.end() - 1);
    for (std::uint32_t g = 0; g < arcs.size(); ++g) order[fill[arcs[g].tail]++] = g;
  }
  // Out-degrees are tiny: a stable insertion sort beats std::stable_sort's
  // buffer allocation per node.
  for (NodeIndex v = 0; v < n; ++v) {
    for (ArcIndex i = first_out[v] + 1; i < first_out[v + 1]; ++i) {
      const std::uint32_t g = order[i];
      ArcIndex j = i;
      for (; j > first_out[v] && arcs[order[j - 1]].head > arcs[g].head; --j) {
        order[j] = order[j - 1];
      }
      order[j] = g;
    }
  }
  std::vector<std::uint32_t> prelim_of(arcs.size());
  std::vector<NodeIndex> head(arcs.size());
  for (std::uint32_t k = 0; k < order.size(); ++k) {
    prelim_of[order[k]] = k;
    head[k] = arcs[order[k]].head;
  }

  // 5. Restrictions: from/to must each give exactly one arc at the via node
  //    (the via node at an end of the way, or the way one-way there). A via
  //    in the middle of a two-way way would leave the turn ambiguous.
  std::vector<std::pair<std::int64_t, std::uint32_t>> way_index(d.ways.size());
  for (std::uint32_t i = 0; i < d.ways.size(); ++i) way_index[i] = {d.ways[i].id, i};
  std::sort(way_index.begin(), way_index.end());
  auto find_way = [&](std::int64_t id) -> const WayRecord* {
    auto it = std::lower_bound(way_index.begin(), way_index.end(),
                               std::pair<std::int64_t, std::uint32_t>{id, 0});
    if (it == way_index.end() || it->first != id) return nullptr;
    return &d.ways[it->second];
  };
  struct Prelim {
    std::uint32_t from, via, to;
    TurnRestriction::Kind kind;
  };
  std::vector<Prelim> prelim_restrictions;
  for (const auto& r : d.restrictions) {
    const WayRecord* from = find_way(r.from_way);
    const WayRecord* to = find_way(r.to_way);
    const std::uint32_t via_pos = find_node(r.via_node);
    if (from == nullptr || to == nullptr || via_pos == kNone || compact[via_pos] == kNone) {
      ++summary.restrictions_skipped_invalid;
      continue;
    }
    std::uint32_t from_arc = kNone, to_arc = kNone;
    int from_count = 0, to_count = 0;
    for (std::uint32_t i = from->ref_begin; i < from->ref_end; ++i) {
      if (ref_pos[i] != via_pos) continue;
      if (i > from->ref_begin && seg_forward[i - 1] != kNone)
        from_arc = seg_forward[i - 1], ++from_count;
      if (i + 1 < from->ref_end && seg_backward[i] != kNone)
        from_arc = seg_backward[i], ++from_count;
    }
    for (std::uint32_t i = to->ref_begin; i < to->ref_end; ++i) {
      if (ref_pos[i] != via_pos) continue;
      if (i + 1 < to->ref_end && seg_forward[i] != kNone) to_arc = seg_forward[i], ++to_count;
      if (i > to->ref_begin && seg_backward[i - 1] != kNone)
        to_arc = seg_backward[i - 1], ++to_count;
    }
    if (from_count != 1 || to_count != 1) {
      ++summary.restrictions_skipped_invalid;
      continue;
    }
    prelim_restrictions.push_back(
        {prelim_of[from_arc], compact[via_pos], prelim_of[to_arc], r.kind});
  }
  importer.Progress(0.8, "components");

  // 6. Keep the largest strongly connected component.
  std::vector<std::uint8_t> keep(n, 1);
  if (options.largest_component_only) {
    StrongComponents scc = FindStrongComponents(first_out, head);
    summary.components_dropped = scc.count() - 1;
    for (NodeIndex v = 0; v < n; ++v) keep[v] = scc.component[v] == scc.largest;
  }

  // 7. Final graph: renumbering keeps the relative order, so arcs stay
  //    sorted by (tail, head) and the CSR is the filtered preliminary one.
  ImportResult result;
  RoadGraph& g = result.graph;
  std::vector<NodeIndex> new_id(n, kNoNode);
  NodeIndex kept_nodes = 0;
  for (NodeIndex v = 0; v < n; ++v) {
    if (keep[v]) new_id[v] = kept_nodes++;
  }
  g.coords.reserve(kept_nodes);
  result.osm_node_ids.reserve(kept_nodes);
  for (size_t p = 0; p < compact.size(); ++p) {
    if (compact[p] == kNone || !keep[compact[p]]) continue;
    const auto& loc = d.node_locations[p];
    g.coords.push_back({loc.lat(), loc.lon()});
    result.osm_node_ids.push_back(d.node_ids[p]);
  }
  std::vector<ArcIndex> final_of(order.size(), kNone);
  g.first_out.reserve(kept_nodes + 1);
  g.first_out.push_back(0);
  for (NodeIndex v = 0; v < n; ++v) {
    if (!keep[v]) continue;
    for (ArcIndex k = first_out[v]; k < first_out[v + 1]; ++k) {
      if (!keep[head[k]]) continue;
      final_of[k] = static_cast<ArcIndex>(g.head.size());
      const GenArc& a = arcs[order[k]];
      g.head.push_back(new_id[a.head]);
      g.time_ms.push_back(a.time_ms);
      g.length_m.push_back(a.length_m);
      g.road_class.push_back(a.road_class);
    }
    g.first_out.push_back(static_cast<ArcIndex>(g.head.size()));
  }
  g.road_class_names = d.road_class_names;
  for (const auto& r : prelim_restrictions) {
    if (final_of[r.from] == kNone || final_of[r.to] == kNone) {
      ++summary.restrictions_dropped;
      continue;
    }
    g.restrictions.push_back({final_of[r.from], new_id[r.via], final_of[r.to], r.kind});
  }
  auto key = [](const TurnRestriction& t) { return std::tuple(t.via, t.from, t.to, t.kind); };
  std::sort(g.restrictions.begin(), g.restrictions.end(),
            [&](const auto& a, const auto& b) { return key(a) < key(b); });
  g.restrictions.erase(std::unique(g.restrictions.begin(), g.restrictions.end(),
                                   [&](const auto& a, const auto& b) { return key(a) == key(b); }),
                       g.restrictions.end());

  summary.nodes = g.nodes();
  summary.arcs = g.arcs();
  summary.nodes_dropped = n - kept_nodes;
  summary.arcs_dropped = arcs.size() - g.arcs();
  summary.restrictions_kept = g.restrictions.size();
  return result;
}

}  // namespace

std::string ImportSummary::ToString() const {
  std::ostringstream os;
  char t[96];
  std::snprintf(t, sizeof t, "%.3f s (read %.3f s, build %.3f s)", total_s, read_s, build_s);
  os << "graph: " << nodes << " nodes, " << arcs << " arcs\n"
     << "input: " << osm_nodes << " OSM nodes, " << osm_ways << " ways (" << routable_ways
     << " routable), " << osm_relations << " relations";
  if (missing_node_refs > 0) os << ", " << missing_node_refs << " refs to missing nodes";
  os << "\n"
     << "turn restrictions: " << restrictions_kept << " kept, " << restrictions_skipped_via_way
     << " skipped (via way), " << restrictions_skipped_invalid
     << " skipped (invalid or ambiguous), " << restrictions_dropped
     << " outside the kept component, " << restrictions_ignored << " not for this vehicle\n"
     << "components dropped: " << components_dropped << " (" << nodes_dropped << " nodes, "
     << arcs_dropped << " arcs)\n"
     << "time: " << t << "\n";
  return os.str();
}

Result<ImportResult> ImportOsm(const std::string& path, const Profile& profile,
                               const ImportOptions& options) {
  const auto t0 = Clock::now();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return NotFound("OSM file " + path + " does not exist or is not a regular file");
  }
  const std::string format = DetectFormat(path);
  if (format.empty()) {
    return Malformed("not an OSM file (expected PBF or XML): " + path);
  }
  // An absolute path keeps osmium from treating "http:..." as a URL to fetch.
  const std::string abs_path = std::filesystem::absolute(path, ec).string();

  ImportSummary summary;
  Importer importer(profile, options, summary);
  importer.Progress(0, "reading");
  try {
    importer.Read(ec ? path : abs_path, format);
  } catch (const std::exception& e) {
    return Malformed("cannot read OSM file " + path +
                     " (not OSM data, truncated or corrupt): " + e.what());
  }
  summary.read_s = SecondsSince(t0);
  if (summary.routable_ways == 0) {
    return Invalid("no routable roads for this profile in OSM file " + path + " (" +
                   std::to_string(summary.osm_ways) + " ways read)");
  }
  const auto t1 = Clock::now();
  Result<ImportResult> result = [&]() -> Result<ImportResult> {
    try {
      return Build(importer.data(), options, summary, importer, path);
    } catch (const std::bad_alloc&) {
      return Status(Code::kUnavailable, "out of memory while building the graph from " + path);
    }
  }();
  if (!result) return result;
  summary.build_s = SecondsSince(t1);
  summary.total_s = SecondsSince(t0);
  result->summary = summary;
  importer.Progress(1, "done");
  return result;
}

}  // namespace beacon::routing
