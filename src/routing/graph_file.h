// The graph file: the versioned, fingerprinted file that `beacon import-osm`
// writes and the server maps read-only. A fixed header (magic "BEACONGR",
// format version, BLAKE2b-256 fingerprint of the payload, the routing
// profile's hash, the source file's name and size) followed by a table of
// named sections, each a plain array of fixed-size elements at an 8-byte
// aligned offset. The byte layout is specified in docs/graph_file.md.
//
// Little-endian hosts only (checked at compile time).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/status.h"
#include "routing/profile.h"
#include "routing/road_graph.h"

namespace beacon::routing {

static_assert(std::endian::native == std::endian::little,
              "the graph file format is little-endian; add byte swapping to port it");

constexpr std::uint32_t kGraphFileVersion = 1;
constexpr std::size_t kMaxSectionNameBytes = 39;  // plus a NUL in the 40-byte field

using Fingerprint = std::array<std::uint8_t, 32>;
std::string ToHex(std::span<const std::uint8_t> bytes);

// GraphFileWriter: collects sections in memory and writes a graph file
// atomically (temporary file in the same directory, fsync, rename, fsync of
// the directory). Owns copies of the added arrays. Not thread-safe; use one
// writer per file.
class GraphFileWriter {
 public:
  void SetProfileHash(const ProfileHash& hash) { profile_hash_ = hash; }
  // For information only (shown by tools; not part of the fingerprint).
  void SetSource(std::string name, std::uint64_t size_bytes) {
    source_name_ = std::move(name);
    source_size_ = size_bytes;
  }

  // Adds a section holding a copy of `data`. T must be trivially copyable
  // with no padding bytes (padding would make the fingerprint depend on
  // uninitialised memory). Names are 1..39 bytes and unique; a bad name is
  // reported by Write().
  template <typename T>
  void Add(std::string name, std::span<const T> data) {
    static_assert(std::is_trivially_copyable_v<T>, "sections hold plain arrays");
    static_assert(alignof(T) <= 8, "sections are 8-byte aligned");
    AddBytes(std::move(name), sizeof(T), data.size(), std::as_bytes(data));
  }
  template <typename T>
  void Add(std::string name, const std::vector<T>& data) {
    Add(std::move(name), std::span<const T>(data));
  }

  // Writes the file. Errors (kInvalid for a bad section name, kUnavailable
  // for I/O) name the path and leave any previous file at `path` untouched.
  Status Write(const std::string& path) const;

 private:
  struct PendingSection {
    std::string name;
    std::uint32_t element_size;
    std::uint64_t count;
    std::vector<std::byte> bytes;
  };
  void AddBytes(std::string name, std::size_t element_size, std::size_t count,
                std::span<const std::byte> bytes);

  ProfileHash profile_hash_{};
  std::string source_name_;
  std::uint64_t source_size_ = 0;
  std::vector<PendingSection> sections_;
};

struct GraphFileOptions {
  // Hash the whole payload on open and refuse a mismatch. Costs a read of
  // the file (about 1 GB/s); only the fuzzer turns it off to reach the
  // section checks behind it.
  bool verify_fingerprint = true;
};

// GraphFile: a graph file mapped read-only. Open() checks the magic, the
// format version, the bounds of every section and the fingerprint, so a
// successfully opened file is structurally sound (the meaning of the arrays
// is checked by their loaders, e.g. LoadRoadGraph). Owns the mapping; the
// spans returned by Section() are valid until the GraphFile is destroyed.
// Move-only. Const methods are thread-safe.
class GraphFile {
 public:
  struct SectionInfo {
    std::string name;
    std::uint32_t element_size = 0;
    std::uint64_t count = 0;
    std::uint64_t offset = 0;
  };

  // Errors: kNotFound (cannot open), kMalformed (truncated, not a graph file,
  // corrupt), kInvalid (another format version). Every message names the
  // file and says to re-run `beacon import-osm`.
  static Result<GraphFile> Open(const std::string& path, const GraphFileOptions& options = {});

  GraphFile(GraphFile&& other) noexcept;
  GraphFile& operator=(GraphFile&& other) noexcept;
  GraphFile(const GraphFile&) = delete;
  GraphFile& operator=(const GraphFile&) = delete;
  ~GraphFile();

  // The named section as an array of T. Errors: kNotFound (no such section),
  // kMalformed (its element size is not sizeof(T)).
  template <typename T>
  Result<std::span<const T>> Section(std::string_view name) const {
    static_assert(std::is_trivially_copyable_v<T>, "sections hold plain arrays");
    static_assert(alignof(T) <= 8, "sections are 8-byte aligned");
    auto bytes = SectionBytes(name, sizeof(T));
    if (!bytes) return bytes.error();
    return std::span<const T>(reinterpret_cast<const T*>(bytes->data()), bytes->size() / sizeof(T));
  }
  bool HasSection(std::string_view name) const;
  const std::vector<SectionInfo>& sections() const { return sections_; }

  // kInvalid with a "re-run beacon import-osm" message when the file was
  // built with another routing profile.
  Status CheckProfile(const ProfileHash& expected) const;

  const std::string& path() const { return path_; }
  std::uint32_t format_version() const { return kGraphFileVersion; }
  const Fingerprint& fingerprint() const { return fingerprint_; }
  const ProfileHash& profile_hash() const { return profile_hash_; }
  const std::string& source_name() const { return source_name_; }
  std::uint64_t source_size() const { return source_size_; }
  std::uint64_t size_bytes() const { return size_; }

 private:
  GraphFile() = default;
  Result<std::span<const std::byte>> SectionBytes(std::string_view name,
                                                  std::size_t element_size) const;

  std::string path_;
  const std::byte* base_ = nullptr;
  std::uint64_t size_ = 0;
  Fingerprint fingerprint_{};
  ProfileHash profile_hash_{};
  std::string source_name_;
  std::uint64_t source_size_ = 0;
  std::vector<SectionInfo> sections_;
};

// Section names used for the RoadGraph arrays ("road." prefix; other
// modules use their own prefix, e.g. "ch.").
inline constexpr std::string_view kRoadCoords = "road.coords";
inline constexpr std::string_view kRoadFirstOut = "road.first_out";
inline constexpr std::string_view kRoadHead = "road.head";
inline constexpr std::string_view kRoadTimeMs = "road.time_ms";
inline constexpr std::string_view kRoadLengthM = "road.length_m";
inline constexpr std::string_view kRoadRestrictions = "road.restrictions";
// Optional (absent in graphs without road classes): per arc, the road class
// index; the class names as bytes, each name followed by '\n'.
inline constexpr std::string_view kRoadClass = "road.class";
inline constexpr std::string_view kRoadClassNames = "road.class_names";

// Adds the RoadGraph's arrays to `writer`.
void SaveRoadGraph(GraphFileWriter& writer, const RoadGraph& graph);
// Copies the RoadGraph out of `file`, checking every invariant the queries
// rely on (CSR offsets, node and arc indices in range, times >= 1, finite
// coordinates, restrictions meeting at their via node). Errors are
// kNotFound (missing section) or kMalformed, naming the section.
Result<RoadGraph> LoadRoadGraph(const GraphFile& file);

}  // namespace beacon::routing
