// Key schema of the ledger's column families (see docs/ledger-format.md).
#ifndef PROVLEDGER_SRC_LEDGER_KEYS_H_
#define PROVLEDGER_SRC_LEDGER_KEYS_H_

#include <cstdint>
#include <string>

#include "provledger/encoding.h"
#include "provledger/merkle.h"

namespace provledger::ledger_keys {

// Column::kEntries: 8-byte big-endian ledger index.
inline std::string EntryKey(uint64_t index) { return U64BE(index); }

// Column::kTree: level byte || 8-byte big-endian node index.
inline std::string NodeKey(merkle::NodeId id) {
  std::string k(1, static_cast<char>(id.level));
  AppendU64BE(&k, id.index);
  return k;
}

// Column::kMeta.
inline constexpr char kOrigin[] = "origin";
inline constexpr char kSize[] = "size";
// Present once the ledger keeps a high-water mark outside the database.
inline constexpr char kMarkKept[] = "high_water_mark_kept";
inline std::string CheckpointKey(uint64_t size) { return std::string("checkpoint/") + U64BE(size); }

}  // namespace provledger::ledger_keys

#endif  // PROVLEDGER_SRC_LEDGER_KEYS_H_
