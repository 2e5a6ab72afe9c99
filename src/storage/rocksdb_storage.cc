// RocksDB implementation of Storage. The only file that includes RocksDB.
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "provledger/status_macros.h"
#include "provledger/storage.h"
#include "write_order.h"

namespace provledger {
namespace {

// Converts a RocksDB status at the boundary, keeping its message.
absl::Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = what + ": " + s.ToString();
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
    return absl::FailedPreconditionError(msg +
                                         " (is another provledgerd using this data directory?)");
  }
  if (s.IsIOError()) return absl::UnavailableError(msg);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) {
    return absl::UnavailableError(msg);
  }
  return absl::InternalError(msg);
}

// RocksDB counts every operation in a thread-local perf context unless the
// calling thread disables it (its default level counts); nothing here reads
// those counters, and their thread-local accesses took ~2% of registration's
// CPU (median of 5 alternating 200,000-document runs: 26,160 -> 27,544/s).
// Cheap enough to call on every entry point (it sets a thread-local).
void NoPerfCounters() { rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable); }

class RocksDbStorage final : public Storage {
 public:
  RocksDbStorage(std::string dir, std::unique_ptr<rocksdb::DB> db,
                 std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : dir_(std::move(dir)), db_(std::move(db)), handles_(std::move(handles)) {}

  ~RocksDbStorage() override {
    // Everything is already durable in the WAL; flushing the memtables on a
    // clean close only spares the next start a WAL replay.
    rocksdb::FlushOptions fo;
    fo.wait = true;
    db_->Flush(fo, handles_);
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    db_->Close();
  }

  absl::Status Write(const WriteBatch& batch, bool sync) override {
    NoPerfCounters();
    // Inserting in key order makes the memtable skiplist inserts cheaper
    // (measured ~1.4x for random keys); write_order.h. The two ops on one key
    // keep their order, so the batch means the same.
    std::unique_lock<std::mutex> reuse(scratch_mu_, std::try_to_lock);
    WriteScratch own;
    WriteScratch& scratch = reuse.owns_lock() ? scratch_ : own;
    scratch.batch.Clear();
    storage_internal::OrderOps(batch.ops(), &scratch.ordered);
    for (const storage_internal::OrderedOp& e : scratch.ordered) {
      const auto& op = *e.op;
      rocksdb::Status s = scratch.batch.Put(Handle(op.column), op.key, op.value);
      if (!s.ok()) return FromRocks(s, "building write batch");
    }
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    std::lock_guard<std::mutex> wal(wal_mu_);
    rocksdb::Status s = db_->Write(wo, &scratch.batch);
    if (!s.ok()) write_failed_.store(true);
    return FromRocks(s, "writing batch");
  }

  // RocksDB >= 7.7 also syncs WAL appended or switched while SyncWAL runs
  // (its 7.7.0 fix); Debian 12 ships 7.8.3.
  // Never after a failed write, nor while a write may be failing: RocksDB
  // 7.8 asserts in SyncWAL when the log writer has seen an error (Debian
  // builds it with assertions), so a sync and a write never overlap. The
  // committer still builds its next group while the sync runs.
  absl::Status SyncWal() override {
    std::lock_guard<std::mutex> wal(wal_mu_);
    if (write_failed_.load()) {
      return absl::UnavailableError("syncing the WAL: a write failed; resume first");
    }
    return FromRocks(db_->SyncWAL(), "syncing the WAL");
  }

  // After a full disk RocksDB resumes by itself: its file manager polls the
  // free space every 5 s and resumes once it exceeds the largest memtable
  // size (a flush must fit); meanwhile a manual Resume answers Busy.
  absl::Status Resume() override {
    rocksdb::Status s = db_->Resume();
    if (s.ok()) write_failed_.store(false);  // a new WAL, flushed memtables
    if (s.IsBusy()) {
      return absl::UnavailableError(
          "RocksDB is waiting for free disk space to resume writing (it checks every 5 s and "
          "needs the size of its largest memtable free)");
    }
    return FromRocks(s, "resuming writes");
  }

  absl::Status VerifyChecksums() override {
    NoPerfCounters();
    return FromRocks(db_->VerifyChecksum(), "verifying the checksums of every table file");
  }

  absl::StatusOr<std::optional<std::string>> Get(Column column, std::string_view key) override {
    NoPerfCounters();
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Handle(column),
                                 rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "reading " + std::string(ColumnName(column)));
    return std::optional<std::string>(std::move(value));
  }

  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      Column column, const std::vector<std::string>& keys) override {
    NoPerfCounters();
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db_->MultiGet(rocksdb::ReadOptions(), Handle(column), keys.size(), slices.data(), values.data(),
                  statuses.data());
    std::vector<std::optional<std::string>> out(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) continue;
      if (!statuses[i].ok()) {
        return FromRocks(statuses[i], "reading " + std::string(ColumnName(column)));
      }
      out[i] = values[i].ToString();
    }
    return out;
  }

  absl::Status Scan(Column column, std::string_view begin, std::string_view end,
                    const std::function<bool(std::string_view, std::string_view)>& fn) override {
    NoPerfCounters();
    rocksdb::ReadOptions ro;
    rocksdb::Slice upper(end.data(), end.size());
    if (!end.empty()) ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, Handle(column)));
    for (it->Seek(rocksdb::Slice(begin.data(), begin.size())); it->Valid(); it->Next()) {
      rocksdb::Slice k = it->key(), v = it->value();
      if (!fn(std::string_view(k.data(), k.size()), std::string_view(v.data(), v.size()))) {
        break;
      }
    }
    return FromRocks(it->status(), "scanning " + std::string(ColumnName(column)));
  }

  absl::Status ScanPrefixes(
      Column column, const std::vector<std::string>& prefixes,
      const std::function<bool(size_t, std::string_view, std::string_view)>& fn) override {
    NoPerfCounters();
    std::vector<size_t> order(prefixes.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return prefixes[a] < prefixes[b]; });
    rocksdb::ReadOptions ro;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, Handle(column)));
    for (size_t i : order) {
      rocksdb::Slice prefix(prefixes[i]);
      for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        rocksdb::Slice k = it->key(), v = it->value();
        if (!fn(i, std::string_view(k.data(), k.size()), std::string_view(v.data(), v.size()))) {
          break;
        }
      }
      if (!it->status().ok()) break;
    }
    return FromRocks(it->status(), "scanning " + std::string(ColumnName(column)));
  }

  absl::StatusOr<std::optional<std::pair<std::string, std::string>>> Last(
      Column column, std::string_view begin, std::string_view end) override {
    using Row = std::optional<std::pair<std::string, std::string>>;
    rocksdb::ReadOptions ro;
    rocksdb::Slice lower(begin.data(), begin.size());
    ro.iterate_lower_bound = &lower;
    ro.total_order_seek = true;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, Handle(column)));
    if (end.empty()) {
      it->SeekToLast();
    } else {
      rocksdb::Slice upper(end.data(), end.size());
      it->SeekForPrev(upper);  // the last key <= end; step back if it is end
      if (it->Valid() && it->key() == upper) it->Prev();
    }
    Row row;
    if (it->Valid()) row.emplace(it->key().ToString(), it->value().ToString());
    absl::Status s = FromRocks(it->status(), "reading " + std::string(ColumnName(column)));
    if (!s.ok()) return s;
    return row;
  }

  absl::Status IngestSorted(Column column,
                            const std::function<bool(std::string*, std::string*)>& next,
                            Lifetime lifetime) override {
    NoPerfCounters();
    // The run becomes a table file written next to the database and moved
    // into it; RocksDB checks the order and fsyncs file and manifest.
    std::string path = dir_ + "/ingest-" + std::to_string(getpid()) + "-" +
                       std::to_string(ingest_seq_.fetch_add(1)) + ".sst";
    rocksdb::Options options = db_->GetOptions(Handle(column));
    if (lifetime == Lifetime::kShortLived) {
      // SstFileWriter takes the last level's compression (ingested files
      // land there); a short-lived run has none.
      options.compression_per_level.clear();
      options.compression = rocksdb::kNoCompression;
      options.bottommost_compression = rocksdb::kDisableCompressionOption;
    }
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options, Handle(column));
    rocksdb::Status s = writer.Open(path);
    if (!s.ok()) return FromRocks(s, "creating " + path);
    std::string key, value;
    bool any = false;
    while (s.ok() && next(&key, &value)) {
      s = writer.Put(key, value);
      any = true;
      key.clear();
      value.clear();
    }
    if (s.ok() && any) s = writer.Finish();
    if (!s.ok() || !any) {
      if (any) writer.Finish();  // closes the file so it can be removed
      std::remove(path.c_str());
      if (s.IsInvalidArgument()) {
        return absl::InvalidArgumentError("ingest: keys are not strictly ascending (" +
                                          s.ToString() + ")");
      }
      return FromRocks(s, "writing " + path);
    }
    rocksdb::IngestExternalFileOptions io;
    io.move_files = true;
    s = db_->IngestExternalFile(Handle(column), {path}, io);
    std::remove(path.c_str());  // left behind only if the ingestion failed
    return FromRocks(s, "ingesting a sorted run into " + std::string(ColumnName(column)));
  }

  absl::Status DeleteRange(Column column, std::string_view begin, std::string_view end) override {
    NoPerfCounters();
    if (begin.empty() || end.empty() || begin >= end) {
      return absl::InvalidArgumentError("delete range: begin must be below end, both non-empty");
    }
    const std::string what = "deleting a range of " + std::string(ColumnName(column));
    rocksdb::Slice b(begin.data(), begin.size()), e(end.data(), end.size());
    // The files wholly inside the range go at once, without a compaction;
    // the tombstone (synced) then covers what the files around it hold.
    rocksdb::Status s = rocksdb::DeleteFilesInRange(db_.get(), Handle(column), &b, &e,
                                                    /*include_end=*/false);
    if (!s.ok()) return FromRocks(s, what);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    std::lock_guard<std::mutex> wal(wal_mu_);  // a WAL write, as Write's
    rocksdb::Status d = db_->DeleteRange(wo, Handle(column), b, e);
    if (!d.ok()) write_failed_.store(true);
    return FromRocks(d, what);
  }

  absl::StatusOr<BackgroundWork> PendingBackgroundWork() override {
    BackgroundWork work;
    uint64_t flushes = 0, compactions = 0;
    if (!db_->GetIntProperty(rocksdb::DB::Properties::kNumRunningFlushes, &flushes) ||
        !db_->GetIntProperty(rocksdb::DB::Properties::kNumRunningCompactions, &compactions)) {
      return absl::InternalError("RocksDB did not report its running flushes and compactions");
    }
    work.running_flushes = static_cast<int>(flushes);
    work.running_compactions = static_cast<int>(compactions);
    for (size_t i = 0; i < kNumColumns; ++i) {
      const auto column = static_cast<Column>(i);
      uint64_t pending_bytes = 0, pending = 0;
      if (!db_->GetIntProperty(Handle(column),
                               rocksdb::DB::Properties::kEstimatePendingCompactionBytes,
                               &pending_bytes) ||
          !db_->GetIntProperty(Handle(column), rocksdb::DB::Properties::kCompactionPending,
                               &pending)) {
        return absl::InternalError("RocksDB did not report the pending compactions of " +
                                   std::string(ColumnName(column)));
      }
      if (pending != 0) {
        PL_ASSIGN_OR_RETURN(pending, TieredCompactionDue(column));
      }
      work.pending_compaction_bytes += pending_bytes;
      work.compaction_pending = work.compaction_pending || pending != 0;
    }
    return work;
  }

  absl::StatusOr<uint64_t> ApproximateBytes(Column column) override {
    uint64_t sst = 0, mem = 0;
    if (!db_->GetIntProperty(Handle(column), "rocksdb.total-sst-files-size", &sst) ||
        !db_->GetIntProperty(Handle(column), "rocksdb.cur-size-all-mem-tables", &mem)) {
      return absl::InternalError("RocksDB did not report the size of " +
                                 std::string(ColumnName(column)));
    }
    return sst + mem;
  }

 private:
  rocksdb::ColumnFamilyHandle* Handle(Column c) const {
    return handles_[static_cast<size_t>(c) + 1];  // 0 is "default"
  }

  // Whether a column RocksDB reports a compaction pending for will get one.
  // Level-style: always. Compacted as sorted runs ("universal"): RocksDB
  // reports one pending from `trigger` runs on, but at exactly `trigger`
  // runs it merges only runs of similar size (or all of them when the newer
  // ones outgrow the oldest), which it starts as soon as a flush leaves
  // them; otherwise it waits for the next flush, and reports the column
  // pending meanwhile. Only more than `trigger` runs are always merged.
  absl::StatusOr<bool> TieredCompactionDue(Column column) {
    const rocksdb::Options options = db_->GetOptions(Handle(column));
    if (options.compaction_style != rocksdb::kCompactionStyleUniversal) return true;
    int runs = 0;
    for (int level = 0; level < options.num_levels; ++level) {
      std::string files;
      if (!db_->GetProperty(Handle(column),
                            rocksdb::DB::Properties::kNumFilesAtLevelPrefix + std::to_string(level),
                            &files)) {
        return absl::InternalError("RocksDB did not report the files of " +
                                   std::string(ColumnName(column)));
      }
      int n = 0;
      if (!absl::SimpleAtoi(files, &n)) {
        return absl::InternalError("RocksDB reported \"" + files + "\" files in a level of " +
                                   std::string(ColumnName(column)));
      }
      // Each level-0 file is a run; a deeper level holds one run.
      runs += level == 0 ? n : (n > 0 ? 1 : 0);
    }
    return runs > options.level0_file_num_compaction_trigger;
  }

  // A Write's buffers, kept for the next one. A group commit's batch is tens
  // of megabytes, and jemalloc returns allocations that large to the kernel
  // as soon as they are freed, so every commit faulted its pages in afresh
  // (the faults and their zeroing were ~5% of the committer's CPU). Taken
  // with try_lock: a Write that finds them busy uses buffers of its own. The
  // memory of the largest batch so far stays allocated.
  struct WriteScratch {
    rocksdb::WriteBatch batch;
    std::vector<storage_internal::OrderedOp> ordered;
  };
  std::mutex scratch_mu_;
  WriteScratch scratch_;

  const std::string dir_;
  std::atomic<uint64_t> ingest_seq_{0};
  std::mutex wal_mu_;                      // a Write or a SyncWal at a time
  std::atomic<bool> write_failed_{false};  // until Resume succeeds
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Storage>> OpenRocksDbStorage(const std::string& dir,
                                                            const RocksDbOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  // A damaged WAL record refuses the open (DataLoss) instead of recovering
  // to the point before it, which would silently drop every later batch,
  // acknowledged ones included (the default, kPointInTimeRecovery). An
  // incomplete record at the end of a log, a write a crash interrupted, is
  // still tolerated: it was never synced, so never acknowledged.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  db_options.IncreaseParallelism(2);
  db_options.max_total_wal_size = 256u << 20;

  rocksdb::BlockBasedTableOptions table;
  // 16 cache shards, not 64: a shard must hold the blocks its keys share.
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes, /*num_shard_bits=*/4);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Partitioned index and filters: a table file's index and Bloom filter
  // are read in 4 KiB partitions under a small pinned top level, instead of
  // whole (a 20 MB run of postings has a 1.3 MB filter, which a lookup would
  // otherwise read from the file whenever the cache had let it go).
  table.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.pin_top_level_index_and_filter = true;

  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.OptimizeLevelStyleCompaction();
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  // Postings are runs of packed records the index writes, merges and
  // deletes itself (src/index/posting_runs.h): each run is one ingested
  // table file under its own key prefix, above every earlier run's, so
  // RocksDB places it in the last level without overlapping anything and
  // never compacts it; a merged run's inputs are deleted by dropping their
  // files (DeleteRange). Every read is of a block the index knows exists,
  // so the column has no Bloom filters.
  rocksdb::BlockBasedTableOptions postings_table = table;
  postings_table.filter_policy.reset();
  rocksdb::ColumnFamilyOptions postings_options = cf_options;
  postings_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(postings_table));

  // Every registration looks its dedup key up in the index column, and
  // almost always misses: a Bloom filter over the memtable answers most
  // misses without walking the skiplist. Fewer, larger flushes (32 MB
  // memtables, not 8) registered 1,000,000 documents ~10% faster counting
  // the compactions they leave (docs/benchmarks.md).
  //
  // Its keys are mostly random (content ids, hashes: three a document), so
  // every flushed file overlaps the whole column. Level by level, each
  // L0 -> L1 compaction rewrote level 1 whole (a document's keys were
  // rewritten at every flush until level 1 outgrew its 512 MB target: 9-11 s
  // of CPU per 1,000,000 documents); compacted as sorted runs ("universal",
  // tiered) RocksDB waits for four and merges runs of similar size, so a key
  // is rewritten a few times, logarithmic in the column's size over a
  // flush's (half the compaction CPU at 2,000,000 documents). The costs: a
  // lookup consults each run, a few more than level by level (each behind
  // its Bloom filter; LookupContent's latency did not move measurably), and
  // a full merge needs the column's size again in free disk space.
  rocksdb::ColumnFamilyOptions index_options = cf_options;
  index_options.memtable_whole_key_filtering = true;
  index_options.memtable_prefix_bloom_size_ratio = 0.02;
  index_options.write_buffer_size = 32u << 20;
  index_options.compaction_style = rocksdb::kCompactionStyleUniversal;
  index_options.level0_file_num_compaction_trigger = 4;

  // Entries are appended under ascending keys, so a flushed file overlaps
  // nothing and RocksDB moves it down the levels without rewriting it,
  // unless the levels' compression differs: OptimizeLevelStyleCompaction
  // leaves levels 0-1 uncompressed and LZ4s the rest, which had every entry
  // rewritten on its way to level 2 (3.9-4.6 s of CPU per 1,000,000
  // documents) to save ~7% of its bytes (MinHash values and winnowing
  // hashes do not compress). Uncompressed on every level, an entry is
  // written once.
  rocksdb::ColumnFamilyOptions append_options = cf_options;
  append_options.compression_per_level.clear();
  append_options.compression = rocksdb::kNoCompression;
  // Tree nodes are SHA-256 hashes (incompressible too), but their keys are
  // level || index, so every flushed file spans every level of the tree and
  // overlaps the column like the index's random keys: compacted as sorted
  // runs for the same reason.
  rocksdb::ColumnFamilyOptions tree_options = append_options;
  tree_options.compaction_style = rocksdb::kCompactionStyleUniversal;
  tree_options.level0_file_num_compaction_trigger = 4;

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  cfs.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  for (size_t i = 0; i < kNumColumns; ++i) {
    auto c = static_cast<Column>(i);
    const rocksdb::ColumnFamilyOptions& o = c == Column::kPostings  ? postings_options
                                            : c == Column::kIndex   ? index_options
                                            : c == Column::kTree    ? tree_options
                                            : c == Column::kEntries ? append_options
                                                                    : cf_options;
    cfs.emplace_back(std::string(ColumnName(c)), o);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, dir, cfs, &handles, &raw);
  if (!s.ok()) return FromRocks(s, "opening RocksDB in " + dir);
  return std::unique_ptr<Storage>(
      new RocksDbStorage(dir, std::unique_ptr<rocksdb::DB>(raw), std::move(handles)));
}

}  // namespace provledger
