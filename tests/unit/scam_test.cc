// The anti-scam desk's normalisers, text extraction and MinHash/LSH
// (src/scam/), on real inputs from ../shared/data/scam/ where they exist.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "history/csv_reader.h"
#include "scam/checksums.h"
#include "scam/config.h"
#include "scam/extract.h"
#include "scam/identifiers.h"
#include "scam/minhash.h"
#include "scam/report.h"

namespace beacon::scam {
namespace {

const std::string kData = "../shared/data/scam/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::shared_ptr<const Normaliser> MakeNormaliser(const std::string& region = "US") {
  std::string dir = std::string(BEACON_SOURCE_DIR) + "/config/scam/";
  NormaliserConfig c;
  c.default_region = region;
  auto hosts = ParseSharedHosts(ReadFile(dir + "shared_hosts.txt"));
  EXPECT_TRUE(hosts) << hosts.error().message();
  c.shared_hosts = *hosts;
  auto wallets = ParseWalletFormats(ReadFile(dir + "wallets.json"));
  EXPECT_TRUE(wallets) << wallets.error().message();
  c.wallets = *wallets;
  auto n = Normaliser::Create(c);
  EXPECT_TRUE(n) << n.error().message();
  return *n;
}

const Normaliser& Us() {
  static auto n = MakeNormaliser("US");
  return *n;
}

// ---- Phone numbers -------------------------------------------------------

TEST(ScamPhoneTest, NormalisesToE164AndFlagsInvalidNumbersWithoutGuessing) {
  auto ok = Us().Phone("(470) 335-2559", "p");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->value, "+14703352559");
  EXPECT_TRUE(ok->valid);
  EXPECT_EQ(Us().Phone("+1 470 335 2559", "p")->value, "+14703352559");
  EXPECT_EQ(Us().Phone("tel:+44 20 7946 0958", "p")->value, "+442079460958");
  // A number from the FTC file that no region can dial: kept as written.
  auto bad = Us().Phone("70611454600144", "p");
  ASSERT_TRUE(bad);
  EXPECT_FALSE(bad->valid);
  EXPECT_EQ(bad->value, "70611454600144");
  EXPECT_EQ(bad->Key(), "phone:70611454600144");
  // Blanks and junk are refused, naming the field.
  auto blank = Us().Phone("", "identifiers[0].value");
  ASSERT_FALSE(blank);
  EXPECT_EQ(blank.error().field(), "identifiers[0].value");
  EXPECT_FALSE(Us().Phone("call me <script>", "p"));
}

TEST(ScamPhoneTest, RegionDecidesNumbersWithoutCountryCode) {
  auto gb = MakeNormaliser("GB");
  EXPECT_EQ(gb->Phone("08452810075", "p")->value, "+448452810075");
  EXPECT_TRUE(gb->Phone("08452810075", "p")->valid);
  EXPECT_FALSE(Us().Phone("08452810075", "p")->valid);
  NormaliserConfig bad;
  bad.default_region = "XX";
  EXPECT_FALSE(Normaliser::Create(bad));
}

TEST(ScamPhoneTest, EveryNumberInTheFtcFileIsValidOrFlagged) {
  std::string text = ReadFile(kData + "ftc_dnc_complaint_numbers_2021-07-08.csv");
  ASSERT_FALSE(text.empty()) << "missing " << kData;
  history::CsvReader reader(text);
  history::CsvRecord rec;
  std::string err;
  int rows = 0, valid = 0, invalid = 0, blank = 0;
  bool header = true;
  std::set<std::string> invalid_examples;
  while (reader.Next(rec, err) != history::CsvReader::Result::kEnd) {
    if (header) {
      header = false;
      continue;
    }
    ++rows;
    const std::string& number = rec.fields.at(0);
    auto r = Us().Phone(number, "Company_Phone_Number");
    if (!r) {
      // Refused: blank, or fewer than 3 digits ("0", "na", "saidpress1").
      ++blank;
      EXPECT_LT(std::count_if(number.begin(), number.end(), ::isdigit), 3) << number;
      continue;
    }
    if (r->valid) {
      ++valid;
      EXPECT_EQ(r->value.rfind("+1", 0), 0u) << number;
      EXPECT_EQ(r->value.size(), 12u) << number;
    } else {
      ++invalid;
      invalid_examples.insert(r->value);
    }
  }
  EXPECT_EQ(rows, 14034);
  EXPECT_GE(blank, 669);  // the README's count of rows without a number, and junk
  EXPECT_LT(blank, 700);
  EXPECT_GT(valid, 12000);
  EXPECT_GT(invalid, 0);
  EXPECT_TRUE(invalid_examples.count("70611454600144"));
  // Kept as written and flagged, never guessed: a number with an extension
  // after ';', masked digits.
  EXPECT_TRUE(invalid_examples.count("8005078317;222"));
  EXPECT_TRUE(invalid_examples.count("781558****"));
}

// ---- URLs and domains ----------------------------------------------------

TEST(ScamUrlTest, ReducesToTheRegistrableDomainWithThePublicSuffixList) {
  auto r = Us().Url("http://nvmncercenow.com/Netflix.com/login/complete.php", "u");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].Key(), "url:nvmncercenow.com/Netflix.com/login/complete.php");
  EXPECT_EQ((*r)[1].Key(), "domain:nvmncercenow.com");
  // gitlab.io and co.in are public suffixes: the site is the registrable domain.
  EXPECT_EQ((*Us().Url("http://paypals-gift-cards-business.gitlab.io/paypal.com", "u"))[1].value,
            "paypals-gift-cards-business.gitlab.io");
  EXPECT_EQ((*Us().Url("https://kritieducation.co.in/wp-includes/x/", "u"))[1].value,
            "kritieducation.co.in");
  EXPECT_EQ((*Us().Url("HTTPS://WWW.Example.CO.UK./a?b=c#d", "u"))[0].value, "www.example.co.uk/a");
  EXPECT_EQ((*Us().Url("hxxp://evil[.]example[.]com/x", "u"))[1].value, "example.com");
  // user:password@ hides the real host.
  EXPECT_EQ((*Us().Url("http://paypal.com@evil.example.net/login", "u"))[1].value, "example.net");
  EXPECT_EQ((*Us().Url("http://210.127.253.247/x", "u"))[1].value, "210.127.253.247");
}

TEST(ScamUrlTest, SharedHostingKeepsHostAndPathPrefix) {
  auto g = Us().Url("https://sites.google.com/view/paypal-help/home?x=1", "u");
  ASSERT_TRUE(g);
  ASSERT_EQ(g->size(), 1u) << "google.com says nothing about who runs the page";
  EXPECT_EQ((*g)[0].value, "sites.google.com/view/paypal-help");
  EXPECT_EQ((*g)[0].note, "shared host");
  EXPECT_EQ((*Us().Url("https://1drv.ms/u/s!AkK6zQ/x", "u"))[0].value, "1drv.ms/u/s!AkK6zQ");
  EXPECT_EQ(
      (*Us().Url("https://forms.office.com/Pages/ResponsePage.aspx?id=AbC&x=1", "u"))[0].value,
      "forms.office.com/Pages/ResponsePage.aspx?id=AbC");
  auto sub = Us().Url("https://623112j4j3.codesandbox.io/login", "u");
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->back().Key(), "domain:623112j4j3.codesandbox.io");
}

TEST(ScamUrlTest, HostileUrlsAreRefused) {
  for (const char* hostile :
       {"javascript:alert(1)", "data:text/html,<script>", "file:///etc/passwd",
        "http://exa mple.com/", "http://example.com:99999/", "http://[::1", "http://",
        "http://-bad-.com/", "http://a..b.com/", "ftp://example.com/x", "http://e\x01vil.com/"}) {
    SCOPED_TRACE(hostile);
    auto r = Us().Url(hostile, "identifiers[0].value");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), Code::kInvalid);
    EXPECT_EQ(r.error().field(), "identifiers[0].value");
  }
  EXPECT_FALSE(Us().Url(std::string(5000, 'a') + ".com", "u"));
  EXPECT_FALSE(Us().Url(std::string(300, 'a') + ".com", "u"));
}

TEST(ScamUrlTest, EveryPhishTankUrlIsReadOrRefusedWithAMessage) {
  std::string text = ReadFile(kData + "phishtank_online-valid_2019-05-15.csv");
  ASSERT_FALSE(text.empty());
  history::CsvReader reader(text);
  history::CsvRecord rec;
  std::string err;
  int rows = 0, read = 0;
  bool header = true;
  std::set<std::string> hosts;
  while (reader.Next(rec, err) != history::CsvReader::Result::kEnd) {
    if (header) {
      header = false;
      continue;
    }
    ++rows;
    auto r = Us().Url(rec.fields.at(1), "url");
    if (r) {
      ++read;
      hosts.insert(r->front().value.substr(0, r->front().value.find('/')));
    } else {
      EXPECT_FALSE(r.error().message().empty());
    }
  }
  EXPECT_EQ(rows, 14442);
  EXPECT_GT(read, rows * 99 / 100);
  EXPECT_GT(hosts.size(), 8000u);
}

// ---- E-mail, wallets, IBAN, accounts -------------------------------------

TEST(ScamIdentifierTest, Email) {
  EXPECT_EQ(Us().Email("mailto:<Support@PayPal-Help.Example.COM>", "e")->value,
            "support@paypal-help.example.com");
  EXPECT_FALSE(Us().Email("no-at-sign", "e"));
  EXPECT_FALSE(Us().Email("a@b", "e"));
  EXPECT_FALSE(Us().Email("a b@example.com", "e"));
}

TEST(ScamIdentifierTest, WalletsNeedTheirChecksum) {
  auto genesis = Us().Wallet("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "w");
  ASSERT_TRUE(genesis);
  EXPECT_EQ(genesis->note, "bitcoin");
  EXPECT_TRUE(Us().Wallet("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "w"));
  EXPECT_FALSE(Us().Wallet("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "w")) << "one character changed";
  EXPECT_EQ(Us().Wallet("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "w")->value,
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
  EXPECT_TRUE(Us().Wallet("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
                          "w"));  // BIP 350
  EXPECT_FALSE(Us().Wallet("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "w"));
  auto eth = Us().Wallet("0x52908400098527886E0F7030069857D2E4169EE7", "w");
  ASSERT_TRUE(eth);
  EXPECT_EQ(eth->value, "0x52908400098527886e0f7030069857d2e4169ee7");
  EXPECT_EQ(eth->note, "ethereum");
  EXPECT_EQ(Us().Wallet("bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=1", "w")->value,
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
  EXPECT_EQ(Us().Wallet("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "w")->note, "xrp");
  EXPECT_FALSE(Us().Wallet("hello", "w"));
}

TEST(ScamIdentifierTest, IbanMod97) {
  EXPECT_EQ(Us().Iban("GB82 WEST 1234 5698 7654 32", "i")->value, "GB82WEST12345698765432");
  EXPECT_TRUE(Us().Iban("de89370400440532013000", "i"));
  auto bad = Us().Iban("GB82 WEST 1234 5698 7654 33", "identifiers[2].value");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("mod-97"), std::string::npos);
  EXPECT_EQ(bad.error().field(), "identifiers[2].value");
  EXPECT_FALSE(Us().Iban("GB82 WEST 1234", "i"));
  EXPECT_FALSE(Us().Iban("ZZ82WEST12345698765432", "i"));
  EXPECT_EQ(Us().Account("12-34-56 12345678", "a")->value, "12345612345678");
}

// ---- Text extraction -----------------------------------------------------

std::vector<std::string> Keys(std::string_view text, const Normaliser& n = Us()) {
  std::vector<std::string> out;
  for (const auto& x : ExtractIdentifiers(text, n)) {
    out.push_back(x.id.Key() + (x.id.valid ? "" : "?") + (x.spoken ? "~" : ""));
  }
  return out;
}

TEST(ScamExtractTest, SpokenNumbers) {
  std::string t =
      "For more information call us back at eight three three, three oh four, one four four "
      "seven. Thank you.";
  auto found = ExtractIdentifiers(t, Us());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id.value, "+18333041447");
  EXPECT_TRUE(found[0].spoken);
  EXPECT_EQ(t.substr(found[0].begin, found[0].end - found[0].begin),
            "eight three three, three oh four, one four four seven");
  EXPECT_EQ(Keys("call one eight hundred, five five five, oh one nine nine"),
            std::vector<std::string>{"phone:+18005550199~"});
  EXPECT_EQ(Keys("dial eight double five, two one two, three four five six now"),
            std::vector<std::string>{"phone:+18552123456~"});
  EXPECT_EQ(Keys("press two, eight three three three oh four one four four seven"),
            std::vector<std::string>{"phone:+18333041447~"})
      << "a leading word that breaks the number is dropped, never a digit";
  EXPECT_TRUE(Keys("press one to speak to an agent or two to hang up").empty());
  EXPECT_TRUE(Keys("one two three four five six seven eight").empty()) << "not a valid number";
}

TEST(ScamExtractTest, TheSpokenNumberInTheRobocallTranscripts) {
  std::string text = ReadFile(kData + "robocall_transcripts_metadata.csv");
  ASSERT_FALSE(text.empty());
  size_t at = text.find("eight three three three zero four one four four seven");
  ASSERT_NE(at, std::string::npos);
  size_t begin = text.rfind('\n', at) + 1;
  std::string line = text.substr(begin, text.find('\n', at) - begin);
  bool found = false;
  for (const auto& x : ExtractIdentifiers(line, Us())) {
    found = found || (x.spoken && x.id.value == "+18333041447");
  }
  EXPECT_TRUE(found) << line;
}

TEST(ScamExtractTest, WrittenNumbersUrlsAndEmails) {
  EXPECT_EQ(Keys("please call us on our toll-free number, 315-232-8257. Thank you."),
            std::vector<std::string>{"phone:+13152328257"});
  EXPECT_EQ(Keys("Call 833-631-7911 833-631-7911 now"),
            (std::vector<std::string>{"phone:+18336317911", "phone:+18336317911"}));
  EXPECT_TRUE(Keys("The amount of $1,537.35 will be charged on 2021-07-07").empty());
  EXPECT_TRUE(Keys("order number AMZ0987123456 placed").empty());
  // UCI SMS spam is British: invalid in the US but a flagged run of digits.
  auto gb = MakeNormaliser("GB");
  EXPECT_EQ(Keys("Call The Mobile Update Co FREE on 08002986030", *gb),
            std::vector<std::string>{"phone:+448002986030"});
  EXPECT_EQ(Keys("txt 08452810075over18's", *gb), std::vector<std::string>{"phone:+448452810075"});
  EXPECT_EQ(Keys("To claim call 09061701461."), std::vector<std::string>{"phone:09061701461?"});
  EXPECT_EQ(Keys("refund. smsg.io/fCVbD"), std::vector<std::string>{"url:smsg.io/fCVbD"});
  EXPECT_EQ(Keys("BankOfAmerica Alert. Please follow http://bit.do/cgjK-and re-activate"),
            std::vector<std::string>{"url:bit.do/cgjK-and"});
  EXPECT_EQ(Keys("Visit www.paypal-secure.example.com/login, or write to help@paypal-sec.example"),
            (std::vector<std::string>{"url:www.paypal-secure.example.com/login",
                                      "domain:example.com", "email:help@paypal-sec.example"}));
  EXPECT_TRUE(Keys("Reply now.Call us i.e. soon, e.g. today").empty());
}

TEST(ScamExtractTest, WalletsAndIbansInText) {
  EXPECT_EQ(Keys("send 0.1 BTC to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa today"),
            std::vector<std::string>{"wallet:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"});
  EXPECT_EQ(Keys("pay into GB82 WEST 1234 5698 7654 32 by Friday"),
            std::vector<std::string>{"iban:GB82WEST12345698765432"});
  EXPECT_TRUE(Keys("pay into GB82 WEST 1234 5698 7654 33 by Friday").empty());
}

TEST(ScamExtractTest, SpansPointIntoTheText) {
  std::string t = "Win £900! Call 09061701461 or visit http://win.example.com/now";
  for (const auto& x : ExtractIdentifiers(t, Us())) {
    ASSERT_LE(x.end, t.size());
    ASSERT_LT(x.begin, x.end);
  }
}

// ---- Report bodies -------------------------------------------------------

TEST(ScamReportTest, ReadsAndPreparesAReport) {
  nlohmann::json j = {{"channel", "sms"},
                      {"text",
                       "Your parcel is held. Pay at http://parcel-fee.example.com/x or "
                       "call 315-232-8257"},
                      {"identifiers",
                       {{{"kind", "phone"}, {"value", "(315) 232-8257"}},
                        {{"kind", "iban"}, {"value", "GB82 WEST 1234 5698 7654 32"}}}},
                      {"loss", {{"amount", 120.5}, {"currency", "USD"}}},
                      {"reporter", {{"name", "A. Reporter"}, {"phone", "+1 415 555 0100"}}}};
  auto in = ReadReport(j, "");
  ASSERT_TRUE(in) << in.error().message();
  auto ids = PrepareIdentifiers(*in, Us(), "");
  ASSERT_TRUE(ids) << ids.error().message();
  std::vector<std::string> keys;
  for (const auto& r : *ids) keys.push_back(r.id.Key() + (r.from_text ? "@text" : ""));
  EXPECT_EQ(keys, (std::vector<std::string>{"phone:+13152328257", "iban:GB82WEST12345698765432",
                                            "url:parcel-fee.example.com/x@text",
                                            "domain:example.com@text"}));
}

TEST(ScamReportTest, RefusesBadReportsNamingTheField) {
  auto field = [](nlohmann::json j, const std::string& path = "") {
    auto r = ReadReport(j, path);
    if (r) {
      auto ids = PrepareIdentifiers(*r, Us(), path);
      return ids ? std::string("ok") : ids.error().field();
    }
    return r.error().field();
  };
  EXPECT_EQ(field({{"channel", "fax"}, {"text", "x"}}), "channel");
  EXPECT_EQ(field({{"channel", "sms"}}), "text");
  EXPECT_EQ(field({{"channel", "sms"}, {"identifiers", {{{"kind", "pager"}, {"value", "1"}}}}}),
            "identifiers[0].kind");
  EXPECT_EQ(field({{"channel", "sms"},
                   {"identifiers", {{{"kind", "iban"}, {"value", "GB82WEST12345698765433"}}}}}),
            "identifiers[0].value");
  nlohmann::json many = nlohmann::json::array();
  for (int i = 0; i < 10000; ++i) many.push_back({{"kind", "phone"}, {"value", "4155550100"}});
  EXPECT_EQ(field({{"channel", "sms"}, {"identifiers", many}}), "identifiers");
  EXPECT_EQ(field({{"channel", "sms"}, {"text", std::string(kMaxText + 1, 'a')}}), "text");
  EXPECT_EQ(
      field({{"channel", "sms"}, {"text", "x"}, {"loss", {{"amount", -1}, {"currency", "USD"}}}},
            "reports[4]"),
      "reports[4].loss.amount");
  EXPECT_EQ(field({{"channel", "sms"}, {"text", "x"}, {"extra", 1}}), "extra");
}

// ---- MinHash and LSH -----------------------------------------------------

TEST(ScamTextTest, NumbersAndUrlsAreMaskedSoAChangedNumberKeepsTheScript) {
  auto a = NormalisedWords("Call 833-631-7911 now! Visit http://a.example.com/x, don't wait");
  EXPECT_EQ(a, (std::vector<std::string>{"call", "#", "now", "visit", "<url>", "dont", "wait"}));
  TextConfig c;
  auto x =
      Shingles("Your Amazon order of an iPhone 11 Pro was placed, call 833-631-7911 to cancel", c);
  auto y =
      Shingles("Your Amazon order of an iPhone 12 Pro was placed, call 855-228-4781 to cancel", c);
  EXPECT_DOUBLE_EQ(Jaccard(x, y), 1.0);
  EXPECT_TRUE(Shingles("call me back", c).empty()) << "shorter than min_tokens";
}

TEST(ScamTextTest, TheConfiguredParametersGiveRecallAtLeast95PercentAtTheThreshold) {
  std::string text = ReadFile(std::string(BEACON_SOURCE_DIR) + "/config/scam/desk.json");
  auto c = ParseDeskConfig(text);
  ASSERT_TRUE(c) << c.error().message();
  // 1 - (1 - 0.5^3)^24 = 0.9594
  EXPECT_GE(c->RecallAtThreshold(), 0.95);
  EXPECT_NEAR(LshCandidateProbability(0.5, 24, 3), 0.9594, 1e-4);
}

// Random texts with a controlled overlap: LSH must find at least 95% of
// the pairs whose exact Jaccard is at the threshold (as the bound from the
// parameters says), and almost none far below it.
TEST(ScamTextTest, LshRecallAgainstExactJaccardOnRandomTexts) {
  TextConfig c;  // the defaults are those of config/scam/desk.json
  MinHasher hasher(c);
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int> word(0, 49999);
  // Words of letters only (a word with a digit would be masked as "#").
  auto letters = [](int v) {
    std::string s = "w";
    for (; v > 0; v /= 26) s += static_cast<char>('a' + v % 26);
    return s;
  };
  auto random_text = [&](int n) {
    std::vector<std::string> w;
    for (int i = 0; i < n; ++i) w.push_back(letters(word(rng)));
    return w;
  };
  auto join = [](const std::vector<std::string>& w) {
    std::string s;
    for (const auto& x : w) s += x + " ";
    return s;
  };
  int at_threshold = 0, found_at = 0, low = 0, found_low = 0;
  std::vector<std::uint32_t> ka, kb;
  for (int trial = 0; trial < 20000; ++trial) {
    auto a = random_text(40);
    auto b = a;
    // Replace a random number of words: Jaccard from about 0.05 to 1.
    int changes = std::uniform_int_distribution<int>(0, 14)(rng);
    for (int i = 0; i < changes; ++i) {
      b[std::uniform_int_distribution<int>(0, 39)(rng)] = "x" + letters(word(rng));
    }
    auto sa = Shingles(join(a), c), sb = Shingles(join(b), c);
    double j = Jaccard(sa, sb);
    hasher.BandKeys(sa, ka);
    hasher.BandKeys(sb, kb);
    bool candidate = false;
    for (int band = 0; band < c.bands; ++band) candidate = candidate || ka[band] == kb[band];
    if (j >= c.threshold && j < c.threshold + 0.05) {
      ++at_threshold;
      found_at += candidate;
    }
    if (j < 0.2) {
      ++low;
      found_low += candidate;
    }
  }
  ASSERT_GT(at_threshold, 500);
  ASSERT_GT(low, 500);
  double recall = static_cast<double>(found_at) / at_threshold;
  double bound = LshCandidateProbability(c.threshold, c.bands, c.rows);
  EXPECT_GE(bound, 0.95);
  EXPECT_GE(recall, 0.95) << found_at << "/" << at_threshold << " (bound " << bound << ")";
  // Pairs far below the threshold rarely become candidates (and are then
  // refused by the exact Jaccard anyway).
  EXPECT_LT(static_cast<double>(found_low) / low,
            LshCandidateProbability(0.2, c.bands, c.rows) + 0.05);
}

TEST(ScamTextTest, BucketIndexKeepsNewestFirst) {
  BucketIndex idx(2);
  for (std::uint32_t i = 0; i < 5000; ++i) idx.Insert(i % 2, 1 + i % 7, i);
  std::vector<std::uint32_t> seen;
  idx.ForEach(0, 1 + 4998 % 7, 3, [&](std::uint32_t x) { seen.push_back(x); });
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], 4998u);
  EXPECT_GT(seen[0], seen[1]);
}

}  // namespace
}  // namespace beacon::scam
