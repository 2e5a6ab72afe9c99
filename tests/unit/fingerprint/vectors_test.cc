// Fingerprint test vectors (docs/fingerprints.md, "Test vectors"): what the
// parameter set "text-v2" gives for fixed texts, pinned so that no change of
// code (an optimisation, a compiler, an instruction set) changes a stored
// fingerprint silently; and the MinHash hot loop checked against the
// documented definition, computed here the slow way.
#include <gtest/gtest.h>

#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "minhash_paths.h"
#include "provledger/encoding.h"
#include "provledger/fingerprint.h"
#include "provledger/sha256.h"

namespace provledger::fingerprint {
namespace {

void PutLE(std::string* out, uint64_t v, int bytes) {
  for (int k = 0; k < bytes; ++k) out->push_back(static_cast<char>(v >> (8 * k)));
}

// SHA-256 over every fingerprint of the text, little-endian: normalised hash
// (16 bytes), token count (u64), the 128 MinHash values (u32 each), the 32
// band keys (u64 each), then each winnowing fingerprint's hash (u64) and
// token index (u32).
std::string Digest(const TextFingerprints& f) {
  std::string b = f.normalized_hash;
  PutLE(&b, f.token_count, 8);
  for (uint32_t v : f.minhash) PutLE(&b, v, 4);
  for (uint64_t k : f.lsh_bands) PutLE(&b, k, 8);
  for (const WinnowFingerprint& w : f.winnows) {
    PutLE(&b, w.hash, 8);
    PutLE(&b, w.token_index, 4);
  }
  return ToHex(Sha256(b));
}

std::string English() {
  std::string s;
  const char* sentences[] = {
      "The quick brown fox jumps over the lazy dog. ",
      "Pack my box with five dozen liquor jugs! ",
      "How vexingly quick daft zebras jump; ",
      "Sphinx of black quartz, judge my vow.\n",
  };
  for (int i = 0; i < 40; ++i) s += sentences[i % 4] + std::to_string(i) + " ";
  return s;
}

struct Vector {
  const char* name;
  std::string text;
  const char* normalized_hash;  // hex
  uint64_t token_count;
  uint32_t minhash0;  // the first MinHash value
  uint64_t band0;     // the first band key
  size_t winnows;
  const char* digest;  // Digest() in hex
};

std::vector<Vector> Vectors() {
  return {
      {"english", English(), "fee9f007f224f0df4e6bc96ddcc81e48", 340, 7067753,
       4928735197912501619ull, 39,
       "d65a4d1d5e7af6407183df295de93b5940fab6323668336fb9818790f3cbe04a"},
      {"mixed", "Ｆｕｌｌ-width ＡＢＣ, café — Straße! 数据来源合法 データ 데이터 ภาษาไทย x",
       "82887d02feb3878f02a9df3fa785282a", 25, 30896367, 4765065945786624598ull, 1,
       "0a4ee7ffa5eff2e4cbfb7094330d0eec8aec871a73f3a2f985d7959a64fa6f96"},
      {"short", "Two words", "9af7dbb1e9a872e97dcde7f48590a634", 2, 1599760801,
       14689525943597562854ull, 1,
       "74de0dcfd980ad2dbe7d686d290c855d6224eba0c8759305d8a4207cb8324c48"},
  };
}

TEST(FingerprintVectorsTest, TextV2GivesThePinnedFingerprints) {
  for (const Vector& v : Vectors()) {
    SCOPED_TRACE(v.name);
    auto f = FingerprintText(v.text);
    ASSERT_TRUE(f.ok()) << f.status();
    EXPECT_EQ(ToHex(f->normalized_hash), v.normalized_hash);
    EXPECT_EQ(f->token_count, v.token_count);
    EXPECT_EQ(f->minhash[0], v.minhash0);
    EXPECT_EQ(f->lsh_bands[0], v.band0);
    EXPECT_EQ(f->winnows.size(), v.winnows);
    EXPECT_EQ(Digest(*f), v.digest);
  }
}

// The definition (docs/fingerprints.md §3): parameters from SplitMix64 seeded
// with "minhash1", a_i = next | 1, b_i = next; h_i(x) = bits 32..63 of
// a_i * x + b_i mod 2^64; the signature is the minimum of each over the set.
MinHashSignature ReferenceMinHash(const std::vector<uint64_t>& xs) {
  uint64_t state = 0x6d696e6861736831ull;
  auto next = [&state] {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  };
  MinHashSignature sig;
  sig.fill(UINT32_MAX);
  for (int i = 0; i < kMinHashSize; ++i) {
    const uint64_t a = next() | 1;
    const uint64_t b = next();
    for (uint64_t x : xs) {
      const auto v = static_cast<uint32_t>((a * x + b) >> 32);  // mod 2^64 by unsigned wrap
      if (v < sig[i]) sig[i] = v;
    }
  }
  return sig;
}

TEST(FingerprintVectorsTest, MinHashIsTheDocumentedDefinition) {
  std::mt19937_64 rng(20261130);
  for (size_t n : {0, 1, 2, 3, 7, 8, 9, 63, 500, 2049}) {
    std::vector<uint64_t> xs(n);
    for (auto& x : xs) x = rng();
    // Extremes of the 32-bit halves, where a carry is easy to lose.
    if (n > 3) xs[0] = 0, xs[1] = UINT64_MAX, xs[2] = 0xffffffffull, xs[3] = 0xffffffff00000000ull;
    EXPECT_EQ(ComputeMinHash(xs), ReferenceMinHash(xs)) << n << " shingles";
  }
}

// ComputeMinHash takes the vector loop where the CPU has one; the scalar
// loop other machines take is checked here too, against the same
// definition, so both give every machine the same signatures.
TEST(FingerprintVectorsTest, BothMinHashLoopsAreTheDefinition) {
  std::mt19937_64 rng(20261201);
  bool vector_ran = false;
  for (size_t n : {0, 1, 5, 8, 17, 300, 1031}) {
    std::vector<uint64_t> xs(n);
    for (auto& x : xs) x = rng();
    if (n > 3) xs[0] = 0, xs[1] = UINT64_MAX, xs[2] = 0xffffffffull, xs[3] = 0xffffffff00000000ull;
    const MinHashSignature want = ReferenceMinHash(xs);
    MinHashSignature scalar;
    scalar.fill(UINT32_MAX);
    internal::UpdateMinHashScalar(xs.data(), xs.size(), scalar.data());
    EXPECT_EQ(scalar, want) << n << " shingles";
    MinHashSignature vector;
    vector.fill(UINT32_MAX);
    if (internal::UpdateMinHashVector(xs.data(), xs.size(), vector.data())) {
      vector_ran = true;
      EXPECT_EQ(vector, want) << n << " shingles";
    }
    // Updating a signature already holding minima keeps the smaller values.
    MinHashSignature twice = want;
    internal::UpdateMinHashScalar(xs.data(), xs.size(), twice.data());
    EXPECT_EQ(twice, want);
  }
  if (!vector_ran) std::cout << "this CPU has no AVX2: only the scalar loop was checked\n";
}

}  // namespace
}  // namespace provledger::fingerprint
