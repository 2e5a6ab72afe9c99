// The order in which a write batch's operations go to the engine.
#ifndef PROVLEDGER_SRC_STORAGE_WRITE_ORDER_H_
#define PROVLEDGER_SRC_STORAGE_WRITE_ORDER_H_

#include <cstdint>
#include <vector>

#include "provledger/storage.h"

namespace provledger::storage_internal {

// One operation and the part of its (column, key) being compared.
struct OrderedOp {
  uint64_t head = 0;  // the window's first 8 bytes, big-endian
  uint64_t next = 0;  // its last 8
  uint32_t rest = 0;  // key bytes from the window's start, at most the window's size + 1
  const WriteBatch::Op* op = nullptr;
};

// Fills `out` with pointers to `ops` ordered by (column, key) in byte order,
// operations on one key in batch order. `out`'s capacity is reused. Pure;
// `ops` must outlive `out`'s use.
//
// Sorting whole strings chased two pointers per comparison, and a group
// commit's index keys share long prefixes (a dataset's keys begin with its
// id), so most comparisons of those ran to a full memcmp. Here every
// comparison is of integers: 16-byte windows of the key (the column and the
// first 15 bytes, then 16 at a time), sorted again one window further only
// within a run of equal windows.
void OrderOps(const std::vector<WriteBatch::Op>& ops, std::vector<OrderedOp>* out);

}  // namespace provledger::storage_internal

#endif  // PROVLEDGER_SRC_STORAGE_WRITE_ORDER_H_
