// Fuzzes the graph file reader: GraphFile::Open (header, section table,
// bounds, fingerprint) and LoadRoadGraph (the RoadGraph invariants). The
// bytes are written to a temporary file because the reader maps a file.
// Each input is opened twice, with and without the fingerprint check:
// mutated files almost never match their fingerprint, so without the second
// open the section checks behind it would go unexercised. Nothing here may
// crash, whatever the bytes.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "routing/graph_file.h"

namespace {

const std::string& TempPath() {
  static const std::string path = [] {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "beacon-graph-fuzz-XXXXXX").string();
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0) std::abort();
    ::close(fd);
    static std::string to_remove = tmpl;
    std::atexit([] { ::unlink(to_remove.c_str()); });
    return tmpl;
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace beacon::routing;
  const std::string& path = TempPath();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);

  std::uint64_t sum = 0;
  for (bool verify : {true, false}) {
    GraphFileOptions options;
    options.verify_fingerprint = verify;
    auto file = GraphFile::Open(path, options);
    if (!file) continue;
    // Touch every element of every section: a bounds mistake faults here.
    for (const auto& s : file->sections()) {
      if (s.element_size == 1) {
        if (auto b = file->Section<std::uint8_t>(s.name)) {
          for (auto x : *b) sum += x;
        }
      } else if (s.element_size == 4) {
        if (auto w = file->Section<std::uint32_t>(s.name)) {
          for (auto x : *w) sum += x;
        }
      } else if (s.element_size == 8) {
        if (auto w = file->Section<std::uint64_t>(s.name)) {
          for (auto x : *w) sum += x;
        }
      }
    }
    auto graph = LoadRoadGraph(*file);
    if (graph) sum += graph->nodes() + graph->arcs() + graph->restrictions.size();
    (void)file->CheckProfile(ProfileHash{});
  }
  volatile std::uint64_t sink = sum;  // keep the reads
  (void)sink;
  return 0;
}
