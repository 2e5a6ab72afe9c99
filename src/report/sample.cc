// The audit sample procedure provledger-sample/v1 (docs/reports.md §4).
#include <unordered_set>

#include "provledger/encoding.h"
#include "provledger/report.h"
#include "provledger/sha256.h"

namespace provledger::report {

std::vector<uint64_t> DrawSample(std::string_view seed, uint64_t population, uint64_t max_draws) {
  std::vector<uint64_t> out;
  if (population == 0) return out;
  const uint64_t want = std::min(max_draws, population);
  out.reserve(want);
  std::unordered_set<uint64_t> drawn;
  // 2^64 mod population: values below it would favour the low positions.
  const uint64_t reject_below = (0 - population) % population;
  std::string input = std::string(kSampleProcedure) + "\n" + std::string(seed);
  const size_t counter_at = input.size();
  input.append(8, '\0');
  for (uint64_t j = 0; out.size() < want; ++j) {
    std::string counter = U64BE(j);
    input.replace(counter_at, 8, counter);
    uint64_t x = ReadU64BE(Sha256(input).data());
    if (x < reject_below) continue;
    uint64_t position = x % population;
    if (drawn.insert(position).second) out.push_back(position);
  }
  return out;
}

std::string ReviewStatus(uint64_t sampled, uint64_t reviewed, uint64_t passed) {
  if (reviewed == 0) return "NOT_REVIEWED";
  if (reviewed < sampled) return "INCOMPLETE";
  return passed * 1000 >= kPassBarPermille * sampled ? "MEETS_BAR" : "BELOW_BAR";
}

}  // namespace provledger::report
