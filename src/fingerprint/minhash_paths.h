// The two MinHash loops ComputeMinHash chooses between at run time, exposed
// so the tests run both on every machine (the vector loop where the CPU has
// it). Internal to src/fingerprint and its tests.
#ifndef PROVLEDGER_SRC_FINGERPRINT_MINHASH_PATHS_H_
#define PROVLEDGER_SRC_FINGERPRINT_MINHASH_PATHS_H_

#include <cstddef>
#include <cstdint>

namespace provledger::fingerprint::internal {

// sig[i] = min(sig[i], h_i(xs[s])) over the n shingle hashes, for the 128
// functions of docs/fingerprints.md §3. Thread-safe; sig holds kMinHashSize.

// The definition, one function at a time: any machine.
void UpdateMinHashScalar(const uint64_t* xs, size_t n, uint32_t* sig);

// The same values with AVX2, 8 functions at a time. Returns false, with sig
// untouched, where the compiler or the CPU has no AVX2.
bool UpdateMinHashVector(const uint64_t* xs, size_t n, uint32_t* sig);

}  // namespace provledger::fingerprint::internal

#endif  // PROVLEDGER_SRC_FINGERPRINT_MINHASH_PATHS_H_
