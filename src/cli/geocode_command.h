// Geocoding on the command line (docs/geocoding.md):
//   beacon geocode --graph G [--addresses FILE[,MAPPING]]... [--limit N] QUERY | --batch FILE
//                  | --reverse LAT,LON | --evaluate CALLS --format F
//   beacon addresses from-history --calls FILE --format F --out FILE.csv [--from T] [--to T]
// and the pieces `serve`, `replay` and `demo` share: loading the geocoder
// (the graph file's gazetteer plus the centre's address points) and the
// service::LocationResolver over it.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "geocode/geocoder.h"
#include "history/format.h"
#include "service/locations.h"

namespace beacon::cli {

// The geocoder of a graph file (its gazetteer, when it has one) and of the
// address point files ("FILE" with Beacon's own columns, or
// "FILE,MAPPING.json"). Null (not an error) when there is neither a
// gazetteer nor an address point. Errors name the option and file.
Result<std::unique_ptr<geocode::Geocoder>> LoadGeocoder(const std::optional<std::string>& graph,
                                                        const std::vector<std::string>& addresses);

// The Center's view of a Geocoder (best candidate; reverse label).
// Thread-safe as the Geocoder is. The geocoder must outlive it.
class GeocoderResolver final : public service::LocationResolver {
 public:
  explicit GeocoderResolver(const geocode::Geocoder& g) : g_(g) {}
  std::optional<service::ResolvedAddress> Resolve(std::string_view address) const override;
  std::optional<std::string> Describe(LatLon at) const override;

 private:
  const geocode::Geocoder& g_;
};

// Registers `beacon geocode` and `beacon addresses` on the app; Main runs
// the one chosen.
class GeocodeCommands {
 public:
  explicit GeocodeCommands(CLI::App& app);
  bool selected() const { return geocode_->parsed() || from_history_->parsed(); }
  int Run() const;

 private:
  int RunGeocode() const;
  int RunFromHistory() const;
  int Evaluate(const geocode::Geocoder& g) const;

  CLI::App* geocode_;
  CLI::App* from_history_;
  // geocode
  std::optional<std::string> graph_, batch_, reverse_, near_, evaluate_, json_out_;
  std::vector<std::string> addresses_;
  std::string query_;
  size_t limit_ = 5;
  bool autocomplete_ = false;
  // evaluate and from-history
  std::string format_ = "sf-fire";
  std::optional<std::string> from_, to_;
  // from-history
  std::string calls_, out_;
};

}  // namespace beacon::cli
