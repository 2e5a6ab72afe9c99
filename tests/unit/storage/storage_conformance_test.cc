// One conformance suite, run against every Storage implementation.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "provledger/encoding.h"
#include "provledger/storage.h"
#include "test_util.h"

namespace provledger {
namespace {

using testing::TempDir;
using testing::ValueOrDie;

struct Backend {
  std::string name;
  std::function<std::unique_ptr<Storage>(const std::string& dir)> open;
};

class StorageConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { db_ = GetParam().open(dir_.path()); }
  TempDir dir_;
  std::unique_ptr<Storage> db_;
};

TEST_P(StorageConformanceTest, WriteThenReadAcrossColumns) {
  WriteBatch b;
  b.Put(Column::kEntries, "k", "entries-v");
  b.Put(Column::kIndex, "k", "index-v");
  PL_ASSERT_OK(db_->Write(b, true));
  EXPECT_EQ(*ValueOrDie(db_->Get(Column::kEntries, "k")), "entries-v");
  EXPECT_EQ(*ValueOrDie(db_->Get(Column::kIndex, "k")), "index-v");
  EXPECT_FALSE(ValueOrDie(db_->Get(Column::kTree, "k")).has_value());
  EXPECT_FALSE(ValueOrDie(db_->Get(Column::kEntries, "missing")).has_value());
}

TEST_P(StorageConformanceTest, ApproximateBytesGrowsWithItsColumnOnly) {
  uint64_t index0 = ValueOrDie(db_->ApproximateBytes(Column::kIndex));
  uint64_t tree0 = ValueOrDie(db_->ApproximateBytes(Column::kTree));
  WriteBatch b;
  for (int i = 0; i < 1000; ++i) b.Put(Column::kIndex, "key-" + std::to_string(i), "value");
  PL_ASSERT_OK(db_->Write(b, true));
  EXPECT_GE(ValueOrDie(db_->ApproximateBytes(Column::kIndex)), index0 + 1000 * 9);
  EXPECT_EQ(ValueOrDie(db_->ApproximateBytes(Column::kTree)), tree0);
}

TEST_P(StorageConformanceTest, MultiGetKeepsOrderAndMisses) {
  WriteBatch b;
  b.Put(Column::kTree, "a", "1");
  b.Put(Column::kTree, "c", "3");
  PL_ASSERT_OK(db_->Write(b, false));
  auto got = ValueOrDie(db_->MultiGet(Column::kTree, {"c", "b", "a"}));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(*got[0], "3");
  EXPECT_FALSE(got[1].has_value());
  EXPECT_EQ(*got[2], "1");
}

TEST_P(StorageConformanceTest, ScanIsOrderedAndBounded) {
  WriteBatch b;
  for (std::string k : {"p/3", "p/1", "p/2", "q/1", "o/9"}) {
    b.Put(Column::kIndex, k, "v" + k);
  }
  PL_ASSERT_OK(db_->Write(b, true));
  std::vector<std::string> seen;
  PL_ASSERT_OK(db_->Scan(Column::kIndex, "p/", "p0", [&](std::string_view k, std::string_view v) {
    seen.emplace_back(k);
    EXPECT_EQ(v, "v" + std::string(k));
    return true;
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{"p/1", "p/2", "p/3"}));
  seen.clear();
  PL_ASSERT_OK(db_->Scan(Column::kIndex, "p/2", "", [&](std::string_view k, std::string_view) {
    seen.emplace_back(k);
    return seen.size() < 2;
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{"p/2", "p/3"}));
}

TEST_P(StorageConformanceTest, OverwriteAndBinaryKeys) {
  std::string key("\x00\xff\x00", 3);
  WriteBatch b1, b2;
  b1.Put(Column::kMeta, key, "one");
  b2.Put(Column::kMeta, key, std::string("\0two", 4));
  PL_ASSERT_OK(db_->Write(b1, true));
  PL_ASSERT_OK(db_->Write(b2, true));
  EXPECT_EQ(*ValueOrDie(db_->Get(Column::kMeta, key)), std::string("\0two", 4));
}

TEST_P(StorageConformanceTest, ABatchMeansItsPutsInOrder) {
  // The RocksDB backend reorders a batch by key before writing it; the
  // batch must still mean its puts in order: the last put to a key wins.
  // Keys shorter than, equal to and sharing their first 7 bytes.
  WriteBatch b;
  std::vector<std::string> keys = {"samehead-b", "samehead-a", "k",         std::string("\0", 1),
                                   "samehea",    "samehead",   "samehead-a"};
  for (size_t i = 0; i < keys.size(); ++i) b.Put(Column::kIndex, keys[i], std::to_string(i));
  b.Put(Column::kEntries, "k", "other column");
  // Enough keys for a real sort (not insertion sort), one of them put
  // again and again among the others.
  for (int i = 0; i < 500; ++i) {
    b.Put(Column::kIndex, "filler" + std::to_string((i * 7919) % 500), "f");
    if (i % 50 == 0) b.Put(Column::kIndex, "fill", std::to_string(i));
  }
  PL_ASSERT_OK(db_->Write(b, true));
  EXPECT_EQ(*ValueOrDie(db_->Get(Column::kIndex, "fill")), "450");
  EXPECT_EQ(*ValueOrDie(db_->Get(Column::kIndex, "samehead-a")), "6");
  EXPECT_EQ(*ValueOrDie(db_->Get(Column::kIndex, "samehead-b")), "0");
  EXPECT_EQ(*ValueOrDie(db_->Get(Column::kIndex, "k")), "2");
  EXPECT_EQ(*ValueOrDie(db_->Get(Column::kEntries, "k")), "other column");
  std::vector<std::string> listed;
  PL_ASSERT_OK(db_->Scan(Column::kIndex, "", "", [&](std::string_view k, std::string_view) {
    listed.emplace_back(k);
    return true;
  }));
  listed.erase(std::remove_if(listed.begin(), listed.end(),
                              [](const std::string& k) { return k.rfind("fill", 0) == 0; }),
               listed.end());
  EXPECT_EQ(listed, (std::vector<std::string>{std::string("\0", 1), "k", "samehea", "samehead",
                                              "samehead-a", "samehead-b"}));
}

std::function<bool(std::string*, std::string*)> SortedRun(std::vector<std::string> keys);

TEST_P(StorageConformanceTest, ScanPrefixesListsEachPrefixInOnePass) {
  std::string a = "W" + std::string(9, '\x05'), b = "W" + std::string(9, '\x02');
  std::string none = "W" + std::string(9, '\x09');
  PL_ASSERT_OK(db_->IngestSorted(Column::kPostings,
                                 SortedRun({b + "1", b + "2", a + "1", a + "2", a + "3"})));
  std::vector<std::vector<std::string>> seen(3);
  PL_ASSERT_OK(db_->ScanPrefixes(Column::kPostings, {a, none, b},
                                 [&](size_t i, std::string_view k, std::string_view) {
                                   seen[i].emplace_back(k);
                                   return seen[i].size() < 2;  // at most two per prefix
                                 }));
  EXPECT_EQ(seen[0], (std::vector<std::string>{a + "1", a + "2"}));
  EXPECT_TRUE(seen[1].empty());
  EXPECT_EQ(seen[2], (std::vector<std::string>{b + "1", b + "2"}));
  // Other columns, prefixes of any length.
  WriteBatch w;
  w.Put(Column::kIndex, "p/1", "");
  w.Put(Column::kIndex, "p/2", "");
  w.Put(Column::kIndex, "q/1", "");
  PL_ASSERT_OK(db_->Write(w, true));
  std::vector<std::string> idx;
  PL_ASSERT_OK(db_->ScanPrefixes(Column::kIndex, {"q/", "p/"},
                                 [&](size_t i, std::string_view k, std::string_view) {
                                   idx.push_back(std::to_string(i) + std::string(k));
                                   return true;
                                 }));
  EXPECT_EQ(idx, (std::vector<std::string>{"1p/1", "1p/2", "0q/1"}));
}

TEST_P(StorageConformanceTest, LastFindsTheGreatestKeyInARange) {
  WriteBatch b;
  for (const char* k : {"c/1", "c/3", "c/5", "d/0"}) b.Put(Column::kMeta, k, std::string("v") + k);
  PL_ASSERT_OK(db_->Write(b, true));
  using Row = std::optional<std::pair<std::string, std::string>>;
  EXPECT_EQ(ValueOrDie(db_->Last(Column::kMeta, "c/", "c/4")), Row({"c/3", "vc/3"}));
  EXPECT_EQ(ValueOrDie(db_->Last(Column::kMeta, "c/", "c/5")),
            Row({"c/3", "vc/3"}));  // end excluded
  EXPECT_EQ(ValueOrDie(db_->Last(Column::kMeta, "c/", "c0")), Row({"c/5", "vc/5"}));
  EXPECT_EQ(ValueOrDie(db_->Last(Column::kMeta, "c/", "")), Row({"d/0", "vd/0"}));
  EXPECT_EQ(ValueOrDie(db_->Last(Column::kMeta, "c/2", "c/3")), Row());  // nothing in range
  EXPECT_EQ(ValueOrDie(db_->Last(Column::kMeta, "a", "c/1")), Row());
  EXPECT_EQ(ValueOrDie(db_->Last(Column::kTree, "", "")), Row());
}

// A run of n postings-shaped keys (10-byte prefix, then a suffix).
std::function<bool(std::string*, std::string*)> SortedRun(std::vector<std::string> keys) {
  auto pos = std::make_shared<size_t>(0);
  return [keys = std::move(keys), pos](std::string* k, std::string* v) {
    if (*pos == keys.size()) return false;
    *k = keys[*pos];
    *v = "v" + std::to_string((*pos)++);
    return true;
  };
}

TEST_P(StorageConformanceTest, IngestSortedRunsAreReadableAndOverride) {
  std::string p1 = "w" + std::string(9, '\x01'), p2 = "w" + std::string(9, '\x02');
  PL_ASSERT_OK(db_->IngestSorted(Column::kPostings, SortedRun({p1 + "a", p1 + "b", p2 + "a"})));
  // A second run overlapping the first: its value wins for the shared key.
  PL_ASSERT_OK(db_->IngestSorted(Column::kPostings, SortedRun({p1 + "b", p1 + "c"})));
  std::vector<std::pair<std::string, std::string>> seen;
  std::string end = p1;
  end.back()++;
  PL_ASSERT_OK(db_->Scan(Column::kPostings, p1, end, [&](std::string_view k, std::string_view v) {
    seen.emplace_back(std::string(k), std::string(v));
    return true;
  }));
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{
                      {p1 + "a", "v0"}, {p1 + "b", "v0"}, {p1 + "c", "v1"}}));
  EXPECT_EQ(*ValueOrDie(db_->Get(Column::kPostings, p2 + "a")), "v2");
  // An empty run adds nothing and is not an error.
  PL_ASSERT_OK(db_->IngestSorted(Column::kPostings, SortedRun({})));
  EXPECT_FALSE(ValueOrDie(db_->Get(Column::kPostings, p2 + "b")).has_value());
}

TEST_P(StorageConformanceTest, IngestSortedRefusesUnorderedRunsWhole) {
  std::string p = "l" + std::string(9, '\x07');
  for (auto keys :
       {std::vector<std::string>{p + "b", p + "a"}, std::vector<std::string>{p + "a", p + "a"}}) {
    absl::Status s = db_->IngestSorted(Column::kPostings, SortedRun(keys));
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  }
  EXPECT_FALSE(ValueOrDie(db_->Get(Column::kPostings, p + "a")).has_value());
  EXPECT_FALSE(ValueOrDie(db_->Get(Column::kPostings, p + "b")).has_value());
}

TEST_P(StorageConformanceTest, DeleteRangeRemovesExactlyTheRange) {
  // Two ingested runs (their own table files in RocksDB) and written keys
  // around them: the range takes whole files and parts of others.
  PL_ASSERT_OK(db_->IngestSorted(Column::kPostings, SortedRun({"R1a", "R1b", "R1c"})));
  PL_ASSERT_OK(db_->IngestSorted(Column::kPostings, SortedRun({"R2a", "R2b"})));
  WriteBatch b;
  b.Put(Column::kPostings, "R0z", "w");
  b.Put(Column::kPostings, "R1bb", "w");
  b.Put(Column::kPostings, "R3a", "w");
  b.Put(Column::kMeta, "R1a", "other column");
  PL_ASSERT_OK(db_->Write(b, true));
  PL_ASSERT_OK(db_->DeleteRange(Column::kPostings, "R1", "R2b"));
  std::vector<std::string> left;
  PL_ASSERT_OK(db_->Scan(Column::kPostings, "", "", [&](std::string_view k, std::string_view) {
    left.emplace_back(k);
    return true;
  }));
  EXPECT_EQ(left, (std::vector<std::string>{"R0z", "R2b", "R3a"}));
  EXPECT_EQ(*ValueOrDie(db_->Get(Column::kMeta, "R1a")), "other column");
  // Keys written again afterwards are readable.
  PL_ASSERT_OK(db_->IngestSorted(Column::kPostings, SortedRun({"R1a"})));
  EXPECT_EQ(*ValueOrDie(db_->Get(Column::kPostings, "R1a")), "v0");
  for (auto [begin, end] : {std::pair{"R2", "R1"}, std::pair{"", "R9"}, std::pair{"R1", "R1"}}) {
    EXPECT_EQ(db_->DeleteRange(Column::kPostings, begin, end).code(),
              absl::StatusCode::kInvalidArgument)
        << begin << ".." << end;
  }
  EXPECT_EQ(*ValueOrDie(db_->Get(Column::kPostings, "R0z")), "w");
}

// A write applies its own puts only: nothing of an earlier batch (RocksDB
// reuses its batch buffer) comes back after a delete.
TEST_P(StorageConformanceTest, AWriteRepeatsNoEarlierBatch) {
  WriteBatch first;
  first.Put(Column::kIndex, "gone", "1");
  PL_ASSERT_OK(db_->Write(first, false));
  PL_ASSERT_OK(db_->DeleteRange(Column::kIndex, "g", "h"));
  WriteBatch second;
  second.Put(Column::kIndex, "kept", "2");
  PL_ASSERT_OK(db_->Write(second, false));
  EXPECT_FALSE(ValueOrDie(db_->Get(Column::kIndex, "gone")).has_value());
  EXPECT_EQ(*ValueOrDie(db_->Get(Column::kIndex, "kept")), "2");
}

INSTANTIATE_TEST_SUITE_P(
    Backends, StorageConformanceTest,
    ::testing::Values(Backend{"rocksdb",
                              [](const std::string& dir) {
                                return ValueOrDie(
                                    OpenRocksDbStorage(dir + "/db", RocksDbOptions{}));
                              }},
                      Backend{"memory", [](const std::string&) { return NewMemoryStorage(); }}),
    [](const ::testing::TestParamInfo<Backend>& info) { return info.param.name; });

TEST(RocksDbStorageTest, DataSurvivesReopenAndLockIsExclusive) {
  TempDir dir;
  {
    auto db = ValueOrDie(OpenRocksDbStorage(dir.path(), {}));
    WriteBatch b;
    b.Put(Column::kEntries, "k", "v");
    PL_ASSERT_OK(db->Write(b, true));
    auto second = OpenRocksDbStorage(dir.path(), {});
    EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
  }
  auto db = ValueOrDie(OpenRocksDbStorage(dir.path(), {}));
  EXPECT_EQ(*ValueOrDie(db->Get(Column::kEntries, "k")), "v");
}

TEST(RocksDbStorageTest, SyncWalRunsWhileOtherThreadsWrite) {
  // The ledger writes groups without fsync on one thread and syncs them on
  // another; every write that returned before a SyncWal is kept.
  TempDir dir;
  constexpr int kWrites = 2000;
  {
    auto db = ValueOrDie(OpenRocksDbStorage(dir.path(), {}));
    std::atomic<bool> done{false};
    std::thread writer([&] {
      for (int i = 0; i < kWrites; ++i) {
        WriteBatch b;
        b.Put(Column::kEntries, "k" + std::to_string(i), std::string(1000, 'v'));
        PL_EXPECT_OK(db->Write(b, /*sync=*/false));
      }
      done = true;
    });
    int syncs = 0;
    while (!done || syncs == 0) {
      PL_EXPECT_OK(db->SyncWal());
      ++syncs;
    }
    writer.join();
    PL_EXPECT_OK(db->SyncWal());
  }
  auto db = ValueOrDie(OpenRocksDbStorage(dir.path(), {}));
  for (int i = 0; i < kWrites; i += 97) {
    EXPECT_TRUE(ValueOrDie(db->Get(Column::kEntries, "k" + std::to_string(i))).has_value()) << i;
  }
}

TEST(RocksDbStorageTest, BackgroundWorkIsReportedUntilCompactionsCatchUp) {
  // Overlapping runs in the postings column: the first ones take the empty
  // levels 6 to 1, the next ones pile up in level 0 until they pass its
  // compaction trigger. The compaction they start is reported (due or
  // running) while the last runs are added, and the storage reports idle
  // once it is done, with every key still readable.
  TempDir dir;
  auto db = ValueOrDie(OpenRocksDbStorage(dir.path(), {}));
  EXPECT_TRUE(ValueOrDie(db->PendingBackgroundWork()).idle());
  constexpr int kRuns = 16, kKeys = 100000;
  auto key = [](int run, int i) {
    std::string k = "w" + std::string(9, '\x05');
    AppendU64BE(&k, static_cast<uint64_t>(i) * kRuns + run);
    return k;
  };
  bool saw_compaction = false;
  for (int r = 0; r < kRuns; ++r) {
    int i = 0;
    PL_ASSERT_OK(db->IngestSorted(Column::kPostings, [&](std::string* k, std::string* v) {
      if (i == kKeys) return false;
      *k = key(r, i++);
      *v = "v";
      return true;
    }));
    Storage::BackgroundWork work = ValueOrDie(db->PendingBackgroundWork());
    saw_compaction = saw_compaction || work.compaction_pending || work.running_compactions > 0;
  }
  EXPECT_TRUE(saw_compaction);
  Storage::BackgroundWork work = ValueOrDie(db->PendingBackgroundWork());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (!work.idle() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    work = ValueOrDie(db->PendingBackgroundWork());
  }
  EXPECT_TRUE(work.idle()) << work.running_compactions << " running, "
                           << work.pending_compaction_bytes << " bytes pending";
  for (int r = 0; r < kRuns; ++r) {
    EXPECT_EQ(*ValueOrDie(db->Get(Column::kPostings, key(r, kKeys - 1 - r))), "v") << r;
  }
}

TEST(MemoryStorageTest, InjectedSyncFailureIsReported) {
  auto db = NewMemoryStorage(-1, 1);
  PL_EXPECT_OK(db->SyncWal());
  EXPECT_EQ(db->SyncWal().code(), absl::StatusCode::kUnavailable);
}

TEST(MemoryStorageTest, InjectedFailureWritesNothing) {
  auto db = NewMemoryStorage(1);
  WriteBatch b;
  b.Put(Column::kEntries, "a", "1");
  PL_ASSERT_OK(db->Write(b, true));
  WriteBatch b2;
  b2.Put(Column::kEntries, "b", "2");
  EXPECT_EQ(db->Write(b2, true).code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(ValueOrDie(db->Get(Column::kEntries, "b")).has_value());
}

}  // namespace
}  // namespace provledger
