// The high-water mark (docs/ledger-format.md §4a): the file itself, the
// ledger's refusal to open below it or on a different tree, and the ledger
// resuming after a failed write, sync or mark.
#include "provledger/high_water_mark.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "provledger/entry.h"
#include "provledger/ledger.h"
#include "provledger/merkle.h"
#include "test_util.h"

namespace provledger {
namespace {

using testing::TempDir;
using testing::ValueOrDie;

constexpr char kOrigin[] = "test.example/log";

std::shared_ptr<const NoteSigner> Signer() {
  static const auto* signer = new std::shared_ptr<const NoteSigner>(
      std::make_shared<NoteSigner>(kOrigin, ValueOrDie(Ed25519PrivateKey::Generate())));
  return *signer;
}

LedgerOptions Options(HighWaterMarkStore* mark) {
  LedgerOptions o;
  o.origin = kOrigin;
  o.signers = {Signer()};
  o.high_water_mark = mark;
  return o;
}

std::vector<AppendRequest> Docs(const std::string& prefix, int n) {
  std::vector<AppendRequest> reqs;
  for (int i = 0; i < n; ++i) {
    std::string name = prefix + std::to_string(i);
    AppendRequest r;
    r.entry = EncodeDocumentEntry({"ds", std::string(32, 'c'), name.size(), name}, 1);
    r.dedup_key = "dc/" + name;
    reqs.push_back(std::move(r));
  }
  return reqs;
}

void FlipByte(const std::string& path, off_t at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(at);
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x40);
  f.seekp(at);
  f.write(&c, 1);
}

TEST(HighWaterMarkFileTest, KeepsTheNewestAndSurvivesATornRecord) {
  TempDir dir;
  const std::string path = dir.Sub("mark");
  auto store = ValueOrDie(OpenHighWaterMarkFile(path));
  EXPECT_FALSE(ValueOrDie(store->Load()).has_value());
  EXPECT_FALSE(std::filesystem::exists(path));
  for (uint64_t size : {0, 5, 9, 12}) {
    PL_ASSERT_OK(store->Store({size, std::string(32, static_cast<char>('a' + size))}));
  }
  EXPECT_EQ(store->Store({13, "short"}).code(), absl::StatusCode::kInvalidArgument);
  // Reopened: the newest mark, with its root.
  auto reopened = ValueOrDie(OpenHighWaterMarkFile(path));
  auto mark = ValueOrDie(reopened->Load());
  ASSERT_TRUE(mark.has_value());
  EXPECT_EQ(mark->size, 12u);
  EXPECT_EQ(mark->root_hash, std::string(32, 'a' + 12));
  // Four stores: sequences 0..3, the newest (3) in the second page. A torn
  // write of it leaves the one before.
  FlipByte(path, 4096 + 20);
  mark = ValueOrDie(ValueOrDie(OpenHighWaterMarkFile(path))->Load());
  ASSERT_TRUE(mark.has_value());
  EXPECT_EQ(mark->size, 9u);
  // Both damaged: no mark can be trusted, and none is made up.
  FlipByte(path, 30);
  auto both = ValueOrDie(OpenHighWaterMarkFile(path));
  EXPECT_EQ(both->Load().status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(both->Store({20, std::string(32, 'x')}).code(), absl::StatusCode::kDataLoss);
}

class MarkedLedgerTest : public ::testing::Test {
 protected:
  void Open(const std::string& db) {
    storage_ = ValueOrDie(OpenRocksDbStorage(dir_.Sub(db), {}));
    ledger_ = ValueOrDie(Ledger::Open(storage_.get(), Options(mark_.get())));
  }
  absl::Status TryOpen(const std::string& db) {
    storage_ = ValueOrDie(OpenRocksDbStorage(dir_.Sub(db), {}));
    return Ledger::Open(storage_.get(), Options(mark_.get())).status();
  }
  void Close() {
    ledger_.reset();
    storage_.reset();
  }
  TempDir dir_;
  std::unique_ptr<HighWaterMarkStore> mark_ = ValueOrDie(OpenHighWaterMarkFile(dir_.Sub("mark")));
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(MarkedLedgerTest, EveryPublishedCheckpointIsUnderTheMark) {
  Open("db");
  for (int round = 0; round < 5; ++round) {
    AppendOutcome out = ledger_->Append(Docs("r" + std::to_string(round) + "-", 3));
    PL_ASSERT_OK(out.status);
    auto mark = ValueOrDie(mark_->Load());
    ASSERT_TRUE(mark.has_value());
    EXPECT_GE(mark->size, out.checkpoint->size);
    EXPECT_EQ(mark->size, ledger_->Latest()->size);
    EXPECT_EQ(mark->root_hash, ledger_->Latest()->root_hash);
  }
}

TEST_F(MarkedLedgerTest, AnOlderCopyOfTheDatabaseIsRefused) {
  Open("db");
  PL_ASSERT_OK(ledger_->Append(Docs("a", 5)).status);
  Close();
  std::filesystem::copy(dir_.Sub("db"), dir_.Sub("old"));
  Open("db");
  PL_ASSERT_OK(ledger_->Append(Docs("b", 5)).status);
  Close();
  absl::Status s = TryOpen("old");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("the database holds 5 entries"), std::string::npos) << s;
  EXPECT_NE(s.message().find("checkpoint of size 10"), std::string::npos) << s;
  EXPECT_NE(s.message().find("Restore a backup that reaches size 10"), std::string::npos) << s;
  // Nothing was written to the old copy, nor to the mark.
  EXPECT_EQ(ValueOrDie(mark_->Load())->size, 10u);
  // The database itself still opens.
  Open("db");
  EXPECT_EQ(ledger_->Latest()->size, 10u);
}

TEST_F(MarkedLedgerTest, AnEmptyDatabaseUnderAMarkIsRefused) {
  Open("db");
  PL_ASSERT_OK(ledger_->Append(Docs("a", 3)).status);
  Close();
  absl::Status s = TryOpen("wiped");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("3 acknowledged entries are missing"), std::string::npos) << s;
}

TEST_F(MarkedLedgerTest, ADifferentTreeAboveTheMarkIsRefused) {
  Open("db");
  PL_ASSERT_OK(ledger_->Append(Docs("a", 5)).status);
  Close();
  std::filesystem::copy(dir_.Sub("db"), dir_.Sub("fork"));
  std::filesystem::copy(dir_.Sub("mark"), dir_.Sub("other-mark"));
  Open("db");
  PL_ASSERT_OK(ledger_->Append(Docs("b", 5)).status);
  Close();
  // The copy grows differently under a mark of its own (another server).
  {
    auto other_mark = ValueOrDie(OpenHighWaterMarkFile(dir_.Sub("other-mark")));
    auto storage = ValueOrDie(OpenRocksDbStorage(dir_.Sub("fork"), {}));
    auto ledger = ValueOrDie(Ledger::Open(storage.get(), Options(other_mark.get())));
    PL_ASSERT_OK(ledger->Append(Docs("c", 7)).status);
  }
  absl::Status s = TryOpen("fork");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("at size 10"), std::string::npos) << s;
  EXPECT_NE(s.message().find("different log"), std::string::npos) << s;
}

TEST_F(MarkedLedgerTest, AMissingMarkIsRefusedOnceTheLedgerKeepsOne) {
  Open("db");
  PL_ASSERT_OK(ledger_->Append(Docs("a", 2)).status);
  Close();
  std::filesystem::remove(dir_.Sub("mark"));
  mark_ = ValueOrDie(OpenHighWaterMarkFile(dir_.Sub("mark")));
  absl::Status s = TryOpen("db");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("is missing"), std::string::npos) << s;
}

TEST_F(MarkedLedgerTest, ALedgerWithoutAMarkGetsOneOnItsFirstMarkedOpen) {
  {
    auto storage = ValueOrDie(OpenRocksDbStorage(dir_.Sub("db"), {}));
    auto ledger = ValueOrDie(Ledger::Open(storage.get(), Options(nullptr)));
    PL_ASSERT_OK(ledger->Append(Docs("a", 4)).status);
  }
  Open("db");
  auto mark = ValueOrDie(mark_->Load());
  ASSERT_TRUE(mark.has_value());
  EXPECT_EQ(mark->size, 4u);
  EXPECT_EQ(mark->root_hash, ledger_->Latest()->root_hash);
}

TEST(LedgerResumeTest, AFailedWriteResumesWhereTheLedgerStood) {
  // Write 1 records that the ledger keeps a mark, write 2 creates it, write
  // 3 is the first batch, write 4 fails (as on a full disk).
  auto storage = NewMemoryStorage(3);
  auto mark = NewMemoryHighWaterMark();
  auto ledger = ValueOrDie(Ledger::Open(storage.get(), Options(mark.get())));
  PL_ASSERT_OK(ledger->Append(Docs("ok", 2)).status);
  EXPECT_EQ(ledger->Append(Docs("lost", 2)).status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ledger->WriteStatus().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ledger->Append(Docs("refused", 1)).status.code(), absl::StatusCode::kUnavailable);
  PL_ASSERT_OK(ledger->Resume());  // the memory storage lifts its fault
  PL_EXPECT_OK(ledger->WriteStatus());
  AppendOutcome out = ledger->Append(Docs("after", 3));
  PL_ASSERT_OK(out.status);
  EXPECT_EQ(out.results[0].index, 2u);  // nothing of the failed write exists
  EXPECT_EQ(ledger->Latest()->size, 5u);
  EXPECT_EQ(ValueOrDie(mark->Load())->size, 5u);
  PL_EXPECT_OK(ledger->VerifyFull());
}

TEST(LedgerResumeTest, AGroupWrittenButNotSyncedJoinsTheLedgerUnacknowledged) {
  auto storage = NewMemoryStorage(-1, /*fail_syncs_after=*/1);
  auto mark = NewMemoryHighWaterMark();
  auto ledger = ValueOrDie(Ledger::Open(storage.get(), Options(mark.get())));
  PL_ASSERT_OK(ledger->Append(Docs("ok", 1)).status);
  AppendOutcome failed = ledger->Append(Docs("unsynced", 2));
  EXPECT_EQ(failed.status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ledger->Latest()->size, 1u);
  PL_ASSERT_OK(ledger->Resume());
  // Resume made the written group durable: it is now part of the ledger, and
  // the retry finds it instead of appending it twice.
  EXPECT_EQ(ledger->Latest()->size, 3u);
  AppendOutcome retry = ledger->Append(Docs("unsynced", 2));
  PL_ASSERT_OK(retry.status);
  EXPECT_TRUE(retry.results[0].existed);
  EXPECT_EQ(retry.results[1].index, 2u);
  EXPECT_EQ(ValueOrDie(mark->Load())->size, 3u);
  PL_EXPECT_OK(ledger->VerifyFull());
}

TEST(LedgerResumeTest, AFailedMarkPublishesNothingUntilResumed) {
  // Store 1 is the new ledger's mark, store 2 the first group's; 3 fails.
  auto storage = NewMemoryStorage();
  auto mark = NewMemoryHighWaterMark(/*fail_stores_after=*/2);
  auto ledger = ValueOrDie(Ledger::Open(storage.get(), Options(mark.get())));
  PL_ASSERT_OK(ledger->Append(Docs("ok", 1)).status);
  AppendOutcome failed = ledger->Append(Docs("unmarked", 1));
  EXPECT_EQ(failed.status.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(failed.status.message().find("high-water mark"), std::string::npos);
  EXPECT_EQ(ledger->Latest()->size, 1u);  // its checkpoint was never published
  EXPECT_EQ(ValueOrDie(mark->Load())->size, 1u);
  // The mark still fails, so the ledger stays refused.
  EXPECT_FALSE(ledger->Resume().ok());
  EXPECT_EQ(ledger->Append(Docs("refused", 1)).status.code(), absl::StatusCode::kUnavailable);
}

TEST(LedgerResumeTest, APauseRefusesAppendsUntilLifted) {
  auto storage = NewMemoryStorage();
  auto mark = NewMemoryHighWaterMark();
  auto ledger = ValueOrDie(Ledger::Open(storage.get(), Options(mark.get())));
  PL_ASSERT_OK(ledger->Append(Docs("before", 1)).status);
  ledger->PauseAppends(absl::UnavailableError("disk nearly full"));
  AppendOutcome refused = ledger->Append(Docs("paused", 1));
  EXPECT_EQ(refused.status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(refused.status.message(), "disk nearly full");
  EXPECT_EQ(ledger->WriteStatus().message(), "disk nearly full");
  PL_EXPECT_OK(ledger->Resume());  // nothing failed: the pause stays
  EXPECT_FALSE(ledger->WriteStatus().ok());
  ledger->PauseAppends(absl::OkStatus());
  PL_EXPECT_OK(ledger->WriteStatus());
  AppendOutcome after = ledger->Append(Docs("after", 1));
  PL_ASSERT_OK(after.status);
  EXPECT_EQ(after.results[0].index, 1u);
}

}  // namespace
}  // namespace provledger
