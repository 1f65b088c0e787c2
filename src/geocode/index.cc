// Building the Geocoder's index from the gazetteer and the address points.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

#include "geocode/index.h"

namespace beacon::geocode {
namespace {

constexpr double kMPerDeg = 111320.0;
// Ways of one name this close (their bounding boxes) are one street.
constexpr double kStreetJoinM = 200;
// Nodes where the same two streets meet, this close, are one intersection
// (the two carriageways of a divided road).
constexpr double kIntersectionMergeM = 60;
// A house number belongs to a street of its name within this distance.
constexpr double kNumberToStreetM = 1000;
// A settlement names the locality of a street this close to it; streets of
// one name farther apart than kDistinctStreetsM are told apart by it.
constexpr double kLocalityM = 3000;
constexpr double kDistinctStreetsM = 2000;

std::string JoinWords(const std::vector<Token>& tokens) {
  std::string key;
  for (const auto& t : tokens) {
    if (!key.empty()) key += ' ';
    key += t.text;
  }
  return key;
}

struct UnionFind {
  std::vector<std::uint32_t> parent;
  explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0u); }
  std::uint32_t Find(std::uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void Join(std::uint32_t a, std::uint32_t b) { parent[Find(a)] = Find(b); }
};

// The leading number of a house number and the folded rest ("12A" -> 12, "a").
bool SplitNumber(std::string_view text, std::int32_t& number, std::string& suffix) {
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  size_t start = i;
  std::int64_t n = 0;
  while (i < text.size() && i - start < 7 && text[i] >= '0' && text[i] <= '9') {
    n = n * 10 + (text[i] - '0');
    ++i;
  }
  if (i == start) return false;
  number = static_cast<std::int32_t>(n);
  std::string rest = Fold(text.substr(i));
  suffix.clear();
  for (char c : rest) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) suffix += c;
  }
  return true;
}

}  // namespace

double BoxM(LatLon p, LatLon min, LatLon max) {
  LatLon q{std::clamp(p.lat, min.lat, max.lat), std::clamp(p.lon, min.lon, max.lon)};
  return FlatM(p, q);
}

bool Geocoder::Impl::SharesName(std::uint32_t a, std::uint32_t b) const {
  for (auto x : streets[a].names) {
    for (auto y : streets[b].names) {
      if (x == y) return true;
    }
  }
  return false;
}

double FlatM(LatLon a, LatLon b) {
  double k = std::cos((a.lat + b.lat) * 0.5 * M_PI / 180.0);
  double dx = (b.lon - a.lon) * k * kMPerDeg, dy = (b.lat - a.lat) * kMPerDeg;
  return std::sqrt(dx * dx + dy * dy);
}

double SegmentM(LatLon p, LatLon a, LatLon b, LatLon* nearest) {
  double k = std::cos(p.lat * M_PI / 180.0);
  double bx = (b.lon - a.lon) * k * kMPerDeg, by = (b.lat - a.lat) * kMPerDeg;
  double px = (p.lon - a.lon) * k * kMPerDeg, py = (p.lat - a.lat) * kMPerDeg;
  double len2 = bx * bx + by * by;
  double t = len2 > 0 ? std::clamp((px * bx + py * by) / len2, 0.0, 1.0) : 0.0;
  double qx = t * bx - px, qy = t * by - py;
  if (nearest) *nearest = {a.lat + t * (b.lat - a.lat), a.lon + t * (b.lon - a.lon)};
  return std::sqrt(qx * qx + qy * qy);
}

std::int64_t Grid::X(double lon) const {
  return static_cast<std::int64_t>(std::floor(lon / cell_));
}
std::int64_t Grid::Y(double lat) const {
  return static_cast<std::int64_t>(std::floor(lat / cell_));
}

void Grid::Add(LatLon p, std::uint32_t id) { cells_[Key(X(p.lon), Y(p.lat))].push_back(id); }

void Grid::AddSegment(LatLon a, LatLon b, std::uint32_t id) {
  std::int64_t x0 = X(std::min(a.lon, b.lon)), x1 = X(std::max(a.lon, b.lon));
  std::int64_t y0 = Y(std::min(a.lat, b.lat)), y1 = Y(std::max(a.lat, b.lat));
  // A segment longer than a few km (a ferry line) is filed at its ends only.
  if ((x1 - x0 + 1) * (y1 - y0 + 1) > 400) {
    Add(a, id);
    Add(b, id);
    return;
  }
  for (std::int64_t x = x0; x <= x1; ++x) {
    for (std::int64_t y = y0; y <= y1; ++y) cells_[Key(x, y)].push_back(id);
  }
}

void Grid::Near(LatLon p, double radius_m, std::vector<std::uint32_t>& out) const {
  double dlat = radius_m / kMPerDeg;
  double dlon = radius_m / (kMPerDeg * std::max(0.05, std::cos(p.lat * M_PI / 180.0)));
  std::int64_t x0 = X(p.lon - dlon), x1 = X(p.lon + dlon);
  std::int64_t y0 = Y(p.lat - dlat), y1 = Y(p.lat + dlat);
  for (std::int64_t x = x0; x <= x1; ++x) {
    for (std::int64_t y = y0; y <= y1; ++y) {
      auto it = cells_.find(Key(x, y));
      if (it != cells_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
    }
  }
}

std::uint32_t Geocoder::Impl::WordId(const Token& t) {
  auto [it, added] = word_ids.try_emplace(t.text, static_cast<std::uint32_t>(words.size()));
  if (added) words.push_back({t, {}});
  return it->second;
}

std::uint32_t Geocoder::Impl::AddName(std::string_view text, FeatureRef ref) {
  std::vector<Token> tokens = lex->Tokenize(Fold(text));
  if (tokens.empty()) return kNoId;
  std::string key = JoinWords(tokens);
  auto [it, added] = name_ids.try_emplace(key, static_cast<std::uint32_t>(names.size()));
  if (added) {
    NameEntry e;
    for (const auto& t : tokens) {
      std::uint32_t w = WordId(t);
      e.words.push_back(w);
      words[w].names.push_back(it->second);
    }
    names.push_back(std::move(e));
  }
  auto& features = names[it->second].features;
  bool seen = false;
  for (auto& f : features) {
    if (f.type == ref.type && f.id == ref.id) {
      seen = true;
      if (static_cast<int>(ref.name_kind) < static_cast<int>(f.name_kind))
        f.name_kind = ref.name_kind;
    }
  }
  if (!seen) features.push_back(ref);
  return it->second;
}

void Geocoder::Impl::FinishWords() {
  canon_words.clear();
  words_by_length.clear();
  for (std::uint32_t w = 0; w < words.size(); ++w) {
    auto& names_of = words[w].names;
    std::sort(names_of.begin(), names_of.end());
    names_of.erase(std::unique(names_of.begin(), names_of.end()), names_of.end());
    for (auto c : words[w].token.canon) {
      if (canon_words.size() <= c) canon_words.resize(c + 1);
      canon_words[c].push_back(w);
    }
    size_t len = words[w].token.text.size();
    if (words_by_length.size() <= len) words_by_length.resize(len + 1);
    words_by_length[len].push_back(w);
  }
  words_sorted.resize(words.size());
  std::iota(words_sorted.begin(), words_sorted.end(), 0u);
  std::sort(words_sorted.begin(), words_sorted.end(), [&](std::uint32_t a, std::uint32_t b) {
    return words[a].token.text < words[b].token.text;
  });
}

void Geocoder::Impl::Build() {
  const auto t0 = std::chrono::steady_clock::now();

  // ---- Places.
  for (std::uint32_t p = 0; p < gaz.places.size(); ++p) {
    const auto& sp = gaz.places[p];
    Place pl;
    pl.at = sp.at.ToLatLon();
    pl.category = std::string(gaz.String(sp.category));
    pl.label = std::string(gaz.String(gaz.place_name[gaz.place_first_name[p]].string));
    if (sp.street) {
      pl.address =
          sp.number ? std::string(gaz.String(sp.number)) + " " + std::string(gaz.String(sp.street))
                    : std::string(gaz.String(sp.street));
    }
    places.push_back(std::move(pl));
    for (std::uint32_t k = gaz.place_first_name[p]; k < gaz.place_first_name[p + 1]; ++k) {
      AddName(gaz.String(gaz.place_name[k].string),
              {FeatureType::kPlace, gaz.place_name[k].kind, p});
    }
    if (places.back().category.starts_with("place=")) settlements.push_back(p);
    places_grid.Add(places.back().at, p);
  }

  // ---- Streets: ways grouped by their folded name, then by distance.
  const size_t nways = gaz.ways();
  way_street.assign(nways, kNoId);
  std::map<std::string, std::vector<std::uint32_t>> by_name;
  std::vector<LatLon> way_min(nways, LatLon{90, 180}), way_max(nways, LatLon{-90, -180});
  for (std::uint32_t w = 0; w < nways; ++w) {
    for (std::uint32_t k = gaz.way_first_node[w]; k < gaz.way_first_node[w + 1]; ++k) {
      LatLon p = NodeAt(gaz.way_node[k]);
      way_min[w] = {std::min(way_min[w].lat, p.lat), std::min(way_min[w].lon, p.lon)};
      way_max[w] = {std::max(way_max[w].lat, p.lat), std::max(way_max[w].lon, p.lon)};
    }
    std::string_view primary = gaz.String(gaz.way_name[gaz.way_first_name[w]].string);
    by_name[JoinWords(lex->Tokenize(Fold(primary)))].push_back(w);
  }
  for (auto& [key, ways] : by_name) {
    if (key.empty()) continue;
    UnionFind uf(ways.size());
    const double pad = kStreetJoinM / kMPerDeg;
    for (size_t i = 0; i < ways.size(); ++i) {
      double padlon_i = pad / std::max(0.05, std::cos(way_min[ways[i]].lat * M_PI / 180.0));
      for (size_t j = i + 1; j < ways.size(); ++j) {
        if (uf.Find(static_cast<std::uint32_t>(i)) == uf.Find(static_cast<std::uint32_t>(j)))
          continue;
        const auto &a0 = way_min[ways[i]], &a1 = way_max[ways[i]];
        const auto &b0 = way_min[ways[j]], &b1 = way_max[ways[j]];
        if (a0.lat - pad <= b1.lat && b0.lat <= a1.lat + pad && a0.lon - padlon_i <= b1.lon &&
            b0.lon <= a1.lon + padlon_i) {
          uf.Join(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j));
        }
      }
    }
    std::map<std::uint32_t, std::uint32_t> street_of_root;
    for (size_t i = 0; i < ways.size(); ++i) {
      std::uint32_t root = uf.Find(static_cast<std::uint32_t>(i));
      auto [it, added] =
          street_of_root.try_emplace(root, static_cast<std::uint32_t>(streets.size()));
      if (added) {
        streets.emplace_back();
        streets.back().label =
            std::string(gaz.String(gaz.way_name[gaz.way_first_name[ways[i]]].string));
      }
      streets[it->second].ways.push_back(ways[i]);
      way_street[ways[i]] = it->second;
    }
  }
  for (std::uint32_t s = 0; s < streets.size(); ++s) {
    Street& st = streets[s];
    for (auto w : st.ways) {
      st.min = {std::min(st.min.lat, way_min[w].lat), std::min(st.min.lon, way_min[w].lon)};
      st.max = {std::max(st.max.lat, way_max[w].lat), std::max(st.max.lon, way_max[w].lon)};
      st.rank = std::min(st.rank, gaz.way_class[w]);
      for (std::uint32_t k = gaz.way_first_name[w]; k < gaz.way_first_name[w + 1]; ++k) {
        std::uint32_t e = AddName(gaz.String(gaz.way_name[k].string),
                                  {FeatureType::kStreet, gaz.way_name[k].kind, s});
        if (e != kNoId && std::find(st.names.begin(), st.names.end(), e) == st.names.end()) {
          st.names.push_back(e);
        }
      }
    }
    LatLon mid{(st.min.lat + st.max.lat) / 2, (st.min.lon + st.max.lon) / 2};
    double best = 1e18;
    for (auto w : st.ways) {
      for (std::uint32_t k = gaz.way_first_node[w]; k + 1 < gaz.way_first_node[w + 1]; ++k) {
        LatLon q;
        double d = SegmentM(mid, NodeAt(gaz.way_node[k]), NodeAt(gaz.way_node[k + 1]), &q);
        if (d < best) {
          best = d;
          st.center = q;
        }
      }
    }
  }

  // ---- Nodes -> streets and ways; segments for reverse geocoding.
  const size_t nnodes = gaz.nodes.size();
  {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;  // (node, way)
    pairs.reserve(gaz.way_node.size());
    for (std::uint32_t w = 0; w < nways; ++w) {
      if (way_street[w] == kNoId) continue;  // a name without letters or digits
      for (std::uint32_t k = gaz.way_first_node[w]; k < gaz.way_first_node[w + 1]; ++k) {
        pairs.push_back({gaz.way_node[k], w});
        if (k + 1 < gaz.way_first_node[w + 1]) {
          auto id = static_cast<std::uint32_t>(segment_way.size());
          segment_way.push_back(w);
          segment_pos.push_back(k);
          segments.AddSegment(NodeAt(gaz.way_node[k]), NodeAt(gaz.way_node[k + 1]), id);
        }
      }
    }
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    node_first_way.assign(nnodes + 1, 0);
    node_first_street.assign(nnodes + 1, 0);
    for (auto& [n, w] : pairs) ++node_first_way[n + 1];
    for (size_t n = 0; n < nnodes; ++n) node_first_way[n + 1] += node_first_way[n];
    node_way.reserve(pairs.size());
    for (auto& [n, w] : pairs) node_way.push_back(w);
    std::vector<std::uint32_t> ss;
    for (std::uint32_t n = 0; n < nnodes; ++n) {
      ss.clear();
      for (std::uint32_t k = node_first_way[n]; k < node_first_way[n + 1]; ++k) {
        ss.push_back(way_street[node_way[k]]);
      }
      std::sort(ss.begin(), ss.end());
      ss.erase(std::unique(ss.begin(), ss.end()), ss.end());
      node_street.insert(node_street.end(), ss.begin(), ss.end());
      node_first_street[n + 1] = static_cast<std::uint32_t>(node_street.size());
    }
  }

  // ---- Where each street stops: a way end no other way of it continues.
  for (std::uint32_t w = 0; w < nways; ++w) {
    if (way_street[w] == kNoId) continue;
    for (std::uint32_t n :
         {gaz.way_node[gaz.way_first_node[w]], gaz.way_node[gaz.way_first_node[w + 1] - 1]}) {
      int same = 0;
      for (std::uint32_t k = node_first_way[n]; k < node_first_way[n + 1]; ++k) {
        same += way_street[node_way[k]] == way_street[w];
      }
      if (same == 1) streets[way_street[w]].ends.push_back(n);
    }
  }

  // ---- Intersections: two streets at one node; nearby nodes of one pair merged.
  {
    struct Meet {
      std::uint32_t a, b, node;
    };
    std::vector<Meet> meets;
    for (std::uint32_t n = 0; n < nnodes; ++n) {
      for (std::uint32_t i = node_first_street[n]; i < node_first_street[n + 1]; ++i) {
        for (std::uint32_t j = i + 1; j < node_first_street[n + 1]; ++j) {
          meets.push_back({node_street[i], node_street[j], n});
        }
      }
    }
    std::sort(meets.begin(), meets.end(), [](const Meet& x, const Meet& y) {
      return std::tie(x.a, x.b, x.node) < std::tie(y.a, y.b, y.node);
    });
    for (size_t i = 0; i < meets.size();) {
      size_t j = i;
      while (j < meets.size() && meets[j].a == meets[i].a && meets[j].b == meets[i].b) ++j;
      if (SharesName(meets[i].a, meets[i].b)) {
        i = j;
        continue;
      }
      // Greedy clusters within kIntersectionMergeM of their first node.
      std::vector<char> used(j - i, 0);
      for (size_t k = i; k < j; ++k) {
        if (used[k - i]) continue;
        LatLon first = NodeAt(meets[k].node);
        double lat = 0, lon = 0;
        std::uint32_t count = 0;
        for (size_t m = k; m < j; ++m) {
          if (used[m - i]) continue;
          LatLon p = NodeAt(meets[m].node);
          if (FlatM(first, p) > kIntersectionMergeM) continue;
          used[m - i] = 1;
          lat += p.lat;
          lon += p.lon;
          ++count;
        }
        auto id = static_cast<std::uint32_t>(intersections.size());
        intersections.push_back({meets[i].a, meets[i].b, {lat / count, lon / count}, count});
        streets[meets[i].a].crossings.push_back(id);
        streets[meets[i].b].crossings.push_back(id);
      }
      i = j;
    }
  }

  // ---- House numbers, attached to the nearest street of their name
  // (matched through the word lists, so those are made first).
  FinishWords();
  std::map<std::string, std::vector<std::uint32_t>> virtual_by_key;
  auto attach = [&](const std::string& label, const std::vector<Token>& tokens, Numbered num) {
    if (tokens.empty()) return;
    std::string key = JoinWords(tokens);
    std::uint32_t best = kNoId;
    double best_d = kNumberToStreetM;
    auto consider = [&](std::uint32_t s) {
      double d = streets[s].virtual_street ? FlatM(num.at, streets[s].center)
                                           : BoxM(num.at, streets[s].min, streets[s].max);
      if (d < best_d) {
        best_d = d;
        best = s;
      }
    };
    if (auto it = name_ids.find(key); it != name_ids.end()) {
      for (const auto& f : names[it->second].features) {
        if (f.type == FeatureType::kStreet) consider(f.id);
      }
    }
    if (best == kNoId) {
      // Written differently from the street's name ("MISSION ST" for
      // "Mission Street"): the best full matches of its words.
      for (const auto& hit : MatchNames(tokens, false, false, 16)) {
        if (hit.score < 0.9) break;
        for (const auto& f : names[hit.name].features) {
          if (f.type == FeatureType::kStreet) consider(f.id);
        }
      }
    }
    if (best == kNoId) {
      for (auto s : virtual_by_key[key]) consider(s);
    }
    if (best == kNoId) {
      best = static_cast<std::uint32_t>(streets.size());
      streets.emplace_back();
      Street& v = streets.back();
      v.label = label;
      v.virtual_street = true;
      v.center = num.at;
      v.min = v.max = num.at;
      std::uint32_t e = AddName(label, {FeatureType::kStreet, NameKind::kName, best});
      if (e != kNoId) v.names.push_back(e);
      virtual_by_key[key].push_back(best);
    }
    Street& st = streets[best];
    if (st.virtual_street) {
      st.min = {std::min(st.min.lat, num.at.lat), std::min(st.min.lon, num.at.lon)};
      st.max = {std::max(st.max.lat, num.at.lat), std::max(st.max.lon, num.at.lon)};
      st.center = {(st.min.lat + st.max.lat) / 2, (st.min.lon + st.max.lon) / 2};
    }
    st.numbers.push_back(std::move(num));
  };
  for (std::uint32_t i = 0; i < gaz.addresses.size(); ++i) {
    const auto& a = gaz.addresses[i];
    Numbered num;
    if (!SplitNumber(gaz.String(a.number), num.number, num.suffix)) continue;
    num.text = std::string(gaz.String(a.number));
    num.at = a.at.ToLatLon();
    num.source = a.source == AddressSource::kNode       ? NumberSource::kOsmNode
                 : a.source == AddressSource::kBuilding ? NumberSource::kOsmBuilding
                                                        : NumberSource::kOsmInterpolated;
    num.ref = i;
    num.postcode = std::string(gaz.String(a.postcode));
    num.city = std::string(gaz.String(a.city));
    std::string street(a.street ? gaz.String(a.street) : gaz.String(a.place));
    attach(street, lex->Tokenize(Fold(street)), std::move(num));
  }

  // ---- The centre's address points: by their whole text, and by number
  // and street when they have them ("4000 Block of MISSION ST" is the block
  // 4000-4099 of Mission Street).
  for (std::uint32_t s = 0; s < sets.size(); ++s) {
    for (const auto& p : sets[s].points) {
      auto id = static_cast<std::uint32_t>(points.size());
      points.push_back({p.text, sets[s].name, p.at, p.count, p.line});
      AddName(p.text, {FeatureType::kPoint, NameKind::kName, id});
      if (!p.place.empty()) AddName(p.place, {FeatureType::kPoint, NameKind::kAlt, id});
      Numbered num;
      num.at = p.at;
      num.ref = id;
      num.weight = p.count;
      num.postcode = p.postcode;
      num.city = p.city;
      if (!p.number.empty() && !p.street.empty()) {
        if (!SplitNumber(p.number, num.number, num.suffix)) continue;
        if (!p.unit.empty() && num.suffix.empty()) num.suffix = Fold(p.unit);
        num.text = p.number;
        num.source = NumberSource::kCentreAddress;
        attach(p.street, lex->Tokenize(Fold(p.street)), std::move(num));
        continue;
      }
      std::string folded = Fold(p.text);
      ParsedQuery pq = ParseQuery(*lex, folded, false);
      for (const auto& r : pq.readings) {
        if (r.kind != Reading::Kind::kBlock && r.kind != Reading::Kind::kNumbered) continue;
        num.number = r.number;
        num.suffix = r.suffix;
        bool block = r.kind == Reading::Kind::kBlock;
        num.text = block ? std::to_string(r.number) + " Block" : r.number_text;
        num.source = block ? NumberSource::kCentreBlock : NumberSource::kCentreAddress;
        // The street as written when folding kept the byte offsets.
        std::string label = folded.size() == p.text.size()
                                ? p.text.substr(r.a_begin, r.a_end - r.a_begin)
                                : folded.substr(r.a_begin, r.a_end - r.a_begin);
        attach(label, r.a, std::move(num));
        break;
      }
    }
  }
  for (auto& st : streets) {
    std::stable_sort(st.numbers.begin(), st.numbers.end(),
                     [](const Numbered& a, const Numbered& b) {
                       return std::tie(a.number, a.suffix) < std::tie(b.number, b.suffix);
                     });
  }
  for (std::uint32_t s = 0; s < streets.size(); ++s) {
    for (std::uint32_t k = 0; k < streets[s].numbers.size(); ++k) {
      numbers_grid.Add(streets[s].numbers[k].at, static_cast<std::uint32_t>(number_refs.size()));
      number_refs.push_back({s, k});
    }
  }

  // ---- Localities, to tell apart streets that share a name.
  {
    std::map<std::string, std::vector<std::uint32_t>> by_label;
    for (std::uint32_t s = 0; s < streets.size(); ++s) by_label[streets[s].label].push_back(s);
    for (auto& [label, ss] : by_label) {
      if (ss.size() < 2) continue;
      for (auto s : ss) {
        Street& st = streets[s];
        // Only a street of the same name far away needs telling apart (a
        // street the map interrupts is still one street to a caller).
        bool far = false;
        for (auto o : ss) {
          if (o == s) continue;
          const Street& other = streets[o];
          double gap = std::min({BoxM(other.min, st.min, st.max), BoxM(other.max, st.min, st.max),
                                 BoxM(other.center, st.min, st.max)});
          far = far || gap > kDistinctStreetsM;
        }
        if (!far) continue;
        // The town of its house numbers, else the nearest settlement close
        // enough to name it by, else where it is.
        for (const auto& n : st.numbers) {
          if (!n.city.empty())
            st.locality = n.city;
          else if (!n.postcode.empty())
            st.locality = n.postcode;
          if (!st.locality.empty()) break;
        }
        double best = kLocalityM;
        for (auto p : settlements) {
          if (!st.locality.empty()) break;
          double d = FlatM(st.center, places[p].at);
          if (d < best) {
            best = d;
            st.locality = places[p].label;
          }
        }
        if (st.locality.empty()) {
          char at[48];
          std::snprintf(at, sizeof at, "near %.4f, %.4f", st.center.lat, st.center.lon);
          st.locality = at;
        }
      }
    }
  }

  FinishWords();

  stats.names = names.size();
  stats.words = words.size();
  stats.streets = streets.size();
  stats.intersections = intersections.size();
  stats.places = places.size();
  stats.points = points.size();
  for (const auto& st : streets) stats.numbers += st.numbers.size();
  for (const auto& n : gaz.nodes) {
    LatLon p = n.ToLatLon();
    stats.min = {std::min(stats.min.lat, p.lat), std::min(stats.min.lon, p.lon)};
    stats.max = {std::max(stats.max.lat, p.lat), std::max(stats.max.lon, p.lon)};
  }
  stats.build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Geocoder::Geocoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Geocoder::~Geocoder() = default;

std::unique_ptr<Geocoder> Geocoder::Build(Gazetteer gazetteer, std::vector<AddressPointSet> points,
                                          const Lexicon& lexicon) {
  auto impl = std::make_unique<Impl>();
  impl->lex = &lexicon;
  impl->gaz = std::move(gazetteer);
  impl->sets = std::move(points);
  impl->Build();
  return std::unique_ptr<Geocoder>(new Geocoder(std::move(impl)));
}

GeocodeResult Geocoder::Geocode(std::string_view query, const GeocodeOptions& options) const {
  return impl_->Geocode(query, options);
}

Result<ReverseResult> Geocoder::Reverse(LatLon at, double max_m) const {
  return impl_->Reverse(at, max_m);
}

const GeocoderStats& Geocoder::stats() const { return impl_->stats; }

std::vector<Geocoder::StreetLine> Geocoder::StreetLines() const {
  std::vector<StreetLine> out;
  const auto& g = impl_->gaz;
  for (const auto& st : impl_->streets) {
    if (st.ways.empty()) continue;
    StreetLine line{st.label, st.rank, {}};
    for (auto w : st.ways) {
      std::vector<LatLon> pts;
      for (std::uint32_t k = g.way_first_node[w]; k < g.way_first_node[w + 1]; ++k) {
        pts.push_back(impl_->NodeAt(g.way_node[k]));
      }
      line.lines.push_back(std::move(pts));
    }
    out.push_back(std::move(line));
  }
  return out;
}

nlohmann::json ToJson(const GeocodeResult& r) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : r.candidates) {
    list.push_back({{"label", c.label},
                    {"lat", std::round(c.location.lat * 1e7) / 1e7},
                    {"lon", std::round(c.location.lon * 1e7) / 1e7},
                    {"kind", c.kind},
                    {"score", c.score},
                    {"why", c.why},
                    {"verified", c.verified}});
  }
  return {{"candidates", std::move(list)}};
}

nlohmann::json ToJson(const ReverseResult& r) {
  nlohmann::json j = {{"label", r.label},
                      {"street", r.street},
                      {"cross_streets", r.cross_streets},
                      {"distance_m", r.distance_m},
                      {"lat", std::round(r.on_street.lat * 1e7) / 1e7},
                      {"lon", std::round(r.on_street.lon * 1e7) / 1e7}};
  if (r.place) j["place"] = *r.place;
  return j;
}

}  // namespace beacon::geocode
