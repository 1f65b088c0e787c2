// The command room over real HTTP: `beacon serve --web DIR` serves the
// bundle at / with the right caching headers and no way out of DIR, API
// paths stay JSON, and the road basemap comes from the loaded graph (gzip,
// ETag). The browser itself is tested by web/tests/ (ctest web_browser).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/harness.h"

namespace beacon::testing {
namespace {

const std::string kSfPbf = "../shared/data/osm/sf_mission_bayview_2014.osm.pbf";

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

class WebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    web_ = dir_.path() + "/web";
    std::filesystem::create_directories(web_ + "/assets");
    Write(web_ + "/index.html", "<!doctype html><title>Beacon</title>");
    Write(web_ + "/assets/index-Q1w2E3.js", "export {}");
    Write(dir_.path() + "/outside.txt", "outside the bundle");
  }
  TempDir dir_;
  std::string web_;
};

TEST_F(WebTest, ServesTheBundleWithCachingHeadersAndNoTraversal) {
  Fixture f;
  f.Start({"--web", web_});
  HttpClient http(f.server->port());
  auto index = http.Get("/");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_EQ(index.headers["cache-control"], "no-cache");
  EXPECT_NE(index.body.find("<title>Beacon</title>"), std::string::npos);
  auto js = http.Get("/assets/index-Q1w2E3.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(js.headers["content-type"], "text/javascript; charset=utf-8");
  EXPECT_EQ(js.headers["cache-control"], "public, max-age=31536000, immutable");

  for (const std::string& bad : std::vector<std::string>{
           "/../outside.txt", "/%2e%2e/outside.txt", "/assets/%2E%2E/%2e%2e/outside.txt",
           "/assets/..%2f..%2foutside.txt", "//outside.txt", "/assets/missing-1.js",
           dir_.path() + "/outside.txt"}) {
    SCOPED_TRACE(bad);
    auto r = http.Get(bad);
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.body.find("outside the bundle"), std::string::npos);
    EXPECT_EQ(r.Json()["error"]["code"], "not_found") << r.body;
  }
  // Unknown API paths are still JSON 404s from the router, not the app.
  auto api = http.Get("/api/v1/no-such-thing");
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.headers["content-type"], "application/json");
  EXPECT_EQ(api.Json()["error"]["code"], "not_found");
  EXPECT_EQ(http.Request("POST", "/index.html", "{}").status, 405);
  // The basemap needs a road graph; this server has none.
  std::string token = f.Token("dispatcher");
  EXPECT_EQ(http.Get("/api/v1/map/roads.geojson", token).status, 404);
}

TEST_F(WebTest, RefusesAWebDirWithoutIndex) {
  auto r = RunBeacon({"serve", "--data", dir_.path() + "/data", "--listen", "127.0.0.1:0", "--web",
                      dir_.path() + "/nowhere"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("no index.html"), std::string::npos) << r.output;
}

TEST_F(WebTest, RoadBasemapFromTheGraphGzippedWithETag) {
  std::string graph = dir_.path() + "/sf.graph";
  auto imp = RunBeacon({"import-osm", kSfPbf, "--out", graph});
  ASSERT_EQ(imp.exit_code, 0) << imp.output;
  Fixture f;
  f.Start({"--web", web_, "--graph", graph});
  HttpClient http(f.server->port());
  std::string token = f.Token("analyst");
  auto plain = http.Get("/api/v1/map/roads.geojson", token);
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(plain.headers["content-type"], "application/geo+json");
  auto fc = plain.Json();
  ASSERT_TRUE(fc.is_object());
  EXPECT_EQ(fc["type"], "FeatureCollection");
  ASSERT_EQ(fc["bbox"].size(), 4u);
  // The extract is south-central San Francisco.
  EXPECT_NEAR(fc["bbox"][1].get<double>(), 37.73, 0.05);
  EXPECT_NEAR(fc["bbox"][0].get<double>(), -122.44, 0.05);
  size_t lines = 0;
  for (const auto& feature : fc["features"]) {
    EXPECT_EQ(feature["geometry"]["type"], "MultiLineString");
    lines += feature["geometry"]["coordinates"].size();
  }
  EXPECT_GT(lines, 100u);
  std::string etag = plain.headers["etag"];
  ASSERT_FALSE(etag.empty());

  auto gz = http.Request("GET", "/api/v1/map/roads.geojson", "", token,
                         {{"Accept-Encoding", "gzip, deflate"}});
  ASSERT_EQ(gz.status, 200);
  EXPECT_EQ(gz.headers["content-encoding"], "gzip");
  ASSERT_GE(gz.body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(gz.body[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz.body[1]), 0x8b);
  EXPECT_LT(gz.body.size(), plain.body.size());

  auto again =
      http.Request("GET", "/api/v1/map/roads.geojson", "", token, {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  // Auditors read no resources.
  EXPECT_EQ(http.Get("/api/v1/map/roads.geojson", f.Token("auditor")).status, 403);
}

}  // namespace
}  // namespace beacon::testing
