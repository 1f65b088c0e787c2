#include "api/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace beacon::api {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxPathBytes = 1024;
constexpr std::uintmax_t kMaxFileBytes = 64u << 20;

Response NotFoundResponse() { return ErrorResponse(NotFound("no such file in the web bundle")); }

bool HasExtension(std::string_view segment) {
  auto dot = segment.rfind('.');
  return dot != std::string_view::npos && dot > 0;
}

}  // namespace

StaticFiles::StaticFiles(std::string root) : root_(std::move(root)) {}

bool StaticFiles::Valid() const {
  std::error_code ec;
  return fs::is_regular_file(fs::path(root_) / "index.html", ec);
}

std::string_view StaticFiles::ContentType(std::string_view name) {
  auto dot = name.rfind('.');
  std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::optional<std::string> StaticFiles::Resolve(std::string_view target) const {
  if (target.empty() || target.front() != '/' || target.size() > kMaxPathBytes) return std::nullopt;
  std::string decoded;
  if (!PercentDecode(target, decoded)) return std::nullopt;
  // PercentDecode turns '+' into a space for query strings; a path keeps it.
  // We never serve names with spaces or pluses, so either way is refused below.
  std::string rel;
  size_t i = 1;
  while (i <= decoded.size()) {
    size_t j = decoded.find('/', i);
    if (j == std::string::npos) j = decoded.size();
    std::string_view seg(decoded.data() + i, j - i);
    if (seg.empty()) {
      if (j == decoded.size()) break;  // trailing slash
      return std::nullopt;             // "//"
    }
    if (seg == "." || seg == "..") return std::nullopt;
    for (char c : seg) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.';
      if (!ok) return std::nullopt;
    }
    if (!rel.empty()) rel += '/';
    rel += seg;
    i = j + 1;
  }
  // An encoded slash would have produced a segment boundary that the raw
  // target did not have: refuse it rather than guess.
  if (target.find("%2f") != std::string_view::npos ||
      target.find("%2F") != std::string_view::npos) {
    return std::nullopt;
  }
  if (rel.empty()) rel = "index.html";
  return rel;
}

std::optional<Response> StaticFiles::Serve(std::string_view method, std::string_view target) const {
  if (target == "/api" || target.starts_with("/api/")) return std::nullopt;
  if (method != "GET" && method != "HEAD") {
    Response r = ErrorResponse(405, "method_not_allowed",
                               std::string(method) + " is not allowed on web files; allowed: GET");
    r.headers.push_back({"Allow", "GET, HEAD"});
    return r;
  }
  auto rel = Resolve(target);
  if (!rel) return NotFoundResponse();
  std::error_code ec;
  fs::path root = fs::weakly_canonical(fs::path(root_), ec);
  if (ec) return NotFoundResponse();
  fs::path file = root / *rel;
  if (!fs::is_regular_file(file, ec)) {
    // Client-side routes (no extension) get the app; missing assets 404.
    std::string_view last = *rel;
    if (auto s = last.rfind('/'); s != std::string_view::npos) last = last.substr(s + 1);
    if (HasExtension(last)) return NotFoundResponse();
    *rel = "index.html";
    file = root / *rel;
    if (!fs::is_regular_file(file, ec)) return NotFoundResponse();
  }
  // Symbolic links must not lead outside the bundle.
  fs::path real = fs::canonical(file, ec);
  if (ec) return NotFoundResponse();
  auto [r_end, f_it] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
  if (r_end != root.end()) return NotFoundResponse();
  auto size = fs::file_size(real, ec);
  if (ec || size > kMaxFileBytes) return NotFoundResponse();
  std::ifstream in(real, std::ios::binary);
  if (!in) return NotFoundResponse();
  std::ostringstream body;
  body << in.rdbuf();

  Response r;
  r.status = 200;
  r.content_type = std::string(ContentType(rel->substr(rel->rfind('/') + 1)));
  r.body = method == "HEAD" ? std::string() : std::move(body).str();
  bool hashed = rel->starts_with("assets/");
  r.headers.push_back(
      {"Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache"});
  if (*rel == "index.html") {
    // The page talks only to this server: no outside script, style, image or
    // connection (the offline guarantee, enforced by the browser too).
    r.headers.push_back({"Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data: blob:; style-src 'self' "
                         "'unsafe-inline'; connect-src 'self'; frame-src 'self' http: https:; "
                         "object-src 'none'; base-uri 'none'"});
  }
  return r;
}

}  // namespace beacon::api
