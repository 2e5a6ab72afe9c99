// The audit sample procedure provledger-sample/v1 (docs/reports.md §4).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "provledger/encoding.h"
#include "provledger/report.h"
#include "provledger/sha256.h"

namespace provledger::report {
namespace {

const std::string kSeed = Sha256("a checkpoint's root hash");

TEST(DrawSampleTest, FollowsTheDocumentedDefinition) {
  // Draw j is SHA-256("provledger-sample/v1\n" || seed || u64be(j)), its
  // first 8 bytes big-endian, modulo the population (repeats skipped).
  const uint64_t population = 1000003;
  std::vector<uint64_t> expected;
  std::set<uint64_t> seen;
  const uint64_t reject_below = (0 - population) % population;
  for (uint64_t j = 0; expected.size() < 50; ++j) {
    std::string h = Sha256("provledger-sample/v1\n" + kSeed + U64BE(j));
    uint64_t x = ReadU64BE(h.data());
    if (x < reject_below) continue;
    if (seen.insert(x % population).second) expected.push_back(x % population);
  }
  EXPECT_EQ(DrawSample(kSeed, population, 50), expected);
}

TEST(DrawSampleTest, IsAPrefixStableDistinctDraw) {
  std::vector<uint64_t> ten = DrawSample(kSeed, 500, 10);
  std::vector<uint64_t> hundred = DrawSample(kSeed, 500, 100);
  ASSERT_EQ(ten.size(), 10u);
  ASSERT_EQ(hundred.size(), 100u);
  EXPECT_TRUE(std::equal(ten.begin(), ten.end(), hundred.begin()));
  EXPECT_EQ(std::set<uint64_t>(hundred.begin(), hundred.end()).size(), 100u);
  for (uint64_t p : hundred) EXPECT_LT(p, 500u);
  // Another seed, another sample.
  EXPECT_NE(DrawSample(Sha256("another root"), 500, 10), ten);
}

TEST(DrawSampleTest, DrawsEveryPositionOfASmallPopulation) {
  std::vector<uint64_t> all = DrawSample(kSeed, 37, 8000);
  ASSERT_EQ(all.size(), 37u);
  EXPECT_EQ(std::set<uint64_t>(all.begin(), all.end()).size(), 37u);
  EXPECT_TRUE(DrawSample(kSeed, 0, 10).empty());
  EXPECT_TRUE(DrawSample(kSeed, 10, 0).empty());
}

TEST(DrawSampleTest, FirstDrawsAreUniformOverPositions) {
  // The first draw over 4 positions, across 4,000 seeds: each position
  // about 1,000 times (a chi-square bound far beyond chance, 3 dof).
  std::map<uint64_t, int> counts;
  for (int s = 0; s < 4000; ++s) counts[DrawSample(Sha256(std::to_string(s)), 4, 1)[0]]++;
  double chi2 = 0;
  for (uint64_t p = 0; p < 4; ++p) {
    double d = counts[p] - 1000.0;
    chi2 += d * d / 1000.0;
  }
  EXPECT_LT(chi2, 20.0);
}

TEST(RenderingTest, NamesParseAndUnknownOnesAreRefused) {
  EXPECT_EQ(*ParseRendering("html"), Rendering::kHtml);
  EXPECT_EQ(*ParseRendering("eu-summary-md"), Rendering::kEuSummaryMarkdown);
  auto bad = ParseRendering("docx");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("format"), std::string::npos);
  EXPECT_EQ(Render("{\"format\":\"other\"}", Rendering::kSpdx).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A report body missing its sections is an error, not a crash.
  EXPECT_EQ(Render(std::string("{\"format\":\"") + kReportFormat + "\"}", Rendering::kHtml)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ReportBodyTest, VerifyRefusesWhatIsNotASignedReport) {
  NoteVerifierKey key{"x.example/log", 1, std::string(32, '\1')};
  EXPECT_FALSE(VerifyReport("not a note", key).ok());
  EXPECT_FALSE(ReportBody("no signature block\n").ok());
}

}  // namespace
}  // namespace provledger::report
