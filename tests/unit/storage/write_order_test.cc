// OrderOps puts a batch's ops in (column, key) byte order, ops on one key in
// batch order: compared with a stable sort of whole strings.
#include "write_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "provledger/storage.h"

namespace provledger::storage_internal {
namespace {

// The reference: a stable sort on the column and the whole key.
std::vector<const WriteBatch::Op*> Reference(const std::vector<WriteBatch::Op>& ops) {
  std::vector<const WriteBatch::Op*> out;
  out.reserve(ops.size());
  for (const auto& op : ops) out.push_back(&op);
  std::stable_sort(out.begin(), out.end(), [](const WriteBatch::Op* a, const WriteBatch::Op* b) {
    if (a->column != b->column) return a->column < b->column;
    return a->key < b->key;
  });
  return out;
}

std::vector<const WriteBatch::Op*> Ordered(const std::vector<WriteBatch::Op>& ops) {
  std::vector<OrderedOp> ordered;
  OrderOps(ops, &ordered);
  std::vector<const WriteBatch::Op*> out;
  out.reserve(ordered.size());
  for (const auto& e : ordered) out.push_back(e.op);
  return out;
}

WriteBatch::Op MakeOp(Column column, std::string key, int value) {
  return WriteBatch::Op{column, std::move(key), std::to_string(value)};
}

TEST(WriteOrderTest, EmptyBatch) {
  std::vector<WriteBatch::Op> ops;
  EXPECT_TRUE(Ordered(ops).empty());
}

// Keys that differ only in length, trailing zero bytes, or at the edges of
// the 15- and 16-byte windows.
TEST(WriteOrderTest, PrefixesAndWindowEdges) {
  std::vector<WriteBatch::Op> ops;
  int v = 0;
  const std::string base = "dd/dataset-with-a-long-id";  // 25 bytes
  for (size_t len : {0, 1, 14, 15, 16, 17, 30, 31, 32, 33, 47, 48, 25}) {
    std::string k = base.substr(0, std::min(len, base.size()));
    k.resize(len, '\0');
    ops.push_back(MakeOp(Column::kIndex, k, v++));
    ops.push_back(MakeOp(Column::kIndex, k + std::string(1, '\0'), v++));
    ops.push_back(MakeOp(Column::kIndex, k + "\x01", v++));
    ops.push_back(MakeOp(Column::kIndex, k + "\xff", v++));
  }
  ops.push_back(MakeOp(Column::kIndex, base, v++));  // a second put on one key
  ops.push_back(MakeOp(Column::kTree, base, v++));
  ops.push_back(MakeOp(Column::kEntries, "", v++));
  std::shuffle(ops.begin(), ops.end(), std::mt19937(7));
  EXPECT_EQ(Ordered(ops), Reference(ops));
}

// A group commit's shape: many keys under a few long shared prefixes,
// random suffixes, repeated keys, every column.
TEST(WriteOrderTest, RandomKeysUnderSharedPrefixes) {
  std::mt19937_64 rng(42);
  const std::vector<std::string> prefixes = {
      "",
      "cid/",
      "dc/dataset-0123456789abcdef",
      "dd/dataset-0123456789abcdef",
      "dd/dataset-0123456789abcdeg",
      "sh/com.example.www.and.a.long.host.name",
      std::string(40, '\0'),
  };
  for (int round = 0; round < 20; ++round) {
    std::vector<WriteBatch::Op> ops;
    for (int i = 0; i < 3000; ++i) {
      std::string key = prefixes[rng() % prefixes.size()];
      const size_t tail = rng() % 24;
      for (size_t j = 0; j < tail; ++j) key.push_back(static_cast<char>(rng() % 4));  // 0..3
      ops.push_back(MakeOp(static_cast<Column>(rng() % kNumColumns), key, i));
      if (rng() % 10 == 0) ops.push_back(MakeOp(ops.back().column, key, -i));  // a repeat
    }
    ASSERT_EQ(Ordered(ops), Reference(ops)) << "round " << round;
  }
}

}  // namespace
}  // namespace provledger::storage_internal
