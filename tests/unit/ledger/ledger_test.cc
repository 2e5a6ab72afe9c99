#include "provledger/ledger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "provledger/encoding.h"
#include "provledger/entry.h"
#include "test_util.h"

namespace provledger {
namespace {

using testing::TempDir;
using testing::ValueOrDie;

constexpr char kOrigin[] = "test.example/log";

std::shared_ptr<const NoteSigner> NewSigner() {
  return std::make_shared<NoteSigner>(kOrigin, ValueOrDie(Ed25519PrivateKey::Generate()));
}

LedgerOptions Options(std::vector<std::shared_ptr<const NoteSigner>> signers) {
  LedgerOptions o;
  o.origin = kOrigin;
  o.signers = std::move(signers);
  return o;
}

AppendRequest Doc(const std::string& name, const std::string& dedup = "") {
  AppendRequest r;
  r.entry = EncodeDocumentEntry({"ds", std::string(32, 'c'), name.size(), name}, 1);
  r.dedup_key = dedup;
  return r;
}

NoteVerifierKey Key(const NoteSigner& s) { return ValueOrDie(ParseVerifierKey(s.VerifierKey())); }

class LedgerTest : public ::testing::Test {
 protected:
  void Open() {
    storage_ = ValueOrDie(OpenRocksDbStorage(dir_.path(), {}));
    ledger_ = ValueOrDie(Ledger::Open(storage_.get(), Options({signer_})));
  }
  void Close() {
    ledger_.reset();
    storage_.reset();
  }
  TempDir dir_;
  std::shared_ptr<const NoteSigner> signer_ = NewSigner();
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(LedgerTest, FreshLedgerSignsEmptyTree) {
  Open();
  auto cp = ledger_->Latest();
  EXPECT_EQ(cp->size, 0u);
  EXPECT_EQ(cp->root_hash, merkle::EmptyRoot());
  Checkpoint parsed = ValueOrDie(VerifyCheckpoint(cp->note, Key(*signer_)));
  EXPECT_EQ(parsed.origin, kOrigin);
}

TEST_F(LedgerTest, AppendsAreProvableAgainstTheSignedCheckpoint) {
  Open();
  std::vector<AppendRequest> reqs;
  std::vector<std::string> entries;
  for (int i = 0; i < 10; ++i) {
    reqs.push_back(Doc("doc" + std::to_string(i)));
    entries.push_back(reqs.back().entry);
  }
  AppendOutcome out = ledger_->Append(std::move(reqs));
  PL_ASSERT_OK(out.status);
  ASSERT_EQ(out.results.size(), 10u);
  EXPECT_EQ(out.checkpoint->size, 10u);
  Checkpoint cp = ValueOrDie(VerifyCheckpoint(out.checkpoint->note, Key(*signer_)));
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(out.results[i].index, static_cast<uint64_t>(i));
    EXPECT_EQ(out.results[i].leaf_hash, merkle::HashLeaf(entries[i]));
    auto path = ValueOrDie(ledger_->InclusionProof(i, cp.size));
    PL_EXPECT_OK(merkle::VerifyInclusion(i, cp.size, out.results[i].leaf_hash, path, cp.root_hash));
  }
  auto got = ValueOrDie(ledger_->GetEntries(3, 100));
  ASSERT_EQ(got.size(), 7u);
  EXPECT_EQ(got[0].data, entries[3]);
  EXPECT_EQ(got[0].leaf_hash, merkle::HashLeaf(entries[3]));
  EXPECT_EQ(ledger_->InclusionProof(0, 11).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ledger_->InclusionProof(10, 10).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(LedgerTest, ScanEntriesListsARangeInOrderClippedToTheTree) {
  Open();
  std::vector<AppendRequest> reqs;
  for (int i = 0; i < 5; ++i) reqs.push_back(Doc("doc-" + std::to_string(i)));
  PL_ASSERT_OK(ledger_->Append(std::move(reqs)).status);
  std::vector<StoredEntry> stored = ValueOrDie(ledger_->GetEntries(0, 5));
  std::vector<std::pair<uint64_t, std::string>> seen;
  PL_ASSERT_OK(ledger_->ScanEntries(1, 10, [&](uint64_t i, std::string_view data) {
    seen.emplace_back(i, std::string(data));
    return true;
  }));
  ASSERT_EQ(seen.size(), 4u);  // 1..4: clipped to the tree size
  for (size_t k = 0; k < seen.size(); ++k) {
    EXPECT_EQ(seen[k].first, k + 1);
    EXPECT_EQ(seen[k].second, stored[k + 1].data);
  }
  size_t calls = 0;
  PL_ASSERT_OK(ledger_->ScanEntries(0, 5, [&](uint64_t, std::string_view) { return ++calls < 2; }));
  EXPECT_EQ(calls, 2u);
  PL_ASSERT_OK(ledger_->ScanEntries(5, 3, [&](uint64_t, std::string_view) {
    ADD_FAILURE() << "nothing lies beyond the tree";
    return true;
  }));
}

TEST_F(LedgerTest, CheckpointAtOrBeforeIsTheOneSignedThen) {
  Open();
  // Batches of 3 and 4: checkpoints at sizes 0, 3 and 7.
  std::vector<std::shared_ptr<const SignedCheckpoint>> signed_at;
  for (int batch : {3, 4}) {
    std::vector<AppendRequest> reqs;
    for (int i = 0; i < batch; ++i)
      reqs.push_back(Doc("b" + std::to_string(batch) + "/" + std::to_string(i)));
    AppendOutcome out = ledger_->Append(std::move(reqs));
    PL_ASSERT_OK(out.status);
    signed_at.push_back(out.checkpoint);
  }
  for (uint64_t size : {3u, 4u, 6u}) {
    SignedCheckpoint cp = ValueOrDie(ledger_->CheckpointAtOrBefore(size));
    EXPECT_EQ(cp.size, 3u);
    EXPECT_EQ(cp.note, signed_at[0]->note);  // the very note signed then
    EXPECT_EQ(cp.root_hash, signed_at[0]->root_hash);
  }
  EXPECT_EQ(ValueOrDie(ledger_->CheckpointAtOrBefore(7)).note, signed_at[1]->note);
  EXPECT_EQ(ValueOrDie(ledger_->CheckpointAtOrBefore(2)).size, 0u);
  EXPECT_EQ(ledger_->CheckpointAtOrBefore(8).status().code(), absl::StatusCode::kOutOfRange);
  // The same after a restart (from storage, not memory).
  Close();
  Open();
  SignedCheckpoint again = ValueOrDie(ledger_->CheckpointAtOrBefore(5));
  EXPECT_EQ(again.note, signed_at[0]->note);
  EXPECT_EQ(ValueOrDie(VerifyCheckpoint(again.note, Key(*signer_))).root_hash, again.root_hash);
}

TEST_F(LedgerTest, DedupReturnsExistingEntryAndAppendsNothing) {
  Open();
  auto first = ledger_->Append({Doc("a", "key-a")});
  PL_ASSERT_OK(first.status);
  // Same key again, plus a duplicate inside one batch.
  auto second = ledger_->Append({Doc("a", "key-a"), Doc("b", "key-b"), Doc("b2", "key-b")});
  PL_ASSERT_OK(second.status);
  EXPECT_TRUE(second.results[0].existed);
  EXPECT_EQ(second.results[0].index, 0u);
  EXPECT_EQ(second.results[0].leaf_hash, first.results[0].leaf_hash);
  EXPECT_FALSE(second.results[1].existed);
  EXPECT_TRUE(second.results[2].existed);
  EXPECT_EQ(second.results[2].index, second.results[1].index);
  EXPECT_EQ(ledger_->Latest()->size, 2u);
  EXPECT_EQ(*ValueOrDie(ledger_->LookupIndex("key-b")), 1u);
}

TEST_F(LedgerTest, ConcurrentWritersGetDistinctIndicesAndGroupCommit) {
  Open();
  constexpr int kThreads = 8, kPerThread = 200;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<uint64_t> seen;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto out = ledger_->Append({Doc("t" + std::to_string(t) + "-" + std::to_string(i))});
        if (!out.status.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        seen.insert(out.results[0].index);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*seen.rbegin(), static_cast<uint64_t>(kThreads * kPerThread - 1));
  PL_EXPECT_OK(ledger_->VerifyFull());
}

TEST_F(LedgerTest, ReopenKeepsRootAndConsistencyHolds) {
  Open();
  PL_ASSERT_OK(ledger_->Append({Doc("1"), Doc("2"), Doc("3")}).status);
  auto cp3 = ledger_->Latest();
  Close();
  Open();
  EXPECT_EQ(ledger_->Latest()->root_hash, cp3->root_hash);
  EXPECT_EQ(ledger_->Latest()->note, cp3->note);
  PL_ASSERT_OK(ledger_->Append({Doc("4"), Doc("5")}).status);
  auto cp5 = ledger_->Latest();
  auto proof = ValueOrDie(ledger_->ConsistencyProof(3, 5));
  PL_EXPECT_OK(merkle::VerifyConsistency(3, 5, cp3->root_hash, cp5->root_hash, proof));
  // Every checkpoint ever signed is kept.
  EXPECT_EQ(ValueOrDie(ledger_->CheckpointNote(3)), cp3->note);
  EXPECT_EQ(ledger_->CheckpointNote(4).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(LedgerTest, RefusesToStartWhenStorageDisagreesWithCheckpoint) {
  Open();
  PL_ASSERT_OK(ledger_->Append({Doc("1"), Doc("2"), Doc("3")}).status);
  Close();
  {
    // Replace leaf 2's stored node: the recomputed root no longer matches.
    auto db = ValueOrDie(OpenRocksDbStorage(dir_.path(), {}));
    WriteBatch b;
    b.Put(Column::kTree, std::string(1, '\0') + U64BE(2), merkle::HashLeaf("forged"));
    PL_ASSERT_OK(db->Write(b, true));
  }
  storage_ = ValueOrDie(OpenRocksDbStorage(dir_.path(), {}));
  auto ledger = Ledger::Open(storage_.get(), Options({signer_}));
  ASSERT_EQ(ledger.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(ledger.status().message().find("refusing to start"), std::string::npos);
}

TEST_F(LedgerTest, RefusesToStartWhenLastEntryWasEdited) {
  Open();
  PL_ASSERT_OK(ledger_->Append({Doc("1"), Doc("2")}).status);
  Close();
  {
    auto db = ValueOrDie(OpenRocksDbStorage(dir_.path(), {}));
    WriteBatch b;
    b.Put(Column::kEntries, U64BE(1), "edited");
    PL_ASSERT_OK(db->Write(b, true));
  }
  storage_ = ValueOrDie(OpenRocksDbStorage(dir_.path(), {}));
  EXPECT_EQ(Ledger::Open(storage_.get(), Options({signer_})).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(LedgerTest, VerifyFullFindsAnEditedMiddleEntry) {
  Open();
  PL_ASSERT_OK(ledger_->Append({Doc("1"), Doc("2"), Doc("3")}).status);
  PL_ASSERT_OK(ledger_->VerifyFull());
  WriteBatch b;
  b.Put(Column::kEntries, U64BE(1), "edited");
  PL_ASSERT_OK(storage_->Write(b, true));
  EXPECT_EQ(ledger_->VerifyFull().code(), absl::StatusCode::kDataLoss);
}

TEST_F(LedgerTest, OriginCannotChange) {
  Open();
  Close();
  storage_ = ValueOrDie(OpenRocksDbStorage(dir_.path(), {}));
  LedgerOptions o;
  o.origin = "other.example/log";
  o.signers.push_back(
      std::make_shared<NoteSigner>(o.origin, ValueOrDie(Ed25519PrivateKey::Generate())));
  EXPECT_EQ(Ledger::Open(storage_.get(), o).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(LedgerTest, KeyRotationAddsSecondSignatureWithoutFork) {
  Open();
  PL_ASSERT_OK(ledger_->Append({Doc("1")}).status);
  auto before = ledger_->Latest();
  Close();
  auto new_signer = NewSigner();
  storage_ = ValueOrDie(OpenRocksDbStorage(dir_.path(), {}));
  ledger_ = ValueOrDie(Ledger::Open(storage_.get(), Options({signer_, new_signer})));
  auto after = ledger_->Latest();
  EXPECT_EQ(after->size, before->size);
  EXPECT_EQ(after->root_hash, before->root_hash);
  PL_EXPECT_OK(VerifyCheckpoint(after->note, Key(*signer_)));
  PL_EXPECT_OK(VerifyCheckpoint(after->note, Key(*new_signer)));
  PL_ASSERT_OK(ledger_->Append({Doc("2")}).status);
  PL_EXPECT_OK(VerifyCheckpoint(ledger_->Latest()->note, Key(*new_signer)));
  // After the overlap the old key is dropped; the new one alone verifies.
  Close();
  storage_ = ValueOrDie(OpenRocksDbStorage(dir_.path(), {}));
  ledger_ = ValueOrDie(Ledger::Open(storage_.get(), Options({new_signer})));
  PL_ASSERT_OK(ledger_->Append({Doc("3")}).status);
  PL_EXPECT_OK(VerifyCheckpoint(ledger_->Latest()->note, Key(*new_signer)));
  EXPECT_FALSE(VerifyCheckpoint(ledger_->Latest()->note, Key(*signer_)).ok());
}

TEST(LedgerFaultTest, FailedWriteAcknowledgesNothingAndStopsAppends) {
  // Write 1 creates the ledger, write 2 is the first batch, write 3 fails.
  auto storage = NewMemoryStorage(2);
  auto ledger = ValueOrDie(Ledger::Open(storage.get(), Options({NewSigner()})));
  PL_ASSERT_OK(ledger->Append({Doc("ok")}).status);
  auto failed = ledger->Append({Doc("lost1"), Doc("lost2")});
  EXPECT_EQ(failed.status.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(failed.results.empty());
  EXPECT_EQ(ledger->Latest()->size, 1u);
  EXPECT_EQ(ValueOrDie(ledger->GetEntries(0, 10)).size(), 1u);
  EXPECT_EQ(ledger->Append({Doc("later")}).status.code(), absl::StatusCode::kUnavailable);
}

TEST(LedgerFaultTest, FailedSyncAcknowledgesAndPublishesNothing) {
  // The first group's sync succeeds; the second group is written (readable
  // in the store, as in RocksDB's memtable) but its sync fails.
  auto storage = NewMemoryStorage(-1, /*fail_syncs_after=*/1);
  auto ledger = ValueOrDie(Ledger::Open(storage.get(), Options({NewSigner()})));
  PL_ASSERT_OK(ledger->Append({Doc("ok", "key-ok")}).status);
  auto failed = ledger->Append({Doc("lost", "key-lost")});
  EXPECT_EQ(failed.status.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(failed.status.message().find("sync failed"), std::string::npos);
  EXPECT_TRUE(failed.results.empty());
  // Nothing of the unsynced group is visible through the ledger.
  EXPECT_EQ(ledger->Latest()->size, 1u);
  EXPECT_EQ(ValueOrDie(ledger->GetEntries(0, 10)).size(), 1u);
  EXPECT_FALSE(ValueOrDie(ledger->LookupIndex("key-lost")).has_value());
  EXPECT_EQ(*ValueOrDie(ledger->LookupIndex("key-ok")), 0u);
  EXPECT_EQ(ledger->CheckpointNote(2).status().code(), absl::StatusCode::kOutOfRange);
  // Sticky: later appends (even a dedup hit on a durable entry) are refused.
  EXPECT_EQ(ledger->Append({Doc("later")}).status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ledger->Append({Doc("ok", "key-ok")}).status.code(), absl::StatusCode::kUnavailable);
}

TEST_F(LedgerTest, PipelinedGroupsAreAnsweredInOrderAndDurable) {
  // Many groups in flight at once: the committer writes the next while the
  // last syncs. Callbacks come in AppendAsync order, each checkpoint covers
  // its results, and a dedup hit on an entry of an earlier group in flight
  // is answered after that group.
  Open();
  constexpr int kGroups = 300;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int> order;
  std::vector<AppendOutcome> outcomes(kGroups);
  for (int g = 0; g < kGroups; ++g) {
    std::vector<AppendRequest> reqs;
    // Every third group repeats the previous group's first document.
    int first = g % 3 == 2 ? g - 1 : g;
    reqs.push_back(Doc("g" + std::to_string(first), "key-" + std::to_string(first)));
    reqs.push_back(Doc("g" + std::to_string(g) + "-b"));
    ledger_->AppendAsync(std::move(reqs), [&, g](AppendOutcome out) {
      // The checkpoint is already the published one or an older one.
      EXPECT_LE(out.checkpoint->size, ledger_->Latest()->size);
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(g);
      outcomes[g] = std::move(out);
      cv.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return order.size() == static_cast<size_t>(kGroups); });
  }
  for (int g = 0; g < kGroups; ++g) {
    EXPECT_EQ(order[g], g);
    const AppendOutcome& out = outcomes[g];
    PL_ASSERT_OK(out.status);
    ASSERT_EQ(out.results.size(), 2u);
    for (const auto& r : out.results) EXPECT_LT(r.index, out.checkpoint->size);
    if (g % 3 == 2) {
      EXPECT_TRUE(out.results[0].existed);
      EXPECT_EQ(out.results[0].index, outcomes[g - 1].results[0].index);
    }
  }
  uint64_t size = ledger_->Latest()->size;
  EXPECT_EQ(size, static_cast<uint64_t>(kGroups * 2 - kGroups / 3));
  PL_EXPECT_OK(ledger_->VerifyFull());
  Close();
  Open();
  EXPECT_EQ(ledger_->Latest()->size, size);
}

TEST_F(LedgerTest, IndexPrefixesListInLedgerOrder) {
  Open();
  std::vector<AppendRequest> reqs;
  for (int i = 0; i < 5; ++i) {
    reqs.push_back(Doc(std::to_string(i)));
    reqs.back().index_prefixes.push_back(i % 2 ? "odd/" : "even/");
  }
  PL_ASSERT_OK(ledger_->Append(std::move(reqs)).status);
  EXPECT_EQ(ValueOrDie(ledger_->ScanIndexPrefix("even/", std::nullopt, 10)),
            (std::vector<uint64_t>{0, 2, 4}));
  EXPECT_EQ(ValueOrDie(ledger_->ScanIndexPrefix("even/", 0, 1)), (std::vector<uint64_t>{2}));
  EXPECT_EQ(ValueOrDie(ledger_->ScanIndexPrefix("odd/", 3, 10)), (std::vector<uint64_t>{}));
}

}  // namespace
}  // namespace provledger
