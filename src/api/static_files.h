// StaticFiles: serves the command-room web bundle (web/, built by Vite) from
// a directory on disk, for GET and HEAD of any path outside /api/.
//
// Caching: files under assets/ carry a content hash in their name and are
// served `Cache-Control: public, max-age=31536000, immutable`; everything
// else (index.html) is `no-cache`, so a new build is picked up at once.
// Paths are resolved strictly inside the root: a request path with `..`,
// `.` or empty segments (after percent-decoding), a backslash, a NUL or any
// percent escape that decodes to `/` is refused (404), and symbolic links are
// not followed outside the root. An unknown path without an extension gets
// index.html (the client-side app), one with an extension 404.
// Thread-safe (reads files per request; no shared mutable state).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/router.h"

namespace beacon::api {

class StaticFiles {
 public:
  // `root`: the directory holding index.html. Not checked here; see Valid().
  explicit StaticFiles(std::string root);

  // True when root/index.html exists.
  bool Valid() const;
  const std::string& root() const { return root_; }

  // The answer for `method` + raw `target_path` (still percent-encoded, no
  // query), or nullopt when the path is not ours (it starts with /api/).
  std::optional<Response> Serve(std::string_view method, std::string_view target_path) const;

  // Exposed for tests: the file path inside root for a request path, or
  // nullopt when the path is unsafe (traversal, bad escapes, ...).
  std::optional<std::string> Resolve(std::string_view target_path) const;

  static std::string_view ContentType(std::string_view file_name);

 private:
  std::string root_;
};

}  // namespace beacon::api
