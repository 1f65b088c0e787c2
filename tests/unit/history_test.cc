// The history module: the RFC 4180 reader, timestamps and time zones
// (checked against the C library's tz database across DST boundaries), the
// format mapping, and the corrupt-CSV goldens in tests/golden/history/.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "history/csv_reader.h"
#include "history/format.h"
#include "history/history.h"
#include "history/time_zone.h"

namespace beacon::history {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Format SfFire() {
  auto f = Format::Load(std::string(BEACON_SOURCE_DIR) + "/config/formats/sf-fire.json");
  EXPECT_TRUE(f.has_value()) << f.error().message();
  return *f;
}

struct Read {
  std::vector<std::vector<std::string>> records;
  std::vector<std::int64_t> lines;
  std::vector<std::string> errors;
};

Read ReadAll(std::string_view text) {
  CsvReader r(text);
  CsvRecord rec;
  std::string err;
  Read out;
  for (int guard = 0; guard < 1000; ++guard) {
    auto res = r.Next(rec, err);
    if (res == CsvReader::Result::kEnd) break;
    if (res == CsvReader::Result::kError) {
      out.errors.push_back(err);
      continue;
    }
    out.records.push_back(rec.fields);
    out.lines.push_back(rec.line);
  }
  return out;
}

using Fields = std::vector<std::string>;

TEST(CsvReader, PlainQuotedAndEmpty) {
  auto r = ReadAll("a,b,c\n1,\"x, y\",\n\"he said \"\"hi\"\"\",,z\n");
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[1], (Fields{"1", "x, y", ""}));
  EXPECT_EQ(r.records[2], (Fields{"he said \"hi\"", "", "z"}));
  EXPECT_EQ(r.lines, (std::vector<std::int64_t>{1, 2, 3}));
}

TEST(CsvReader, EmbeddedNewlinesKeepLineNumbers) {
  auto r = ReadAll("h1,h2\n\"two\nlines\",x\nnext,row\n");
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[1], (Fields{"two\nlines", "x"}));
  EXPECT_EQ(r.lines[2], 4);  // the record after a two-line record starts on line 4
}

TEST(CsvReader, CrlfBomBlankLinesAndNoFinalNewline) {
  auto r = ReadAll("\xEF\xBB\xBFh1,h2\r\n\r\n1,2\r\n\"q\r\nq\",3");
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[0], (Fields{"h1", "h2"}));
  EXPECT_EQ(r.records[1], (Fields{"1", "2"}));
  EXPECT_EQ(r.lines[1], 3);
  EXPECT_EQ(r.records[2], (Fields{"q\r\nq", "3"}));
}

TEST(CsvReader, TrailingCommaIsAnEmptyField) {
  auto r = ReadAll("a,b,");
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0], (Fields{"a", "b", ""}));
}

TEST(CsvReader, TruncatedQuotedLastRecordNamesItsLine) {
  auto r = ReadAll("h1,h2\nok,1\nbad,\"(37.7, -122.4");
  ASSERT_EQ(r.records.size(), 2u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("line 3:"), std::string::npos) << r.errors[0];
  EXPECT_NE(r.errors[0].find("not closed"), std::string::npos) << r.errors[0];
}

TEST(CsvReader, TextAfterClosingQuoteIsAnErrorAndReadingGoesOn) {
  auto r = ReadAll("h\n\"abc\"x,1\nfine,2\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("line 2:"), std::string::npos) << r.errors[0];
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[1], (Fields{"fine", "2"}));
  EXPECT_EQ(r.lines[1], 3);
}

TEST(CsvReader, QuoteInsideUnquotedFieldIsData) {
  auto r = ReadAll("5\" pipe,x\n");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_EQ(r.records[0], (Fields{"5\" pipe", "x"}));
}

TEST(TimestampFormat, TwelveHourClock) {
  auto f = TimestampFormat::Parse("%m/%d/%Y %I:%M:%S %p");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->Read("04/07/2020 11:53:08 PM"), CivilSeconds(2020, 4, 7, 23, 53, 8));
  EXPECT_EQ(f->Read("04/08/2020 12:00:00 AM"), CivilSeconds(2020, 4, 8, 0, 0, 0));
  EXPECT_EQ(f->Read("04/08/2020 12:30:00 PM"), CivilSeconds(2020, 4, 8, 12, 30, 0));
  EXPECT_EQ(f->Read("02/29/2020 01:00:00 am"), CivilSeconds(2020, 2, 29, 1, 0, 0));
  for (const char* bad :
       {"13/07/2020 11:53:08 PM", "02/30/2020 11:53:08 PM", "02/29/2019 11:53:08 PM",
        "04/07/2020 11:53:08", "04/07/2020 13:53:08 PM", "04/07/2020 00:53:08 PM",
        "04/07/2020 11:60:08 PM", "04/07/2020 11:53:08 PMX", "", "2020-04-07T23:53:08Z"}) {
    EXPECT_FALSE(f->Read(bad).has_value()) << bad;
  }
  EXPECT_FALSE(TimestampFormat::Parse("%Y-%j").has_value());
}

TEST(TimeZone, DstBoundariesOfLosAngeles2020) {
  auto z = TimeZoneRule::Parse("PST8PDT,M3.2.0,M11.1.0");
  ASSERT_TRUE(z.has_value()) << z.error().message();
  auto utc = [&](int mo, int d, int h, int mi) {
    return FormatRfc3339(z->ToUtc(CivilSeconds(2020, mo, d, h, mi, 0)));
  };
  // Spring forward on Sunday 8 March 2020 at 02:00 PST.
  EXPECT_EQ(utc(3, 8, 1, 59), "2020-03-08T09:59:00.000Z");
  EXPECT_EQ(utc(3, 8, 2, 30), "2020-03-08T10:30:00.000Z");  // skipped hour: read as PST
  EXPECT_EQ(utc(3, 8, 3, 0), "2020-03-08T10:00:00.000Z");
  // The data's first call: 04/07/2020 11:53:08 PM PDT.
  EXPECT_EQ(FormatRfc3339(z->ToUtc(CivilSeconds(2020, 4, 7, 23, 53, 8))),
            "2020-04-08T06:53:08.000Z");
  // Fall back on Sunday 1 November 2020 at 02:00 PDT: 01:xx happens twice.
  EXPECT_EQ(utc(11, 1, 0, 59), "2020-11-01T07:59:00.000Z");
  EXPECT_EQ(utc(11, 1, 1, 30), "2020-11-01T08:30:00.000Z");  // first pass (PDT)
  EXPECT_EQ(utc(11, 1, 2, 0), "2020-11-01T10:00:00.000Z");
  EXPECT_EQ(z->OffsetAt(*ParseRfc3339("2020-04-08T06:53:08Z")), -7 * 3600);
  EXPECT_EQ(z->OffsetAt(*ParseRfc3339("2020-11-01T09:30:00Z")), -8 * 3600);  // second pass
  EXPECT_EQ(z->OffsetAt(*ParseRfc3339("2020-01-15T12:00:00Z")), -8 * 3600);
}

// Every hour of 2019-2021 against the C library reading the system's tz
// database (an independent implementation), where the database has the zone.
TEST(TimeZone, MatchesTheSystemTzDatabase) {
  if (!std::filesystem::exists("/usr/share/zoneinfo/America/Los_Angeles")) {
    GTEST_SKIP() << "no /usr/share/zoneinfo (tzdata)";
  }
  auto z = TimeZoneRule::Parse("PST8PDT,M3.2.0,M11.1.0");
  ASSERT_TRUE(z.has_value());
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  ::setenv("TZ", "America/Los_Angeles", 1);
  ::tzset();
  int checked = 0;
  for (std::int64_t t = *ParseRfc3339("2019-01-01T00:00:00Z") / 1000;
       t < *ParseRfc3339("2022-01-01T00:00:00Z") / 1000; t += 1800) {
    std::time_t tt = t;
    std::tm local{};
    ::localtime_r(&tt, &local);
    ASSERT_EQ(z->OffsetAt(t * 1000), local.tm_gmtoff) << t;
    std::int64_t civil = CivilSeconds(local.tm_year + 1900, local.tm_mon + 1, local.tm_mday,
                                      local.tm_hour, local.tm_min, local.tm_sec);
    // Wall times are ambiguous only in the repeated hour; there the rule picks daylight time.
    if (local.tm_isdst == 0 && z->ToUtc(civil) != t * 1000) {
      ASSERT_EQ(z->ToUtc(civil), (t - 3600) * 1000) << "only the repeated hour may differ: " << t;
      continue;
    }
    ASSERT_EQ(z->ToUtc(civil), t * 1000) << t;
    ++checked;
  }
  if (old)
    ::setenv("TZ", saved.c_str(), 1);
  else
    ::unsetenv("TZ");
  ::tzset();
  EXPECT_GT(checked, 50000);
}

TEST(TimeZone, BadRulesAreRefused) {
  for (const char* bad : {"", "P8", "PST", "PST8PDT,M3.2.0", "PST8PDT,J60,J300",
                          "PST8PDT,M13.1.0,M11.1.0", "PST8PDT,M3.2.0,M11.1.0,extra"}) {
    EXPECT_FALSE(TimeZoneRule::Parse(bad).has_value()) << bad;
  }
  EXPECT_TRUE(TimeZoneRule::Parse("UTC0").has_value());
  EXPECT_TRUE(TimeZoneRule::Parse("AEST-10AEDT,M10.1.0,M4.1.0/3").has_value());
}

TEST(TimeZone, SouthernHemisphere) {
  auto z = TimeZoneRule::Parse("AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(z.has_value());
  // 15 January 2020 is summer (AEDT, +11); 15 July is winter (AEST, +10).
  EXPECT_EQ(FormatRfc3339(z->ToUtc(CivilSeconds(2020, 1, 15, 12, 0, 0))),
            "2020-01-15T01:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(z->ToUtc(CivilSeconds(2020, 7, 15, 12, 0, 0))),
            "2020-07-15T02:00:00.000Z");
}

TEST(Format, ShippedSfFireParses) {
  Format f = SfFire();
  EXPECT_EQ(f.name(), "sf-fire");
  EXPECT_EQ(f.column(Field::kReceived), "Received DtTm");
  EXPECT_EQ(f.IncidentType("Structure Fire").first, "STRUCTURE_FIRE");
  EXPECT_TRUE(f.IncidentType("Something New").second);  // defaulted
  EXPECT_EQ(f.UnitType("ENGINE"), "engine");
  bool listed = false;
  EXPECT_FALSE(f.UnitType("SUPPORT", &listed).has_value());
  EXPECT_TRUE(listed);
  EXPECT_EQ(f.StationFromUnitId("E09"), "9");
  EXPECT_EQ(f.StationFromUnitId("T48"), "48");
  EXPECT_EQ(f.StationFromUnitId("85"), "");
  EXPECT_EQ(f.StationFromName("San Francisco Fire Station 4"), "4");
}

TEST(Format, ErrorsNameTheKey) {
  auto f = Format::Parse(R"({"format":"x","columns":{"recieved":"R"}})");
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().field(), "columns.recieved");
  EXPECT_NE(f.error().message().find("valid fields"), std::string::npos);
  f = Format::Parse(R"({"format":"x","columns":{"call_id":"C"}})");
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().field(), "columns.unit_id");
  EXPECT_FALSE(Format::Parse("[1]").has_value());
  EXPECT_FALSE(Format::Parse("{").has_value());
}

TEST(History, UnitsGetStationsFromIdOrArea) {
  Format f = SfFire();
  std::string csv = Slurp(std::string(BEACON_SOURCE_DIR) + "/tests/golden/history/corrupt_sf.csv");
  auto h = ReadHistory(csv, f);
  ASSERT_TRUE(h.has_value()) << h.error().message();
  ASSERT_TRUE(h->units.count("E32"));
  EXPECT_EQ(h->units.at("E32").station, "32");
  EXPECT_EQ(h->units.at("E32").station_from, "unit_id");
  EXPECT_EQ(h->units.at("E09").station, "9");
  // The calls are sorted by received time; times are UTC.
  ASSERT_FALSE(h->calls.empty());
  EXPECT_EQ(FormatRfc3339(h->calls.front().received_at), "2020-04-08T06:53:08.000Z");
  EXPECT_EQ(h->calls.front().incident_type, "MEDICAL");
}

TEST(History, MissingRequiredColumnIsFatalAndNamed) {
  auto h = ReadHistory("Call Number,Unit ID\n1,E1\n", SfFire());
  ASSERT_FALSE(h.has_value());
  EXPECT_NE(h.error().message().find("line 1"), std::string::npos) << h.error().message();
  EXPECT_NE(h.error().message().find("Unit Type"), std::string::npos) << h.error().message();
  EXPECT_FALSE(ReadHistory("", SfFire()).has_value());
}

// Another city's export needs only a mapping file: here separate lat/lon
// columns, 24-hour ISO-like times in Central European time, no sequence or
// incident group, semicolons inside quoted text.
TEST(History, AnotherCityNeedsOnlyAMappingFile) {
  auto f = Format::Parse(R"({
    "format": "example-eu",
    "columns": {"call_id": "id", "unit_id": "unit", "unit_type": "kind", "call_type": "what",
                "received": "t_call", "dispatched": "t_alarm", "en_route": "t_out",
                "on_scene": "t_arrive", "available": "t_free", "lat": "y", "lon": "x"},
    "timestamp_format": "%Y-%m-%d %H:%M:%S",
    "time_zone": "Europe/Berlin",
    "tz_rule": "CET-1CEST,M3.5.0,M10.5.0/3",
    "call_types": {"Brand": "STRUCTURE_FIRE", "RD": "MEDICAL"},
    "default_incident_type": "PUBLIC_SERVICE",
    "unit_types": {"HLF": "engine", "RTW": "medic"}
  })");
  ASSERT_TRUE(f.has_value()) << f.error().message();
  std::string csv =
      "id,unit,kind,what,t_call,t_alarm,t_out,t_arrive,t_free,y,x\n"
      "7,HLF 1,HLF,Brand,2021-03-28 01:59:00,2021-03-28 02:01:00,2021-03-28 03:02:00,"
      "2021-03-28 03:09:00,2021-03-28 04:00:00,52.52,13.40\n"
      "7,RTW 3,RTW,Brand,2021-03-28 01:59:00,2021-03-28 03:03:00,,,2021-03-28 "
      "03:30:00,52.52,13.40\n"
      "8,RTW 3,RTW,\"RD; Sturz\",2021-10-31 02:30:00,2021-10-31 02:31:00,,,,52.5,13.3\n";
  auto h = ReadHistory(csv, *f);
  ASSERT_TRUE(h.has_value()) << h.error().message();
  EXPECT_TRUE(h->skipped.empty());
  ASSERT_EQ(h->calls.size(), 2u);
  // 01:59 CET is 00:59Z; 02:01 falls in the skipped hour and reads as CET (01:01Z).
  EXPECT_EQ(FormatRfc3339(h->calls[0].received_at), "2021-03-28T00:59:00.000Z");
  EXPECT_EQ(FormatRfc3339(h->calls[0].units[0].dispatched_at), "2021-03-28T01:01:00.000Z");
  EXPECT_EQ(FormatRfc3339(*h->calls[0].units[0].en_route_at), "2021-03-28T01:02:00.000Z");
  EXPECT_EQ(h->calls[0].incident_type, "STRUCTURE_FIRE");
  EXPECT_EQ(h->calls[0].units.size(), 2u);
  // 02:30 on the last Sunday of October happens twice: the first (CEST) is taken.
  EXPECT_EQ(FormatRfc3339(h->calls[1].received_at), "2021-10-31T00:30:00.000Z");
  EXPECT_EQ(h->calls[1].incident_type, "PUBLIC_SERVICE");  // "RD; Sturz" is not listed
  EXPECT_EQ(h->defaulted_call_types.at("RD; Sturz"), 1);
  EXPECT_EQ(h->units.at("HLF 1").unit_type, "engine");
  EXPECT_EQ(h->units.at("HLF 1").station, "");  // no unit_station rule
  EXPECT_EQ(h->missing_columns.size(), 0u);
}

// Goldens: tests/golden/history/<case>.csv (read with sf-fire) and
// <case>.expected.json: row and call counts and every skipped row's line,
// reason and message. Adding a case needs no C++.
TEST(History, Goldens) {
  Format f = SfFire();
  std::string dir = std::string(BEACON_SOURCE_DIR) + "/tests/golden/history";
  int cases = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".csv") continue;
    ++cases;
    std::string name = e.path().stem().string();
    SCOPED_TRACE(name);
    auto expected = nlohmann::json::parse(Slurp(dir + "/" + name + ".expected.json"));
    auto h = ReadHistory(Slurp(e.path().string()), f);
    ASSERT_TRUE(h.has_value()) << h.error().message();
    nlohmann::json skipped = nlohmann::json::array();
    for (const auto& s : h->skipped) {
      skipped.push_back({{"line", s.line}, {"reason", s.reason}, {"message", s.message}});
    }
    nlohmann::json got = {{"rows", h->rows},
                          {"rows_used", h->rows_used},
                          {"calls", h->calls.size()},
                          {"skipped", skipped}};
    EXPECT_EQ(got, expected) << "got: " << got.dump(2);
    EXPECT_EQ(h->rows, h->rows_used + static_cast<std::int64_t>(h->skipped.size()));
  }
  EXPECT_GT(cases, 0);
}

}  // namespace
}  // namespace beacon::history
