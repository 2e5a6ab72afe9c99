#include "provledger/fingerprint.h"

#include "provledger/status_macros.h"

namespace provledger::fingerprint {

absl::StatusOr<TextFingerprints> FingerprintText(std::string_view utf8) {
  PL_ASSIGN_OR_RETURN(TextAnalysis t, AnalyzeText(utf8));
  return FingerprintAnalysis(t);
}

TextFingerprints FingerprintAnalysis(const TextAnalysis& t) {
  TextFingerprints f;
  f.normalized_hash = NormalizedHash(t.normalized);
  std::vector<uint64_t> shingles = ShingleHashes(t.token_hashes);
  f.minhash = ComputeMinHash(MinHashShingles(t.token_hashes));
  f.lsh_bands = LshBands(f.minhash);
  f.winnows = Winnow(shingles);
  f.token_count = t.token_hashes.size();
  return f;
}

}  // namespace provledger::fingerprint
