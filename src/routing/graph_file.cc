#include "routing/graph_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>

namespace beacon::routing {
namespace {

// Header layout (docs/graph_file.md). All integers little-endian.
constexpr char kMagic[8] = {'B', 'E', 'A', 'C', 'O', 'N', 'G', 'R'};
constexpr std::size_t kHeaderSize = 256;
constexpr std::size_t kOffVersion = 8;         // u32
constexpr std::size_t kOffHeaderSize = 12;     // u32
constexpr std::size_t kOffFileSize = 16;       // u64
constexpr std::size_t kOffSectionCount = 24;   // u32
constexpr std::size_t kOffEntrySize = 28;      // u32
constexpr std::size_t kOffFingerprint = 32;    // 32 bytes
constexpr std::size_t kOffProfileHash = 64;    // 32 bytes
constexpr std::size_t kOffSourceSize = 96;     // u64
constexpr std::size_t kOffSourceName = 104;    // 128 bytes, NUL-padded
constexpr std::size_t kSourceNameBytes = 128;  // the name is at most 127 bytes
// [232, 256) reserved, zero.

// Section table entry layout.
constexpr std::size_t kEntrySize = 64;
constexpr std::size_t kEntryName = 0;          // 40 bytes, NUL-padded
constexpr std::size_t kEntryElementSize = 40;  // u32
constexpr std::size_t kEntryReserved = 44;     // u32, zero
constexpr std::size_t kEntryCount = 48;        // u64
constexpr std::size_t kEntryOffset = 56;       // u64
constexpr std::size_t kNameField = 40;
constexpr std::size_t kDataAlignment = 64;  // writer; the reader requires 8

constexpr const char* kRerun = "; re-run `beacon import-osm` to rebuild it";

template <typename T>
void Put(std::byte* p, T v) {
  std::memcpy(p, &v, sizeof v);
}
template <typename T>
T Read(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The hashed form of the header: the fingerprint and the informational
// source fields read as zero, so renaming the source does not change the
// fingerprint but every structural field does.
void HashHeader(crypto_generichash_state* st, const std::byte* header) {
  std::byte copy[kHeaderSize];
  std::memcpy(copy, header, kHeaderSize);
  std::memset(copy + kOffFingerprint, 0, 32);
  std::memset(copy + kOffSourceSize, 0, 8 + kSourceNameBytes);
  crypto_generichash_update(st, reinterpret_cast<const unsigned char*>(copy), kHeaderSize);
}

void HashBytes(crypto_generichash_state* st, const std::byte* p, std::size_t n) {
  crypto_generichash_update(st, reinterpret_cast<const unsigned char*>(p), n);
}

std::uint64_t AlignUp(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }

Status IoError(const std::string& what, const std::string& path) {
  return Status(Code::kUnavailable, what + " " + path + ": " + std::strerror(errno));
}

Status WriteAll(int fd, const void* data, std::size_t n, const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write graph file", path);
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return Status::Ok();
}

Status Corrupt(const std::string& path, const std::string& what) {
  return Malformed("graph file " + path + " is corrupt: " + what + kRerun);
}

// On-disk form of a TurnRestriction: explicit zero padding so the bytes
// (and so the fingerprint) are deterministic.
struct RestrictionRecord {
  std::uint32_t from;
  std::uint32_t via;
  std::uint32_t to;
  std::uint8_t kind;
  std::uint8_t pad[3];
};
static_assert(sizeof(RestrictionRecord) == 16);
static_assert(sizeof(LatLon) == 16);

}  // namespace

std::string ToHex(std::span<const std::uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (auto b : bytes) {
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s;
}

// ---------------------------------------------------------------- writer

void GraphFileWriter::AddBytes(std::string name, std::size_t element_size, std::size_t count,
                               std::span<const std::byte> bytes) {
  sections_.push_back({std::move(name), static_cast<std::uint32_t>(element_size), count,
                       std::vector<std::byte>(bytes.begin(), bytes.end())});
}

Status GraphFileWriter::Write(const std::string& path) const {
  std::set<std::string_view> names;
  for (const auto& s : sections_) {
    if (s.name.empty() || s.name.size() > kMaxSectionNameBytes ||
        s.name.find('\0') != std::string::npos) {
      return Invalid("graph file section name \"" + s.name + "\" must be 1.." +
                     std::to_string(kMaxSectionNameBytes) + " bytes");
    }
    if (!names.insert(s.name).second) {
      return Invalid("graph file section \"" + s.name + "\" added twice");
    }
  }
  if (sodium_init() < 0) return Status(Code::kInternal, "libsodium failed to initialise");

  // Layout.
  std::vector<std::byte> table(sections_.size() * kEntrySize);
  std::vector<std::uint64_t> offsets;
  std::uint64_t end = kHeaderSize + table.size();
  for (size_t i = 0; i < sections_.size(); ++i) {
    const auto& s = sections_[i];
    end = AlignUp(end, kDataAlignment);
    offsets.push_back(end);
    std::byte* e = table.data() + i * kEntrySize;
    std::memcpy(e + kEntryName, s.name.data(), s.name.size());
    Put<std::uint32_t>(e + kEntryElementSize, s.element_size);
    Put<std::uint32_t>(e + kEntryReserved, 0);
    Put<std::uint64_t>(e + kEntryCount, s.count);
    Put<std::uint64_t>(e + kEntryOffset, end);
    end += s.bytes.size();
  }
  const std::uint64_t file_size = end;

  std::byte header[kHeaderSize] = {};
  std::memcpy(header, kMagic, sizeof kMagic);
  Put<std::uint32_t>(header + kOffVersion, kGraphFileVersion);
  Put<std::uint32_t>(header + kOffHeaderSize, kHeaderSize);
  Put<std::uint64_t>(header + kOffFileSize, file_size);
  Put<std::uint32_t>(header + kOffSectionCount, static_cast<std::uint32_t>(sections_.size()));
  Put<std::uint32_t>(header + kOffEntrySize, kEntrySize);
  std::memcpy(header + kOffProfileHash, profile_hash_.data(), profile_hash_.size());
  Put<std::uint64_t>(header + kOffSourceSize, source_size_);
  std::memcpy(header + kOffSourceName, source_name_.data(),
              std::min(source_name_.size(), kSourceNameBytes - 1));

  // Fingerprint over exactly the bytes that will be on disk.
  static const std::byte kZeros[kDataAlignment] = {};
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  HashHeader(&st, header);
  HashBytes(&st, table.data(), table.size());
  std::uint64_t pos = kHeaderSize + table.size();
  for (size_t i = 0; i < sections_.size(); ++i) {
    HashBytes(&st, kZeros, offsets[i] - pos);
    HashBytes(&st, sections_[i].bytes.data(), sections_[i].bytes.size());
    pos = offsets[i] + sections_[i].bytes.size();
  }
  crypto_generichash_final(&st, reinterpret_cast<unsigned char*>(header + kOffFingerprint), 32);

  // Temporary file, fsync, rename, fsync of the directory: a crash leaves
  // either the old file or the complete new one.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create graph file", tmp);
  auto fail = [&](Status s) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  };
  if (auto s = WriteAll(fd, header, kHeaderSize, tmp); !s.ok()) return fail(s);
  if (auto s = WriteAll(fd, table.data(), table.size(), tmp); !s.ok()) return fail(s);
  pos = kHeaderSize + table.size();
  for (size_t i = 0; i < sections_.size(); ++i) {
    if (auto s = WriteAll(fd, kZeros, offsets[i] - pos, tmp); !s.ok()) return fail(s);
    const auto& b = sections_[i].bytes;
    if (auto s = WriteAll(fd, b.data(), b.size(), tmp); !s.ok()) return fail(s);
    pos = offsets[i] + b.size();
  }
  if (::fsync(fd) != 0) return fail(IoError("cannot fsync graph file", tmp));
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return IoError("cannot close graph file", tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = IoError("cannot rename graph file to", path);
    ::unlink(tmp.c_str());
    return s;
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    int rc = ::fsync(dfd);
    ::close(dfd);
    if (rc != 0) return IoError("cannot fsync directory of graph file", path);
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- reader

GraphFile::GraphFile(GraphFile&& other) noexcept { *this = std::move(other); }

GraphFile& GraphFile::operator=(GraphFile&& other) noexcept {
  if (this != &other) {
    if (base_ != nullptr) ::munmap(const_cast<std::byte*>(base_), size_);
    path_ = std::move(other.path_);
    base_ = std::exchange(other.base_, nullptr);
    size_ = std::exchange(other.size_, 0);
    fingerprint_ = other.fingerprint_;
    profile_hash_ = other.profile_hash_;
    source_name_ = std::move(other.source_name_);
    source_size_ = other.source_size_;
    sections_ = std::move(other.sections_);
  }
  return *this;
}

GraphFile::~GraphFile() {
  if (base_ != nullptr) ::munmap(const_cast<std::byte*>(base_), size_);
}

Result<GraphFile> GraphFile::Open(const std::string& path, const GraphFileOptions& options) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return NotFound("cannot open graph file " + path + ": " + std::strerror(errno) +
                    "; run `beacon import-osm` to create it");
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return NotFound("graph file " + path + " is not a regular file");
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size < kHeaderSize) {
    ::close(fd);
    return Malformed("graph file " + path + " is truncated or not a graph file (" +
                     std::to_string(size) + " bytes, the header alone is " +
                     std::to_string(kHeaderSize) + ")" + kRerun);
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) {
    return Status(Code::kUnavailable,
                  "cannot map graph file " + path + ": " + std::strerror(errno));
  }
  GraphFile f;  // owns the mapping from here on
  f.path_ = path;
  f.base_ = static_cast<const std::byte*>(map);
  f.size_ = size;
  const std::byte* h = f.base_;

  if (std::memcmp(h, kMagic, sizeof kMagic) != 0) {
    return Malformed(path + " is not a Beacon graph file (bad magic; expected \"BEACONGR\")" +
                     kRerun);
  }
  const auto version = Read<std::uint32_t>(h + kOffVersion);
  if (version != kGraphFileVersion) {
    return Invalid("graph file " + path + " has format version " + std::to_string(version) +
                   " but this beacon reads version " + std::to_string(kGraphFileVersion) + kRerun +
                   " with this version");
  }
  if (Read<std::uint32_t>(h + kOffHeaderSize) != kHeaderSize ||
      Read<std::uint32_t>(h + kOffEntrySize) != kEntrySize) {
    return Corrupt(path, "unexpected header or section entry size");
  }
  const auto file_size = Read<std::uint64_t>(h + kOffFileSize);
  if (file_size != size) {
    if (file_size > size) {
      return Malformed("graph file " + path + " is truncated: the header says " +
                       std::to_string(file_size) + " bytes, the file has " + std::to_string(size) +
                       kRerun);
    }
    return Corrupt(path, "the header says " + std::to_string(file_size) +
                             " bytes but the file has " + std::to_string(size));
  }
  const auto count = Read<std::uint32_t>(h + kOffSectionCount);
  if (count > (size - kHeaderSize) / kEntrySize) {
    return Corrupt(
        path, "the section table (" + std::to_string(count) + " entries) does not fit in the file");
  }
  const std::uint64_t table_end = kHeaderSize + std::uint64_t{count} * kEntrySize;
  if (h[kOffSourceName + kSourceNameBytes - 1] != std::byte{0}) {
    return Corrupt(path, "the source name is not terminated");
  }
  f.source_name_ = reinterpret_cast<const char*>(h + kOffSourceName);
  f.source_size_ = Read<std::uint64_t>(h + kOffSourceSize);
  std::memcpy(f.fingerprint_.data(), h + kOffFingerprint, 32);
  std::memcpy(f.profile_hash_.data(), h + kOffProfileHash, 32);

  std::set<std::string, std::less<>> names;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::byte* e = h + kHeaderSize + std::size_t{i} * kEntrySize;
    const char* name_field = reinterpret_cast<const char*>(e + kEntryName);
    const std::size_t name_len = ::strnlen(name_field, kNameField);
    if (name_len == 0 || name_len > kMaxSectionNameBytes) {
      return Corrupt(path, "section " + std::to_string(i) + " has an invalid name");
    }
    SectionInfo s;
    s.name.assign(name_field, name_len);
    s.element_size = Read<std::uint32_t>(e + kEntryElementSize);
    s.count = Read<std::uint64_t>(e + kEntryCount);
    s.offset = Read<std::uint64_t>(e + kEntryOffset);
    const std::string label = "section \"" + s.name + "\"";
    if (!names.insert(s.name).second) return Corrupt(path, label + " appears twice");
    if (s.element_size == 0) return Corrupt(path, label + " has element size 0");
    if (s.offset % 8 != 0) return Corrupt(path, label + " is not 8-byte aligned");
    if (s.offset < table_end || s.offset > size) {
      return Corrupt(path, label + " starts outside the data area");
    }
    if (s.count > (size - s.offset) / s.element_size) {
      return Corrupt(path, label + " (" + std::to_string(s.count) + " x " +
                               std::to_string(s.element_size) +
                               " bytes) extends past the end of the file");
    }
    f.sections_.push_back(std::move(s));
  }

  if (options.verify_fingerprint) {
    if (sodium_init() < 0) return Status(Code::kInternal, "libsodium failed to initialise");
    crypto_generichash_state hs;
    crypto_generichash_init(&hs, nullptr, 0, 32);
    HashHeader(&hs, h);
    HashBytes(&hs, h + kHeaderSize, size - kHeaderSize);
    Fingerprint actual;
    crypto_generichash_final(&hs, actual.data(), actual.size());
    if (actual != f.fingerprint_) {
      return Corrupt(path, "fingerprint mismatch (header " + ToHex(f.fingerprint_).substr(0, 16) +
                               "..., content " + ToHex(actual).substr(0, 16) +
                               "...): the file was damaged or modified after it was written");
    }
  }
  return f;
}

bool GraphFile::HasSection(std::string_view name) const {
  for (const auto& s : sections_) {
    if (s.name == name) return true;
  }
  return false;
}

Result<std::span<const std::byte>> GraphFile::SectionBytes(std::string_view name,
                                                           std::size_t element_size) const {
  for (const auto& s : sections_) {
    if (s.name != name) continue;
    if (s.element_size != element_size) {
      return Malformed("graph file " + path_ + ": section \"" + s.name + "\" has " +
                       std::to_string(s.element_size) + "-byte elements, expected " +
                       std::to_string(element_size) + kRerun);
    }
    if (s.count == 0) return std::span<const std::byte>();
    return std::span<const std::byte>(base_ + s.offset, s.count * s.element_size);
  }
  return NotFound("graph file " + path_ + " has no section \"" + std::string(name) + "\"" + kRerun);
}

Status GraphFile::CheckProfile(const ProfileHash& expected) const {
  if (profile_hash_ == expected) return Status::Ok();
  return Invalid("graph file " + path_ + " was built with routing profile " +
                 ToHex(profile_hash_).substr(0, 16) + "... but the configured profile is " +
                 ToHex(expected).substr(0, 16) + "...; re-run `beacon import-osm` with the " +
                 "current profile");
}

// ---------------------------------------------------------------- RoadGraph

void SaveRoadGraph(GraphFileWriter& writer, const RoadGraph& graph) {
  writer.Add(std::string(kRoadCoords), graph.coords);
  writer.Add(std::string(kRoadFirstOut), graph.first_out);
  writer.Add(std::string(kRoadHead), graph.head);
  writer.Add(std::string(kRoadTimeMs), graph.time_ms);
  writer.Add(std::string(kRoadLengthM), graph.length_m);
  std::vector<RestrictionRecord> records(graph.restrictions.size());
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = graph.restrictions[i];
    records[i] = {r.from, r.via, r.to, static_cast<std::uint8_t>(r.kind), {0, 0, 0}};
  }
  writer.Add(std::string(kRoadRestrictions), records);
  if (!graph.road_class_names.empty() && graph.road_class.size() == graph.arcs()) {
    std::vector<std::uint8_t> names;
    for (const auto& name : graph.road_class_names) {
      names.insert(names.end(), name.begin(), name.end());
      names.push_back('\n');
    }
    writer.Add(std::string(kRoadClass), graph.road_class);
    writer.Add(std::string(kRoadClassNames), names);
  }
}

Result<RoadGraph> LoadRoadGraph(const GraphFile& file) {
  auto coords = file.Section<LatLon>(kRoadCoords);
  if (!coords) return coords.error();
  auto first_out = file.Section<ArcIndex>(kRoadFirstOut);
  if (!first_out) return first_out.error();
  auto head = file.Section<NodeIndex>(kRoadHead);
  if (!head) return head.error();
  auto time_ms = file.Section<Millis>(kRoadTimeMs);
  if (!time_ms) return time_ms.error();
  auto length_m = file.Section<float>(kRoadLengthM);
  if (!length_m) return length_m.error();
  auto restrictions = file.Section<RestrictionRecord>(kRoadRestrictions);
  if (!restrictions) return restrictions.error();

  auto bad = [&](std::string_view section, const std::string& what) {
    return Corrupt(file.path(), "section \"" + std::string(section) + "\" " + what);
  };
  const std::uint64_t n = coords->size();
  if (n >= kNoNode) return bad(kRoadCoords, "has too many nodes");
  if (first_out->size() != n + 1) return bad(kRoadFirstOut, "does not have nodes+1 entries");
  const std::uint64_t m = head->size();
  if (m >= std::numeric_limits<ArcIndex>::max()) return bad(kRoadHead, "has too many arcs");
  if (time_ms->size() != m) return bad(kRoadTimeMs, "does not have one entry per arc");
  if (length_m->size() != m) return bad(kRoadLengthM, "does not have one entry per arc");
  const auto& fo = *first_out;
  if (fo[0] != 0 || fo[n] != m) return bad(kRoadFirstOut, "does not span the arcs");
  for (std::uint64_t v = 0; v < n; ++v) {
    if (fo[v] > fo[v + 1]) return bad(kRoadFirstOut, "is not non-decreasing");
    if (!ValidLatLon((*coords)[v].lat, (*coords)[v].lon)) {
      return bad(kRoadCoords, "has an invalid coordinate at node " + std::to_string(v));
    }
  }
  for (std::uint64_t a = 0; a < m; ++a) {
    if ((*head)[a] >= n) return bad(kRoadHead, "has a node index out of range");
    if ((*time_ms)[a] < 1) return bad(kRoadTimeMs, "has a zero travel time");
    float len = (*length_m)[a];
    if (!std::isfinite(len) || len < 0) return bad(kRoadLengthM, "has an invalid length");
  }
  RoadGraph g;
  g.restrictions.reserve(restrictions->size());
  for (const auto& r : *restrictions) {
    if (r.from >= m || r.to >= m || r.via >= n || r.kind > 1) {
      return bad(kRoadRestrictions, "has an index out of range");
    }
    if ((*head)[r.from] != r.via || r.to < fo[r.via] || r.to >= fo[r.via + 1]) {
      return bad(kRoadRestrictions, "has a restriction whose arcs do not meet at its via node");
    }
    g.restrictions.push_back(
        {r.from, r.via, r.to,
         r.kind == 0 ? TurnRestriction::Kind::kNo : TurnRestriction::Kind::kOnly});
  }
  g.coords.assign(coords->begin(), coords->end());
  g.first_out.assign(fo.begin(), fo.end());
  g.head.assign(head->begin(), head->end());
  g.time_ms.assign(time_ms->begin(), time_ms->end());
  g.length_m.assign(length_m->begin(), length_m->end());
  if (file.HasSection(kRoadClass) || file.HasSection(kRoadClassNames)) {
    auto classes = file.Section<std::uint8_t>(kRoadClass);
    if (!classes) return classes.error();
    auto names = file.Section<std::uint8_t>(kRoadClassNames);
    if (!names) return names.error();
    std::string name;
    for (std::uint8_t c : *names) {
      if (c != '\n') {
        name.push_back(static_cast<char>(c));
        continue;
      }
      if (name.empty()) return bad(kRoadClassNames, "has an empty name");
      g.road_class_names.push_back(std::move(name));
      name.clear();
    }
    if (!name.empty() || g.road_class_names.empty()) {
      return bad(kRoadClassNames, "is not a list of names each ended by a newline");
    }
    if (classes->size() != m) return bad(kRoadClass, "does not have one entry per arc");
    for (std::uint8_t c : *classes) {
      if (c >= g.road_class_names.size()) return bad(kRoadClass, "has a class out of range");
    }
    g.road_class.assign(classes->begin(), classes->end());
  }
  return g;
}

}  // namespace beacon::routing
