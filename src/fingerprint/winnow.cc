// Winnowing (Schleimer, Wilkerson, Aiken 2003), robust variant.
#include "provledger/fingerprint.h"

namespace provledger::fingerprint {

std::vector<WinnowFingerprint> Winnow(const std::vector<uint64_t>& shingle_hashes) {
  std::vector<WinnowFingerprint> out;
  size_t n = shingle_hashes.size();
  if (n == 0) return out;
  size_t w = kWinnowWindow;
  if (n < w) w = n;  // a short text is a single window
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

}  // namespace provledger::fingerprint
