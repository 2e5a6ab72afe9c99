// Key layout of Column::kPostings (docs/ledger-format.md, "Postings").
// Every key starts with a kPostingsPrefixBytes lookup prefix -- kind, band,
// 64-bit hash -- followed by the 8-byte big-endian ledger index, so one
// prefix scan lists a hash's documents in ledger order.
#ifndef PROVLEDGER_SRC_INDEX_POSTING_KEYS_H_
#define PROVLEDGER_SRC_INDEX_POSTING_KEYS_H_

#include <cstdint>
#include <string>

#include "provledger/encoding.h"
#include "provledger/storage.h"

namespace provledger::posting_keys {

inline constexpr char kLshBand = 'L';  // value: empty
inline constexpr char kWinnow = 'W';   // value: token index, u32 BE (| kRepeatedFlag)
// Set in a winnowing posting's value when the hash occurs more than once in
// the document (the posting holds its first position).
inline constexpr uint32_t kRepeatedFlag = 0x80000000u;

// The lookup prefix: kind ‖ band (0 for winnowing) ‖ hash (u64 BE).
inline void AppendPrefix(char kind, uint8_t band, uint64_t hash, std::string* out) {
  out->push_back(kind);
  out->push_back(static_cast<char>(band));
  AppendU64BE(out, hash);
}
inline std::string Prefix(char kind, uint8_t band, uint64_t hash) {
  std::string p;
  p.reserve(kPostingsPrefixBytes + 8);
  AppendPrefix(kind, band, hash, &p);
  return p;
}

// Sets *key to the whole key of a posting, Prefix(kind, band, hash) ‖
// ledger index (u64 BE), in place: the indexer writes millions, and four
// appends a key were ~2% of registration CPU.
inline void SetKey(char kind, uint8_t band, uint64_t hash, uint64_t ledger_index,
                   std::string* key) {
  static_assert(kPostingsPrefixBytes == 2 + 8, "kind, band, hash");
  key->resize(kPostingsPrefixBytes + 8);
  char* p = key->data();
  p[0] = kind;
  p[1] = static_cast<char>(band);
  StoreU64BE(p + 2, hash);
  StoreU64BE(p + kPostingsPrefixBytes, ledger_index);
}

// The first key after every key that starts with `prefix` (prefixes here
// are never all 0xff bytes: the kind byte is a letter).
inline std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

// Where the indexer records how far it got: entries below this ledger index
// (u64 BE) have their postings written. The key names the postings layout:
// a new layout uses a new key, so a server rebuilds the postings from the
// entries (rewriting every key) instead of mixing layouts.
inline constexpr char kWatermarkKey[] = "postings/v2/indexed_size";

}  // namespace provledger::posting_keys

#endif  // PROVLEDGER_SRC_INDEX_POSTING_KEYS_H_
