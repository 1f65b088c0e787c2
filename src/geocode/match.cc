// Forward geocoding: reading the query, matching names word by word, and
// turning matched names into candidates (docs/geocoding.md has the rules).
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "geocode/index.h"

namespace beacon::geocode {
namespace {

// Costs of a word match (a score is 1 minus the sum of the costs).
constexpr double kPrefixCost = 0.08;        // type-ahead: an incomplete last word
constexpr double kTypoCost = 0.22;          // per edit
constexpr double kMissingOptional = 0.3;    // a street type of the query unmatched
constexpr double kMissingDirection = 0.15;  // a direction of the query unmatched
constexpr double kMissingStop = 0.05;       // a stop word of the query unmatched
constexpr double kExtraStop = 0.03;         // a stop word of the name not in the query
constexpr double kExtraType = 0.06;         // a type or direction word of the name not in the query
constexpr double kExtraWord = 0.3;          // any other word of the name not in the query
constexpr double kOutOfOrder = 0.1;
constexpr double kTypeConflict = 0.25;  // on top of the two costs above
// Two streets that do not meet, one ending this close to the other, make a
// (never verified) intersection candidate.
constexpr double kNearMissM = 250;
// Numbers: streets matched equally well this close are one street; known
// numbers this far apart still interpolate; a number this far beyond the
// last known ones is still extrapolated.
constexpr double kSameStreetM = 3000;
constexpr double kMaxInterpolationSpan = 2000;
constexpr double kExtrapolateNumbers = 300;
// A block no number of its own street places is aligned with the same
// block of a parallel street (grid cities number parallel streets alike):
// a known number of that block on another street at most this far from
// the street, on a segment within kAlignMaxAngleDeg of the street's.
constexpr double kAlignM = 250;
constexpr double kAlignMaxAngleDeg = 25;
constexpr double kAlignSpan = 1000;
constexpr double kMinScore = 0.35;
// The verified rule (docs/geocoding.md).
constexpr double kVerifiedScore = 0.9;
constexpr double kRivalMargin = 0.15;
constexpr double kRivalDistanceM = 150;
// Capping the work of one query.
constexpr size_t kMaxPrefixWords = 4000;
constexpr size_t kMaxCandidateNames = 60000;
constexpr size_t kMaxQueryBytes = 400;

std::string Trim(std::string_view s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string_view::npos) return {};
  size_t b = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(a, b - a + 1));
}

// At most `n` bytes, never ending inside a UTF-8 sequence.
std::string_view Prefix(std::string_view s, size_t n) {
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "12", "12a", "12-14", "665-a", "12/3": a house number as written; sets
// the number and the folded suffix (a range keeps its first number).
bool HouseNumber(std::string_view w, std::int32_t& number, std::string& suffix) {
  size_t i = 0;
  std::int64_t n = 0;
  while (i < w.size() && i < 6 && w[i] >= '0' && w[i] <= '9') n = n * 10 + (w[i++] - '0');
  if (i == 0 || (i < w.size() && w[i] >= '0' && w[i] <= '9')) return false;
  std::string_view rest = w.substr(i);
  suffix.clear();
  if (rest.empty()) {
  } else if (rest.size() == 1 && rest[0] >= 'a' && rest[0] <= 'z') {
    suffix = std::string(rest);
  } else if ((rest[0] == '-' || rest[0] == '/') && rest.size() >= 2) {
    std::string_view r = rest.substr(1);
    if (AllDigits(r) && r.size() <= 6) {
      // a range "12-14": its first number
    } else if (r.size() == 1 && r[0] >= 'a' && r[0] <= 'z') {
      suffix = std::string(r);
    } else {
      return false;
    }
  } else {
    return false;
  }
  number = static_cast<std::int32_t>(n);
  return true;
}

struct Piece {
  std::string text;
  size_t begin;
};

// Splits on spaces, remembering where each word starts.
std::vector<Piece> SplitWords(std::string_view s, size_t offset) {
  std::vector<Piece> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back({std::string(s.substr(i, j - i)), offset + i});
    i = j;
  }
  return out;
}

bool IsPostcode(std::string_view w) {
  auto digits = [&](size_t from, size_t n) {
    if (w.size() < from + n) return false;
    for (size_t k = 0; k < n; ++k) {
      if (w[from + k] < '0' || w[from + k] > '9') return false;
    }
    return true;
  };
  if (w.size() == 8 && digits(0, 4) && w[4] == '-' && digits(5, 3)) return true;   // PT
  if (w.size() == 5 && digits(0, 5)) return true;                                  // US, FR, MC
  if (w.size() == 10 && digits(0, 5) && w[5] == '-' && digits(6, 4)) return true;  // ZIP+4
  return false;
}

}  // namespace

ParsedQuery ParseQuery(const Lexicon& lex, std::string_view folded_in, bool autocomplete) {
  ParsedQuery pq;
  std::string folded(Prefix(folded_in, kMaxQueryBytes));
  for (auto& c : folded) {
    if (c == '\t' || c == '\r' || c == '\n' || c == ';') c = ' ';
  }
  // Type-ahead completes the last word only when the text ends inside it.
  bool open_end = autocomplete && !folded.empty() &&
                  (std::isalnum(static_cast<unsigned char>(folded.back())) ||
                   static_cast<unsigned char>(folded.back()) >= 0x80);

  // Comma parts after the first: postcode, town, or the house number.
  size_t comma = folded.find(',');
  std::string main = folded.substr(0, comma);
  std::optional<std::pair<std::int32_t, std::string>> comma_number;
  std::string comma_number_text;
  bool last_in_main = comma == std::string::npos;
  while (comma != std::string::npos) {
    size_t next = folded.find(',', comma + 1);
    std::string part = Trim(
        folded.substr(comma + 1, next == std::string::npos ? std::string::npos : next - comma - 1));
    comma = next;
    if (part.empty()) continue;
    std::vector<Piece> words = SplitWords(part, 0);
    size_t k = 0;
    if (IsPostcode(words[0].text)) {
      pq.postcode = words[0].text;
      k = 1;
    } else if (!comma_number && pq.town.empty()) {
      size_t n = 0;
      if (words.size() >= 2 && lex.IsNumberPrefix(words[0].text)) n = 1;
      std::int32_t number;
      std::string suffix;
      if (words.size() == n + 1 && HouseNumber(words[n].text, number, suffix)) {
        comma_number = {number, suffix};
        comma_number_text = words[n].text;
        continue;
      }
    }
    for (; k < words.size(); ++k) {
      for (auto& t : lex.Tokenize(words[k].text)) pq.town.push_back(std::move(t));
    }
  }
  std::string body = Trim(main);
  size_t body_offset = main.find_first_not_of(' ');
  if (body_offset == std::string::npos) body_offset = 0;
  std::vector<Piece> words = SplitWords(body, body_offset);
  // A Portuguese postcode (and town) at the end of the first part.
  for (size_t i = 1; i < words.size(); ++i) {
    if (IsPostcode(words[i].text) && words[i].text.size() != 5) {
      pq.postcode = words[i].text;
      for (size_t k = i + 1; k < words.size(); ++k) {
        for (auto& t : lex.Tokenize(words[k].text)) pq.town.push_back(std::move(t));
      }
      words.resize(i);
      last_in_main = false;
      break;
    }
  }
  if (words.empty()) return pq;
  auto tokens = [&](size_t from, size_t to) {
    std::string s;
    for (size_t i = from; i < to; ++i) s += (s.empty() ? "" : " ") + words[i].text;
    return lex.Tokenize(s);
  };
  auto range = [&](Reading& r, size_t from, size_t to) {
    r.a_begin = words[from].begin;
    r.a_end = words[to - 1].begin + words[to - 1].text.size();
  };
  const bool prefix = open_end && last_in_main;

  // The whole text as a name (a street or a place).
  {
    Reading r;
    r.a = tokens(0, words.size());
    r.prefix_last = prefix;
    range(r, 0, words.size());
    if (comma_number) {
      r.kind = Reading::Kind::kNumbered;
      r.number = comma_number->first;
      r.suffix = comma_number->second;
      r.number_text = comma_number_text;
      r.number_after = true;
      r.prefix_last = false;
    }
    if (!r.a.empty()) pq.readings.push_back(std::move(r));
  }

  // Intersections. Symbols split anywhere ("mission st/19th st").
  {
    size_t from = 0;
    for (const auto& p : lex.IntersectionPrefixes()) {
      std::vector<Piece> pw = SplitWords(p, 0);
      if (pw.size() < words.size() &&
          std::equal(pw.begin(), pw.end(), words.begin(),
                     [](const Piece& x, const Piece& y) { return x.text == y.text; })) {
        from = pw.size();
        break;
      }
    }
    // Symbols glued to words ("19th/mission") become words of their own.
    std::vector<Piece> w2;
    for (size_t i = from; i < words.size(); ++i) {
      const std::string& t = words[i].text;
      size_t start = 0;
      for (size_t k = 0; k <= t.size(); ++k) {
        bool sym = k < t.size() && (t[k] == '/' || t[k] == '&' || t[k] == '@');
        if (k == t.size() || sym) {
          if (k > start) w2.push_back({t.substr(start, k - start), words[i].begin + start});
          if (sym) w2.push_back({std::string(1, t[k]), words[i].begin + k});
          start = k + 1;
        }
      }
    }
    int found = 0;
    for (size_t i = 1; i + 1 < w2.size() && found < 3; ++i) {
      if (!lex.IsConnector(w2[i].text)) continue;
      bool symbol =
          w2[i].text.size() == 1 && !std::isalnum(static_cast<unsigned char>(w2[i].text[0]));
      Reading r;
      r.kind = Reading::Kind::kIntersection;
      std::string sa, sb;
      for (size_t k = 0; k < i; ++k) sa += (sa.empty() ? "" : " ") + w2[k].text;
      for (size_t k = i + 1; k < w2.size(); ++k) sb += (sb.empty() ? "" : " ") + w2[k].text;
      r.a = lex.Tokenize(sa);
      r.b = lex.Tokenize(sb);
      if (r.a.empty() || r.b.empty()) continue;
      r.a_begin = w2[0].begin;
      r.a_end = w2[i - 1].begin + w2[i - 1].text.size();
      r.prefix_last = prefix;
      r.penalty = symbol || from > 0 ? 0 : 0.02;
      pq.readings.push_back(std::move(r));
      ++found;
    }
  }

  // "4000 block of X".
  std::int32_t number;
  std::string suffix;
  if (words.size() >= 3 && AllDigits(words[0].text) && words[0].text.size() <= 6 &&
      lex.IsBlockWord(words[1].text)) {
    size_t k = 2;
    if (k + 1 < words.size()) {
      auto t = lex.MakeToken(words[k].text);
      if (t.cls & kStop) ++k;
    }
    Reading r;
    r.kind = Reading::Kind::kBlock;
    r.number = std::stoi(words[0].text);
    r.number_text = words[0].text;
    r.a = tokens(k, words.size());
    r.prefix_last = prefix;
    range(r, k, words.size());
    if (!r.a.empty()) pq.readings.push_back(std::move(r));
  } else if (words.size() >= 2 && HouseNumber(words[0].text, number, suffix)) {
    // "12 Rua X", "665-A CASTRO ST".
    size_t k = 1;
    if (k + 1 < words.size() && words[k].text.size() == 1 && suffix.empty() &&
        words[k].text[0] >= 'a' && words[k].text[0] <= 'z' &&
        !lex.MakeToken(words[k].text).optional()) {
      suffix = words[k].text;  // "12 b rua x"
      ++k;
    }
    Reading r;
    r.kind = Reading::Kind::kNumbered;
    r.number = number;
    r.suffix = suffix;
    r.number_text = words[0].text;
    r.a = tokens(k, words.size());
    r.prefix_last = prefix;
    range(r, k, words.size());
    if (!r.a.empty()) pq.readings.push_back(std::move(r));
  }
  // "Rua X 12", "Rua X nº 12".
  if (!comma_number && words.size() >= 2 && HouseNumber(words.back().text, number, suffix) &&
      !HouseNumber(words.front().text, number, suffix)) {
    HouseNumber(words.back().text, number, suffix);
    size_t end = words.size() - 1;
    if (end >= 2 && lex.IsNumberPrefix(words[end - 1].text)) --end;
    Reading r;
    r.kind = Reading::Kind::kNumbered;
    r.number = number;
    r.suffix = suffix;
    r.number_text = words.back().text;
    r.number_after = true;
    r.a = tokens(0, end);
    range(r, 0, end);
    if (!r.a.empty()) pq.readings.push_back(std::move(r));
  }
  return pq;
}

// ---------------------------------------------------------------------------

std::vector<Geocoder::Impl::NameHit> Geocoder::Impl::MatchNames(const std::vector<Token>& q,
                                                                bool prefix_last, bool brute,
                                                                size_t max_hits) const {
  std::vector<NameHit> hits;
  const size_t n = std::min<size_t>(q.size(), 16);
  if (n == 0) return hits;
  bool all_optional = true;
  for (size_t i = 0; i < n; ++i) all_optional = all_optional && q[i].optional();
  auto required = [&](size_t i) { return all_optional || !q[i].optional(); };
  auto is_prefix = [&](size_t i) { return prefix_last && i + 1 == n; };

  // The words each query word may match, with their cost.
  std::vector<std::unordered_map<std::uint32_t, float>> cand(n);
  std::vector<char> deferred_prefix(n, 0);  // short prefix: checked on the name's words
  auto add = [&](size_t i, std::uint32_t w, double cost) {
    auto [it, added] = cand[i].try_emplace(w, static_cast<float>(cost));
    if (!added && cost < it->second) it->second = static_cast<float>(cost);
  };
  if (!brute) {
    for (size_t i = 0; i < n; ++i) {
      const Token& t = q[i];
      if (auto it = word_ids.find(t.text); it != word_ids.end()) add(i, it->second, 0);
      for (auto c : t.canon) {
        if (c < canon_words.size()) {
          for (auto w : canon_words[c]) add(i, w, 0);
        }
      }
      if (is_prefix(i)) {
        if (t.text.size() >= 2 || n == 1) {
          auto lo = std::lower_bound(
              words_sorted.begin(), words_sorted.end(), t.text,
              [&](std::uint32_t w, const std::string& s) { return words[w].token.text < s; });
          size_t taken = 0;
          for (auto it = lo; it != words_sorted.end() && taken < kMaxPrefixWords; ++it, ++taken) {
            if (!words[*it].token.text.starts_with(t.text)) break;
            add(i, *it, kPrefixCost);
          }
        } else {
          deferred_prefix[i] = 1;
        }
      }
      bool number = (t.cls & kNumber) != 0;
      if (cand[i].empty() && !number && !is_prefix(i)) {
        int k = AllowedTypos(t.text.size());
        for (size_t len = t.text.size() > static_cast<size_t>(k) ? t.text.size() - k : 0;
             k > 0 && len <= t.text.size() + k && len < words_by_length.size(); ++len) {
          for (auto w : words_by_length[len]) {
            int d = EditDistance(t.text, words[w].token.text, k);
            if (d <= k) add(i, w, kTypoCost * d);
          }
        }
      }
    }
  }

  // Word cost between query word i and word w of a name; < 0: no match.
  auto cost_of = [&](size_t i, std::uint32_t w) -> double {
    const Token& wt = words[w].token;
    if (brute) {
      const Token& t = q[i];
      if (Lexicon::SameMeaning(t, wt)) return 0;
      if (is_prefix(i) && wt.text.starts_with(t.text)) return kPrefixCost;
      if (!(t.cls & kNumber) && !is_prefix(i)) {
        int k = AllowedTypos(t.text.size());
        if (k > 0) {
          int d = EditDistance(t.text, wt.text, k);
          if (d <= k) return kTypoCost * d;
        }
      }
      return -1;
    }
    auto it = cand[i].find(w);
    if (it != cand[i].end()) return it->second;
    if (deferred_prefix[i] && wt.text.starts_with(q[i].text)) return kPrefixCost;
    return -1;
  };

  auto score_name = [&](std::uint32_t name_id, NameHit& hit) -> bool {
    const auto& nw = names[name_id].words;
    const size_t m = std::min<size_t>(nw.size(), 64);
    std::uint64_t used = 0;
    double cost = 0;
    int last = -1;
    bool out_of_order = false;
    hit.how.clear();
    int query_types_unmatched = 0, name_types_unmatched = 0;
    for (size_t i = 0; i < n; ++i) {
      int best = -1;
      double best_c = 1e9;
      for (size_t j = 0; j < m; ++j) {
        if (used & (1ull << j)) continue;
        double c = cost_of(i, nw[j]);
        if (c < 0) continue;
        // Cheaper first; on a tie, the word after the last one matched.
        if (c < best_c - 1e-9 ||
            (std::abs(c - best_c) < 1e-9 && best<last&& static_cast<int>(j)> last)) {
          best = static_cast<int>(j);
          best_c = c;
        }
      }
      if (best < 0) {
        if (required(i)) return false;
        cost += (q[i].cls & kType)        ? kMissingOptional
                : (q[i].cls & kDirection) ? kMissingDirection
                                          : kMissingStop;
        if (q[i].cls & kType) ++query_types_unmatched;
        hit.how += (hit.how.empty() ? "" : ", ") + ("\"" + q[i].text + "\" not in the name");
        continue;
      }
      used |= 1ull << best;
      cost += best_c;
      if (best < last) out_of_order = true;
      last = best;
      if (best_c >= kTypoCost - 1e-6) {
        hit.how += (hit.how.empty() ? "typo " : ", typo ") + q[i].text + " -> " +
                   words[nw[best]].token.text;
      }
    }
    for (size_t j = 0; j < nw.size(); ++j) {
      if (j < 64 && (used & (1ull << j))) continue;
      std::uint8_t cls = words[nw[j]].token.cls;
      cost += (cls & kStop) ? kExtraStop : (cls & (kType | kDirection)) ? kExtraType : kExtraWord;
      if (cls & kType) ++name_types_unmatched;
    }
    // "9th St" is not "9th Ave": a street type of the query that the name
    // has another of costs more than one that is left out.
    if (int conflicts = std::min(query_types_unmatched, name_types_unmatched); conflicts > 0) {
      cost += kTypeConflict * conflicts;
      hit.how += ", another street type";
    }
    if (out_of_order) cost += kOutOfOrder;
    hit.name = name_id;
    hit.score = 1 - cost;
    return hit.score >= kMinScore;
  };

  NameHit hit;
  if (brute) {
    for (std::uint32_t id = 0; id < names.size(); ++id) {
      if (score_name(id, hit)) hits.push_back(hit);
    }
  } else {
    // Names reached from the rarest required word.
    size_t driver = n;
    size_t driver_size = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!required(i) || deferred_prefix[i]) continue;
      size_t sz = 0;
      for (auto& [w, c] : cand[i]) sz += words[w].names.size();
      if (driver == n || sz < driver_size) {
        driver = i;
        driver_size = sz;
      }
    }
    std::vector<std::uint32_t> pool;
    if (driver < n) {
      for (auto& [w, c] : cand[driver]) {
        pool.insert(pool.end(), words[w].names.begin(), words[w].names.end());
        if (pool.size() > kMaxCandidateNames) break;
      }
    } else {
      // Only short prefixes: every name with a word that starts so.
      const std::string& p = q[n - 1].text;
      auto lo = std::lower_bound(
          words_sorted.begin(), words_sorted.end(), p,
          [&](std::uint32_t w, const std::string& s) { return words[w].token.text < s; });
      for (auto it = lo; it != words_sorted.end() && words[*it].token.text.starts_with(p); ++it) {
        pool.insert(pool.end(), words[*it].names.begin(), words[*it].names.end());
        if (pool.size() > kMaxCandidateNames) break;
      }
    }
    std::sort(pool.begin(), pool.end());
    pool.erase(std::unique(pool.begin(), pool.end()), pool.end());
    for (auto id : pool) {
      if (score_name(id, hit)) hits.push_back(hit);
    }
  }
  std::sort(hits.begin(), hits.end(), [](const NameHit& a, const NameHit& b) {
    return a.score != b.score ? a.score > b.score : a.name < b.name;
  });
  if (hits.size() > max_hits) hits.resize(max_hits);
  return hits;
}

// ---------------------------------------------------------------------------

namespace {

double NameKindFactor(NameKind k) {
  switch (k) {
    case NameKind::kName:
      return 1.0;
    case NameKind::kOfficial:
      return 0.99;
    case NameKind::kAlt:
    case NameKind::kRef:
      return 0.98;
    case NameKind::kOld:
      return 0.93;
  }
  return 1.0;
}

const char* SourceName(NumberSource s) {
  switch (s) {
    case NumberSource::kOsmNode:
      return "OSM address node";
    case NumberSource::kOsmBuilding:
      return "OSM building";
    case NumberSource::kOsmInterpolated:
      return "OSM interpolation line";
    case NumberSource::kCentreAddress:
      return "centre address point";
    case NumberSource::kCentreBlock:
      return "centre block point";
  }
  return "";
}

// Internal candidate with what the ranking and the rule need.
struct Cand {
  Candidate c;
  bool verifiable = false;  // a kind and source that can be verified
  std::string postcode, locality;
};

}  // namespace

GeocodeResult Geocoder::Impl::Geocode(std::string_view query, const GeocodeOptions& opts) const {
  GeocodeResult result;
  std::string folded = Fold(Prefix(query, kMaxQueryBytes));
  ParsedQuery pq = ParseQuery(*lex, folded, opts.autocomplete);
  std::vector<Cand> cands;

  auto point_why = [&](std::uint32_t id) {
    const Point& p = points[id];
    return "centre address point \"" + p.text + "\" (" + p.set + " line " + std::to_string(p.line) +
           (p.count > 1 ? ", " + std::to_string(p.count) + " calls" : "") + ")";
  };
  auto words_why = [](const NameHit& h) {
    return h.how.empty() ? std::string("all words matched") : "words matched with " + h.how;
  };
  // One street as people number it: the streets the query matched equally
  // well that lie within kSameStreetM of each other (a street the map
  // stops and the centre's points continue, both carriageways), with
  // their numbers pooled.
  struct Group {
    std::vector<std::uint32_t> streets;
    std::uint32_t main;  // the one labels use (a map street before a virtual one)
    double score;
    const NameHit* hit;
    std::vector<const Numbered*> numbers;  // sorted by number
  };
  auto snap = [&](const Group& g, LatLon p) {
    double best = 150;
    LatLon out = p;
    for (auto s : g.streets) {
      for (auto w : streets[s].ways) {
        for (std::uint32_t k = gaz.way_first_node[w]; k + 1 < gaz.way_first_node[w + 1]; ++k) {
          LatLon q;
          double d = SegmentM(p, NodeAt(gaz.way_node[k]), NodeAt(gaz.way_node[k + 1]), &q);
          if (d < best) {
            best = d;
            out = q;
          }
        }
      }
    }
    return out;
  };
  auto street_cand = [&](std::uint32_t s, double score, std::string why) {
    Cand c;
    c.c = {"street", StreetLabel(s), streets[s].center, score, std::move(why), false};
    c.locality = streets[s].locality;
    cands.push_back(std::move(c));
  };
  // The value a number stands for along the street: a block point is the
  // middle of its block.
  auto value = [](const Numbered& n) {
    return n.source == NumberSource::kCentreBlock ? n.number + 50.0 : static_cast<double>(n.number);
  };
  // Position between the nearest known numbers below and above `target`
  // (same parity first when `parity`), or continued beyond the last two
  // (at most kExtrapolateNumbers on); nullopt when neither can be done.
  auto interpolate = [&](const Group& g, double target, bool parity,
                         std::string& why) -> std::optional<LatLon> {
    const auto& nums = g.numbers;
    const Numbered *lo = nullptr, *hi = nullptr;
    for (int pass = parity ? 0 : 1; pass < 2 && !(lo && hi); ++pass) {
      lo = hi = nullptr;
      for (const Numbered* x : nums) {
        if (pass == 0 && (x->number % 2) != (static_cast<std::int64_t>(target) % 2)) continue;
        double v = value(*x);
        if (v < target && (!lo || v > value(*lo))) lo = x;
        if (v > target && (!hi || v < value(*hi))) hi = x;
      }
    }
    if (lo && hi) {
      double span = value(*hi) - value(*lo);
      if (span <= 0 || span > kMaxInterpolationSpan) return std::nullopt;
      double f = (target - value(*lo)) / span;
      LatLon p{lo->at.lat + f * (hi->at.lat - lo->at.lat),
               lo->at.lon + f * (hi->at.lon - lo->at.lon)};
      why = "interpolated between " + lo->text + " (" + SourceName(lo->source) + ") and " +
            hi->text + " (" + SourceName(hi->source) + ")";
      return snap(g, p);
    }
    // Beyond the last known numbers: the line through the two nearest.
    const Numbered *a = nullptr, *b = nullptr;  // b nearer the target
    for (const Numbered* x : nums) {
      if (!b || std::abs(value(*x) - target) < std::abs(value(*b) - target)) b = x;
    }
    if (!b || std::abs(target - value(*b)) > kExtrapolateNumbers) return std::nullopt;
    for (const Numbered* x : nums) {
      double gap = value(*b) - value(*x);
      bool same_side = (target > value(*b)) == (gap > 0);
      if (std::abs(gap) >= 50 && same_side &&
          (!a || std::abs(gap) < std::abs(value(*b) - value(*a)))) {
        a = x;
      }
    }
    if (!a) return std::nullopt;
    double f = (target - value(*a)) / (value(*b) - value(*a));
    LatLon p{a->at.lat + f * (b->at.lat - a->at.lat), a->at.lon + f * (b->at.lon - a->at.lon)};
    why = "extrapolated from " + a->text + " (" + SourceName(a->source) + ") and " + b->text +
          " (" + SourceName(b->source) + ")";
    return snap(g, p);
  };

  // The nearest segment of `ways` to p within `limit` metres: distance,
  // the nearest point and the segment's direction (east, north in metres).
  struct Near {
    double d;
    LatLon q;
    double dx, dy;
  };
  auto nearest_segment = [&](const std::vector<std::uint32_t>& ways, LatLon p,
                             double limit) -> std::optional<Near> {
    std::optional<Near> best;
    for (auto w : ways) {
      for (std::uint32_t k = gaz.way_first_node[w]; k + 1 < gaz.way_first_node[w + 1]; ++k) {
        LatLon a = NodeAt(gaz.way_node[k]), b = NodeAt(gaz.way_node[k + 1]);
        LatLon q;
        double d = SegmentM(p, a, b, &q);
        if (d <= limit && (!best || d < best->d)) {
          double dx = (b.lon - a.lon) * std::cos(a.lat * M_PI / 180);
          best = Near{d, q, dx, b.lat - a.lat};
        }
      }
    }
    return best;
  };
  // Block `number` of the street of `g` placed by the same block of a
  // parallel street (kAlignM, kAlignMaxAngleDeg): where that street's own
  // numbers put the middle of the block (its known numbers in the block,
  // or between its nearest known numbers at most kAlignSpan apart),
  // projected onto the street; the parallel street nearest wins.
  struct Aligned {
    LatLon at;
    std::string from;  // what placed it, for the explanation
    double distance_m;
  };
  auto align_block = [&](const Group& g, std::int32_t number) -> std::optional<Aligned> {
    const double pad = kAlignM / 111195.0;
    LatLon lo{90, 180}, hi{-90, -180};
    for (auto s : g.streets) {
      lo = {std::min(lo.lat, streets[s].min.lat), std::min(lo.lon, streets[s].min.lon)};
      hi = {std::max(hi.lat, streets[s].max.lat), std::max(hi.lon, streets[s].max.lon)};
    }
    const double lon_pad = pad / std::max(0.1, std::cos(lo.lat * M_PI / 180));
    const double min_cos = std::cos(kAlignMaxAngleDeg * M_PI / 180);
    const double target = number + 50.0;
    std::optional<Aligned> best;
    for (std::uint32_t t = 0; t < streets.size(); ++t) {
      const Street& other = streets[t];
      if (other.ways.empty() || other.numbers.empty() ||
          std::find(g.streets.begin(), g.streets.end(), t) != g.streets.end() ||
          other.max.lat < lo.lat - pad || other.min.lat > hi.lat + pad ||
          other.max.lon < lo.lon - lon_pad || other.min.lon > hi.lon + lon_pad) {
        continue;
      }
      // Where the other street's numbers put the block.
      auto first = std::lower_bound(other.numbers.begin(), other.numbers.end(),
                                    number - static_cast<int>(kAlignSpan),
                                    [](const Numbered& n, std::int32_t v) { return n.number < v; });
      const Numbered *below = nullptr, *above = nullptr;
      double lat = 0, lon = 0, weight = 0;
      for (auto it = first; it != other.numbers.end() && it->number < target + kAlignSpan; ++it) {
        if (it->number >= number && it->number < number + 100) {
          lat += it->at.lat * static_cast<double>(it->weight);
          lon += it->at.lon * static_cast<double>(it->weight);
          weight += static_cast<double>(it->weight);
        }
        double v = value(*it);
        if (v <= target && (!below || v > value(*below))) below = &*it;
        if (v >= target && (!above || v < value(*above))) above = &*it;
      }
      LatLon p;
      std::string what;
      if (weight > 0) {
        p = {lat / weight, lon / weight};
        what = "the known numbers of block " + std::to_string(number) + " of " + other.label;
      } else if (below && above && value(*above) - value(*below) <= kAlignSpan &&
                 value(*above) > value(*below)) {
        double f = (target - value(*below)) / (value(*above) - value(*below));
        p = {below->at.lat + f * (above->at.lat - below->at.lat),
             below->at.lon + f * (above->at.lon - below->at.lon)};
        what = "block " + std::to_string(number) + " of " + other.label + " between " +
               below->text + " and " + above->text;
      } else {
        continue;
      }
      std::optional<Near> on_street;
      for (auto s : g.streets) {
        auto n = nearest_segment(streets[s].ways, p, best ? best->distance_m : kAlignM);
        if (n && (!on_street || n->d < on_street->d)) on_street = n;
      }
      if (!on_street) continue;
      auto theirs = nearest_segment(other.ways, p, kAlignM);
      if (!theirs) continue;
      double n1 = std::hypot(on_street->dx, on_street->dy), n2 = std::hypot(theirs->dx, theirs->dy);
      if (n1 <= 0 || n2 <= 0) continue;
      double cos_angle =
          std::abs(on_street->dx * theirs->dx + on_street->dy * theirs->dy) / (n1 * n2);
      if (cos_angle < min_cos) continue;
      best = Aligned{on_street->q, std::move(what), on_street->d};
    }
    return best;
  };

  auto streets_of = [&](const std::vector<NameHit>& hits, size_t max) {
    // Best score per street.
    std::vector<std::pair<std::uint32_t, std::pair<double, const NameHit*>>> out;
    for (const auto& h : hits) {
      for (const auto& f : names[h.name].features) {
        if (f.type != FeatureType::kStreet) continue;
        double sc = h.score * NameKindFactor(f.name_kind);
        auto it =
            std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == f.id; });
        if (it == out.end()) {
          out.push_back({f.id, {sc, &h}});
        } else if (sc > it->second.first) {
          it->second = {sc, &h};
        }
      }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
    if (out.size() > max) out.resize(max);
    return out;
  };

  auto groups_of = [&](const std::vector<NameHit>& hits, size_t max) {
    auto ss = streets_of(hits, max);
    std::vector<Group> out;
    std::vector<char> used(ss.size(), 0);
    for (size_t i = 0; i < ss.size(); ++i) {
      if (used[i]) continue;
      Group g{{ss[i].first}, ss[i].first, ss[i].second.first, ss[i].second.second, {}};
      for (size_t j = i + 1; j < ss.size(); ++j) {
        if (used[j] || std::abs(ss[j].second.first - g.score) > 0.05) continue;
        const Street& x = streets[ss[i].first];
        const Street& y = streets[ss[j].first];
        double d = std::min(
            {BoxM(y.min, x.min, x.max), BoxM(y.max, x.min, x.max), BoxM(y.center, x.min, x.max)});
        if (d > kSameStreetM) continue;
        used[j] = 1;
        g.streets.push_back(ss[j].first);
        if (streets[g.main].virtual_street && !y.virtual_street) g.main = ss[j].first;
      }
      for (auto s : g.streets) {
        for (const auto& n : streets[s].numbers) g.numbers.push_back(&n);
      }
      std::stable_sort(g.numbers.begin(), g.numbers.end(),
                       [](const Numbered* a, const Numbered* b) {
                         return std::tie(a->number, a->suffix) < std::tie(b->number, b->suffix);
                       });
      out.push_back(std::move(g));
    }
    return out;
  };

  for (const Reading& r : pq.readings) {
    switch (r.kind) {
      case Reading::Kind::kName: {
        auto hits = MatchNames(r.a, r.prefix_last, opts.brute_force, 60);
        for (const auto& h : hits) {
          for (const auto& f : names[h.name].features) {
            double sc = h.score * NameKindFactor(f.name_kind);
            if (f.type == FeatureType::kStreet) {
              street_cand(
                  f.id, sc,
                  "street \"" + streets[f.id].label + "\"" +
                      (streets[f.id].virtual_street ? " (named by house numbers)" : " (OSM)") +
                      ", " + words_why(h));
            } else if (f.type == FeatureType::kPlace) {
              const Place& p = places[f.id];
              Cand c;
              std::string label = p.label + (p.address.empty() ? "" : ", " + p.address);
              c.c = {"place",
                     label,
                     p.at,
                     sc,
                     "OSM " + p.category + " \"" + p.label + "\", " + words_why(h),
                     false};
              c.verifiable = true;
              cands.push_back(std::move(c));
            } else {
              const Point& p = points[f.id];
              Cand c;
              c.c = {"point", p.text, p.at, sc, point_why(f.id) + ", " + words_why(h), false};
              c.verifiable = true;
              cands.push_back(std::move(c));
            }
          }
        }
        break;
      }
      case Reading::Kind::kNumbered: {
        auto hits = MatchNames(r.a, r.prefix_last, opts.brute_force, 40);
        for (const Group& g : groups_of(hits, 12)) {
          const std::uint32_t s = g.main;
          double sc = g.score - r.penalty;
          const std::string why_words = words_why(*g.hit);
          const Street& st = streets[s];
          const Numbered* exact = nullptr;
          bool suffix_ok = false;
          for (const Numbered* x : g.numbers) {
            if (x->number != r.number || x->source == NumberSource::kCentreBlock) continue;
            bool same = x->suffix == r.suffix;
            if (!exact || (same && !suffix_ok) ||
                (same == suffix_ok && exact->source == NumberSource::kOsmInterpolated &&
                 x->source != NumberSource::kOsmInterpolated)) {
              exact = x;
              suffix_ok = same;
            }
          }
          std::string shown = r.number_text.empty() ? std::to_string(r.number) : r.number_text;
          if (exact) {
            Cand c;
            bool interpolated = exact->source == NumberSource::kOsmInterpolated;
            bool centre = exact->source == NumberSource::kCentreAddress;
            double f = (suffix_ok ? 1.0 : 0.95) * (interpolated ? 0.97 : 1.0);
            c.c = {"address",
                   NumberLabel(s, exact->text, r.number_after),
                   exact->at,
                   sc * f,
                   std::string(SourceName(exact->source)) + " " + exact->text +
                       (centre ? " (" + points[exact->ref].set + " line " +
                                     std::to_string(points[exact->ref].line) + ")"
                               : "") +
                       " on " + st.label + ", " + why_words +
                       (suffix_ok ? "" : "; " + shown + " itself is not known"),
                   false};
            c.verifiable = suffix_ok && !interpolated;
            c.postcode = exact->postcode;
            c.locality = !exact->city.empty() ? exact->city : st.locality;
            cands.push_back(std::move(c));
            continue;
          }
          std::string why;
          if (auto at = interpolate(g, r.number, true, why)) {
            Cand c;
            c.c = {"address",
                   NumberLabel(s, shown, r.number_after),
                   *at,
                   sc * (why.starts_with("extra") ? 0.8 : 0.88),
                   "number " + shown + " " + why + " on " + st.label + ", " + why_words,
                   false};
            c.locality = st.locality;
            cands.push_back(std::move(c));
            continue;
          }
          street_cand(s, sc * 0.7,
                      "street \"" + st.label + "\", " + why_words + "; no number " + shown +
                          " known on it, so the street is given");
        }
        break;
      }
      case Reading::Kind::kBlock: {
        auto hits = MatchNames(r.a, r.prefix_last, opts.brute_force, 40);
        for (const Group& g : groups_of(hits, 12)) {
          const std::uint32_t s = g.main;
          double sc = g.score - r.penalty;
          const std::string why_words = words_why(*g.hit);
          const Street& st = streets[s];
          std::string block_label = std::to_string(r.number) + " block of " + st.label +
                                    (st.locality.empty() ? "" : ", " + st.locality);
          // The centre's own point of this block wins; else the numbers in it.
          const Numbered* own = nullptr;
          double lat = 0, lon = 0, weight = 0;
          int in_block = 0;
          for (const Numbered* x : g.numbers) {
            if (x->number < r.number || x->number >= r.number + 100) continue;
            if (x->source == NumberSource::kCentreBlock && x->number == r.number &&
                (!own || x->weight > own->weight)) {
              own = x;
            }
            lat += x->at.lat * static_cast<double>(x->weight);
            lon += x->at.lon * static_cast<double>(x->weight);
            weight += static_cast<double>(x->weight);
            ++in_block;
          }
          if (own) {
            Cand c;
            const Point& p = points[own->ref];
            c.c = {"block",
                   block_label,
                   own->at,
                   sc,
                   "centre block point \"" + p.text + "\" (" + p.set + " line " +
                       std::to_string(p.line) +
                       (p.count > 1 ? ", " + std::to_string(p.count) + " calls" : "") + "), " +
                       why_words,
                   false};
            c.verifiable = true;
            cands.push_back(std::move(c));
            continue;
          }
          if (in_block > 0) {
            Cand c;
            c.c = {"block",
                   block_label,
                   snap(g, {lat / weight, lon / weight}),
                   sc,
                   "the " + std::to_string(in_block) + " known number(s) of this block on " +
                       st.label + ", " + why_words,
                   false};
            c.verifiable = true;
            cands.push_back(std::move(c));
            continue;
          }
          std::string why;
          if (auto at = interpolate(g, r.number + 50.0, false, why)) {
            Cand c;
            c.c = {"block",
                   block_label,
                   *at,
                   sc * (why.starts_with("extra") ? 0.8 : 0.9),
                   "middle of the block " + why + " on " + st.label + ", " + why_words,
                   false};
            cands.push_back(std::move(c));
            continue;
          }
          if (auto aligned = align_block(g, r.number)) {
            Cand c;
            c.c = {"block",
                   block_label,
                   aligned->at,
                   sc * 0.75,
                   "block " + std::to_string(r.number) + " of " + st.label + " aligned with " +
                       aligned->from + " (" +
                       std::to_string(static_cast<int>(aligned->distance_m)) +
                       " m away, parallel: grid numbering), " + why_words,
                   false};
            c.locality = st.locality;
            cands.push_back(std::move(c));
            continue;
          }
          street_cand(s, sc * 0.6,
                      "street \"" + st.label + "\", " + why_words + "; no number near block " +
                          std::to_string(r.number) + " known on it, so the street is given");
        }
        break;
      }
      case Reading::Kind::kIntersection: {
        auto ha = MatchNames(r.a, false, opts.brute_force, 40);
        if (ha.empty()) break;
        auto hb = MatchNames(r.b, r.prefix_last, opts.brute_force, 40);
        auto sa = streets_of(ha, 25);
        auto sb = streets_of(hb, 25);
        const size_t before = cands.size();
        for (const auto& [a, ah] : sa) {
          for (auto x : streets[a].crossings) {
            const Intersection& is = intersections[x];
            std::uint32_t other = is.a == a ? is.b : is.a;
            auto it =
                std::find_if(sb.begin(), sb.end(), [&](const auto& e) { return e.first == other; });
            if (it == sb.end()) continue;
            double sc = (ah.first + it->second.first) / 2 - r.penalty;
            std::string how;
            for (const NameHit* h : {ah.second, it->second.second}) {
              if (!h->how.empty()) how += (how.empty() ? "" : ", ") + h->how;
            }
            Cand c;
            c.c = {
                "intersection",
                StreetLabel(a) + " & " + StreetLabel(other),
                is.at,
                sc,
                "OSM streets \"" + streets[a].label + "\" and \"" + streets[other].label +
                    "\" meet here (" + std::to_string(is.nodes) + " node" +
                    (is.nodes > 1 ? "s" : "") + "), " +
                    (how.empty() ? std::string("all words matched") : "words matched with " + how),
                false};
            c.verifiable = true;
            c.locality = streets[a].locality;
            cands.push_back(std::move(c));
          }
        }
        if (cands.size() != before) break;
        // The two streets do not meet in the map (an extract that stops
        // short, a street that ends across a plaza): where one of them ends
        // closest to the other, if within kNearMissM. Never verified.
        for (size_t i = 0; i < sa.size() && i < 5; ++i) {
          for (size_t j = 0; j < sb.size() && j < 5; ++j) {
            std::uint32_t a = sa[i].first, b = sb[j].first;
            if (a == b || SharesName(a, b)) continue;
            double best = kNearMissM;
            LatLon at;
            std::uint32_t ending = kNoId;
            for (auto [x, y] : {std::pair{a, b}, std::pair{b, a}}) {
              for (auto end : streets[y].ends) {
                LatLon e = NodeAt(end);
                if (BoxM(e, streets[x].min, streets[x].max) > best) continue;
                for (auto w : streets[x].ways) {
                  for (std::uint32_t k = gaz.way_first_node[w]; k + 1 < gaz.way_first_node[w + 1];
                       ++k) {
                    LatLon q;
                    double d =
                        SegmentM(e, NodeAt(gaz.way_node[k]), NodeAt(gaz.way_node[k + 1]), &q);
                    if (d < best) {
                      best = d;
                      at = q;
                      ending = y;
                    }
                  }
                }
              }
            }
            if (ending == kNoId) continue;
            double sc =
                (sa[i].second.first + sb[j].second.first) / 2 * 0.85 - best / 1000 - r.penalty;
            Cand c;
            std::uint32_t other = ending == a ? b : a;
            c.c = {"intersection",
                   StreetLabel(a) + " & " + StreetLabel(b),
                   at,
                   sc,
                   "OSM streets \"" + streets[a].label + "\" and \"" + streets[b].label +
                       "\" do not meet in the map; \"" + streets[ending].label + "\" ends " +
                       std::to_string(static_cast<int>(std::round(best))) + " m from \"" +
                       streets[other].label + "\": the nearest point of the latter",
                   false};
            c.locality = streets[a].locality;
            cands.push_back(std::move(c));
          }
        }
        break;
      }
    }
  }

  // Postcode and town: agreement helps a little, disagreement costs.
  if (!pq.postcode.empty() || !pq.town.empty()) {
    for (auto& c : cands) {
      if (!pq.postcode.empty() && !c.postcode.empty()) {
        c.c.score += Fold(c.postcode) == pq.postcode ? 0.03 : -0.15;
      }
      if (!pq.town.empty() && !c.locality.empty()) {
        auto lt = lex->Tokenize(Fold(c.locality));
        bool all = std::all_of(pq.town.begin(), pq.town.end(), [&](const Token& t) {
          return t.optional() || std::any_of(lt.begin(), lt.end(), [&](const Token& u) {
                   return Lexicon::SameMeaning(t, u);
                 });
        });
        c.c.score += all ? 0.03 : -0.1;
      }
    }
  }
  for (auto& c : cands) c.c.score = std::clamp(c.c.score, 0.0, 1.0);

  // Best first; among equal scores the nearer to `near`, then the label.
  auto dist = [&](const Cand& c) { return opts.near ? FlatM(*opts.near, c.c.location) : 0.0; };
  // On a tie the more specific kind first (a block before the centre's
  // point of the same text, a street last).
  auto specific = [](const std::string& kind) {
    return kind == "street" ? 3 : kind == "point" ? 2 : kind == "place" ? 1 : 0;
  };
  std::stable_sort(cands.begin(), cands.end(), [&](const Cand& a, const Cand& b) {
    double sa = std::round(a.c.score * 100), sb = std::round(b.c.score * 100);
    if (sa != sb) return sa > sb;
    if (specific(a.c.kind) != specific(b.c.kind)) return specific(a.c.kind) < specific(b.c.kind);
    double da = dist(a), db = dist(b);
    if (da != db) return da < db;
    return a.c.label < b.c.label;
  });
  // One candidate per place: a lower one within 10 m of a kept one (any
  // kind), or within 30 m with the same kind and label, adds nothing.
  std::vector<Cand> kept;
  for (auto& c : cands) {
    bool dup = false;
    for (const auto& k : kept) {
      double d = FlatM(k.c.location, c.c.location);
      if (d < 10 || (d < 30 && k.c.kind == c.c.kind && k.c.label == c.c.label)) {
        dup = true;
        break;
      }
    }
    if (!dup) kept.push_back(std::move(c));
    if (kept.size() >= std::max<size_t>(opts.limit, 1) + 8) break;
  }
  if (!kept.empty()) {
    const Cand& top = kept[0];
    bool rival = false;
    for (size_t i = 1; i < kept.size(); ++i) {
      if (kept[i].c.score >= top.c.score - kRivalMargin &&
          FlatM(kept[i].c.location, top.c.location) > kRivalDistanceM) {
        rival = true;
      }
    }
    kept[0].c.verified = top.verifiable && top.c.score >= kVerifiedScore && !rival;
  }
  for (auto& c : kept) {
    if (result.candidates.size() >= opts.limit) break;
    c.c.score = std::round(c.c.score * 1000) / 1000;
    result.candidates.push_back(std::move(c.c));
  }
  return result;
}

std::string Geocoder::Impl::NumberLabel(std::uint32_t s, const std::string& number,
                                        bool after) const {
  const Street& st = streets[s];
  bool number_after = after;
  if (!st.names.empty() && !names[st.names[0]].words.empty()) {
    number_after = after || lex->NumberAfterStreet(words[names[st.names[0]].words[0]].token);
  }
  std::string label = number_after ? st.label + ", " + number : number + " " + st.label;
  if (!st.locality.empty()) label += ", " + st.locality;
  return label;
}

std::string Geocoder::Impl::StreetLabel(std::uint32_t s) const {
  const Street& st = streets[s];
  return st.locality.empty() ? st.label : st.label + ", " + st.locality;
}

}  // namespace beacon::geocode
