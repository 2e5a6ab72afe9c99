#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "provledger/fingerprint.h"
#include "test_util.h"

namespace provledger::fingerprint {
namespace {

// Two random shingle sets with |A ∩ B| = shared and |A ∪ B| = shared + 2*own,
// so their true Jaccard is shared / (shared + 2*own).
void RandomPair(std::mt19937_64& rng, int shared, int own, std::vector<uint64_t>* a,
                std::vector<uint64_t>* b) {
  a->clear();
  b->clear();
  for (int i = 0; i < shared; ++i) {
    uint64_t x = rng();
    a->push_back(x);
    b->push_back(x);
  }
  for (int i = 0; i < own; ++i) {
    a->push_back(rng());
    b->push_back(rng());
  }
}

TEST(MinHashTest, EstimateIsUnbiasedWithinBinomialError) {
  std::mt19937_64 rng(7);
  constexpr int kPairs = 300;
  for (int shared : {10, 30, 50, 70, 90}) {
    int own = (100 - shared) / 2;
    double j = static_cast<double>(shared) / (shared + 2 * own);
    double sum = 0;
    std::vector<uint64_t> a, b;
    for (int p = 0; p < kPairs; ++p) {
      RandomPair(rng, shared, own, &a, &b);
      sum += EstimateJaccard(ComputeMinHash(a), ComputeMinHash(b));
    }
    double mean = sum / kPairs;
    double se = std::sqrt(j * (1 - j) / (kMinHashSize * kPairs));
    EXPECT_NEAR(mean, j, 4 * se) << "true J " << j;
  }
}

TEST(MinHashTest, EveryHashFunctionIsFair) {
  // Each of the 128 functions alone must agree with probability J; a broken
  // one (e.g. an even multiplier) would stand out.
  std::mt19937_64 rng(11);
  constexpr int kPairs = 2000;
  std::vector<int> equal(kMinHashSize, 0);
  std::vector<uint64_t> a, b;
  for (int p = 0; p < kPairs; ++p) {
    RandomPair(rng, 20, 10, &a, &b);  // J = 0.5
    MinHashSignature sa = ComputeMinHash(a), sb = ComputeMinHash(b);
    for (int i = 0; i < kMinHashSize; ++i) equal[i] += sa[i] == sb[i];
  }
  double se = std::sqrt(0.25 / kPairs);
  for (int i = 0; i < kMinHashSize; ++i) {
    EXPECT_NEAR(static_cast<double>(equal[i]) / kPairs, 0.5, 5 * se) << "function " << i;
  }
}

TEST(MinHashTest, IdenticalAndDisjointSets) {
  std::mt19937_64 rng(3);
  std::vector<uint64_t> a, b;
  RandomPair(rng, 0, 200, &a, &b);
  EXPECT_LT(EstimateJaccard(ComputeMinHash(a), ComputeMinHash(b)), 0.05);
  EXPECT_EQ(EstimateJaccard(ComputeMinHash(a), ComputeMinHash(a)), 1.0);
  // Order and repetition of shingles do not matter: it is a set sketch.
  std::vector<uint64_t> shuffled = a;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  shuffled.push_back(a[0]);
  EXPECT_EQ(ComputeMinHash(shuffled), ComputeMinHash(a));
  MinHashSignature empty = ComputeMinHash({});
  EXPECT_EQ(empty[0], UINT32_MAX);
}

TEST(MinHashTest, ShinglesAreFiveTokenWindows) {
  std::vector<uint64_t> tokens = {1, 2, 3, 4, 5, 6, 7};
  auto s = ShingleHashes(tokens);
  EXPECT_EQ(s.size(), 3u);
  auto shifted = ShingleHashes({2, 3, 4, 5, 6, 7});
  EXPECT_EQ(shifted[0], s[1]);
  EXPECT_EQ(ShingleHashes({1, 2}).size(), 1u);  // short text: one shingle
  EXPECT_TRUE(ShingleHashes({}).empty());
  EXPECT_NE(ShingleHashes({1, 2, 3, 4, 5})[0], ShingleHashes({5, 4, 3, 2, 1})[0]);
}

TEST(LshTest, BandsAndSCurve) {
  std::mt19937_64 rng(5);
  std::vector<uint64_t> a, b;
  RandomPair(rng, 100, 0, &a, &b);
  EXPECT_EQ(LshBands(ComputeMinHash(a)), LshBands(ComputeMinHash(b)));
  EXPECT_EQ(LshBands(ComputeMinHash(a)).size(), static_cast<size_t>(kLshBands));
  // 16 x 8: midpoint (1/16)^(1/8) ~ 0.707.
  EXPECT_NEAR(LshCandidateProbability(0.5, 16, 8), 0.061, 0.002);
  EXPECT_NEAR(LshCandidateProbability(0.8, 16, 8), 0.947, 0.002);
  EXPECT_NEAR(LshCandidateProbability(0.9, 16, 8), 0.9999, 0.001);
  // Empirically, pairs at J = 0.9 almost always share a band; J = 0.3 rarely.
  int hi = 0, lo = 0;
  for (int p = 0; p < 200; ++p) {
    RandomPair(rng, 90, 5, &a, &b);
    auto ba = LshBands(ComputeMinHash(a)), bb = LshBands(ComputeMinHash(b));
    for (int i = 0; i < kLshBands; ++i) {
      if (ba[i] == bb[i]) {
        ++hi;
        break;
      }
    }
    RandomPair(rng, 30, 35, &a, &b);
    ba = LshBands(ComputeMinHash(a));
    bb = LshBands(ComputeMinHash(b));
    for (int i = 0; i < kLshBands; ++i) {
      if (ba[i] == bb[i]) {
        ++lo;
        break;
      }
    }
  }
  EXPECT_GE(hi, 195);
  EXPECT_LE(lo, 5);
}

TEST(WinnowTest, SharedRunAtTheGuaranteeIsAlwaysFound) {
  std::mt19937_64 rng(13);
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<uint64_t> run(kWinnowGuarantee), a, b;
    for (auto& t : run) t = rng();
    size_t pre_a = rng() % 200, pre_b = rng() % 200;
    for (size_t i = 0; i < pre_a; ++i) a.push_back(rng());
    a.insert(a.end(), run.begin(), run.end());
    for (int i = 0; i < 100; ++i) a.push_back(rng());
    for (size_t i = 0; i < pre_b; ++i) b.push_back(rng());
    b.insert(b.end(), run.begin(), run.end());
    for (int i = 0; i < 50; ++i) b.push_back(rng());
    std::set<uint64_t> fa;
    for (auto& f : Winnow(ShingleHashes(a))) fa.insert(f.hash);
    bool found = false;
    for (auto& f : Winnow(ShingleHashes(b))) {
      if (fa.count(f.hash)) {
        found = true;
        // The matched shingle lies inside the shared run in both texts.
        EXPECT_GE(f.token_index, pre_b);
        EXPECT_LE(f.token_index + kShingleTokens, pre_b + kWinnowGuarantee);
      }
    }
    ASSERT_TRUE(found) << "trial " << trial;
  }
}

TEST(WinnowTest, DensityAndPositions) {
  std::mt19937_64 rng(17);
  std::vector<uint64_t> tokens(20000);
  for (auto& t : tokens) t = rng();
  auto shingles = ShingleHashes(tokens);
  auto fps = Winnow(shingles);
  double density = static_cast<double>(fps.size()) / tokens.size();
  EXPECT_NEAR(density, 2.0 / (kWinnowWindow + 1), 0.015);
  for (size_t i = 1; i < fps.size(); ++i) {
    ASSERT_GT(fps[i].token_index, fps[i - 1].token_index);
    ASSERT_LE(fps[i].token_index - fps[i - 1].token_index, static_cast<uint32_t>(kWinnowWindow));
    ASSERT_EQ(fps[i].hash, shingles[fps[i].token_index]);
  }
  EXPECT_EQ(Winnow(ShingleHashes({1, 2, 3})).size(), 1u);
  EXPECT_TRUE(Winnow({}).empty());
}

}  // namespace
}  // namespace provledger::fingerprint
