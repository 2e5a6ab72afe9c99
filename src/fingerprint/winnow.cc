// Winnowing (Schleimer, Wilkerson, Aiken 2003), robust variant.
#include <algorithm>

#include "provledger/fingerprint.h"

namespace provledger::fingerprint {

std::vector<WinnowFingerprint> Winnow(const std::vector<uint64_t>& shingle_hashes) {
  std::vector<WinnowFingerprint> out;
  size_t n = shingle_hashes.size();
  if (n == 0) return out;
  size_t w = kWinnowWindow;
  if (n < w) w = n;  // a short text is a single window
  // Random hashes leave about 2 / (w + 1) of the positions; room for that
  // and some, so the vector is not moved as it grows.
  out.reserve(2 * n / (w + 1) + 16);
  // Slide the window [start, start + w); record the rightmost minimum of each
  // window when it differs from the last one recorded.
  size_t min_pos = SIZE_MAX;
  for (size_t start = 0; start + w <= n; ++start) {
    size_t end = start + w;
    if (min_pos == SIZE_MAX || min_pos < start) {
      // The previous minimum left the window: rescan it.
      min_pos = start;
      for (size_t i = start; i < end; ++i) {
        if (shingle_hashes[i] <= shingle_hashes[min_pos]) min_pos = i;
      }
    } else if (shingle_hashes[end - 1] <= shingle_hashes[min_pos]) {
      min_pos = end - 1;
    }
    if (out.empty() || out.back().token_index != min_pos) {
      out.push_back(WinnowFingerprint{shingle_hashes[min_pos], static_cast<uint32_t>(min_pos)});
    }
  }
  return out;
}

std::vector<ContainedRun> ContainedRuns(const std::vector<WinnowFingerprint>& query,
                                        std::vector<FingerprintMatch> matches) {
  // Group by offset, then by query fingerprint; runs are consecutive indices.
  auto offset = [&](const FingerprintMatch& m) {
    return static_cast<int64_t>(m.doc_token_index) -
           static_cast<int64_t>(query[m.query_fingerprint].token_index);
  };
  std::sort(matches.begin(), matches.end(),
            [&](const FingerprintMatch& a, const FingerprintMatch& b) {
              int64_t oa = offset(a), ob = offset(b);
              return oa != ob ? oa < ob : a.query_fingerprint < b.query_fingerprint;
            });
  std::vector<ContainedRun> runs;
  size_t i = 0;
  while (i < matches.size()) {
    size_t j = i + 1;
    uint32_t count = 1;
    while (j < matches.size() && offset(matches[j]) == offset(matches[i]) &&
           matches[j].query_fingerprint <= matches[j - 1].query_fingerprint + 1) {
      count += matches[j].query_fingerprint != matches[j - 1].query_fingerprint;
      ++j;
    }
    const WinnowFingerprint& first = query[matches[i].query_fingerprint];
    const WinnowFingerprint& last = query[matches[j - 1].query_fingerprint];
    runs.push_back(ContainedRun{first.token_index,
                                last.token_index + static_cast<uint32_t>(kShingleTokens),
                                matches[i].doc_token_index, count});
    i = j;
  }
  std::stable_sort(runs.begin(), runs.end(), [](const ContainedRun& a, const ContainedRun& b) {
    return a.query_end - a.query_begin > b.query_end - b.query_begin;
  });
  return runs;
}

bool IsContained(const ContainedRun& run) {
  return run.fingerprints >= kContainedMinFingerprints &&
         run.query_end - run.query_begin >= kContainedMinTokens;
}

}  // namespace provledger::fingerprint
