#include "provledger/fingerprint.h"

#include "provledger/status_macros.h"

namespace provledger::fingerprint {

absl::StatusOr<TextFingerprints> FingerprintText(std::string_view utf8) {
  PL_ASSIGN_OR_RETURN(TextAnalysis t, AnalyzeText(utf8));
  return FingerprintAnalysis(t);
}

WorkFingerprints FingerprintWork(std::string_view bytes, uint64_t max_text_bytes) {
  WorkFingerprints w;
  if (bytes.size() > max_text_bytes) {
    std::string media = SniffMediaType(bytes.substr(0, 4096));
    w.media_type = IsTextMediaType(media) ? "application/octet-stream" : media;
    return w;
  }
  w.media_type = SniffMediaType(bytes);
  if (IsTextMediaType(w.media_type)) {
    auto analysis = AnalyzeText(bytes);
    if (analysis.ok()) {
      w.text = FingerprintAnalysis(*analysis);
      w.analysis = *std::move(analysis);
    }
  }
  return w;
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
