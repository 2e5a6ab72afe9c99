// The append-only, verifiable ledger: entries, their RFC 6962 Merkle tree,
// signed checkpoints and secondary-index keys, all in one Storage.
//
//   LedgerOptions opts;
//   opts.origin = "provledger.example/log";
//   opts.signers.push_back(std::make_shared<NoteSigner>(opts.origin, key));
//   PL_ASSIGN_OR_RETURN(auto ledger, Ledger::Open(storage.get(), opts));
//   ledger->AppendAsync(std::move(requests), [](AppendOutcome out) { ... });
//
// Durability: appends from all callers are grouped by one committer thread
// into a single WriteBatch -- entries, tree nodes, index keys and the new
// signed checkpoint -- written to the WAL; a sync thread then fsyncs the WAL
// (one fsync for every group written meanwhile, while the committer writes
// the next) before any caller is called back or the checkpoint is published
// (Latest). A callback with OK status means the entries survive a crash; a
// crash keeps a prefix of the groups, and a group not yet synced was neither
// acknowledged nor visible through this API.
//
// No forks: a checkpoint is signed only for the tree in the batch that stores
// it, and on Open the root recomputed from storage must equal the last stored
// checkpoint's root, or Open fails (FailedPrecondition). No rollback: with a
// high-water mark (LedgerOptions), a checkpoint is published only after the
// mark durably reaches it, and Open fails (FailedPrecondition) when the
// storage is below the mark or disagrees with its root. If a write, a sync
// or a mark fails the ledger refuses appends (Unavailable) until Resume
// succeeds or it is reopened.
//
// Thread-safety: all methods may be called concurrently. Callbacks run on the
// sync thread and must not block on the ledger.
#ifndef PROVLEDGER_LEDGER_H_
#define PROVLEDGER_LEDGER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "provledger/high_water_mark.h"
#include "provledger/merkle.h"
#include "provledger/note.h"
#include "provledger/storage.h"

namespace provledger {

struct LedgerOptions {
  // The log's identity: the checkpoint origin line and the signing key name.
  // Fixed at creation; Open fails if it changes later.
  std::string origin;
  // Every signer signs every checkpoint (several during a key rotation).
  std::vector<std::shared_ptr<const NoteSigner>> signers;
  // Group-commit bounds for one WriteBatch.
  size_t max_batch_entries = 16384;
  size_t max_batch_bytes = 32u << 20;
  // The high-water mark, kept outside `storage` (not owned; must outlive the
  // ledger). Null only where no rollback can matter (tests of other layers).
  HighWaterMarkStore* high_water_mark = nullptr;
};

// One entry to append.
struct AppendRequest {
  std::string entry;  // canonical entry bytes (see entry.h)
  // If non-empty and present in Column::kIndex, nothing is appended and the
  // result names the existing entry. Otherwise it is written with the new
  // entry's index as value. Duplicates within one batch resolve the same way.
  std::string dedup_key;
  // Extra index keys: key -> 8-byte big-endian ledger index.
  std::vector<std::string> index_keys;
  // Multi-valued index keys: (prefix || 8-byte BE index) -> empty.
  std::vector<std::string> index_prefixes;
  // Multi-valued index keys with a value: (first || 8-byte BE index) -> second.
  std::vector<std::pair<std::string, std::string>> index_prefix_values;
};

struct AppendResult {
  uint64_t index = 0;
  std::string leaf_hash;
  bool existed = false;  // a dedup hit: nothing new was appended
};

// A signed tree head as stored.
struct SignedCheckpoint {
  uint64_t size = 0;
  std::string root_hash;
  std::string note;  // the C2SP signed note
};

struct AppendOutcome {
  absl::Status status;
  std::vector<AppendResult> results;  // one per request when status is OK
  // The checkpoint that covers every result (the batch's own checkpoint).
  std::shared_ptr<const SignedCheckpoint> checkpoint;
};

struct StoredEntry {
  uint64_t index = 0;
  std::string data;
  std::string leaf_hash;
};

class Ledger {
 public:
  // Opens or creates the ledger in `storage` (not owned; must outlive the
  // ledger). FailedPrecondition if the stored root and the last signed
  // checkpoint disagree, if the origin changed, or if no signer is given;
  // DataLoss if tree nodes are missing.
  static absl::StatusOr<std::unique_ptr<Ledger>> Open(Storage* storage, LedgerOptions options);
  // The origin recorded in `storage` by a previous Open, or nullopt for a
  // storage that holds no ledger yet.
  static absl::StatusOr<std::optional<std::string>> StoredOrigin(Storage* storage);
  ~Ledger();  // Stops both threads after draining queued appends.

  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Queues `requests` for the next group commit; `done` is called once, from
  // the ledger's sync thread, when they are durable or have failed, in
  // AppendAsync order -- or at once, inline, when the ledger already refuses
  // appends (after a failure or while stopping).
  void AppendAsync(std::vector<AppendRequest> requests, std::function<void(AppendOutcome)> done);
  // Blocking form of AppendAsync.
  AppendOutcome Append(std::vector<AppendRequest> requests);

  // The latest signed checkpoint (never null after Open).
  std::shared_ptr<const SignedCheckpoint> Latest() const;
  // The checkpoint signed at exactly `size`; NotFound if none was.
  absl::StatusOr<std::string> CheckpointNote(uint64_t size);
  // The checkpoint signed at the greatest size <= `size` (every group commit
  // signs one, so this is the ledger as a client could have seen it then).
  // OutOfRange beyond the latest size; NotFound below the first checkpoint.
  absl::StatusOr<SignedCheckpoint> CheckpointAtOrBefore(uint64_t size);
  // Entries [start, start + count) clipped to the latest size.
  absl::StatusOr<std::vector<StoredEntry>> GetEntries(uint64_t start, uint64_t count);
  // Entries [start, start + count) clipped to the latest size, in order,
  // read in one pass without their leaf hashes: `fn` gets each index and
  // entry (valid during the call) until it returns false. DataLoss if one
  // is missing.
  absl::Status ScanEntries(uint64_t start, uint64_t count,
                           const std::function<bool(uint64_t, std::string_view)>& fn);
  // The entries at `indices` (any order, in one batched read). OutOfRange if
  // one is beyond the latest size.
  absl::StatusOr<std::vector<StoredEntry>> GetEntriesAt(const std::vector<uint64_t>& indices);
  // Proofs for any size up to the latest checkpoint's. OutOfRange if a size
  // exceeds it, InvalidArgument if index >= size or from > to.
  absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t index, uint64_t size);
  absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t from, uint64_t to);
  // Value of a single-valued index key (the ledger index), or nullopt (also
  // for an entry beyond the latest checkpoint: written, not yet durable).
  absl::StatusOr<std::optional<uint64_t>> LookupIndex(const std::string& key);
  // Ledger indices under a multi-valued index prefix, ascending, starting at
  // `after` + 1 (or the first), at most `limit`.
  absl::StatusOr<std::vector<uint64_t>> ScanIndexPrefix(const std::string& prefix,
                                                        std::optional<uint64_t> after,
                                                        size_t limit);
  // Every multi-valued index key starting with `prefix`, whatever follows it
  // (e.g. all subdomains under a reversed host), in key order: `fn` gets the
  // ledger index (the key's last 8 bytes) until it returns false.
  absl::Status ScanIndexTree(const std::string& prefix, const std::function<bool(uint64_t)>& fn);
  // Every multi-valued index key in [begin, end), in key order: `fn` gets
  // the key and its ledger index (the last 8 bytes) until it returns false.
  // Keys of entries beyond the latest checkpoint are skipped.
  absl::Status ScanIndexRange(std::string_view begin, std::string_view end,
                              const std::function<bool(std::string_view, uint64_t)>& fn);

  // OK while appends are accepted; otherwise the sticky failure that
  // refuses them (a failed write, sync or high-water mark), or the pause.
  absl::Status WriteStatus() const;
  // With a non-OK `why`, refuses new appends with it (already queued ones
  // go on), e.g. while the disk is nearly full; OK accepts them again.
  // Independent of failures: Resume does not lift a pause.
  void PauseAppends(absl::Status why);
  // After a failure: asks the storage to resume writing (RocksDB flushes
  // its memtables to new files and starts a new WAL, so nothing written but
  // unsynced depends on the failed log), reloads the tree as stored, checks
  // it against its checkpoint, raises the mark and accepts appends again.
  // Groups written but never acknowledged before the failure become part of
  // the ledger (their appenders got an error; a retry finds them by dedup).
  // OK at once when nothing failed; the failure status when the storage
  // still refuses. Blocks appends while it runs.
  absl::Status Resume();

  // Checks every stored byte against the storage's checksums (tree nodes,
  // index, postings and checkpoints included), then recomputes every leaf
  // hash from the stored entries and the root from the leaves, comparing
  // with the tree nodes and the latest checkpoint: O(n). DataLoss naming the
  // first damaged file or mismatch.
  absl::Status VerifyFull();

  const std::string& origin() const { return options_.origin; }
  // Signs `text` (one or more lines, ending in a newline, no blank line) as
  // a C2SP note with every signer's key, as checkpoints are. InvalidArgument
  // for a text that parses as a checkpoint: the log key signs tree heads
  // only through the committer.
  absl::StatusOr<std::string> SignText(std::string_view text) const;
  // Verifier keys of all signers, primary first.
  std::vector<std::string> VerifierKeys() const;

 private:
  struct Pending {
    std::vector<AppendRequest> requests;
    std::function<void(AppendOutcome)> done;
  };
  // A group commit written (not yet synced) or refused, waiting for the sync
  // thread to make it durable and call its callbacks.
  struct Written {
    std::vector<std::function<void(AppendOutcome)>> done;
    std::vector<std::vector<AppendResult>> results;      // one per callback
    absl::Status status;                                 // the group's write
    bool wrote = false;                                  // something to sync
    std::shared_ptr<const SignedCheckpoint> checkpoint;  // covers the results
  };

  Ledger(Storage* storage, LedgerOptions options);
  absl::Status Recover();
  // The high-water mark check of Open (docs/ledger-format.md §4a): the
  // stored tree at `size` with `root` must reach the mark and agree with
  // its root; the mark is then raised to it.
  absl::Status CheckAndRaiseMark(uint64_t size, const std::string& root);
  // Loads the stored size, tree and checkpoint; checks the root.
  absl::StatusOr<std::shared_ptr<const SignedCheckpoint>> LoadStoredTree(merkle::CompactTree* tree);
  absl::StatusOr<std::string> SignCheckpoint(uint64_t size, const std::string& root) const;
  // The write stage: dedup, entries, tree nodes and a signed checkpoint in
  // one batch written without fsync; the sync stage fsyncs whatever groups
  // were written meanwhile in one go, then publishes their checkpoint and
  // answers. So the next group is built and written while the last syncs.
  void CommitLoop();
  Written CommitBatch(std::vector<Pending> batch);
  void SyncLoop();
  absl::Status CheckSize(uint64_t size) const;

  Storage* const storage_;
  const LedgerOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;       // queue_ or stopping_ changed
  std::condition_variable sync_cv_;  // written_ or committer_done_ changed
  std::condition_variable idle_cv_;  // the sync thread answered its groups
  std::deque<Pending> queue_;
  std::deque<Written> written_;
  bool stopping_ = false;
  bool committer_done_ = false;
  bool syncing_ = false;      // the sync thread holds groups it has not answered
  bool sync_failed_ = false;  // nothing unsynced is trusted until Resume
  absl::Status failed_;       // sticky write or sync failure
  absl::Status paused_;       // PauseAppends
  // The newest durable checkpoint: what readers, proofs and the posting
  // indexer see. Entries beyond it may be written but not yet synced.
  std::shared_ptr<const SignedCheckpoint> latest_;

  // Held by the committer while it builds and queues a group, and by Resume.
  std::mutex commit_mu_;
  // Committer thread (or Resume holding commit_mu_): the tree and
  // checkpoint as written.
  merkle::CompactTree tree_;
  std::shared_ptr<const SignedCheckpoint> written_checkpoint_;
  std::thread committer_;
  std::thread syncer_;
};

}  // namespace provledger

#endif  // PROVLEDGER_LEDGER_H_
