// posting_runs::MergeRuns on real RocksDB: the merged run holds every input
// record once, by (code, hash) and of one key in run order; it stops when
// asked, and a run that does not read back whole is DataLoss.
#include "posting_runs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "provledger/encoding.h"
#include "provledger/storage.h"
#include "test_util.h"

namespace provledger::posting_runs {
namespace {

using testing::TempDir;
using testing::ValueOrDie;

struct Rec {
  uint8_t code;
  uint64_t hash;
  uint64_t ledger_index;
  uint32_t value;
  bool operator==(const Rec& o) const {
    return std::tie(code, hash, ledger_index, value) ==
           std::tie(o.code, o.hash, o.ledger_index, o.value);
  }
};

// Runs over ascending ledger ranges whose keys collide across runs: hashes
// drawn from `distinct` values, so most keys occur in several runs.
std::vector<std::vector<Rec>> MakeRuns(size_t runs, size_t per_run, uint64_t distinct,
                                       uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<Rec>> out(runs);
  uint64_t ledger = 0;
  for (auto& run : out) {
    for (size_t i = 0; i < per_run; ++i) {
      const auto code = static_cast<uint8_t>(rng() % 33);
      // Spread over the whole 64 bits, so a key's fence and its neighbours' differ.
      const uint64_t hash = (rng() % distinct) * 0x9e3779b97f4a7c15ULL;
      run.push_back({code, hash, ledger + rng() % 1000, static_cast<uint32_t>(rng())});
    }
    std::sort(run.begin(), run.end(), [](const Rec& a, const Rec& b) {
      return std::tie(a.code, a.hash, a.ledger_index, a.value) <
             std::tie(b.code, b.hash, b.ledger_index, b.value);
    });
    ledger += 1000;
  }
  return out;
}

RunInfo Write(Storage* storage, uint64_t id, const std::vector<Rec>& recs) {
  RunInfo info;
  RunDirectory dir;
  size_t i = 0;
  absl::Status s = WriteRun(
      storage, id, 16,
      [&](char* rec) {
        if (i == recs.size()) return false;
        EncodeRecord(recs[i].code, recs[i].hash, recs[i].ledger_index, recs[i].value, rec);
        ++i;
        return true;
      },
      &info, &dir);
  EXPECT_TRUE(s.ok()) << s;
  return info;
}

std::vector<Rec> ReadAll(Storage* storage, const RunInfo& info) {
  std::vector<Rec> out;
  RunReader reader(storage, info);
  for (const char* rec = reader.Peek(); rec != nullptr; reader.Next(), rec = reader.Peek()) {
    out.push_back({static_cast<uint8_t>(rec[0]), ReadU64BE(rec + 1), ReadU64BE(rec + 9),
                   ReadU32BE(rec + 17)});
  }
  EXPECT_TRUE(reader.status().ok()) << reader.status();
  return out;
}

// MergeRuns of `infos` into run `id`, with the stop flag set or not.
struct Merged {
  absl::Status status;
  bool stopped = false;
  RunInfo info;
  RunDirectory dir;
};
Merged Merge(Storage* storage, const std::vector<RunInfo>& infos, uint64_t id, bool stop) {
  Merged m;
  std::atomic<bool> flag{stop};
  m.status = MergeRuns(storage, infos, id, 16, flag, &m.info, &m.dir, &m.stopped);
  return m;
}

class MergeRunsTest : public ::testing::TestWithParam<size_t> {
 protected:
  TempDir dir_;
  std::unique_ptr<Storage> storage_ = ValueOrDie(OpenRocksDbStorage(dir_.Sub("db"), {}));
};

// Width 1..9: a power of two, one above and below it, and a single run.
TEST_P(MergeRunsTest, HoldsEveryRecordByKeyAndOfOneKeyInRunOrder) {
  const size_t width = GetParam();
  // Unequal run sizes, one with a partial last block, so runs end at
  // different points of the merge.
  std::vector<std::vector<Rec>> runs;
  for (size_t k = 0; k < width; ++k) {
    auto one = MakeRuns(1, 300 + 97 * k, 64, static_cast<uint32_t>(k + 1))[0];
    for (Rec& r : one) r.ledger_index += 1000 * k;
    runs.push_back(std::move(one));
  }
  std::vector<RunInfo> infos;
  std::vector<Rec> expect;
  for (size_t k = 0; k < width; ++k) {
    infos.push_back(Write(storage_.get(), k, runs[k]));
    expect.insert(expect.end(), runs[k].begin(), runs[k].end());
  }
  // By key; of one key, in the order of the runs (stable over their concatenation).
  std::stable_sort(expect.begin(), expect.end(), [](const Rec& a, const Rec& b) {
    return std::tie(a.code, a.hash) < std::tie(b.code, b.hash);
  });
  const Merged m = Merge(storage_.get(), infos, 100, /*stop=*/false);
  ASSERT_TRUE(m.status.ok()) << m.status;
  EXPECT_FALSE(m.stopped);
  EXPECT_EQ(m.info.id, 100u);
  EXPECT_EQ(m.info.records, expect.size());
  EXPECT_EQ(m.dir.fences.size(), m.info.blocks);
  const std::vector<Rec> got = ReadAll(storage_.get(), m.info);
  EXPECT_TRUE(got == expect);
  // Each key's records in ledger order, and keys shared by several runs.
  size_t shared = 0;
  for (size_t i = 1; i < got.size(); ++i) {
    if (got[i].code == got[i - 1].code && got[i].hash == got[i - 1].hash) {
      EXPECT_LE(got[i - 1].ledger_index, got[i].ledger_index) << "record " << i;
      shared += got[i - 1].ledger_index / 1000 != got[i].ledger_index / 1000;
    }
  }
  if (width > 1) {
    EXPECT_GT(shared, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Widths, MergeRunsTest, ::testing::Values(1, 2, 3, 7, 8, 9));

TEST(MergeRunsEndTest, AStopEndsTheMergeEarly) {
  TempDir tmp;
  auto storage = ValueOrDie(OpenRocksDbStorage(tmp.Sub("db"), {}));
  auto runs = MakeRuns(2, 5000, 1 << 20, 7);
  std::vector<RunInfo> infos{Write(storage.get(), 0, runs[0]), Write(storage.get(), 1, runs[1])};
  const Merged m = Merge(storage.get(), infos, 2, /*stop=*/true);
  ASSERT_TRUE(m.status.ok()) << m.status;
  EXPECT_TRUE(m.stopped);
  EXPECT_LT(m.info.records, 10000u);
}

TEST(MergeRunsEndTest, ARunWithAMissingBlockIsDataLoss) {
  TempDir tmp;
  auto storage = ValueOrDie(OpenRocksDbStorage(tmp.Sub("db"), {}));
  auto runs = MakeRuns(3, 1000, 1 << 20, 9);
  std::vector<RunInfo> infos;
  for (uint64_t k = 0; k < 3; ++k) infos.push_back(Write(storage.get(), k, runs[k]));
  ASSERT_TRUE(storage->DeleteRange(Column::kPostings, BlockKey(1, 3), BlockKey(1, 4)).ok());
  const Merged m = Merge(storage.get(), infos, 3, /*stop=*/false);
  EXPECT_EQ(m.status.code(), absl::StatusCode::kDataLoss) << m.status;
}

}  // namespace
}  // namespace provledger::posting_runs
