// Document fingerprints: pure functions, no I/O, deterministic across
// machines and versions. The same code runs in provledgerd and on pipeline
// workers. docs/fingerprints.md is the normative description of every
// algorithm, parameter and byte layout; a change to any of them is a new
// version, never a silent change.
//
//   PL_ASSIGN_OR_RETURN(TextAnalysis t, AnalyzeText(utf8));   // normalise + tokens
//   std::string nh = NormalizedHash(t.normalized);             // XXH3-128, 16 bytes
//   MinHashSignature sig = ComputeMinHash(MinHashShingles(t.token_hashes));
//   std::vector<uint64_t> bands = LshBands(sig);                 // 32 band keys
//   std::vector<WinnowFingerprint> w = Winnow(t);                // containment
//
// Parameter set "text-v2": NFKC_Casefold + whitespace/punctuation/symbol
// folding; word tokens, single-character tokens for Han, Hiragana, Katakana,
// Hangul and Thai; MinHash (version 2): 128 multiply-shift functions over
// 3-token shingles, LSH 32 bands x 4 rows (S-curve midpoint ~0.42),
// near-duplicate at estimated Jaccard >= 0.5; winnowing over 5-token shingles
// with window 21 (any shared run of >= 25 tokens shares a fingerprint).
// The thresholds were tuned with tools/eval/fingerprint_eval.
// All functions are thread-safe.
#ifndef PROVLEDGER_FINGERPRINT_H_
#define PROVLEDGER_FINGERPRINT_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"

namespace provledger::fingerprint {

// Versions recorded with each fingerprint kind (docs/fingerprints.md).
inline constexpr uint32_t kNormalizationVersion = 1;
inline constexpr uint32_t kMinHashVersion = 2;  // 3-token shingles, 32 x 4 bands
inline constexpr uint32_t kWinnowVersion = 1;

inline constexpr int kShingleTokens = 5;         // winnowing shingles
inline constexpr int kMinHashShingleTokens = 3;  // MinHash shingles
inline constexpr int kMinHashSize = 128;
inline constexpr int kLshBands = 32;
inline constexpr int kLshRows = 4;
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

// Hash of each k-token shingle for MinHash (k = kMinHashShingleTokens), same
// rules as ShingleHashes().
std::vector<uint64_t> MinHashShingles(const std::vector<uint64_t>& token_hashes);

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

// A pair whose estimated Jaccard reaches this is a near-duplicate.
inline constexpr double kNearDuplicateThreshold = 0.5;

struct WinnowFingerprint {
  uint64_t hash;         // the selected shingle hash
  uint32_t token_index;  // first token of the shingle
};
// Winnowing (Schleimer, Wilkerson, Aiken 2003) with robust tie-breaking
// (rightmost minimum), window kWinnowWindow over ShingleHashes(). Texts with
// fewer shingles than a window yield their single minimum.
std::vector<WinnowFingerprint> Winnow(const std::vector<uint64_t>& shingle_hashes);

// Containment evidence. A document holding a passage of the query shares the
// query's winnowing fingerprints for it, consecutive in the query's list and
// at one offset (document token index - query token index). Short phrases
// that recur at the same distance (page footers, attributions) leave
// unmatched query fingerprints between them, so they do not form one run.
struct FingerprintMatch {
  uint32_t query_fingerprint;  // index into the query's Winnow() list
  uint32_t doc_token_index;    // token index of the same hash in the document
};
struct ContainedRun {
  uint32_t query_begin;   // first token of the run in the query
  uint32_t query_end;     // one past its last token (last shingle + k)
  uint32_t doc_begin;     // first token of the run in the document
  uint32_t fingerprints;  // consecutive query fingerprints in the run
};
// Pairs of a query fingerprint and a document position of the same hash
// count only the first kMaxPairedOccurrences occurrences of each hash on each
// side: a hash recurring more often (a repeated word, boilerplate) would
// otherwise pair every occurrence with every other, quadratically (a query
// of one repeated word against such a document: billions of pairs).
inline constexpr size_t kMaxPairedOccurrences = 64;
// The matches of `query` (a Winnow() list) in a document's winnowing list
// `doc` (anything with .hash and .token_index, in text order), under the
// rule above; *distinct_found = the query's distinct hashes the document
// holds. The matcher and the receipt verifier both use it.
template <class DocWinnow>
std::vector<FingerprintMatch> PairFingerprints(const std::vector<WinnowFingerprint>& query,
                                               const std::vector<DocWinnow>& doc,
                                               uint32_t* distinct_found) {
  std::unordered_map<uint64_t, std::vector<uint32_t>> positions;
  for (const auto& w : doc) {
    auto& p = positions[w.hash];
    if (p.size() < kMaxPairedOccurrences) p.push_back(w.token_index);
  }
  std::unordered_map<uint64_t, uint32_t> used;  // query occurrences paired, per hash
  std::vector<FingerprintMatch> matches;
  for (size_t i = 0; i < query.size(); ++i) {
    auto it = positions.find(query[i].hash);
    if (it == positions.end()) continue;
    uint32_t& n = used[query[i].hash];
    if (n++ >= kMaxPairedOccurrences) continue;
    for (uint32_t p : it->second) matches.push_back({static_cast<uint32_t>(i), p});
  }
  *distinct_found = static_cast<uint32_t>(used.size());
  return matches;
}

// The maximal runs of `matches` (any order, duplicates allowed), longest
// first. `query` is the query's Winnow() list.
std::vector<ContainedRun> ContainedRuns(const std::vector<WinnowFingerprint>& query,
                                        std::vector<FingerprintMatch> matches);
// A run is reported as containment when it has at least
// kContainedMinFingerprints fingerprints covering at least kContainedMinTokens
// tokens (tuned on the evaluation corpus, docs/fingerprints.md §6).
inline constexpr uint32_t kContainedMinFingerprints = 2;
inline constexpr uint32_t kContainedMinTokens = 20;
bool IsContained(const ContainedRun& run);

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
// The same from an analysis already made (AnalyzeText).
TextFingerprints FingerprintAnalysis(const TextAnalysis& t);

// What a whole work gets, as registration and matching see it: its media
// type and, for well-formed UTF-8 text of at most `max_text_bytes`, its
// analysis and text fingerprints. A larger work is typed by its first 4 KiB
// only, and never labelled text (that would be unverified).
struct WorkFingerprints {
  std::string media_type;
  std::optional<TextAnalysis> analysis;
  std::optional<TextFingerprints> text;
};
WorkFingerprints FingerprintWork(std::string_view bytes, uint64_t max_text_bytes);

}  // namespace provledger::fingerprint

#endif  // PROVLEDGER_FINGERPRINT_H_
