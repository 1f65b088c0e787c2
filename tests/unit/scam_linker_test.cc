// Campaign linking (src/scam/linker.h): shared identifiers, near-duplicate
// texts, merges, splits, pin-outs and re-linking, each explained.
#include <gtest/gtest.h>

#include "scam/linker.h"

namespace beacon::scam {
namespace {

using Index = Linker::Index;

class LinkerTest : public ::testing::Test {
 protected:
  Linker linker_{TextConfig{}};

  Linker::Added Add(std::vector<std::string> keys, std::string text = "") {
    std::vector<Linker::KeyId> ids;
    for (const auto& k : keys) ids.push_back(linker_.Intern(k));
    return linker_.Add(ids, text);
  }
  std::string Why(const Linker::Link& l) {
    if (l.reason == Linker::Reason::kIdentifier) {
      return std::to_string(l.report) + "-" + std::to_string(l.with) + " " + linker_.KeyText(l.key);
    }
    return std::to_string(l.report) + "-" + std::to_string(l.with) + " text";
  }
};

const char* kScript =
    "Hello this is the Social Security Administration your number has been suspended for "
    "suspicious activity press one to speak to an officer now";

TEST_F(LinkerTest, SharedIdentifiersLinkTransitively) {
  EXPECT_EQ(Add({"phone:+18333041447"}).campaign, 0u);
  EXPECT_EQ(Add({"domain:other.example"}).campaign, 1u);
  auto c = Add({"phone:+18333041447", "url:bit.ly/abc"});
  EXPECT_EQ(c.campaign, 0u);
  ASSERT_EQ(c.links.size(), 1u);
  EXPECT_EQ(Why(c.links[0]), "2-0 phone:+18333041447");
  auto d = Add({"url:bit.ly/abc"});
  EXPECT_EQ(d.campaign, 0u);
  EXPECT_EQ(Why(d.links[0]), "3-2 url:bit.ly/abc");
  EXPECT_EQ(linker_.Members(3), (std::vector<Index>{0, 2, 3}));
  EXPECT_EQ(linker_.Campaigns(), (std::vector<Index>{0, 1}));
  // Every member but the first is explained by a link to another member.
  EXPECT_EQ(linker_.CampaignLinks(0).size(), 2u);
}

TEST_F(LinkerTest, AReportThatSharesWithTwoCampaignsMergesThem) {
  Add({"phone:+1"});
  Add({"email:a@x.example"});
  Add({"phone:+1"});
  auto m = Add({"email:a@x.example", "phone:+1"});
  EXPECT_EQ(m.campaign, 0u);
  EXPECT_EQ(m.merged, std::vector<Index>{1});
  EXPECT_EQ(m.links.size(), 2u);
  EXPECT_EQ(linker_.CampaignSize(1), 4u);
  EXPECT_EQ(linker_.Campaigns(), std::vector<Index>{0});
}

TEST_F(LinkerTest, NearDuplicateTextsLinkDespiteADifferentCallbackNumber) {
  Add({"phone:+18336317911"}, std::string(kScript) + " call 833-631-7911");
  Add({}, "Completely different message about a parcel that could not be delivered today sorry");
  auto c = Add({"phone:+18552284781"}, std::string(kScript) + " call 855-228-4781");
  EXPECT_EQ(c.campaign, 0u);
  ASSERT_EQ(c.links.size(), 1u);
  EXPECT_EQ(c.links[0].reason, Linker::Reason::kText);
  EXPECT_EQ(c.links[0].with, 0u);
  EXPECT_FLOAT_EQ(c.links[0].similarity, 1.0f);
  EXPECT_EQ(linker_.CampaignOf(1), 1u);
}

TEST_F(LinkerTest, SplitKeepsTheSidesApartAndReLinksEachSide) {
  Add({"phone:+1"});                 // 0
  Add({"phone:+1", "domain:a.ex"});  // 1
  Add({"domain:a.ex"});              // 2
  Add({"domain:a.ex", "phone:+2"});  // 3
  ASSERT_EQ(linker_.CampaignSize(0), 4u);
  // The analyst: 0 and 1 are one campaign, 2 and 3 another (a.ex is a
  // compromised site both used).
  auto after = linker_.Separate({0, 1}, {2, 3});
  EXPECT_EQ(after, (std::vector<Index>{0, 2}));
  EXPECT_EQ(linker_.Members(0), (std::vector<Index>{0, 1}));
  EXPECT_EQ(linker_.Members(2), (std::vector<Index>{2, 3}));
  // A new report with both identifiers joins one side only, and says which
  // link was refused.
  auto e = Add({"domain:a.ex"});
  EXPECT_EQ(e.campaign, 0u) << "the first side its identifier points to";
  EXPECT_EQ(e.refused.size(), 1u);
  EXPECT_EQ(linker_.Members(2), (std::vector<Index>{2, 3}));
  // Later reports with phone:+2 join the second side.
  EXPECT_EQ(Add({"phone:+2"}).campaign, 2u);
}

TEST_F(LinkerTest, PinOutTakesOneReportOutAndTheRestStaysLinkedWhereItCan) {
  Add({"phone:+1"});                       // 0
  Add({"phone:+1", "url:bit.ly/shared"});  // 1: the wrong link
  Add({"url:bit.ly/shared", "phone:+3"});  // 2
  Add({"phone:+1"});                       // 3
  ASSERT_EQ(linker_.CampaignSize(0), 4u);
  auto rest = linker_.Members(0);
  rest.erase(std::find(rest.begin(), rest.end(), 1u));
  linker_.Separate({1}, rest);
  EXPECT_EQ(linker_.Members(1), (std::vector<Index>{1}));
  EXPECT_EQ(linker_.Members(0), (std::vector<Index>{0, 3}));
  EXPECT_EQ(linker_.Members(2), (std::vector<Index>{2})) << "2 was in the campaign only through 1";
  // Re-linking respects it: another report like 1 links to 1 only.
  auto again = Add({"phone:+1", "url:bit.ly/shared"});
  EXPECT_EQ(again.campaign, 0u);
  EXPECT_EQ(linker_.CampaignOf(1), 1u);
  EXPECT_FALSE(again.refused.empty());
}

TEST_F(LinkerTest, ReLinkAfterASeparationRebuildsTheExplanation) {
  Add({"k:a"}, kScript);  // 0
  Add({"k:b"}, kScript);  // 1 (text)
  Add({"k:a", "k:b"});    // 2
  ASSERT_EQ(linker_.CampaignSize(0), 3u);
  linker_.Separate({0}, {1});
  EXPECT_NE(linker_.CampaignOf(0), linker_.CampaignOf(1));
  EXPECT_EQ(linker_.CampaignOf(2), 0u) << "2 joins 0 first (arrival order), 1 is refused";
  for (const auto& l : linker_.CampaignLinks(0)) {
    EXPECT_EQ(linker_.CampaignOf(l.report), 0u);
    EXPECT_EQ(linker_.CampaignOf(l.with), 0u);
  }
  EXPECT_TRUE(linker_.CampaignLinks(1).empty());
}

TEST_F(LinkerTest, ManyReportsOnOneKeyStayCheap) {
  for (int i = 0; i < 20000; ++i) Add({"phone:+1", "n:" + std::to_string(i)});
  EXPECT_EQ(linker_.CampaignSize(0), 20000u);
  EXPECT_EQ(linker_.CampaignLinks(0).size(), 19999u);
  EXPECT_EQ(linker_.KeyReports(*linker_.FindKey("phone:+1")).size(), 20000u);
}

}  // namespace
}  // namespace beacon::scam
