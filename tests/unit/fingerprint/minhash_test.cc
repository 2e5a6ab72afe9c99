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
  // 32 x 4: midpoint (1/32)^(1/4) ~ 0.42.
  EXPECT_NEAR(LshCandidateProbability(0.3, kLshBands, kLshRows), 0.229, 0.002);
  EXPECT_NEAR(LshCandidateProbability(0.5, kLshBands, kLshRows), 0.873, 0.002);
  EXPECT_NEAR(LshCandidateProbability(0.7, kLshBands, kLshRows), 0.99985, 0.0001);
  // Empirically, pairs at J = 0.7 (P = 0.99985) almost always share a band;
  // J = 0.1 (P = 0.0032) rarely.
  int hi = 0, lo = 0;
  for (int p = 0; p < 200; ++p) {
    RandomPair(rng, 70, 15, &a, &b);
    auto ba = LshBands(ComputeMinHash(a)), bb = LshBands(ComputeMinHash(b));
    for (int i = 0; i < kLshBands; ++i) {
      if (ba[i] == bb[i]) {
        ++hi;
        break;
      }
    }
    RandomPair(rng, 10, 45, &a, &b);
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

// A passage shared in full gives one run of consecutive query fingerprints at
// one offset, with its span; the same phrases at scattered places do not.
TEST(ContainmentTest, RunsOfConsecutiveFingerprintsAtOneOffset) {
  std::mt19937_64 rng(19);
  std::vector<uint64_t> passage(60), query, doc;
  for (auto& t : passage) t = rng();
  for (int i = 0; i < 40; ++i) query.push_back(rng());
  query.insert(query.end(), passage.begin(), passage.end());
  for (int i = 0; i < 40; ++i) query.push_back(rng());
  for (int i = 0; i < 300; ++i) doc.push_back(rng());
  doc.insert(doc.end(), passage.begin(), passage.end());
  for (int i = 0; i < 10; ++i) doc.push_back(rng());

  std::vector<WinnowFingerprint> q = Winnow(ShingleHashes(query));
  std::vector<WinnowFingerprint> d = Winnow(ShingleHashes(doc));
  std::vector<FingerprintMatch> matches;
  for (uint32_t i = 0; i < q.size(); ++i) {
    for (const auto& f : d) {
      if (f.hash == q[i].hash) matches.push_back({i, f.token_index});
    }
  }
  std::vector<ContainedRun> runs = ContainedRuns(q, matches);
  ASSERT_FALSE(runs.empty());
  const ContainedRun& best = runs.front();
  EXPECT_TRUE(IsContained(best));
  EXPECT_GE(best.query_begin, 40u);
  EXPECT_LE(best.query_end, 100u);
  // 56 shingles: the minima of windows [0, 21) and [35, 56) are >= 15 apart.
  EXPECT_GE(best.query_end - best.query_begin, 20u);
  EXPECT_EQ(best.doc_begin - best.query_begin, 260u);  // the passage's offset
  EXPECT_GE(best.fingerprints, 3u);

  // The same matches with every other one removed: no two consecutive query
  // fingerprints remain, so nothing is reported as containment.
  std::vector<FingerprintMatch> sparse;
  for (const auto& m : matches) {
    if (m.query_fingerprint % 2 == 0) sparse.push_back(m);
  }
  for (const ContainedRun& r : ContainedRuns(q, sparse)) {
    EXPECT_EQ(r.fingerprints, 1u);
    EXPECT_FALSE(IsContained(r));
  }
  // Two consecutive fingerprints but a short span are not containment.
  EXPECT_FALSE(IsContained(ContainedRun{10, 10 + kContainedMinTokens - 1, 0, 2}));
  EXPECT_TRUE(IsContained(ContainedRun{10, 10 + kContainedMinTokens, 0, 2}));
  EXPECT_TRUE(ContainedRuns(q, {}).empty());
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
