#include "write_order.h"

#include <algorithm>
#include <string>

#include "provledger/encoding.h"

namespace provledger::storage_internal {
namespace {

// Bytes of the key in the window at offset `at`: the first window also
// holds the column.
size_t WindowBytes(size_t at) { return at == 0 ? 15 : 16; }

// Loads `e`'s window of key bytes [at, at + WindowBytes(at)), zero-padded:
// where the padding meets a longer key's bytes, the shorter key is a prefix
// of it so far, and `rest` (smaller for the shorter) decides.
void Load(OrderedOp* e, size_t at) {
  char b[16] = {};
  const std::string& key = e->op->key;
  const size_t width = WindowBytes(at);
  if (at == 0) {
    b[0] = static_cast<char>(e->op->column);
    key.copy(b + 1, width);
  } else {
    key.copy(b, width, at);
  }
  e->head = ReadU64BE(b);
  e->next = ReadU64BE(b + 8);
  e->rest = static_cast<uint32_t>(std::min(key.size() - at, width + 1));
}

bool Less(const OrderedOp& a, const OrderedOp& b) {
  if (a.head != b.head) return a.head < b.head;
  if (a.next != b.next) return a.next < b.next;
  if (a.rest != b.rest) return a.rest < b.rest;
  return a.op < b.op;  // the ops lie in batch order
}

bool SameWindow(const OrderedOp& a, const OrderedOp& b) {
  return a.head == b.head && a.next == b.next && a.rest == b.rest;
}

// Sorts [first, last), whose keys agree on the column and their first `at`
// bytes and are longer than `at` (or `at` is 0).
void SortFrom(OrderedOp* first, OrderedOp* last, size_t at) {
  for (OrderedOp* e = first; e != last; ++e) Load(e, at);
  std::sort(first, last, Less);
  const size_t width = WindowBytes(at);
  for (OrderedOp* i = first; i != last;) {
    OrderedOp* j = i + 1;
    while (j != last && SameWindow(*i, *j)) ++j;
    // Keys that agree on the window and go on past it: ordered by the rest.
    // Keys that end within it are equal, and stay in batch order.
    if (j - i > 1 && i->rest == width + 1) SortFrom(i, j, at + width);
    i = j;
  }
}

}  // namespace

void OrderOps(const std::vector<WriteBatch::Op>& ops, std::vector<OrderedOp>* out) {
  out->clear();
  out->reserve(ops.size());
  for (const WriteBatch::Op& op : ops) out->push_back(OrderedOp{0, 0, 0, &op});
  if (out->empty()) return;
  SortFrom(out->data(), out->data() + out->size(), 0);
}

}  // namespace provledger::storage_internal
