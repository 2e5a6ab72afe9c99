// Shingles, MinHash and LSH bands (parameter set "text-v2", docs/fingerprints.md).
#include <xxhash.h>

#include <algorithm>
#include <cmath>

#include "provledger/fingerprint.h"

namespace provledger::fingerprint {
namespace {

constexpr uint64_t kShingleSeed = 0x70726f766c656467ull;  // "provledg"
constexpr uint64_t kMinHashSeed = 0x6d696e6861736831ull;  // "minhash1"
constexpr uint64_t kBandSeed = 0x6c736862616e6431ull;     // "lshband1"

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Multiply-shift parameters of the 128 hash functions: h_i(x) =
// (a_i * x + b_i) >> 32 over 64-bit x, a_i odd.
struct MinHashParams {
  std::array<uint64_t, kMinHashSize> a;
  std::array<uint64_t, kMinHashSize> b;
};

const MinHashParams& Params() {
  static const MinHashParams p = [] {
    MinHashParams m;
    uint64_t state = kMinHashSeed;
    for (int i = 0; i < kMinHashSize; ++i) {
      m.a[i] = SplitMix64(&state) | 1;
      m.b[i] = SplitMix64(&state);
    }
    return m;
  }();
  return p;
}

void PutLE64(unsigned char* out, uint64_t v) {
  for (int k = 0; k < 8; ++k) out[k] = static_cast<unsigned char>(v >> (8 * k));
}

// The hot loop, compiled for AVX2 as well as baseline x86-64; integer
// arithmetic gives identical results on either path.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#endif
void UpdateMinHash(const uint64_t* xs, size_t n, const uint64_t* a, const uint64_t* b,
                   uint32_t* sig) {
  for (size_t s = 0; s < n; ++s) {
    uint64_t x = xs[s];
    for (int i = 0; i < kMinHashSize; ++i) {
      uint32_t v = static_cast<uint32_t>((a[i] * x + b[i]) >> 32);
      sig[i] = v < sig[i] ? v : sig[i];
    }
  }
}

constexpr int kMaxShingleTokens = std::max(kShingleTokens, kMinHashShingleTokens);

std::vector<uint64_t> Shingles(const std::vector<uint64_t>& token_hashes, size_t k) {
  std::vector<uint64_t> out;
  size_t n = token_hashes.size();
  if (n == 0) return out;
  k = std::min(k, n);
  out.reserve(n - k + 1);
  unsigned char buf[8 * kMaxShingleTokens];
  for (size_t i = 0; i + k <= n; ++i) {
    for (size_t j = 0; j < k; ++j) PutLE64(buf + 8 * j, token_hashes[i + j]);
    out.push_back(XXH3_64bits_withSeed(buf, 8 * k, kShingleSeed));
  }
  return out;
}

}  // namespace

std::vector<uint64_t> ShingleHashes(const std::vector<uint64_t>& token_hashes) {
  return Shingles(token_hashes, kShingleTokens);
}

std::vector<uint64_t> MinHashShingles(const std::vector<uint64_t>& token_hashes) {
  return Shingles(token_hashes, kMinHashShingleTokens);
}

MinHashSignature ComputeMinHash(const std::vector<uint64_t>& shingle_hashes) {
  MinHashSignature sig;
  sig.fill(UINT32_MAX);
  const MinHashParams& p = Params();
  UpdateMinHash(shingle_hashes.data(), shingle_hashes.size(), p.a.data(), p.b.data(), sig.data());
  return sig;
}

double EstimateJaccard(const MinHashSignature& a, const MinHashSignature& b) {
  int equal = 0;
  for (int i = 0; i < kMinHashSize; ++i) equal += a[i] == b[i];
  return static_cast<double>(equal) / kMinHashSize;
}

std::vector<uint64_t> LshBands(const MinHashSignature& sig) {
  std::vector<uint64_t> bands;
  bands.reserve(kLshBands);
  unsigned char buf[4 * kLshRows];
  for (int band = 0; band < kLshBands; ++band) {
    for (int r = 0; r < kLshRows; ++r) {
      uint32_t v = sig[band * kLshRows + r];
      for (int k = 0; k < 4; ++k) buf[4 * r + k] = static_cast<unsigned char>(v >> (8 * k));
    }
    bands.push_back(XXH3_64bits_withSeed(buf, sizeof(buf), kBandSeed + band));
  }
  return bands;
}

double LshCandidateProbability(double j, int bands, int rows) {
  return 1.0 - std::pow(1.0 - std::pow(j, rows), bands);
}

}  // namespace provledger::fingerprint
