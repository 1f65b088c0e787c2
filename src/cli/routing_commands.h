// The routing commands of the beacon CLI: import-osm, import-dimacs, route,
// table. Each returns the process exit code and prints errors that say
// what to fix.
#pragma once

#include <optional>
#include <string>

namespace beacon::cli {

// Also builds the gazetteer from the same read of the file and stores it in
// the graph file (docs/graph_file.md), unless `gazetteer` is false.
int ImportOsmCommand(const std::string& input, const std::string& out,
                     const std::optional<std::string>& profile_file, bool gazetteer = true);
int ImportDimacsCommand(const std::string& gr, const std::string& coords,
                        const std::optional<std::string>& distance_gr, const std::string& out);
int RouteCommand(const std::string& graph, const std::string& from, const std::string& to);
int TableCommand(const std::string& graph, const std::string& sources_file,
                 const std::string& target);

}  // namespace beacon::cli
