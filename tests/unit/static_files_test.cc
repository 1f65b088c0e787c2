// api::StaticFiles: path resolution (no way out of the root), content types
// and caching headers of the command-room bundle.
#include "api/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/process.h"

namespace beacon::api {
namespace {

namespace fs = std::filesystem;

std::string Header(const Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.path() + "/web";
    fs::create_directories(root_ + "/assets");
    Write(root_ + "/index.html", "<!doctype html><title>x</title>");
    Write(root_ + "/assets/index-AbC123.js", "console.log(1)");
    Write(root_ + "/assets/index-AbC123.css", "body{}");
    Write(tmp_.path() + "/secret.txt", "secret");
    fs::create_symlink(tmp_.path() + "/secret.txt", root_ + "/assets/link.txt");
  }
  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }
  support::TempDir tmp_;
  std::string root_;
};

TEST_F(StaticFilesTest, ServesIndexNoCacheAndHashedAssetsImmutable) {
  StaticFiles files(root_);
  ASSERT_TRUE(files.Valid());
  auto index = files.Serve("GET", "/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(Header(*index, "Cache-Control"), "no-cache");
  EXPECT_NE(Header(*index, "Content-Security-Policy").find("default-src 'self'"),
            std::string::npos);
  auto js = files.Serve("GET", "/assets/index-AbC123.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Header(*js, "Cache-Control"), "public, max-age=31536000, immutable");
  auto css = files.Serve("GET", "/assets/index-AbC123.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
  auto head = files.Serve("HEAD", "/index.html");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
}

TEST_F(StaticFilesTest, LeavesApiPathsToTheRouter) {
  StaticFiles files(root_);
  EXPECT_FALSE(files.Serve("GET", "/api/v1/incidents"));
  EXPECT_FALSE(files.Serve("GET", "/api/v1/nope"));
  EXPECT_FALSE(files.Serve("POST", "/api"));
}

TEST_F(StaticFilesTest, UnknownAppPathsGetIndexMissingAssets404) {
  StaticFiles files(root_);
  auto app = files.Serve("GET", "/incidents/7");
  ASSERT_TRUE(app);
  EXPECT_EQ(app->status, 200);
  EXPECT_EQ(app->content_type, "text/html; charset=utf-8");
  auto missing = files.Serve("GET", "/assets/nope-123.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->content_type, "application/json");
  auto post = files.Serve("POST", "/index.html");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
}

TEST_F(StaticFilesTest, RefusesTraversalEncodedOrNot) {
  StaticFiles files(root_);
  for (const char* bad :
       {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/assets%2fx.js",
        "//etc/passwd", "/./index.html", "/assets/.", "/a\\..\\secret.txt", "/%00", "/%zz",
        "/index.html%00.js", "relative/path", "", "/assets/link.txt"}) {
    SCOPED_TRACE(bad);
    auto r = files.Serve("GET", bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
    EXPECT_EQ(r->body.find("secret"), std::string::npos);
  }
  EXPECT_FALSE(files.Resolve("/../secret.txt"));
  EXPECT_FALSE(files.Resolve("/%2e%2e/secret.txt"));
  EXPECT_EQ(files.Resolve("/"), "index.html");
  EXPECT_EQ(files.Resolve("/assets/index-AbC123.js"), "assets/index-AbC123.js");
  // An absolute path to an existing file outside the root is still inside.
  auto abs = files.Serve("GET", tmp_.path() + "/secret.txt");
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->status, 404);
}

TEST_F(StaticFilesTest, ContentTypes) {
  EXPECT_EQ(StaticFiles::ContentType("a.svg"), "image/svg+xml");
  EXPECT_EQ(StaticFiles::ContentType("a.png"), "image/png");
  EXPECT_EQ(StaticFiles::ContentType("a.json"), "application/json");
  EXPECT_EQ(StaticFiles::ContentType("noext"), "application/octet-stream");
}

TEST(StaticFilesMissing, InvalidWithoutIndex) {
  EXPECT_FALSE(StaticFiles("/nonexistent/beacon/web").Valid());
}

}  // namespace
}  // namespace beacon::api
