#include <gtest/gtest.h>

#include <cmath>

#include "common/clock.h"
#include "common/geo.h"
#include "common/status.h"

namespace beacon {
namespace {

TEST(Rfc3339, ParsesUtcAndOffsets) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:01.250Z"), 1250);
  EXPECT_EQ(ParseRfc3339("2024-05-01T12:00:00-07:00"), ParseRfc3339("2024-05-01T19:00:00Z"));
}

TEST(Rfc3339, RefusesImpossibleOrIncomplete) {
  for (const char* bad :
       {"", "2024-02-30T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z",
        "2024-01-01 00:00:00Z", "2024-01-01T00:00:00", "2024-01-01T00:00:00+0100",
        "2024-01-01T00:00:00Zjunk", "2024-01-01T00:00:00.Z", "abcd-ef-ghTij:kl:mnZ"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

TEST(Rfc3339, FormatRoundTrips) {
  for (TimeMs t : {TimeMs{0}, TimeMs{1714564800123}, TimeMs{951782400000}}) {
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)), t);
  }
  EXPECT_EQ(FormatRfc3339(1714564800123), "2024-05-01T12:00:00.123Z");
}

TEST(Geo, HaversineKnownDistance) {
  // One degree of latitude is about 111.2 km.
  EXPECT_NEAR(HaversineM({0, 0}, {1, 0}), 111195, 50);
  EXPECT_DOUBLE_EQ(HaversineM({37.7, -122.4}, {37.7, -122.4}), 0);
}

TEST(Geo, ValidLatLon) {
  EXPECT_TRUE(ValidLatLon(90, 180));
  EXPECT_FALSE(ValidLatLon(90.0001, 0));
  EXPECT_FALSE(ValidLatLon(std::nan(""), 0));
}

TEST(StatusTest, ResultCarriesValueOrError) {
  Result<int> ok = 3;
  EXPECT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 3);
  Result<int> bad = Invalid("nope", "field");
  EXPECT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().field(), "field");
  EXPECT_STREQ(CodeName(bad.error().code()), "invalid");
}

}  // namespace
}  // namespace beacon
