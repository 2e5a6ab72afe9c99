#include "provledger/posting_index.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "posting_runs.h"
#include "provledger/encoding.h"
#include "provledger/entry.h"
#include "provledger/fingerprint.h"
#include "provledger/status_macros.h"
#include "provledger/thread_name.h"

namespace provledger {

// One posting as collected, before it becomes a key: 24 bytes, so a full run
// of a million is 24 MB. Its kind and band are those of the bucket it is in
// (PostingIndex::buckets_).
struct PostingIndex::Posting {
  uint64_t hash;
  uint64_t ledger_index;
  uint32_t value;  // winnowing: the token index (kRepeatedFlag is added by WriteRun)

  // Key order, then position: a hash that occurs several times in one
  // document is read as several postings with one key, sorted next to each
  // other with its first position first; WriteRun writes that one, flagged.
  bool operator<(const Posting& o) const {
    if (hash != o.hash) return hash < o.hash;
    return ledger_index != o.ledger_index ? ledger_index < o.ledger_index : value < o.value;
  }
};

struct PostingIndex::Run {
  posting_runs::RunInfo info;
  posting_runs::RunDirectory dir;  // its fences and filters
};

namespace {
using posting_runs::kRecordBytes;
// Buckets 0..31 hold LSH band b, the last one the winnowing hashes: bucket b
// is the records' code, so the buckets in order are the records in order.
constexpr size_t kWinnowBucket = fingerprint::kLshBands;
constexpr size_t kBuckets = kWinnowBucket + 1;
static_assert(kWinnowBucket == posting_runs::kWinnowCode);

// Sorts a run's postings into key order. Band keys and winnowing hashes are
// hash values, near uniform, so one counting pass on their top bits leaves
// slots of a few postings each, finished by std::sort: about a third of
// std::sort's time on a run of a million. Skewed hashes (a client may send
// any) only make some slots larger; each is still sorted by std::sort.
template <typename Posting>
void SortPostings(std::vector<Posting>* v, std::vector<Posting>* scratch) {
  const size_t n = v->size();
  if (n < 4096) {
    std::sort(v->begin(), v->end());
    return;
  }
  int bits = 0;  // about four postings per slot, at most 2^20 slots
  while (bits < 20 && (size_t{4} << bits) < n) ++bits;
  const int shift = 64 - bits;
  std::vector<uint32_t> start((size_t{1} << bits) + 1, 0);
  for (const Posting& p : *v) ++start[(p.hash >> shift) + 1];
  for (size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];
  scratch->resize(n);
  std::vector<uint32_t> fill(start.begin(), start.end() - 1);
  for (const Posting& p : *v) (*scratch)[fill[p.hash >> shift]++] = p;
  for (size_t b = 0; b + 1 < start.size(); ++b) {
    if (start[b + 1] - start[b] > 1) {
      std::sort(scratch->begin() + start[b], scratch->begin() + start[b + 1]);
    }
  }
  v->swap(*scratch);
}
}  // namespace

absl::StatusOr<std::unique_ptr<PostingIndex>> PostingIndex::Open(Ledger* ledger, Storage* storage,
                                                                 PostingIndexOptions options) {
  if (options.max_run_postings == 0 || options.read_chunk == 0 || options.merge_width < 2 ||
      options.filter_bytes > posting_runs::kMaxFilterBytes) {
    return absl::InvalidArgumentError(
        "max_run_postings and read_chunk must be positive, merge_width at least 2, filter_bytes "
        "at most " +
        std::to_string(posting_runs::kMaxFilterBytes));
  }
  PL_ASSIGN_OR_RETURN(auto stored, storage->Get(Column::kMeta, posting_runs::kManifestKey));
  auto manifest = std::make_unique<posting_runs::Manifest>();
  if (stored.has_value()) {
    PL_ASSIGN_OR_RETURN(*manifest, posting_runs::DecodeManifest(*stored));
  } else {
    // No index yet, or one of an earlier layout: start from the entries.
    PL_RETURN_IF_ERROR(
        storage->DeleteRange(Column::kPostings, std::string(1, '\0'), std::string(2, '\xff')));
    std::string legacy = posting_runs::kLegacyWatermarkKey;
    PL_RETURN_IF_ERROR(storage->DeleteRange(Column::kMeta, legacy, legacy + '\0'));
  }
  uint64_t size = ledger->Latest()->size;
  if (manifest->indexed_size > size) {
    return absl::FailedPreconditionError(
        "the postings are indexed up to entry " + std::to_string(manifest->indexed_size) +
        " but the ledger holds " + std::to_string(size) + " entries");
  }
  // Keys of runs the manifest does not list were left by a write or a merge
  // that a crash interrupted, or by a merge whose inputs were never deleted.
  std::vector<uint64_t> live;
  for (const auto& r : manifest->runs) live.push_back(r.id);
  std::string cursor = "R";
  while (true) {
    std::optional<uint64_t> id;
    PL_RETURN_IF_ERROR(
        storage->Scan(Column::kPostings, cursor, "S", [&](std::string_view k, std::string_view) {
          if (k.size() >= 9) id = ReadU64BE(k.data() + 1);
          return false;
        }));
    if (!id.has_value()) break;
    if (std::find(live.begin(), live.end(), *id) == live.end()) {
      PL_RETURN_IF_ERROR(storage->DeleteRange(Column::kPostings, posting_runs::RunPrefix(*id),
                                              posting_runs::RunPrefix(*id + 1)));
    }
    cursor = posting_runs::RunPrefix(*id + 1);
  }
  RunSet runs;
  for (const auto& info : manifest->runs) {
    auto run = std::make_shared<Run>();
    run->info = info;
    PL_ASSIGN_OR_RETURN(run->dir, posting_runs::ReadDirectory(storage, info));
    runs.push_back(std::move(run));
  }
  return std::unique_ptr<PostingIndex>(
      new PostingIndex(ledger, storage, options, std::move(manifest), std::move(runs)));
}

PostingIndex::PostingIndex(Ledger* ledger, Storage* storage, PostingIndexOptions options,
                           std::unique_ptr<posting_runs::Manifest> manifest, RunSet runs)
    : ledger_(ledger),
      storage_(storage),
      options_(options),
      watermark_(manifest->indexed_size),
      runs_(std::make_shared<const RunSet>(std::move(runs))),
      manifest_(std::move(manifest)),
      next_(watermark_),
      handed_(watermark_),
      buckets_(kBuckets),
      run_(kBuckets) {
  merge_due_ = true;  // runs an earlier server left may be due a merge
  writer_ = std::thread([this] {
    NameThisThread("pl-index-write");
    WriterLoop();
  });
  merger_ = std::thread([this] {
    NameThisThread("pl-index-merge");
    MergerLoop();
  });
  indexer_ = std::thread([this] {
    NameThisThread("pl-index-read");
    Loop();
  });
}

PostingIndex::~PostingIndex() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  indexer_.join();  // hands off the last run and waits until it is written
  {
    std::lock_guard<std::mutex> lock(mu_);
    writer_stop_ = true;
  }
  handoff_.notify_all();
  writer_.join();
  // A merge in progress is abandoned (its partial run, unlisted, is deleted
  // by the next Open).
  merger_stop_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    merge_wake_.notify_all();
  }
  merger_.join();
  // No lookup runs any more: merged runs can go (else the next Open does it).
  runs_.reset();
  DropRetired().IgnoreError();
}

uint64_t PostingIndex::indexed_size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return watermark_;
}

absl::Status PostingIndex::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

bool PostingIndex::idle() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !writing_ && !merging_ && !merge_due_;
}

size_t PostingIndex::run_count() const { return Runs()->size(); }

PostingIndex::WriteStats PostingIndex::write_stats() const {
  std::lock_guard<std::mutex> lock(runs_mu_);
  return stats_;
}

std::shared_ptr<const PostingIndex::RunSet> PostingIndex::Runs() const {
  std::lock_guard<std::mutex> lock(runs_mu_);
  return runs_;
}

absl::Status PostingIndex::WaitIndexed(uint64_t size,
                                       std::chrono::steady_clock::time_point deadline) {
  uint64_t latest = ledger_->Latest()->size;
  if (size > latest) {
    return absl::OutOfRangeError("size " + std::to_string(size) +
                                 " is beyond the latest checkpoint's size " +
                                 std::to_string(latest));
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (watermark_ >= size) return absl::OkStatus();
  flush_to_ = std::max(flush_to_, size);
  wake_.notify_all();
  bool done = written_.wait_until(lock, deadline,
                                  [&] { return watermark_ >= size || !error_.ok() || stopping_; });
  if (!error_.ok()) return error_;
  if (!done || watermark_ < size) {
    return absl::DeadlineExceededError("postings are indexed up to entry " +
                                       std::to_string(watermark_) + ", not yet " +
                                       std::to_string(size));
  }
  return absl::OkStatus();
}

void PostingIndex::Loop() {
  while (true) {
    bool stopping, flush;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!error_.ok()) return;  // the writer failed
      stopping = stopping_;
      flush = flush_to_ > handed_;
    }
    uint64_t size = ledger_->Latest()->size;
    absl::Status s;
    if (next_ < size && pending_ < options_.max_run_postings) s = ReadChunk(size);
    bool caught_up = next_ >= size;
    bool unhanded = next_ > handed_;  // entries read but not yet given to the writer
    auto now = std::chrono::steady_clock::now();
    if (s.ok() && unhanded &&
        (pending_ >= options_.max_run_postings ||
         (caught_up && (flush || stopping || now - pending_since_ >= options_.max_delay)))) {
      s = HandOff();
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (!s.ok()) {
      if (error_.ok()) error_ = s;
      written_.notify_all();
      return;
    }
    if (stopping_ && next_ == handed_) {
      // Everything read is handed off; stop once the writer has written it.
      written_.wait(lock, [&] { return !writing_; });
      written_.notify_all();
      return;
    }
    if (caught_up) {
      wake_.wait_for(lock, options_.poll, [&] { return stopping_ || flush_to_ > handed_; });
    }
  }
}

absl::Status PostingIndex::HandOff() {
  std::unique_lock<std::mutex> lock(mu_);
  written_.wait(lock, [&] { return !writing_ || !error_.ok(); });
  if (!error_.ok()) return error_;
  // run_ was emptied by the writer and keeps its capacity for this run.
  run_.swap(buckets_);
  run_end_ = next_;
  handed_ = next_;
  pending_ = 0;
  writing_ = true;
  handoff_.notify_all();
  return absl::OkStatus();
}

void PostingIndex::WriterLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    handoff_.wait(lock, [&] { return writing_ || writer_stop_; });
    if (!writing_) return;
    lock.unlock();
    absl::Status s = WriteRun();
    lock.lock();
    if (s.ok()) {
      watermark_ = run_end_;
      merge_due_ = true;
      merge_wake_.notify_all();
    } else if (error_.ok()) {
      error_ = s;
    }
    writing_ = false;
    written_.notify_all();
    wake_.notify_all();
  }
}

absl::Status PostingIndex::ReadChunk(uint64_t size) {
  uint64_t count = std::min<uint64_t>(options_.read_chunk, size - next_);
  if (next_ == handed_) pending_since_ = std::chrono::steady_clock::now();
  absl::Status bad;
  PL_RETURN_IF_ERROR(ledger_->ScanEntries(next_, count, [&](uint64_t index, std::string_view data) {
    // Only document entries carry fingerprints; the type is the second byte.
    if (data.size() < 2 ||
        static_cast<uint8_t>(data[1]) != static_cast<uint8_t>(EntryType::kDocumentRegistered)) {
      return true;
    }
    auto text = DecodeDocumentFingerprints(data);
    if (!text.ok()) {
      bad = absl::DataLossError("postings: entry " + std::to_string(index) +
                                " does not decode: " + std::string(text.status().message()));
      return false;
    }
    if (!text->has_value()) return true;
    const TextFingerprintRecord& t = **text;
    if (t.minhash_version == fingerprint::kMinHashVersion &&
        t.minhash.size() == fingerprint::kMinHashSize && t.token_count > 0) {
      fingerprint::MinHashSignature sig;
      std::copy(t.minhash.begin(), t.minhash.end(), sig.begin());
      std::vector<uint64_t> bands = fingerprint::LshBands(sig);
      for (size_t b = 0; b < bands.size(); ++b) buckets_[b].push_back({bands[b], index, 0});
      pending_ += bands.size();
    }
    if (t.winnow_version == fingerprint::kWinnowVersion) {
      // Repeats of a hash in the document are merged when the sorted run is
      // written (WriteRun), which sorts them next to each other anyway.
      for (const auto& w : t.winnows) {
        buckets_[kWinnowBucket].push_back({w.hash, index, w.token_index});
      }
      pending_ += t.winnows.size();
    }
    return true;
  }));
  PL_RETURN_IF_ERROR(bad);
  next_ += count;
  return absl::OkStatus();
}

absl::Status PostingIndex::WriteRun() {
  // The winnowing bucket (about two thirds of a run) is sorted on a second
  // thread while this one sorts the bands.
  const size_t threads = std::max<size_t>(1, options_.sort_threads);
  {
    std::thread winnows;
    if (threads > 1) {
      winnows = std::thread([&] { SortPostings(&run_[kWinnowBucket], &sort_scratch_[1]); });
    }
    for (size_t b = 0; b < kBuckets; ++b) {
      if (b != kWinnowBucket || threads == 1) SortPostings(&run_[b], &sort_scratch_[0]);
    }
    if (winnows.joinable()) winnows.join();
  }
  size_t bucket = 0, i = 0;
  auto next = [this, &bucket, &i](char* rec) {
    while (bucket < kBuckets && i == run_[bucket].size()) {
      ++bucket;
      i = 0;
    }
    if (bucket == kBuckets) return false;
    const std::vector<Posting>& postings = run_[bucket];
    const Posting& p = postings[i++];
    uint32_t v = p.value;
    if (bucket == kWinnowBucket) {
      // One posting per distinct hash of a document: its first position
      // (sorted first), flagged when the hash occurs again in it.
      while (i < postings.size() && postings[i].hash == p.hash &&
             postings[i].ledger_index == p.ledger_index) {
        v |= posting_runs::kRepeatedFlag;
        ++i;
      }
    }
    posting_runs::EncodeRecord(static_cast<uint8_t>(bucket), p.hash, p.ledger_index, v, rec);
    return true;
  };
  auto run = std::make_shared<Run>();
  uint64_t begin = 0;
  {
    std::lock_guard<std::mutex> lock(runs_mu_);
    run->info.id = manifest_->next_run_id++;
    begin = manifest_->indexed_size;
  }
  // Stored uncompressed: it is read once more, by the merge of its level,
  // and dropped. LZ4 of new runs was ~2% of all CPU; the cost is ~3x the
  // disk for the level-0 runs waiting for their merge (~42 MB each at the
  // default run size).
  PL_RETURN_IF_ERROR(posting_runs::WriteRun(storage_, run->info.id,
                                            static_cast<uint16_t>(options_.filter_bytes), next,
                                            &run->info, &run->dir, Storage::Lifetime::kShortLived));
  run->info.begin = begin;
  run->info.end = run_end_;
  // Not synced: a manifest lost in a crash only means the run is written
  // again on the next start (this one is deleted then, unlisted).
  PL_RETURN_IF_ERROR(Commit(SIZE_MAX, 0, run->info.records > 0 ? std::move(run) : nullptr, run_end_,
                            /*sync=*/false));
  // The buffers keep their capacity for the next run (with the reader's
  // and the sort's scratch, about three runs' worth: ~70 MB at the default
  // run size).
  for (auto& v : run_) v.clear();
  return absl::OkStatus();
}

void PostingIndex::MergerLoop() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      merge_wake_.wait(lock, [&] { return merge_due_ || merger_stop_.load(); });
      if (merger_stop_.load()) return;
      merge_due_ = false;
      merging_ = true;
    }
    absl::Status s;
    for (bool merged = true; merged && s.ok() && !merger_stop_.load();) {
      s = MergeOnce(&merged);
      if (s.ok()) s = DropRetired();
    }
    std::lock_guard<std::mutex> lock(mu_);
    merging_ = false;
    if (!s.ok()) {
      if (error_.ok()) error_ = s;
      written_.notify_all();
      wake_.notify_all();
      return;
    }
  }
}

absl::Status PostingIndex::MergeOnce(bool* merged_any) {
  *merged_any = false;
  const size_t width = options_.merge_width;
  std::shared_ptr<const RunSet> current;
  uint64_t merged_id = 0;
  size_t first = 0;
  {
    // Levels do not increase from the oldest run to the newest, so the runs
    // of one level are adjacent: take the oldest `width` of the lowest level
    // that has that many.
    std::lock_guard<std::mutex> lock(runs_mu_);
    current = runs_;
    const size_t n = current->size();
    bool found = false;
    for (size_t end = n; end > 0 && !found;) {
      const uint8_t level = (*current)[end - 1]->info.level;
      size_t start = end;
      while (start > 0 && (*current)[start - 1]->info.level == level) --start;
      if (end - start >= width) {
        first = start;
        found = true;
      }
      end = start;
    }
    if (!found) return absl::OkStatus();
    merged_id = manifest_->next_run_id++;
  }
  const RunSet group(current->begin() + static_cast<ptrdiff_t>(first),
                     current->begin() + static_cast<ptrdiff_t>(first + width));
  current.reset();
  // The group's runs cover ascending, disjoint ledger ranges, so a merge
  // that puts the earlier run's records of a key first keeps them in ledger
  // order.
  std::vector<posting_runs::RunInfo> inputs;
  for (const auto& run : group) inputs.push_back(run->info);
  auto merged = std::make_shared<Run>();
  bool stopped = false;
  PL_RETURN_IF_ERROR(posting_runs::MergeRuns(storage_, inputs, merged_id,
                                             static_cast<uint16_t>(options_.filter_bytes),
                                             merger_stop_, &merged->info, &merged->dir, &stopped));
  if (stopped) return absl::OkStatus();  // a stopping index abandons the merge
  merged->info.begin = group.front()->info.begin;
  merged->info.end = group.back()->info.end;
  merged->info.level = static_cast<uint8_t>(group.back()->info.level + 1);
  // Only the merger removes runs, so the group is still at `first`.
  // Synced: the inputs are deleted once no lookup reads them, and a
  // manifest that still listed them must not outlive that.
  PL_RETURN_IF_ERROR(Commit(first, width, std::move(merged), 0, /*sync=*/true));
  for (const auto& run : group) retired_.emplace_back(run->info.id, run);
  *merged_any = true;
  return absl::OkStatus();
}

absl::Status PostingIndex::DropRetired() {
  for (auto it = retired_.begin(); it != retired_.end();) {
    if (!it->second.expired()) {
      ++it;
      continue;
    }
    PL_RETURN_IF_ERROR(storage_->DeleteRange(Column::kPostings, posting_runs::RunPrefix(it->first),
                                             posting_runs::RunPrefix(it->first + 1)));
    it = retired_.erase(it);
  }
  return absl::OkStatus();
}

absl::Status PostingIndex::Commit(size_t first, size_t count, std::shared_ptr<const Run> added,
                                  uint64_t indexed_size, bool sync) {
  // One edit at a time, in the order they are written; lookups wait only
  // for the swap, not for the manifest's write.
  std::lock_guard<std::mutex> commit(commit_mu_);
  posting_runs::Manifest manifest;
  std::shared_ptr<RunSet> runs;
  {
    std::lock_guard<std::mutex> lock(runs_mu_);
    manifest = *manifest_;
    runs = std::make_shared<RunSet>(*runs_);
  }
  if (first == SIZE_MAX) first = runs->size();
  const auto at = static_cast<ptrdiff_t>(first);
  runs->erase(runs->begin() + at, runs->begin() + at + static_cast<ptrdiff_t>(count));
  manifest.runs.erase(manifest.runs.begin() + at,
                      manifest.runs.begin() + at + static_cast<ptrdiff_t>(count));
  const uint64_t added_records = added != nullptr ? added->info.records : 0;
  if (added != nullptr) {
    manifest.runs.insert(manifest.runs.begin() + at, added->info);
    runs->insert(runs->begin() + at, std::move(added));
  }
  if (indexed_size != 0) manifest.indexed_size = indexed_size;
  WriteBatch wb;
  wb.Put(Column::kMeta, posting_runs::kManifestKey, posting_runs::EncodeManifest(manifest));
  PL_RETURN_IF_ERROR(storage_->Write(wb, sync));
  std::lock_guard<std::mutex> lock(runs_mu_);
  // Run ids taken while the manifest was written stay taken (a run of such
  // an id that a crash leaves unlisted is deleted on open).
  manifest.next_run_id = std::max(manifest.next_run_id, manifest_->next_run_id);
  *manifest_ = std::move(manifest);
  runs_ = std::move(runs);
  if (added_records > 0 && count == 0) {
    ++stats_.runs_written;
    stats_.postings_written += added_records;
  } else if (added_records > 0) {
    ++stats_.merges;
    stats_.postings_merged += added_records;
  }
  return absl::OkStatus();
}

absl::Status PostingIndex::Lookup(const std::vector<Query>& queries, size_t limit,
                                  const std::function<void(size_t, uint64_t, uint32_t)>& emit) {
  std::shared_ptr<const RunSet> runs = Runs();
  // The blocks that can hold a query's key in a run: the last block whose
  // fence is below the key's (it may end with the key) through the blocks
  // whose fence equals it, less those whose filter rules the key out. Every
  // block needed is read once, in one MultiGet.
  std::vector<std::vector<size_t>> reads(queries.size());  // per query: keys[i] in read order
  std::vector<std::string> keys;
  std::vector<std::pair<uint64_t, uint32_t>> where;  // keys[i]'s run id and block
  std::unordered_map<uint64_t, size_t> slots;        // run position << 32 | block -> keys[i]
  for (size_t q = 0; q < queries.size(); ++q) {
    const uint64_t fence = posting_runs::Fence(queries[q].code, queries[q].hash);
    const uint64_t filter_hash = posting_runs::FilterHash(queries[q].code, queries[q].hash);
    for (size_t r = 0; r < runs->size(); ++r) {
      const Run& run = *(*runs)[r];
      const std::vector<uint64_t>& f = run.dir.fences;
      auto end = static_cast<uint32_t>(std::upper_bound(f.begin(), f.end(), fence) - f.begin());
      if (end == 0) continue;  // the key is before the run's first record
      auto first = static_cast<uint32_t>(std::lower_bound(f.begin(), f.end(), fence) - f.begin());
      if (first > 0) --first;
      for (uint32_t b = first; b < end; ++b) {
        if (!run.dir.MayContain(run.info, b, filter_hash)) continue;
        auto [it, added] = slots.emplace((uint64_t{r} << 32) | b, keys.size());
        if (added) {
          keys.push_back(posting_runs::BlockKey(run.info.id, b));
          where.emplace_back(run.info.id, b);
        }
        reads[q].push_back(it->second);
      }
    }
  }
  blocks_read_.fetch_add(keys.size(), std::memory_order_relaxed);
  PL_ASSIGN_OR_RETURN(auto blocks, storage_->MultiGet(Column::kPostings, keys));
  for (size_t i = 0; i < blocks.size(); ++i) {  // each checked once, however many keys read it
    const auto [run_id, block_no] = where[i];
    if (!blocks[i].has_value()) {
      return absl::DataLossError("postings run " + std::to_string(run_id) + ": block " +
                                 std::to_string(block_no) + " is missing");
    }
    PL_RETURN_IF_ERROR(posting_runs::CheckBlock(run_id, block_no, *blocks[i]));
  }
  for (size_t q = 0; q < queries.size(); ++q) {
    // The key as a record's first 9 bytes: code, hash.
    char want[9];
    want[0] = static_cast<char>(queries[q].code);
    StoreU64BE(want + 1, queries[q].hash);
    size_t found = 0;
    for (size_t k = 0; k < reads[q].size() && found < limit; ++k) {
      const std::string& block = *blocks[reads[q][k]];
      const char* data = block.data();
      const size_t records = block.size() / kRecordBytes;
      size_t lo = 0, hi = records;
      while (lo < hi) {  // the first record not below the key
        size_t mid = (lo + hi) / 2;
        if (std::memcmp(data + mid * kRecordBytes, want, sizeof want) < 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      for (size_t i = lo; i < records && found < limit; ++i, ++found) {
        const char* rec = data + i * kRecordBytes;
        if (std::memcmp(rec, want, sizeof want) != 0) break;
        emit(q, ReadU64BE(rec + 9), ReadU32BE(rec + 17));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint64_t>> PostingIndex::LshBandEntries(int band, uint64_t key,
                                                                   size_t limit) {
  if (band < 0 || band >= fingerprint::kLshBands) {
    return absl::InvalidArgumentError("band must be in [0, " +
                                      std::to_string(fingerprint::kLshBands) + ")");
  }
  std::vector<std::vector<uint64_t>> out(1);
  PL_RETURN_IF_ERROR(Lookup({Query{static_cast<uint8_t>(band), key}}, limit,
                            [&](size_t, uint64_t index, uint32_t) { out[0].push_back(index); }));
  return std::move(out[0]);
}

absl::StatusOr<std::vector<std::vector<uint64_t>>> PostingIndex::LshBandEntries(
    const std::vector<uint64_t>& band_keys, size_t limit) {
  if (band_keys.size() > static_cast<size_t>(fingerprint::kLshBands)) {
    return absl::InvalidArgumentError("at most " + std::to_string(fingerprint::kLshBands) +
                                      " band keys");
  }
  std::vector<Query> queries;
  for (size_t b = 0; b < band_keys.size(); ++b) {
    queries.push_back({static_cast<uint8_t>(b), band_keys[b]});
  }
  std::vector<std::vector<uint64_t>> out(queries.size());
  PL_RETURN_IF_ERROR(
      Lookup(queries, limit, [&](size_t i, uint64_t index, uint32_t) { out[i].push_back(index); }));
  return out;
}

absl::StatusOr<std::vector<WinnowPosting>> PostingIndex::WinnowEntries(uint64_t hash,
                                                                       size_t limit) {
  PL_ASSIGN_OR_RETURN(auto out, WinnowEntries(std::vector<uint64_t>{hash}, limit));
  return std::move(out[0]);
}

absl::StatusOr<std::vector<std::vector<WinnowPosting>>> PostingIndex::WinnowEntries(
    const std::vector<uint64_t>& hashes, size_t limit) {
  std::vector<Query> queries;
  queries.reserve(hashes.size());
  for (uint64_t h : hashes) queries.push_back({posting_runs::kWinnowCode, h});
  std::vector<std::vector<WinnowPosting>> out(hashes.size());
  PL_RETURN_IF_ERROR(Lookup(queries, limit, [&](size_t i, uint64_t index, uint32_t value) {
    out[i].push_back(
        {index, value & ~posting_runs::kRepeatedFlag, (value & posting_runs::kRepeatedFlag) != 0});
  }));
  return out;
}

}  // namespace provledger
