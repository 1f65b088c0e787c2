// Fuzzes the geocoder's readers of outside bytes. The first byte picks:
//   0: a query (GET /geocode?q=), with and without type-ahead, against a
//      small fixed map, and its reverse of two coordinates read from it;
//   1: an address point file (CSV or GeoJSON) that is then searched;
//   2: the gazetteer sections of a graph file, cut from the input, written
//      with GraphFileWriter and read back by LoadGazetteer; whatever it
//      accepts must build and answer without crashing.
// Nothing here may crash, whatever the bytes.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include "geocode/address_points.h"
#include "geocode/gazetteer.h"
#include "geocode/geocoder.h"
#include "routing/graph_file.h"

namespace {

using namespace beacon;
using namespace beacon::geocode;

const Geocoder& FixedMap() {
  static const std::unique_ptr<Geocoder> g = [] {
    Gazetteer z;
    auto str = [&](std::string_view s) {
      z.text.insert(z.text.end(), s.begin(), s.end());
      z.string_end.push_back(static_cast<std::uint32_t>(z.text.size()));
      return static_cast<std::uint32_t>(z.string_end.size() - 1);
    };
    std::uint32_t mission = str("Mission Street"), n19 = str("19th Street"),
                  rua = str("Rua Direita");
    for (double d : {0.0, 0.001, 0.002}) z.nodes.push_back(GeoPoint::From({37.76 + d, -122.419}));
    for (double d : {-0.001, 0.001}) z.nodes.push_back(GeoPoint::From({37.761, -122.419 + d}));
    z.way_node = {0, 1, 2, 3, 1, 4};
    z.way_first_node = {0, 3, 6};
    z.way_name = {{mission, NameKind::kName}, {n19, NameKind::kName}};
    z.way_first_name = {0, 1, 2};
    z.way_class = {2, 5};
    z.addresses.push_back({GeoPoint::From({37.7605, -122.4189}), str("2050"), mission, 0, 0, 0, 0,
                           AddressSource::kNode});
    z.places.push_back({GeoPoint::From({37.7601, -122.4185}), str("amenity=library"), rua, 0, 0});
    z.place_name.push_back({str("Mission Library"), NameKind::kName});
    z.place_first_name.push_back(1);
    return Geocoder::Build(std::move(z), {});
  }();
  return *g;
}

const std::string& TempPath() {
  static const std::string path = [] {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "beacon-geocode-fuzz-XXXXXX").string();
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0) std::abort();
    ::close(fd);
    static std::string to_remove = tmpl;
    std::atexit([] { ::unlink(to_remove.c_str()); });
    return tmpl;
  }();
  return path;
}

// Takes the next chunk of the input as an array of T (its length from one byte).
template <typename T>
std::vector<T> Take(std::string_view& in) {
  if (in.empty()) return {};
  size_t n = static_cast<unsigned char>(in[0]);
  in.remove_prefix(1);
  n = std::min(n, in.size() / sizeof(T));
  std::vector<T> out(n);
  if (n) std::memcpy(out.data(), in.data(), n * sizeof(T));
  in.remove_prefix(n * sizeof(T));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      const Geocoder& g = FixedMap();
      for (bool ac : {false, true}) {
        auto r = g.Geocode(in, {.limit = 5, .autocomplete = ac});
        (void)ToJson(r).dump();  // labels and why must stay valid UTF-8
      }
      if (in.size() >= 16) {
        double lat, lon;
        std::memcpy(&lat, in.data(), 8);
        std::memcpy(&lon, in.data() + 8, 8);
        auto r = g.Reverse({lat, lon});
        if (r) (void)ToJson(*r).dump();
      }
      break;
    }
    case 1: {
      auto set = ReadAddressPoints(in, "fuzz.csv");
      if (!set) break;
      std::vector<AddressPointSet> sets;
      sets.push_back(std::move(*set));
      auto g = Geocoder::Build({}, std::move(sets));
      (void)ToJson(g->Geocode("1 block of a / b")).dump();
      break;
    }
    case 2: {
      Gazetteer z;
      z.text = Take<char>(in);
      z.string_end = Take<std::uint32_t>(in);
      z.nodes = Take<GeoPoint>(in);
      z.way_first_node = Take<std::uint32_t>(in);
      z.way_node = Take<std::uint32_t>(in);
      z.way_first_name = Take<std::uint32_t>(in);
      z.way_name = Take<NameRef>(in);
      z.way_class = Take<std::uint32_t>(in);
      z.addresses = Take<StoredAddress>(in);
      z.places = Take<StoredPlace>(in);
      z.place_first_name = Take<std::uint32_t>(in);
      z.place_name = Take<NameRef>(in);
      routing::GraphFileWriter w;
      SaveGazetteer(w, z);
      if (!w.Write(TempPath()).ok()) break;
      auto file = routing::GraphFile::Open(TempPath());
      if (!file) break;
      auto loaded = LoadGazetteer(*file);
      if (!loaded) break;
      auto g = Geocoder::Build(std::move(*loaded), {});
      (void)ToJson(g->Geocode("a b / c")).dump();
      (void)g->Reverse({0, 0});
      break;
    }
  }
  return 0;
}
