// The fingerprint postings: LSH band -> documents and winnowing hash ->
// (document, token position), the inverted index that near-duplicate and
// containment matching read (docs/ledger-format.md, "Postings").
//
//   PL_ASSIGN_OR_RETURN(auto postings, PostingIndex::Open(ledger, storage, {}));
//   PL_RETURN_IF_ERROR(postings->WaitIndexed(ledger->Latest()->size, deadline));
//   PL_ASSIGN_OR_RETURN(auto docs, postings->LshBandEntries(band, key));
//
// Postings are derived data. Every value they hold is in the signed ledger
// entries (the MinHash signature and the winnowing fingerprints of each
// document entry), so they are not written in the registration's synced
// batch: a background indexer reads committed entries in order, collects
// their postings, and writes them to Column::kPostings as sorted runs of
// packed records (src/index/posting_runs.h), one table file each
// (Storage::IngestSorted). A RocksDB key per posting cost RocksDB's per-key
// work for each of ~92 postings a document, once written and again in every
// compaction; a key per block of 128 records costs it once per block.
// The index merges its runs itself, tiered: when `merge_width` runs share a
// level, the oldest of them become one run of the next level, so a posting
// is rewritten about log_width(runs) times (a run is stored uncompressed
// until its first merge, which reads it once more). Each run's fences (8 bytes a
// block) and per-block Bloom filters are held in memory, so a lookup reads
// only the blocks that may hold its key: about one per run that has it.
//
// Three threads: the reader collects the next run while the writer sorts
// and writes the last, and the merger merges runs meanwhile (so a long merge
// never holds back new postings). A manifest (Column::kMeta) lists the live
// runs and how far the entries are indexed; it is written after a run's
// keys are in place, and a merged run's inputs are deleted only after the
// manifest naming the merge is durable and no lookup still reads them. On
// Open the index continues from the manifest and deletes keys of runs it
// does not list, so a crash loses no postings, and an index of an earlier
// layout (or none) is rebuilt from the entries.
//
// Freshness: entries [0, indexed_size()) are fully indexed. A run is
// written when `max_run_postings` are pending or the oldest pending entry has
// waited `max_delay`; WaitIndexed() asks for one now, for callers that must
// see a registration they have just been acknowledged.
//
// Only entries whose fingerprint versions are the current ones
// (fingerprint.h) get postings; a winnowing hash repeated in one document is
// posted once, at its first position, flagged as repeated.
//
// Thread-safety: all methods may be called concurrently. The ledger and the
// storage are not owned and must outlive the index.
#ifndef PROVLEDGER_POSTING_INDEX_H_
#define PROVLEDGER_POSTING_INDEX_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "provledger/ledger.h"
#include "provledger/storage.h"

namespace provledger {
namespace posting_runs {
struct Manifest;
}

struct PostingIndexOptions {
  // A run is written when this many postings are pending (a 4 KB English
  // document has about 95: 32 bands and ~63 winnowing hashes; a posting
  // takes 24 bytes, and the run being read, the one being written and the
  // sort's scratch are held at once: ~130 MB at 2,000,000, ~20,000
  // documents) ...
  size_t max_run_postings = 2000000;
  // ... or when the oldest pending entry has waited this long.
  std::chrono::milliseconds max_delay{1000};
  // How often an idle indexer looks for new entries.
  std::chrono::milliseconds poll{20};
  // Entries read from the ledger at a time.
  size_t read_chunk = 4096;
  // Threads that sort a run (1 or 2: the winnowing bucket on its own).
  size_t sort_threads = 2;
  // Runs of one level merged into one (at least 2): wider merges rewrite
  // each posting fewer times, and leave more runs for a lookup to search
  // (its fences and filters, in memory: it reads a run's block only where
  // the filter lets the key through). 8 against 4: 1,000,000 documents
  // registered ~7% faster with the merges caught up (docs/benchmarks.md).
  size_t merge_width = 8;
  // Bytes of Bloom filter a block of 128 postings (at most 1024; 0: none).
  // Held in memory for every run, so a lookup reads only the blocks that
  // may hold its key instead of one in every run: 128 is 8 bits a posting,
  // ~2% false positives, ~90 MB per million 4 KB documents.
  size_t filter_bytes = 128;
};

// One winnowing posting: the document's ledger index and the token index of
// the shingle whose hash was selected.
struct WinnowPosting {
  uint64_t ledger_index = 0;
  uint32_t token_index = 0;  // the hash's first position in the document
  bool repeated = false;     // the hash occurs again later in the document
  bool operator==(const WinnowPosting& o) const {
    return ledger_index == o.ledger_index && token_index == o.token_index && repeated == o.repeated;
  }
};

class PostingIndex {
 public:
  // Reads the watermark and starts the indexer. FailedPrecondition if the
  // watermark is beyond the ledger (the postings are from another ledger).
  static absl::StatusOr<std::unique_ptr<PostingIndex>> Open(Ledger* ledger, Storage* storage,
                                                            PostingIndexOptions options = {});
  // Writes the pending postings (best effort) and stops the indexer.
  ~PostingIndex();

  PostingIndex(const PostingIndex&) = delete;
  PostingIndex& operator=(const PostingIndex&) = delete;

  // Entries below this ledger index have all their postings readable.
  uint64_t indexed_size() const;
  // Has the postings of entries [0, size) written now and waits for them.
  // OutOfRange if `size` exceeds the latest checkpoint's, DeadlineExceeded
  // at `deadline`, or the indexer's error (status()).
  absl::Status WaitIndexed(uint64_t size, std::chrono::steady_clock::time_point deadline);
  // OK, or the error that stopped the indexer (a storage failure, or an entry
  // that does not decode: DataLoss naming its index).
  absl::Status status() const;
  // Whether the indexer holds no run to write and no merge to do: once the
  // entries are indexed, the work a stream of registrations leaves behind
  // it is done (benchmarks).
  bool idle() const;
  // The live runs (a merge replaces several with one).
  size_t run_count() const;
  // Blocks of postings lookups have read since Open (a block one lookup
  // needs for several keys counts once): what the filters save.
  uint64_t blocks_read() const { return blocks_read_.load(std::memory_order_relaxed); }
  // What the index has written since Open: runs and their postings as
  // collected, and merges and the postings they rewrote (what a posting
  // costs beyond its first write).
  struct WriteStats {
    uint64_t runs_written = 0;
    uint64_t postings_written = 0;
    uint64_t merges = 0;
    uint64_t postings_merged = 0;
  };
  WriteStats write_stats() const;

  // Ledger indices of the documents whose LSH band `band` has key `key`,
  // ascending, at most `limit`.
  absl::StatusOr<std::vector<uint64_t>> LshBandEntries(int band, uint64_t key, size_t limit);
  // The documents holding winnowing hash `hash`, by ascending ledger index,
  // at most `limit`.
  absl::StatusOr<std::vector<WinnowPosting>> WinnowEntries(uint64_t hash, size_t limit);
  // The same for many keys in one pass (out[i] for keys[i]): band b's key
  // is band_keys[b]; each list stops at `limit`.
  absl::StatusOr<std::vector<std::vector<uint64_t>>> LshBandEntries(
      const std::vector<uint64_t>& band_keys, size_t limit);
  absl::StatusOr<std::vector<std::vector<WinnowPosting>>> WinnowEntries(
      const std::vector<uint64_t>& hashes, size_t limit);

 private:
  struct Posting;
  struct Run;  // a live run: its manifest entry, and its blocks' fences and filters
  using RunSet = std::vector<std::shared_ptr<const Run>>;
  struct Query {
    uint8_t code;  // band, or posting_runs::kWinnowCode
    uint64_t hash;
  };
  PostingIndex(Ledger* ledger, Storage* storage, PostingIndexOptions options,
               std::unique_ptr<posting_runs::Manifest> manifest, RunSet runs);
  // The reader: reads entries, collects their postings into runs and hands
  // each run to the writer, so the next run is read while one is written.
  void Loop();
  // Reads entries [next_, size) (at most one chunk) and collects postings.
  absl::Status ReadChunk(uint64_t size);
  // Waits for the writer to be idle, then gives it the pending postings
  // (up to next_); the writer's error if it has failed.
  absl::Status HandOff();
  // The writer: writes each run handed to it and advances the indexed size.
  void WriterLoop();
  absl::Status WriteRun();
  // The merger: while `merge_width` runs share a level, merges the oldest
  // of the lowest such level into one run of the next, then deletes the
  // merged ones no lookup reads any more.
  void MergerLoop();
  // Merges one group; sets *merged false if none is due or it was stopped.
  absl::Status MergeOnce(bool* merged);
  absl::Status DropRetired();
  // Replaces the runs [first, first + count) of the live set with `added`
  // (none: count = 0, first = the end) and sets the indexed size (0: keep
  // it), then writes the manifest (synced when runs are about to be
  // deleted) and publishes the new set. Writer and merger both edit.
  absl::Status Commit(size_t first, size_t count, std::shared_ptr<const Run> added,
                      uint64_t indexed_size, bool sync);
  std::shared_ptr<const RunSet> Runs() const;
  // Calls emit(i, ledger index, value) for the postings of queries[i], by
  // ascending ledger index, at most `limit` for each.
  absl::Status Lookup(const std::vector<Query>& queries, size_t limit,
                      const std::function<void(size_t, uint64_t, uint32_t)>& emit);

  Ledger* const ledger_;
  Storage* const storage_;
  const PostingIndexOptions options_;

  mutable std::mutex mu_;
  std::condition_variable wake_;     // the reader: work requested or stopping
  std::condition_variable handoff_;  // the writer: a run is handed or it should stop
  std::condition_variable written_;  // waiters and the reader: the writer finished a run or failed
  uint64_t watermark_;               // guarded by mu_
  uint64_t flush_to_ = 0;            // guarded by mu_: a waiter wants this size now
  bool stopping_ = false;            // guarded by mu_
  bool writing_ = false;             // guarded by mu_: the writer holds a run
  bool writer_stop_ = false;         // guarded by mu_
  absl::Status error_;               // guarded by mu_

  // The live runs: what lookups read, and the manifest that lists them
  // (also the next run id). A run id is taken and the set edited under it.
  std::mutex commit_mu_;  // serializes Commit
  mutable std::mutex runs_mu_;
  std::shared_ptr<const RunSet> runs_;                // guarded by runs_mu_
  std::unique_ptr<posting_runs::Manifest> manifest_;  // guarded by runs_mu_
  std::atomic<uint64_t> blocks_read_{0};
  WriteStats stats_;                    // guarded by runs_mu_
  std::condition_variable merge_wake_;  // the merger: a run was added or it should stop
  bool merging_ = false;                // guarded by mu_: the merger has a group in hand
  bool merge_due_ = false;              // guarded by mu_: a run was added since it looked
  std::atomic<bool> merger_stop_{false};

  // Reader thread only.
  uint64_t next_;                              // the next entry to read
  uint64_t handed_;                            // entries below it are handed to the writer
  std::vector<std::vector<Posting>> buckets_;  // by kind and band
  size_t pending_ = 0;                         // postings in buckets_
  std::chrono::steady_clock::time_point pending_since_;

  // The run being written: the writer's while writing_, else the reader's.
  std::vector<std::vector<Posting>> run_;
  uint64_t run_end_ = 0;  // the entries it covers end here
  // Writer thread only: the sort's scratch (bands, winnowing bucket), kept
  // with its capacity from run to run instead of reallocated for each.
  std::vector<Posting> sort_scratch_[2];
  // Merger thread only (and the destructor's, after it): merged runs
  // waiting for their last reader.
  std::vector<std::pair<uint64_t, std::weak_ptr<const Run>>> retired_;

  std::thread writer_;
  std::thread merger_;
  std::thread indexer_;
};

}  // namespace provledger

#endif  // PROVLEDGER_POSTING_INDEX_H_
