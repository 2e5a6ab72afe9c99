// Document fingerprints: pure functions, no I/O, deterministic across
// machines and versions. The same code runs in provledgerd and on pipeline
// workers. docs/fingerprints.md is the normative description of every
// algorithm, parameter and byte layout; a change to any of them is a new
// version, never a silent change.
//
//   PL_ASSIGN_OR_RETURN(TextAnalysis t, AnalyzeText(utf8));   // normalise + tokens
//   std::string nh = NormalizedHash(t.normalized);             // XXH3-128, 16 bytes
//   MinHashSignature sig = ComputeMinHash(t);                   // 128 x u32
//   std::vector<uint64_t> bands = LshBands(sig);                 // 16 band keys
//   std::vector<WinnowFingerprint> w = Winnow(t);                // containment
//
// Parameter set "text-v1": NFKC_Casefold + whitespace/punctuation/symbol
// folding; word tokens, single-character tokens for Han, Hiragana, Katakana,
// Hangul and Thai; 5-token shingles; 128 multiply-shift MinHash functions;
// LSH 16 bands x 8 rows (S-curve midpoint ~0.71); winnowing over the same
// 5-token shingles with window 21 (any shared run of >= 25 tokens is found).
// All functions are thread-safe.
#ifndef PROVLEDGER_FINGERPRINT_H_
#define PROVLEDGER_FINGERPRINT_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace provledger::fingerprint {

// Versions recorded with each fingerprint kind (docs/fingerprints.md).
inline constexpr uint32_t kNormalizationVersion = 1;  // "text-v1" normaliser
inline constexpr uint32_t kMinHashVersion = 1;
inline constexpr uint32_t kWinnowVersion = 1;

inline constexpr int kShingleTokens = 5;
inline constexpr int kMinHashSize = 128;
inline constexpr int kLshBands = 16;
inline constexpr int kLshRows = 8;
inline constexpr int kWinnowWindow = 21;
// Any run of this many tokens shared by two texts yields a shared winnowing
// fingerprint: window + shingle length - 1.
inline constexpr int kWinnowGuarantee = kWinnowWindow + kShingleTokens - 1;

// A normalised text and its tokens.
struct TextAnalysis {
  std::string normalized;  // NFKC_Casefold, folded, single spaces, trimmed
  // Per token: XXH3-64 of its UTF-8 bytes, and its byte span in `normalized`.
  std::vector<uint64_t> token_hashes;
  std::vector<uint32_t> token_begin;
  std::vector<uint32_t> token_end;
};

// Normalises and tokenises UTF-8 text (a leading BOM is dropped).
// InvalidArgument if `utf8` is not well-formed UTF-8.
absl::StatusOr<TextAnalysis> AnalyzeText(std::string_view utf8);

// XXH3-128 of the normalised text, canonical (big-endian) 16 bytes.
std::string NormalizedHash(std::string_view normalized);

// Hash of each k-token shingle (k = kShingleTokens). A text with fewer than
// k tokens has one shingle of all its tokens; an empty text has none.
std::vector<uint64_t> ShingleHashes(const std::vector<uint64_t>& token_hashes);

using MinHashSignature = std::array<uint32_t, kMinHashSize>;
// MinHash over the shingle hashes. An empty shingle set gives all 0xffffffff.
MinHashSignature ComputeMinHash(const std::vector<uint64_t>& shingle_hashes);
// Fraction of equal positions: an unbiased estimate of the Jaccard similarity
// of the two shingle sets.
double EstimateJaccard(const MinHashSignature& a, const MinHashSignature& b);
// One 64-bit key per band: XXH3-64 of the band's rows, seeded by band index.
std::vector<uint64_t> LshBands(const MinHashSignature& sig);
// Probability that a pair with Jaccard `j` shares at least one band of
// `rows` rows among `bands`: 1 - (1 - j^rows)^bands.
double LshCandidateProbability(double j, int bands, int rows);

struct WinnowFingerprint {
  uint64_t hash;         // the selected shingle hash
  uint32_t token_index;  // first token of the shingle
};
// Winnowing (Schleimer, Wilkerson, Aiken 2003) with robust tie-breaking
// (rightmost minimum), window kWinnowWindow over ShingleHashes(). Texts with
// fewer shingles than a window yield their single minimum.
std::vector<WinnowFingerprint> Winnow(const std::vector<uint64_t>& shingle_hashes);

// The media type of `bytes` from its magic number ("image/png", ...);
// well-formed UTF-8 without NUL bytes is "text/plain; charset=utf-8";
// anything else "application/octet-stream".
std::string SniffMediaType(std::string_view bytes);
bool IsTextMediaType(std::string_view media_type);

// Everything a text document gets.
struct TextFingerprints {
  std::string normalized_hash;  // 16 bytes
  MinHashSignature minhash;
  std::vector<uint64_t> lsh_bands;
  std::vector<WinnowFingerprint> winnows;
  uint64_t token_count = 0;
};
absl::StatusOr<TextFingerprints> FingerprintText(std::string_view utf8);

}  // namespace provledger::fingerprint

#endif  // PROVLEDGER_FINGERPRINT_H_
