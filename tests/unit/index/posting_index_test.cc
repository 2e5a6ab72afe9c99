// The posting index on real RocksDB: postings equal the registered
// fingerprints, runs are written by size, by delay and on request, merged
// without losing or reordering a posting, and the manifest survives
// restarts, interrupted writes and an earlier layout.
#include "provledger/posting_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "posting_runs.h"
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
  // Forgets the index: the next Open starts from the entries.
  void DropManifest() {
    std::string key = posting_runs::kManifestKey;
    PL_ASSERT_OK(storage_->DeleteRange(Column::kMeta, key, key + '\0'));
  }
  // The run ids that have keys in the postings column.
  std::set<uint64_t> StoredRuns() {
    std::set<uint64_t> ids;
    PL_EXPECT_OK(
        storage_->Scan(Column::kPostings, "", "", [&](std::string_view k, std::string_view) {
          EXPECT_EQ(k[0], 'R');
          if (k.size() >= 9) ids.insert(ReadU64BE(k.data() + 1));
          return true;
        }));
    return ids;
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
  EXPECT_EQ(index_->run_count(), 1u);
  Close();

  // Rebuilt from the entries with tiny runs (and chunks of 3 entries): ~30
  // runs of ~2,000 postings, merged 2 at a time as they come, so lookups
  // read postings across runs of every level, several blocks per key.
  for (size_t width : {size_t{2}, size_t{3}}) {
    Open();
    DropManifest();
    PostingIndexOptions small;
    small.max_run_postings = 2000;
    small.read_chunk = 3;
    small.sort_threads = 1;  // the one run above was sorted on the default two threads
    small.merge_width = width;
    index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get(), small));
    PL_ASSERT_OK(index_->WaitIndexed(ledger_->Latest()->size, Soon()));
    if (width == 3) {
      // Closed at once, a merge likely in progress: it is abandoned, and the
      // next Open deletes its partial run and merges what is due.
      Close();
      Open();
      index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get(), small));
    }
    while (!index_->idle()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(ReadAll(docs), one_run) << "merge width " << width;
    // Fewer runs than written (at most width - 1 of each level), and the
    // merged runs' keys are gone.
    EXPECT_GT(index_->run_count(), 1u);
    EXPECT_LE(index_->run_count(), 2 * (width - 1)) << "merge width " << width;
    Close();
    Open();
    index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get(), small));
    EXPECT_EQ(StoredRuns().size(), index_->run_count());
    EXPECT_EQ(ReadAll(docs), one_run) << "reopened, merge width " << width;
    Close();
  }
  size_t winnow_keys = std::count_if(one_run.begin(), one_run.end(),
                                     [](const auto& e) { return e.first[0] == 'W'; });
  EXPECT_GT(winnow_keys, 4096u);
}

TEST(PostingFilterTest, HasNoFalseNegativesAndFewFalsePositives) {
  // A block's worth of distinct keys in its default 128 bytes: 8 bits a
  // key, 6 probes, ~2.2% false positives in theory.
  constexpr uint16_t kBytes = 128;
  EXPECT_EQ(posting_runs::FilterProbes(kBytes), 6);
  std::mt19937_64 rng(7);
  std::vector<uint8_t> filter(kBytes, 0);
  std::set<std::pair<uint8_t, uint64_t>> in;
  while (in.size() < posting_runs::kBlockRecords) {
    in.insert({static_cast<uint8_t>(rng() % 33), rng()});
  }
  for (const auto& [code, hash] : in) {
    posting_runs::FilterAdd(filter.data(), kBytes, posting_runs::FilterHash(code, hash));
  }
  for (const auto& [code, hash] : in) {
    EXPECT_TRUE(posting_runs::FilterMayContain(filter.data(), kBytes,
                                               posting_runs::FilterHash(code, hash)));
  }
  // Absent keys: random ones, and the members' hashes under another code
  // (the code must change the probes).
  size_t passed = 0;
  constexpr int kTries = 100000;
  for (int i = 0; i < kTries; ++i) {
    passed += posting_runs::FilterMayContain(
        filter.data(), kBytes, posting_runs::FilterHash(static_cast<uint8_t>(i % 33), rng()));
  }
  EXPECT_LT(passed, kTries * 4 / 100);
  size_t recoded = 0;
  for (const auto& [code, hash] : in) {
    recoded += posting_runs::FilterMayContain(
        filter.data(), kBytes, posting_runs::FilterHash(static_cast<uint8_t>(code + 1), hash));
  }
  EXPECT_LT(recoded, in.size() / 8);
}

TEST(PostingFilterTest, AVersion1ManifestIsReadAsRunsWithoutFilters) {
  posting_runs::Manifest m;
  m.indexed_size = 50;
  m.next_run_id = 9;
  m.runs.push_back({3, 0, 20, 300, 3, 1, 128});
  m.runs.push_back({8, 20, 50, 129, 2, 0, 64});
  std::string v2 = posting_runs::EncodeManifest(m);
  posting_runs::Manifest back = ValueOrDie(posting_runs::DecodeManifest(v2));
  ASSERT_EQ(back.runs.size(), 2u);
  EXPECT_EQ(back.runs[0].filter_bytes, 128);
  EXPECT_EQ(back.runs[1].filter_bytes, 64);
  EXPECT_EQ(back.runs[1].records, 129u);
  // Version 1: the same without the two filter-bytes bytes of each run.
  std::string v1 = v2.substr(0, 21);
  v1[0] = 1;
  for (size_t r = 0; r < 2; ++r) v1 += v2.substr(21 + r * 39, 37);
  back = ValueOrDie(posting_runs::DecodeManifest(v1));
  ASSERT_EQ(back.runs.size(), 2u);
  EXPECT_EQ(back.runs[0].filter_bytes, 0);
  EXPECT_EQ(back.runs[1].filter_bytes, 0);
  EXPECT_EQ(back.runs[1].blocks, 2u);
  EXPECT_EQ(back.runs[1].level, 0);
  EXPECT_EQ(back.indexed_size, 50u);
  v1[0] = 3;
  EXPECT_EQ(posting_runs::DecodeManifest(v1).status().code(), absl::StatusCode::kDataLoss);
  m.runs[0].filter_bytes = posting_runs::kMaxFilterBytes + 1;
  EXPECT_EQ(posting_runs::DecodeManifest(posting_runs::EncodeManifest(m)).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(PostingIndexTest, FiltersSpareTheReadsOfAbsentKeysAndRunsWithoutThemStillAnswer) {
  std::string ds = Dataset("filters");
  std::vector<std::string> texts;
  for (int i = 0; i < 200; ++i) texts.push_back(Text(700 + i, 300));
  std::vector<DocumentRegistration> docs;
  Register(ds, texts, &docs);
  PostingIndexOptions o;
  o.max_run_postings = 3000;
  o.read_chunk = 5;
  o.merge_width = 8;  // many runs: each absent key falls within most of them
  std::mt19937_64 rng(11);
  std::vector<uint64_t> absent;
  for (int i = 0; i < 500; ++i) absent.push_back(rng());
  // Blocks read to look up the absent hashes (one lookup each: a lookup
  // reads a block once however many of its keys need it), and every
  // posting read back.
  auto probe = [&](std::map<std::string, std::set<std::pair<uint64_t, uint32_t>>>* all) {
    uint64_t before = index_->blocks_read();
    for (uint64_t hash : absent) EXPECT_TRUE(ValueOrDie(index_->WinnowEntries(hash, 10)).empty());
    uint64_t read = index_->blocks_read() - before;
    *all = ReadAll(docs);
    return read;
  };

  o.filter_bytes = 0;  // the runs an index of manifest version 1 wrote
  index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get(), o));
  PL_ASSERT_OK(index_->WaitIndexed(ledger_->Latest()->size, Soon()));
  while (!index_->idle()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const size_t runs = index_->run_count();
  ASSERT_GE(runs, 4u);
  std::map<std::string, std::set<std::pair<uint64_t, uint32_t>>> unfiltered;
  uint64_t unfiltered_reads = probe(&unfiltered);
  EXPECT_GE(unfiltered_reads, absent.size() * runs / 2) << runs << " runs";
  EXPECT_GT(unfiltered.size(), 10000u);
  Close();

  // Reopened with filters: the old runs still answer (read as before), the
  // runs written from now on have filters.
  Open();
  o.filter_bytes = 128;
  index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get(), o));
  std::map<std::string, std::set<std::pair<uint64_t, uint32_t>>> mixed;
  EXPECT_EQ(probe(&mixed), unfiltered_reads);
  EXPECT_EQ(mixed, unfiltered);
  Close();

  // Rebuilt with filters: absent keys read (almost) nothing, present ones
  // all their postings, after a reopen too.
  for (int pass = 0; pass < 2; ++pass) {
    Open();
    if (pass == 0) DropManifest();
    index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get(), o));
    PL_ASSERT_OK(index_->WaitIndexed(ledger_->Latest()->size, Soon()));
    while (!index_->idle()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_GE(index_->run_count(), 4u);
    std::map<std::string, std::set<std::pair<uint64_t, uint32_t>>> filtered;
    uint64_t reads = probe(&filtered);
    EXPECT_LT(reads, unfiltered_reads / 10) << "pass " << pass;
    EXPECT_EQ(filtered, unfiltered) << "pass " << pass;
    Close();
  }
}

TEST_F(PostingIndexTest, KeysOfUnlistedRunsAndOfTheEarlierLayoutAreDeletedOnOpen) {
  std::string ds = Dataset("orphans");
  std::vector<DocumentRegistration> docs;
  auto idx = Register(ds, {Text(50, 80), Text(51, 80)}, &docs);
  // What an earlier layout left: a key per posting and its watermark.
  PL_ASSERT_OK(
      storage_->IngestSorted(Column::kPostings, [n = 0](std::string* k, std::string* v) mutable {
        if (n == 2) return false;
        *k = std::string(n++ == 0 ? "L" : "W") + std::string(17, '\x01');
        *v = "";
        return true;
      }));
  WriteBatch legacy;
  legacy.Put(Column::kMeta, posting_runs::kLegacyWatermarkKey, U64BE(1));
  PL_ASSERT_OK(storage_->Write(legacy, true));
  index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get()));
  PL_ASSERT_OK(index_->WaitIndexed(ledger_->Latest()->size, Soon()));
  EXPECT_FALSE(ValueOrDie(storage_->Get(Column::kMeta, posting_runs::kLegacyWatermarkKey)));
  EXPECT_EQ(StoredRuns().size(), 1u);  // and no 'L' or 'W' key (StoredRuns checks)
  uint64_t live = *StoredRuns().begin();
  index_.reset();

  // A run written but never listed (a crash before its manifest): deleted
  // on open, the listed run kept.
  PL_ASSERT_OK(storage_->IngestSorted(Column::kPostings,
                                      [n = 0, live](std::string* k, std::string* v) mutable {
                                        if (n++ == 1) return false;
                                        *k = posting_runs::BlockKey(live + 7, 0);
                                        *v = std::string(posting_runs::kRecordBytes, '\0');
                                        return true;
                                      }));
  EXPECT_EQ(StoredRuns(), (std::set<uint64_t>{live, live + 7}));
  index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get()));
  EXPECT_EQ(StoredRuns(), (std::set<uint64_t>{live}));
  EXPECT_EQ(ValueOrDie(index_->LshBandEntries(5, docs[1].text->lsh_bands[5], 10)),
            (std::vector<uint64_t>{idx[1]}));
}

TEST_F(PostingIndexTest, LookupsDuringMergesSeeEveryPosting) {
  std::string ds = Dataset("concurrent");
  std::vector<std::string> texts;
  for (int i = 0; i < 120; ++i) texts.push_back(Text(200 + i, 150));
  std::vector<DocumentRegistration> docs;
  auto idx = Register(ds, {texts[0]}, &docs);
  PostingIndexOptions small;
  small.max_run_postings = 300;  // a run every couple of documents, merged 2 by 2
  small.merge_width = 2;
  index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get(), small));
  PL_ASSERT_OK(index_->WaitIndexed(ledger_->Latest()->size, Soon()));
  // Readers check the first document's postings all the while the others
  // are registered, written and merged, and merged runs deleted (a run
  // deleted while a lookup still reads it fails that lookup).
  std::atomic<bool> done{false};
  std::atomic<int> checks{0};
  auto check = [&] {
    const auto& t = *docs[0].text;
    std::vector<uint64_t> hashes;
    for (const auto& w : t.winnows) hashes.push_back(w.hash);
    while (!done.load()) {
      auto bands = index_->LshBandEntries(t.lsh_bands, 10);
      ASSERT_TRUE(bands.ok()) << bands.status();
      for (const auto& b : *bands) ASSERT_EQ(b, (std::vector<uint64_t>{idx[0]}));
      auto winnows = index_->WinnowEntries(hashes, 10);
      ASSERT_TRUE(winnows.ok()) << winnows.status();
      for (const auto& w : *winnows) {
        ASSERT_FALSE(w.empty());
        ASSERT_EQ(w[0].ledger_index, idx[0]);
      }
      ++checks;
    }
  };
  std::thread reader1(check), reader2(check);
  for (size_t i = 1; i < texts.size(); ++i) {
    Register(ds, {texts[i]});
    PL_ASSERT_OK(index_->WaitIndexed(ledger_->Latest()->size, Soon()));
  }
  while (!index_->idle()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  done = true;
  reader1.join();
  reader2.join();
  EXPECT_GT(checks.load(), 0);
  EXPECT_LE(index_->run_count(), 8u);
  PL_ASSERT_OK(index_->status());
}

// A passage many documents share has postings in many runs; merged, its
// lists must still come back in ledger order (the merge breaks ties of
// (code, hash) by run), whole and cut at a limit.
TEST_F(PostingIndexTest, AKeySharedAcrossMergedRunsListsItsDocumentsInLedgerOrder) {
  std::string ds = Dataset("shared");
  PostingIndexOptions small;
  small.max_run_postings = 200;  // a run a document or two, merged 3 by 3
  small.merge_width = 3;
  index_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get(), small));
  const std::string passage = Text(7, 80);
  std::vector<uint64_t> indices;
  for (int i = 0; i < 40; ++i) {
    // Every document: the passage between two texts of its own.
    indices.push_back(Register(ds, {Text(500 + i, 30) + passage + Text(600 + i, 30)})[0]);
    PL_ASSERT_OK(index_->WaitIndexed(ledger_->Latest()->size, Soon()));
  }
  while (!index_->idle()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_GT(index_->run_count(), 1u);  // merged, and over more than one run still
  // Each merge replaced 3 runs with one, and rewrote at least a run's postings.
  const PostingIndex::WriteStats st = index_->write_stats();
  EXPECT_GE(st.runs_written, indices.size());
  EXPECT_GT(st.merges, 0u);
  EXPECT_EQ(st.runs_written - 2 * st.merges, index_->run_count());
  EXPECT_GT(st.postings_merged, st.postings_written / st.runs_written * st.merges);
  fingerprint::TextFingerprints shared = ValueOrDie(fingerprint::FingerprintText(passage));
  size_t checked = 0;
  for (const auto& w : shared.winnows) {
    std::vector<WinnowPosting> all = ValueOrDie(index_->WinnowEntries(w.hash, 1000));
    if (all.size() != indices.size()) continue;  // a fingerprint at the passage's edge
    ++checked;
    std::vector<uint64_t> got;
    got.reserve(all.size());
    for (const WinnowPosting& p : all) got.push_back(p.ledger_index);
    EXPECT_EQ(got, indices);  // ascending: the indices were assigned in order
    std::vector<WinnowPosting> first = ValueOrDie(index_->WinnowEntries(w.hash, 5));
    ASSERT_EQ(first.size(), 5u);
    for (size_t k = 0; k < 5; ++k) EXPECT_EQ(first[k].ledger_index, indices[k]);
  }
  EXPECT_GT(checked, 3u);
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
  // A manifest that claims more entries than the ledger holds.
  posting_runs::Manifest m;
  m.indexed_size = size + 5;
  WriteBatch b;
  b.Put(Column::kMeta, posting_runs::kManifestKey, posting_runs::EncodeManifest(m));
  PL_ASSERT_OK(storage_->Write(b, true));
  EXPECT_EQ(PostingIndex::Open(ledger_.get(), storage_.get()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// The writer's storage failing stops the indexer with that error: waiters
// hear it, nothing is marked indexed, and closing does not hang.
TEST(PostingIndexFaultTest, AFailedRunStopsTheIndexerAndIsReported) {
  // Writes: the ledger's first checkpoint, the dataset, the documents, and
  // the index's two deletions of an earlier layout on its first Open; the
  // sixth (the first posting run) fails.
  std::unique_ptr<Storage> storage = NewMemoryStorage(/*fail_writes_after=*/5);
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
