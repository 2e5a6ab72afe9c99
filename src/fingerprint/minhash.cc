// Shingles, MinHash and LSH bands (parameter set "text-v2", docs/fingerprints.md).
//
// xxHash compiled in (XXH_INLINE_ALL) rather than called in the shared
// library: a shingle is 24 or 40 bytes, and inlined with its length known
// the hash costs less than the call did. Same algorithm, same values
// (tests/unit/fingerprint/vectors_test.cc).
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <cmath>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "minhash_paths.h"
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
// (a_i * x + b_i mod 2^64) >> 32, a_i odd.
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

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
void PutLE64(unsigned char* out, uint64_t v) {
  for (int k = 0; k < 8; ++k) out[k] = static_cast<unsigned char>(v >> (8 * k));
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#define PROVLEDGER_MINHASH_AVX2 1

// The same with AVX2, 8 functions at a time. AVX2 has no 64-bit multiply;
// with a = a_hi 2^32 + a_lo and x = x_hi 2^32 + x_lo,
//   a x + b = (a_lo x_lo + b) + 2^32 (a_hi x_lo + a_lo x_hi)   (mod 2^64),
// and the second term leaves the low 32 bits alone, so bits 32..63 are
//   ((a_lo x_lo + b mod 2^64) >> 32) + a_hi x_lo + a_lo x_hi   (mod 2^32):
// one 32x32->64 multiply (even and odd functions in turn) and two 32-bit
// ones. A group's parameters and signature stay in registers while every
// shingle passes. Integer arithmetic: bit for bit the scalar loop's values
// (tests/unit/fingerprint/vectors_test.cc).
// The parameters as the AVX2 loop loads them, per group of 8 functions:
// a's low and high halves, and b of the even and of the odd functions.
struct Avx2Params {
  alignas(32) std::array<uint32_t, kMinHashSize> lo;
  alignas(32) std::array<uint32_t, kMinHashSize> hi;
  alignas(32) std::array<uint64_t, kMinHashSize / 2> b_even;
  alignas(32) std::array<uint64_t, kMinHashSize / 2> b_odd;
};

const Avx2Params& SplitParams() {
  static const Avx2Params s = [] {
    const MinHashParams& p = Params();
    Avx2Params x;
    for (int i = 0; i < kMinHashSize; ++i) {
      x.lo[i] = static_cast<uint32_t>(p.a[i]);
      x.hi[i] = static_cast<uint32_t>(p.a[i] >> 32);
      (i % 2 == 0 ? x.b_even : x.b_odd)[i / 2] = p.b[i];
    }
    return x;
  }();
  return s;
}

__attribute__((target("avx2"))) void UpdateMinHashAvx2(const uint64_t* xs, size_t n,
                                                       uint32_t* sig) {
  const Avx2Params& p = SplitParams();
  for (int g = 0; g < kMinHashSize; g += 8) {
    const __m256i a_lo = _mm256_load_si256(reinterpret_cast<const __m256i*>(&p.lo[g]));
    const __m256i a_hi = _mm256_load_si256(reinterpret_cast<const __m256i*>(&p.hi[g]));
    // The odd functions' a_lo moved into the low halves the 32x32->64
    // multiply reads.
    const __m256i a_lo_odd = _mm256_srli_epi64(a_lo, 32);
    const __m256i be = _mm256_load_si256(reinterpret_cast<const __m256i*>(&p.b_even[g / 2]));
    const __m256i bo = _mm256_load_si256(reinterpret_cast<const __m256i*>(&p.b_odd[g / 2]));
    __m256i m = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(sig + g));
    for (size_t s = 0; s < n; ++s) {
      // Each half broadcast straight from memory (x86 is little-endian: the
      // low half first), a load each; moving the 64-bit value through a
      // general register took four more vector operations an iteration, and
      // MinHash ~1.4x the time (fingerprint_bench, BM_MinHash).
      const char* x = reinterpret_cast<const char*>(xs + s);
      const __m256i x_lo = _mm256_broadcastd_epi32(_mm_loadu_si32(x));
      const __m256i x_hi = _mm256_broadcastd_epi32(_mm_loadu_si32(x + 4));
      const __m256i mid =
          _mm256_add_epi32(_mm256_mullo_epi32(a_hi, x_lo), _mm256_mullo_epi32(a_lo, x_hi));
      const __m256i even = _mm256_add_epi64(_mm256_mul_epu32(a_lo, x_lo), be);
      const __m256i odd = _mm256_add_epi64(_mm256_mul_epu32(a_lo_odd, x_lo), bo);
      // Bits 32..63 of each: the even ones shifted down into their slots,
      // the odd ones already in theirs.
      const __m256i low = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
      m = _mm256_min_epu32(m, _mm256_add_epi32(low, mid));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(sig + g), m);
  }
}
#endif

}  // namespace

namespace internal {

void UpdateMinHashScalar(const uint64_t* xs, size_t n, uint32_t* sig) {
  const MinHashParams& p = Params();
  for (size_t s = 0; s < n; ++s) {
    const uint64_t x = xs[s];
    for (int i = 0; i < kMinHashSize; ++i) {
      const auto v = static_cast<uint32_t>((p.a[i] * x + p.b[i]) >> 32);
      sig[i] = v < sig[i] ? v : sig[i];
    }
  }
}

bool UpdateMinHashVector(const uint64_t* xs, size_t n, uint32_t* sig) {
#ifdef PROVLEDGER_MINHASH_AVX2
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) {
    UpdateMinHashAvx2(xs, n, sig);
    return true;
  }
#endif
  return false;
}

}  // namespace internal

namespace {

void UpdateMinHash(const uint64_t* xs, size_t n, uint32_t* sig) {
  if (!internal::UpdateMinHashVector(xs, n, sig)) internal::UpdateMinHashScalar(xs, n, sig);
}

constexpr size_t kMaxShingleTokens = std::max(kShingleTokens, kMinHashShingleTokens);

// The hash of one shingle of `k` tokens (k <= kMaxShingleTokens): XXH3 of
// the token hashes as little-endian bytes.
inline uint64_t ShingleHash(const uint64_t* tokens, size_t k) {
  const size_t len = 8 * k;
  // Lets the compiler drop xxHash's paths for longer inputs.
  if (len > 8 * kMaxShingleTokens) __builtin_unreachable();
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  // The tokens in memory are those bytes: hashed where they lie. Copied
  // byte by byte first, GCC rebuilt each 64-bit word from its bytes with
  // shifts and ors for the 3-token shingles (MinHash); hashing in place
  // halved BM_Shingles (fingerprint_bench).
  return XXH3_64bits_withSeed(tokens, len, kShingleSeed);
#else
  unsigned char buf[8 * kMaxShingleTokens];
  for (size_t j = 0; j < k; ++j) PutLE64(buf + 8 * j, tokens[j]);
  return XXH3_64bits_withSeed(buf, len, kShingleSeed);
#endif
}

template <size_t K>
std::vector<uint64_t> Shingles(const std::vector<uint64_t>& token_hashes) {
  static_assert(K <= kMaxShingleTokens);
  const size_t n = token_hashes.size();
  if (n == 0) return {};
  if (n < K) return {ShingleHash(token_hashes.data(), n)};  // a short text: one shingle
  std::vector<uint64_t> out(n - K + 1);
  for (size_t i = 0; i + K <= n; ++i) out[i] = ShingleHash(token_hashes.data() + i, K);
  return out;
}

}  // namespace

std::vector<uint64_t> ShingleHashes(const std::vector<uint64_t>& token_hashes) {
  return Shingles<kShingleTokens>(token_hashes);
}

std::vector<uint64_t> MinHashShingles(const std::vector<uint64_t>& token_hashes) {
  return Shingles<kMinHashShingleTokens>(token_hashes);
}

MinHashSignature ComputeMinHash(const std::vector<uint64_t>& shingle_hashes) {
  MinHashSignature sig;
  sig.fill(UINT32_MAX);
  UpdateMinHash(shingle_hashes.data(), shingle_hashes.size(), sig.data());
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
