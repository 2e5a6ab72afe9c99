// Deterministic synthetic prose for fingerprinting and matching tests.
#ifndef PROVLEDGER_TESTS_TEST_TEXT_H_
#define PROVLEDGER_TESTS_TEST_TEXT_H_

#include <cstdint>
#include <string>

namespace provledger::testing {

// `n` words from a seed: 14 stems with a number each (700 distinct words), so
// two seeds share a 5-token shingle only by chance (~1 in 10^14).
inline std::string SyntheticProse(int seed, int n) {
  static const char* kWords[] = {"river", "stone", "quiet", "lamp",  "orbit", "maple", "ledger",
                                 "cloud", "amber", "field", "north", "pilot", "crane", "velvet"};
  std::string out;
  uint64_t x = static_cast<uint64_t>(seed) * 2654435761u + 1;
  for (int i = 0; i < n; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    out += kWords[(x >> 33) % 14];
    out += std::to_string((x >> 20) % 50);
    out += ' ';
  }
  return out;
}

}  // namespace provledger::testing

#endif  // PROVLEDGER_TESTS_TEST_TEXT_H_
