// Fuzzes the DIMACS reader (routing/dimacs_import.h): the input is split at
// the first NUL byte into the .gr text and the .co text, written to
// temporary files (the reader takes paths). Nothing may crash.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "routing/dimacs_import.h"

namespace {

std::string TempFile(const char* tag) {
  std::string tmpl = (std::filesystem::temp_directory_path() /
                      (std::string("beacon-dimacs-fuzz-") + tag + "-XXXXXX"))
                         .string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) std::abort();
  ::close(fd);
  return tmpl;
}

void Write(const std::string& path, std::string_view bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
    std::abort();
  }
  std::fclose(f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string gr = TempFile("gr"), co = TempFile("co");
  std::string_view all(reinterpret_cast<const char*>(data), size);
  auto nul = all.find('\0');
  Write(gr, all.substr(0, nul));
  Write(co, nul == std::string_view::npos ? std::string_view() : all.substr(nul + 1));
  auto graph = beacon::routing::ImportDimacs(gr, co);
  if (graph) (void)graph->nodes();
  return 0;
}
