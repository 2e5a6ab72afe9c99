// A data directory written by an earlier provledger keeps working: its
// index and tree columns were compacted level by level, the current
// storage compacts them by sorted runs (tiered, "universal"). The test
// builds the older layout with RocksDB itself, then opens it with
// OpenRocksDbStorage and checks that every key reads back, that the newest
// value of a key wins, and that the first compaction merges the old levels.
// Also where the storage chooses the layout of a column's files: ingested
// short-lived runs are stored uncompressed.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/metadata.h>
#include <rocksdb/options.h>

#include <chrono>
#include <map>
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

using ::provledger::testing::TempDir;
using ::provledger::testing::ValueOrDie;

constexpr Column kTiered[] = {Column::kIndex, Column::kTree};

// Opens `dir` with RocksDB's default (level-style) options for every
// provledger column, automatic compactions off so the test places each file.
struct LevelStyleDb {
  explicit LevelStyleDb(const std::string& dir) {
    rocksdb::DBOptions db_options;
    db_options.create_if_missing = true;
    db_options.create_missing_column_families = true;
    rocksdb::ColumnFamilyOptions cf;
    cf.disable_auto_compactions = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    cfs.emplace_back(rocksdb::kDefaultColumnFamilyName, cf);
    for (size_t i = 0; i < kNumColumns; ++i) {
      cfs.emplace_back(std::string(ColumnName(static_cast<Column>(i))), cf);
    }
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(db_options, dir, cfs, &handles, &raw);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db.reset(raw);
  }
  ~LevelStyleDb() {
    for (auto* h : handles) EXPECT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  }
  rocksdb::ColumnFamilyHandle* Handle(Column c) const {
    return handles[static_cast<size_t>(c) + 1];
  }
  int FilesAt(Column c, int level) const {
    std::string n;
    EXPECT_TRUE(
        db->GetProperty(Handle(c), "rocksdb.num-files-at-level" + std::to_string(level), &n));
    return std::stoi(n);
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::unique_ptr<rocksdb::DB> db;
};

// Key i of the column: hashed so every flushed file spans the key space, as
// content ids and tree levels do.
std::string Key(Column c, uint64_t i) {
  std::string k(1, static_cast<char>('a' + static_cast<int>(c)));
  AppendU64BE(&k, (i * 0x9E3779B97F4A7C15ull) ^ (i >> 7));
  return k;
}

// Writes keys [first, first + count) of `c` (plus `rewrite` of the keys
// from 0, a newer value for each) as one table file, placed in `level`;
// records the value of every key in `expected`.
void AddRun(LevelStyleDb& db, Column c, int level, uint64_t first, uint64_t count, uint64_t rewrite,
            std::map<std::string, std::string>* expected) {
  rocksdb::WriteBatch batch;
  auto put = [&](uint64_t i) {
    std::string v = "from " + std::to_string(first) + "/" + std::to_string(i);
    ASSERT_TRUE(batch.Put(db.Handle(c), Key(c, i), v).ok());
    (*expected)[Key(c, i)] = v;
  };
  for (uint64_t i = first; i < first + count; ++i) put(i);
  for (uint64_t i = 0; i < rewrite; ++i) put(i);
  ASSERT_TRUE(db.db->Write(rocksdb::WriteOptions(), &batch).ok());
  ASSERT_TRUE(db.db->Flush(rocksdb::FlushOptions(), db.Handle(c)).ok());
  if (level == 0) return;
  rocksdb::ColumnFamilyMetaData meta;
  db.db->GetColumnFamilyMetaData(db.Handle(c), &meta);
  std::vector<std::string> l0;
  for (const auto& f : meta.levels[0].files) l0.push_back(f.name);
  ASSERT_EQ(l0.size(), 1u);
  rocksdb::Status s = db.db->CompactFiles(rocksdb::CompactionOptions(), db.Handle(c), l0, level);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

// Sorted runs of `c`: each level-0 file, and each non-empty deeper level.
int SortedRuns(const LevelStyleDb& db, Column c) {
  int runs = db.FilesAt(c, 0);
  for (int level = 1; level < 7; ++level) runs += db.FilesAt(c, level) > 0 ? 1 : 0;
  return runs;
}

// Polls until the storage reports no background work, for up to `limit`.
bool BecomesIdle(Storage& db, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!ValueOrDie(db.PendingBackgroundWork()).idle()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

TEST(RocksDbLayoutTest, LevelStyleColumnsOpenReadAndCompactAsSortedRuns) {
  TempDir dir;
  constexpr uint64_t kPerRun = 3000;
  // Run r holds keys r*kPerRun .. +kPerRun-1, and the last run also rewrites
  // the first kPerRun/10 keys of run 0 (a newer value must win).
  constexpr int kRuns = 5;
  const int kLevelOfRun[kRuns] = {4, 2, 1, 0, 0};  // oldest at the bottom
  std::map<std::string, std::string> expected[2];
  {
    LevelStyleDb old(dir.path());
    for (int r = 0; r < kRuns; ++r) {
      for (int t = 0; t < 2; ++t) {
        AddRun(old, kTiered[t], kLevelOfRun[r], r * kPerRun, kPerRun,
               r == kRuns - 1 ? kPerRun / 10 : 0, &expected[t]);
      }
    }
    for (Column c : kTiered) {
      for (int level : {0, 1, 2, 4}) {
        EXPECT_EQ(old.FilesAt(c, level), level == 0 ? 2 : 1) << ColumnName(c) << " L" << level;
      }
    }
  }

  {
    // Five sorted runs, over the tiered trigger: the storage merges them.
    auto db = ValueOrDie(OpenRocksDbStorage(dir.path(), {}));
    for (int t = 0; t < 2; ++t) {
      WriteBatch b;
      b.Put(kTiered[t], Key(kTiered[t], 1), "after reopening");
      expected[t][Key(kTiered[t], 1)] = "after reopening";
      PL_ASSERT_OK(db->Write(b, /*sync=*/true));
    }
    EXPECT_TRUE(BecomesIdle(*db, std::chrono::minutes(2)));
    for (int t = 0; t < 2; ++t) {
      size_t seen = 0;
      PL_ASSERT_OK(db->Scan(kTiered[t], "", "", [&](std::string_view k, std::string_view v) {
        auto it = expected[t].find(std::string(k));
        EXPECT_TRUE(it != expected[t].end()) << ColumnName(kTiered[t]);
        if (it != expected[t].end()) {
          EXPECT_EQ(v, it->second);
        }
        ++seen;
        return true;
      }));
      EXPECT_EQ(seen, expected[t].size()) << ColumnName(kTiered[t]);
    }
  }

  // What the storage left: the old levels merged into fewer sorted runs.
  LevelStyleDb after(dir.path());
  for (Column c : kTiered) EXPECT_LT(SortedRuns(after, c), 5) << ColumnName(c);
}

TEST(RocksDbLayoutTest, AsManyRunsAsTheTriggerOfDifferentSizesAreNoWorkDue) {
  // Four runs (the trigger), each twice the size of the next newer one:
  // RocksDB reports a compaction pending for such a column but picks none
  // (no two runs of similar size, the newer ones smaller than the oldest)
  // until a fifth run arrives. The storage must not report it as work due,
  // or a caller waiting for the background work to finish waits forever.
  TempDir dir;
  std::map<std::string, std::string> expected[2];
  {
    LevelStyleDb old(dir.path());
    uint64_t first = 0;
    for (auto [level, count] : {std::pair{6, 16000}, {5, 8000}, {4, 4000}, {0, 2000}}) {
      for (int t = 0; t < 2; ++t) AddRun(old, kTiered[t], level, first, count, 0, &expected[t]);
      first += count;
    }
    for (Column c : kTiered) ASSERT_EQ(SortedRuns(old, c), 4) << ColumnName(c);
  }
  {
    auto db = ValueOrDie(OpenRocksDbStorage(dir.path(), {}));
    EXPECT_TRUE(BecomesIdle(*db, std::chrono::seconds(20)));
    for (int t = 0; t < 2; ++t) {
      EXPECT_EQ(*ValueOrDie(db->Get(kTiered[t], Key(kTiered[t], 29999))),
                expected[t][Key(kTiered[t], 29999)]);
    }
  }
  // RocksDB left the runs as they were: nothing was due.
  LevelStyleDb after(dir.path());
  for (Column c : kTiered) EXPECT_EQ(SortedRuns(after, c), 4) << ColumnName(c);
}

TEST(RocksDbLayoutTest, ShortLivedRunsAreIngestedUncompressedLastingOnesCompressed) {
  TempDir dir;
  auto db = ValueOrDie(OpenRocksDbStorage(dir.path(), {}));
  // 1,000 values of 1 KiB that LZ4 shrinks many times over.
  const std::string value = std::string(512, 'a') + std::string(512, 'b');
  auto key = [](char prefix, uint64_t n) {
    std::string k(1, prefix);
    AppendU64BE(&k, n);
    return k;
  };
  auto run = [&](char prefix) {
    return [prefix, &value, &key, n = uint64_t{0}](std::string* k, std::string* v) mutable {
      if (n == 1000) return false;
      *k = key(prefix, n++);
      *v = value;
      return true;
    };
  };
  const uint64_t before = ValueOrDie(db->ApproximateBytes(Column::kPostings));
  ASSERT_TRUE(db->IngestSorted(Column::kPostings, run('A'), Storage::Lifetime::kShortLived).ok());
  const uint64_t short_lived = ValueOrDie(db->ApproximateBytes(Column::kPostings)) - before;
  ASSERT_TRUE(db->IngestSorted(Column::kPostings, run('B')).ok());
  const uint64_t lasting =
      ValueOrDie(db->ApproximateBytes(Column::kPostings)) - before - short_lived;
  EXPECT_GE(short_lived, 1000u * value.size());  // every byte as it was written
  EXPECT_LT(lasting * 10, short_lived);
  for (char prefix : {'A', 'B'}) {
    EXPECT_EQ(*ValueOrDie(db->Get(Column::kPostings, key(prefix, 999))), value);
  }
}

}  // namespace
}  // namespace provledger
