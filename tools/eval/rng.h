// A small deterministic random generator for the evaluation corpus. The
// standard library's distributions are implementation-defined, so the corpus
// would differ between standard libraries; this one is specified here.
#ifndef PROVLEDGER_TOOLS_EVAL_RNG_H_
#define PROVLEDGER_TOOLS_EVAL_RNG_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace provledger::eval {

// SplitMix64 (Steele, Lea, Flood 2014). Not thread-safe; one per thread.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n), n > 0 (Lemire's multiply-shift; bias < n / 2^64).
  size_t Below(size_t n) {
    __extension__ using U128 = unsigned __int128;
    return static_cast<size_t>((static_cast<U128>(Next()) * n) >> 64);
  }
  // Uniform in [lo, hi].
  size_t Between(size_t lo, size_t hi) { return lo + Below(hi - lo + 1); }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }

  template <typename T>
  void Shuffle(std::vector<T>* v) {
    for (size_t i = v->size(); i > 1; --i) std::swap((*v)[i - 1], (*v)[Below(i)]);
  }

 private:
  uint64_t state_;
};

}  // namespace provledger::eval

#endif  // PROVLEDGER_TOOLS_EVAL_RNG_H_
