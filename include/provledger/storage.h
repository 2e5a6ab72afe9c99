// The storage seam: an ordered key-value store with column families and
// atomic, optionally synced batches. The only implementation used in
// production is RocksDB (OpenRocksDbStorage); NewMemoryStorage() is an
// in-memory implementation with fault injection for tests. Both pass the same
// conformance suite (tests/unit/storage/storage_conformance_test.cc).
//
//   PL_ASSIGN_OR_RETURN(auto db, OpenRocksDbStorage("/var/lib/provledger", {}));
//   WriteBatch b;
//   b.Put(Column::kEntries, key, value);
//   PL_RETURN_IF_ERROR(db->Write(b, /*sync=*/true));   // durable on return
//
// Contract for every implementation:
// - Write applies all of a batch or none of it. With sync=true the batch is
//   on stable storage (WAL fsynced) when Write returns OK; with sync=false
//   it is once a later SyncWal returns OK. A crash keeps a prefix of the
//   batches in Write order (never a later batch without an earlier one).
// - After a failed Write the store may refuse further writes; callers must
//   treat a failed synced write as "state unknown until reopened".
// - Reads see every batch whose Write returned, in order.
// - All methods are thread-safe.
#ifndef PROVLEDGER_STORAGE_H_
#define PROVLEDGER_STORAGE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace provledger {

// Column families, declared once. Names are part of the on-disk format.
enum class Column : uint8_t {
  kEntries = 0,  // ledger index -> canonical entry bytes
  kTree = 1,     // Merkle perfect-subtree node -> 32-byte hash
  kIndex = 2,    // secondary indexes (dedup, datasets, ...)
  kMeta = 3,     // tree size, signed checkpoints, log identity
  // Fingerprint postings (LSH bands, winnowing hashes), derived from the
  // entries: sorted runs of packed records that src/index writes with
  // IngestSorted, merges, and deletes with DeleteRange.
  kPostings = 4,
};
inline constexpr size_t kNumColumns = 5;
// "entries", "tree", "index", "meta", "postings".
std::string_view ColumnName(Column c);

// A set of puts applied atomically by Storage::Write.
class WriteBatch {
 public:
  struct Op {
    Column column;
    std::string key;
    std::string value;
  };
  void Put(Column column, std::string key, std::string value) {
    bytes_ += key.size() + value.size();
    ops_.push_back(Op{column, std::move(key), std::move(value)});
  }
  // Room for `n` puts in all, so a large batch is not moved as it grows.
  void Reserve(size_t n) { ops_.reserve(n); }
  const std::vector<Op>& ops() const { return ops_; }
  size_t bytes() const { return bytes_; }
  bool empty() const { return ops_.empty(); }

 private:
  std::vector<Op> ops_;
  size_t bytes_ = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Applies `batch` atomically; with `sync`, durably. Internal/Unavailable/
  // DataLoss (converted from the engine's error) on failure.
  virtual absl::Status Write(const WriteBatch& batch, bool sync) = 0;
  // Makes every batch whose Write returned before the call durable (fsyncs
  // the write-ahead log). May run while other threads Write. Unavailable/
  // Internal on failure, after which nothing unsynced may be assumed durable
  // and the store must be reopened.
  virtual absl::Status SyncWal() = 0;
  // After a failed Write or SyncWal: makes the store accept writes again if
  // the cause is gone (RocksDB's Resume: its memtables are flushed to new
  // table files and a new WAL is started, so everything readable is durable
  // on OK and the failed log is no longer needed). OK when nothing failed;
  // the engine's error while the cause persists (a disk still full).
  virtual absl::Status Resume() = 0;
  // Reads every stored byte and checks it against the engine's checksums
  // (RocksDB: every block of every table file). DataLoss naming the first
  // damaged file.
  virtual absl::Status VerifyChecksums() = 0;
  // The value of `key`, or nullopt if absent.
  virtual absl::StatusOr<std::optional<std::string>> Get(Column column, std::string_view key) = 0;
  // Values of `keys` in order (nullopt where absent), in one batched lookup.
  virtual absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      Column column, const std::vector<std::string>& keys) = 0;
  // Calls `fn(key, value)` for keys in [begin, end) in ascending byte order
  // (end empty = no upper bound) until `fn` returns false.
  virtual absl::Status Scan(Column column, std::string_view begin, std::string_view end,
                            const std::function<bool(std::string_view, std::string_view)>& fn) = 0;
  // For each i, calls `fn(i, key, value)` for the keys starting with
  // prefixes[i], ascending, until it returns false; with one engine
  // iterator for all of them, prefixes visited in sorted order (many short
  // lookups cost far less than as many Scans).
  virtual absl::Status ScanPrefixes(
      Column column, const std::vector<std::string>& prefixes,
      const std::function<bool(size_t, std::string_view, std::string_view)>& fn) = 0;
  // The greatest key in [begin, end) (end empty = no upper bound) with its
  // value, or nullopt if the range is empty.
  virtual absl::StatusOr<std::optional<std::pair<std::string, std::string>>> Last(
      Column column, std::string_view begin, std::string_view end) = 0;
  // Adds a run of key-value pairs to `column` as one unit, bypassing the
  // write-ahead log: `next(key, value)` fills the next pair and returns true,
  // or returns false at the end. Keys must be strictly ascending
  // (InvalidArgument otherwise, and nothing is added). A key already present
  // takes the new value. Durable when it returns OK; for derived data that
  // can be rebuilt (no ordering with Write is promised across a crash).
  // A kShortLived run is one the caller will soon replace (a posting run due
  // to be merged): RocksDB stores it uncompressed, sparing the compression
  // of bytes that are read once more and deleted, for more disk meanwhile.
  enum class Lifetime { kLasting, kShortLived };
  virtual absl::Status IngestSorted(Column column,
                                    const std::function<bool(std::string*, std::string*)>& next,
                                    Lifetime lifetime = Lifetime::kLasting) = 0;
  // Removes every key in [begin, end) of `column` (begin < end, both
  // non-empty; InvalidArgument otherwise) and frees the disk of the table
  // files that held only such keys. Durable when it returns OK. Readers of
  // the range while it runs may see some of its keys gone and others not:
  // for data no reader uses any more (a posting run replaced by its merge).
  virtual absl::Status DeleteRange(Column column, std::string_view begin, std::string_view end) = 0;
  // Bytes `column` occupies: its table files on disk (compressed) plus its
  // memtables for RocksDB; the sum of key and value sizes in memory.
  virtual absl::StatusOr<uint64_t> ApproximateBytes(Column column) = 0;
  // The storage's own deferred work at this moment, over all columns:
  // flushes and compactions running, whether a compaction is due, and the
  // bytes RocksDB estimates its compactions still have to rewrite to bring
  // every column into its target shape (the debt a burst of writes leaves
  // behind; RocksDB estimates it for level-style columns only, so a column
  // compacted as sorted runs shows its due work in compaction_pending
  // alone). All zero in memory. Thread-safe.
  struct BackgroundWork {
    int running_flushes = 0;
    int running_compactions = 0;
    bool compaction_pending = false;
    uint64_t pending_compaction_bytes = 0;
    bool idle() const {
      return running_flushes == 0 && running_compactions == 0 && !compaction_pending &&
             pending_compaction_bytes == 0;
    }
  };
  virtual absl::StatusOr<BackgroundWork> PendingBackgroundWork() = 0;
};

struct RocksDbOptions {
  size_t block_cache_bytes = 256u << 20;
};

// Opens (creating if missing) the RocksDB database in `dir` with the
// provledger column families. FailedPrecondition if it is locked by another
// process; Internal/DataLoss on corruption.
absl::StatusOr<std::unique_ptr<Storage>> OpenRocksDbStorage(const std::string& dir,
                                                            const RocksDbOptions& options);

// An in-memory Storage for tests. `fail_writes_after`: once that many Writes
// have succeeded, every later Write fails with Unavailable and changes
// nothing (negative = never fail). `fail_syncs_after`: the same for SyncWal
// (the writes stay readable, as RocksDB's memtables would). Resume lifts
// both, as freeing a full disk would.
std::unique_ptr<Storage> NewMemoryStorage(int fail_writes_after = -1, int fail_syncs_after = -1);

}  // namespace provledger

#endif  // PROVLEDGER_STORAGE_H_
