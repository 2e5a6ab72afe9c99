// The posting index on real RocksDB: postings equal the registered
// fingerprints, runs are written by size, by delay and on request, and the
// watermark survives restarts and rebuilds.
#include "provledger/posting_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "provledger/encoding.h"
#include "provledger/entry.h"
#include "provledger/registry.h"
#include "test_text.h"
#include "test_util.h"

namespace provledger {
namespace {

using testing::TempDir;
using testing::ValueOrDie;

std::chrono::steady_clock::time_point Soon() {
  return std::chrono::steady_clock::now() + std::chrono::seconds(30);
}

std::string Text(int seed, int n) { return testing::SyntheticProse(seed, n); }

class PostingIndexTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    storage_ = ValueOrDie(OpenRocksDbStorage(dir_.Sub("db"), {}));
    LedgerOptions o;
    o.origin = "postings.example/log";
    o.signers.push_back(signer_);
    ledger_ = ValueOrDie(Ledger::Open(storage_.get(), o));
    registry_ = std::make_unique<Registry>(ledger_.get(), SystemClock(), RegistryOptions{});
  }
  void Close() {
    index_.reset();
    registry_.reset();
    ledger_.reset();
    storage_.reset();
  }
  // Registers texts into dataset `ds`; returns their ledger indices and
  // fills `docs` with what was registered.
  std::vector<uint64_t> Register(const std::string& ds, const std::vector<std::string>& texts,
                                 std::vector<DocumentRegistration>* docs = nullptr) {
    std::vector<DocumentRegistration> batch;
    for (size_t i = 0; i < texts.size(); ++i) {
      DocumentAssembler a(registry_.get());
      batch.push_back(*ValueOrDie(a.AddPart(ds, "r" + std::to_string(i), texts[i], false)));
    }
    if (docs != nullptr) *docs = batch;
    RegisterOutcome out = registry_->Register(batch);
    EXPECT_TRUE(out.status.ok()) << out.status;
    std::vector<uint64_t> indices;
    for (const auto& r : out.receipts) indices.push_back(r.ledger_index);
    return indices;
  }
  std::string Dataset(const std::string& name) {
    return ValueOrDie(registry_->CreateDataset(DatasetSpec{name, "1", "", "", "", {}})).dataset_id;
  }
  // Every posting of every document, read back: (kind, band, hash) -> docs.
  std::map<std::string, std::set<std::pair<uint64_t, uint32_t>>> ReadAll(
      const std::vector<DocumentRegistration>& docs) {
    std::map<std::string, std::set<std::pair<uint64_t, uint32_t>>> all;
    for (const auto& d : docs) {
      for (int b = 0; b < fingerprint::kLshBands; ++b) {
        for (uint64_t i : ValueOrDie(index_->LshBandEntries(b, d.text->lsh_bands[b], 1000))) {
          all["L" + std::to_string(b) + "/" + std::to_string(d.text->lsh_bands[b])].insert({i, 0});
        }
      }
      for (const auto& w : d.text->winnows) {
        for (const WinnowPosting& p : ValueOrDie(index_->WinnowEntries(w.hash, 1000))) {
          all["W/" + std::to_string(w.hash)].insert({p.ledger_index, p.token_index});
        }
      }
    }
    return all;
  }

  TempDir dir_;
  std::shared_ptr<const NoteSigner> signer_ = std::make_shared<NoteSigner>(
      "postings.example/log", ValueOrDie(Ed25519PrivateKey::Generate()));
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<PostingIndex> index_;
};

TEST_F(PostingIndexTest, PostingsAreTheRegisteredFingerprints) {
  std::string ds = Dataset("p");
  std::string base = Text(1, 120);
  // b is a with one word changed: a near duplicate sharing most bands and
  // winnowing hashes; c is unrelated.
  std::string changed = base;
  changed.replace(changed.find(' ') + 1, 0, "inserted ");
  std::vector<DocumentRegistration> docs;
  auto idx = Register(ds, {base, changed, Text(2, 120)}, &docs);
  index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get()));
  PL_ASSERT_OK(index_->WaitIndexed(ledger_->Latest()->size, Soon()));
  EXPECT_EQ(index_->indexed_size(), ledger_->Latest()->size);

  for (size_t d = 0; d < docs.size(); ++d) {
    const auto& t = *docs[d].text;
    for (int b = 0; b < fingerprint::kLshBands; ++b) {
      auto got = ValueOrDie(index_->LshBandEntries(b, t.lsh_bands[b], 100));
      std::vector<uint64_t> want;
      for (size_t o = 0; o < docs.size(); ++o) {
        if (docs[o].text->lsh_bands[b] == t.lsh_bands[b]) want.push_back(idx[o]);
      }
      EXPECT_EQ(got, want) << "doc " << d << " band " << b;
    }
    // Each distinct hash: one posting per document holding it, at the first
    // position it has there.
    for (const auto& w : t.winnows) {
      auto got = ValueOrDie(index_->WinnowEntries(w.hash, 100));
      std::vector<WinnowPosting> want;
      for (size_t o = 0; o < docs.size(); ++o) {
        const auto& ws = docs[o].text->winnows;
        auto first = std::find_if(ws.begin(), ws.end(), [&](auto& x) { return x.hash == w.hash; });
        if (first == ws.end()) continue;
        bool repeated =
            std::count_if(ws.begin(), ws.end(), [&](auto& x) { return x.hash == w.hash; }) > 1;
        want.push_back({idx[o], first->token_index, repeated});
      }
      EXPECT_EQ(got, want) << "doc " << d << " hash " << w.hash;
    }
  }
  // The near duplicate shares bands with a; the unrelated text none.
  int shared_ab = 0, shared_ac = 0;
  for (int b = 0; b < fingerprint::kLshBands; ++b) {
    shared_ab += docs[0].text->lsh_bands[b] == docs[1].text->lsh_bands[b];
    shared_ac += docs[0].text->lsh_bands[b] == docs[2].text->lsh_bands[b];
  }
  EXPECT_GT(shared_ab, 0);
  EXPECT_EQ(shared_ac, 0);
  // A missing hash has no postings; a bad band is refused.
  EXPECT_TRUE(ValueOrDie(index_->WinnowEntries(0x1234, 10)).empty());
  EXPECT_EQ(index_->LshBandEntries(32, 1, 10).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(PostingIndexTest, AHashRepeatedInADocumentIsPostedOnceAtItsFirstPosition) {
  std::string ds = Dataset("rep");
  std::string part = Text(3, 40);
  std::vector<DocumentRegistration> docs;
  auto idx = Register(ds, {part + Text(4, 30) + part}, &docs);
  const auto& w = docs[0].text->winnows;
  std::map<uint64_t, int> count;
  for (const auto& x : w) ++count[x.hash];
  auto repeated = std::find_if(count.begin(), count.end(), [](auto& e) { return e.second > 1; });
  ASSERT_NE(repeated, count.end()) << "the text should repeat a winnowing hash";
  uint32_t first = std::find_if(w.begin(), w.end(), [&](auto& x) {
                     return x.hash == repeated->first;
                   })->token_index;
  index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get()));
  PL_ASSERT_OK(index_->WaitIndexed(ledger_->Latest()->size, Soon()));
  EXPECT_EQ(ValueOrDie(index_->WinnowEntries(repeated->first, 10)),
            (std::vector<WinnowPosting>{{idx[0], first, true}}));
}

TEST_F(PostingIndexTest, SmallRunsAndChunksGiveTheSamePostingsAsOneRun) {
  std::string ds = Dataset("runs");
  // Enough text that the one run's winnowing postings (~10,000) are sorted
  // by the counting pass, the small runs' by std::sort alone.
  std::vector<std::string> texts;
  for (int i = 0; i < 300; ++i) texts.push_back(Text(10 + i, 400));
  std::vector<DocumentRegistration> docs;
  Register(ds, texts, &docs);
  index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get()));
  PL_ASSERT_OK(index_->WaitIndexed(ledger_->Latest()->size, Soon()));
  auto one_run = ReadAll(docs);
  Close();

  // The same ledger indexed again from scratch in another directory would
  // need a copy; instead rebuild here with tiny runs after dropping the
  // watermark: runs rewrite the same keys, so the postings must be equal.
  Open();
  WriteBatch reset;
  reset.Put(Column::kMeta, "postings/v2/indexed_size", U64BE(0));
  PL_ASSERT_OK(storage_->Write(reset, true));
  PostingIndexOptions small;
  small.max_run_postings = 2000;
  small.read_chunk = 3;
  small.sort_threads = 1;  // the one run above was sorted on the default two threads
  index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get(), small));
  PL_ASSERT_OK(index_->WaitIndexed(ledger_->Latest()->size, Soon()));
  EXPECT_EQ(ReadAll(docs), one_run);
  size_t winnow_keys = std::count_if(one_run.begin(), one_run.end(),
                                     [](const auto& e) { return e.first[0] == 'W'; });
  EXPECT_GT(winnow_keys, 4096u);
}

TEST_F(PostingIndexTest, RunsAreWrittenAfterTheDelayWithoutBeingAsked) {
  PostingIndexOptions o;
  o.max_delay = std::chrono::milliseconds(10);
  index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get(), o));
  std::string ds = Dataset("delay");
  std::vector<DocumentRegistration> docs;
  auto idx = Register(ds, {Text(30, 60)}, &docs);
  auto deadline = Soon();
  while (index_->indexed_size() < ledger_->Latest()->size &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(index_->indexed_size(), ledger_->Latest()->size);
  EXPECT_EQ(ValueOrDie(index_->LshBandEntries(0, docs[0].text->lsh_bands[0], 10)),
            (std::vector<uint64_t>{idx[0]}));
}

TEST_F(PostingIndexTest, PendingPostingsAreWrittenOnCloseAndTheWatermarkSurvives) {
  PostingIndexOptions lazy;
  lazy.max_delay = std::chrono::hours(1);  // only a request or closing writes
  index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get(), lazy));
  std::string ds = Dataset("close");
  std::vector<DocumentRegistration> docs;
  auto idx = Register(ds, {Text(40, 60), Text(41, 60)}, &docs);
  uint64_t size = ledger_->Latest()->size;
  Close();  // the index is destroyed first and writes its pending run

  Open();
  index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get(), lazy));
  EXPECT_EQ(index_->indexed_size(), size);
  EXPECT_EQ(ValueOrDie(index_->LshBandEntries(3, docs[1].text->lsh_bands[3], 10)),
            (std::vector<uint64_t>{idx[1]}));
  // New registrations after a restart continue from the watermark.
  std::vector<DocumentRegistration> more;
  auto idx2 = Register(ds, {Text(42, 60)}, &more);
  PL_ASSERT_OK(index_->WaitIndexed(ledger_->Latest()->size, Soon()));
  EXPECT_EQ(ValueOrDie(index_->WinnowEntries(more[0].text->winnows[0].hash, 10))[0].ledger_index,
            idx2[0]);
}

TEST_F(PostingIndexTest, BadRequestsAndForeignWatermarksAreRefused) {
  index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get()));
  uint64_t size = ledger_->Latest()->size;
  EXPECT_EQ(index_->WaitIndexed(size + 1, Soon()).code(), absl::StatusCode::kOutOfRange);
  index_.reset();
  WriteBatch b;
  b.Put(Column::kMeta, "postings/v2/indexed_size", U64BE(size + 5));
  PL_ASSERT_OK(storage_->Write(b, true));
  EXPECT_EQ(PostingIndex::Open(ledger_.get(), storage_.get()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// The writer's storage failing stops the indexer with that error: waiters
// hear it, nothing is marked indexed, and closing does not hang.
TEST(PostingIndexFaultTest, AFailedRunStopsTheIndexerAndIsReported) {
  // Writes: the ledger's first checkpoint, the dataset, the documents; the
  // fourth (the first posting run) fails.
  std::unique_ptr<Storage> storage = NewMemoryStorage(/*fail_writes_after=*/3);
  LedgerOptions o;
  o.origin = "postings.example/log";
  o.signers.push_back(std::make_shared<NoteSigner>("postings.example/log",
                                                   ValueOrDie(Ed25519PrivateKey::Generate())));
  auto ledger = ValueOrDie(Ledger::Open(storage.get(), o));
  Registry registry(ledger.get(), SystemClock(), RegistryOptions{});
  std::string ds =
      ValueOrDie(registry.CreateDataset(DatasetSpec{"f", "1", "", "", "", {}})).dataset_id;
  std::vector<DocumentRegistration> batch;
  for (int i = 0; i < 3; ++i) {
    DocumentAssembler a(&registry);
    batch.push_back(*ValueOrDie(a.AddPart(ds, "r" + std::to_string(i), Text(40 + i, 60), false)));
  }
  PL_ASSERT_OK(registry.Register(batch).status);
  auto index = ValueOrDie(PostingIndex::Open(ledger.get(), storage.get()));
  absl::Status s = index->WaitIndexed(ledger->Latest()->size, Soon());
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  EXPECT_EQ(index->status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(index->indexed_size(), 0u);
  index.reset();  // returns: the reader and the writer both stop
}

TEST_F(PostingIndexTest, AnUndecodableDocumentEntryStopsTheIndexerWithDataLoss) {
  // A document-typed entry that does not decode (the ledger stores bytes).
  std::string bad(10, '\0');
  bad[0] = 1;
  bad[1] = static_cast<char>(EntryType::kDocumentRegistered);
  bad += std::string("\x00\x01\x00\x00\x00\x09", 6);  // a field longer than the entry
  AppendRequest r;
  r.entry = bad;
  AppendOutcome out = ledger_->Append({r});
  PL_ASSERT_OK(out.status);
  index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get()));
  absl::Status s = index_->WaitIndexed(ledger_->Latest()->size, Soon());
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_NE(s.message().find("entry " + std::to_string(out.results[0].index)), std::string::npos)
      << s;
  EXPECT_EQ(index_->status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(index_->indexed_size(), 0u);
}

}  // namespace
}  // namespace provledger
