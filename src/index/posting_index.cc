#include "provledger/posting_index.h"

#include <algorithm>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "posting_keys.h"
#include "provledger/encoding.h"
#include "provledger/entry.h"
#include "provledger/fingerprint.h"
#include "provledger/status_macros.h"

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

namespace {
// Buckets 0..31 hold LSH band b, the last one the winnowing hashes: the key
// order of their prefixes ('L' < 'W', then the band byte).
constexpr size_t kWinnowBucket = fingerprint::kLshBands;
constexpr size_t kBuckets = kWinnowBucket + 1;

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
  PL_ASSIGN_OR_RETURN(auto stored, storage->Get(Column::kMeta, posting_keys::kWatermarkKey));
  uint64_t watermark = 0;
  if (stored.has_value()) {
    if (stored->size() != 8) return absl::DataLossError("postings watermark is malformed");
    watermark = ReadU64BE(stored->data());
  }
  uint64_t size = ledger->Latest()->size;
  if (watermark > size) {
    return absl::FailedPreconditionError("the postings are indexed up to entry " +
                                         std::to_string(watermark) + " but the ledger holds " +
                                         std::to_string(size) + " entries");
  }
  if (options.max_run_postings == 0 || options.read_chunk == 0) {
    return absl::InvalidArgumentError("max_run_postings and read_chunk must be positive");
  }
  return std::unique_ptr<PostingIndex>(new PostingIndex(ledger, storage, options, watermark));
}

PostingIndex::PostingIndex(Ledger* ledger, Storage* storage, PostingIndexOptions options,
                           uint64_t watermark)
    : ledger_(ledger),
      storage_(storage),
      options_(options),
      watermark_(watermark),
      next_(watermark),
      handed_(watermark),
      buckets_(kBuckets),
      run_(kBuckets) {
  writer_ = std::thread([this] { WriterLoop(); });
  indexer_ = std::thread([this] { Loop(); });
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
}

uint64_t PostingIndex::indexed_size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return watermark_;
}

absl::Status PostingIndex::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
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
  // thread while this one sorts the bands. The run stays one table file:
  // every run lands in level 0 (posting keys are random), and two files a
  // run doubled the level-0 count that stalls writes (docs/benchmarks.md).
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
  PL_RETURN_IF_ERROR(storage_->IngestSorted(
      Column::kPostings, [this, &bucket, &i](std::string* key, std::string* value) {
        while (bucket < kBuckets && i == run_[bucket].size()) {
          ++bucket;
          i = 0;
        }
        if (bucket == kBuckets) return false;
        const std::vector<Posting>& postings = run_[bucket];
        const Posting& p = postings[i++];
        bool winnow = bucket == kWinnowBucket;
        posting_keys::SetKey(winnow ? posting_keys::kWinnow : posting_keys::kLshBand,
                             winnow ? 0 : static_cast<uint8_t>(bucket), p.hash, p.ledger_index,
                             key);
        if (winnow) {
          // One posting per distinct hash of a document: its first position
          // (sorted first), flagged when the hash occurs again in it.
          uint32_t v = p.value;
          while (i < postings.size() && postings[i].hash == p.hash &&
                 postings[i].ledger_index == p.ledger_index) {
            v |= posting_keys::kRepeatedFlag;
            ++i;
          }
          value->resize(4);
          StoreU32BE(value->data(), v);
        }
        return true;
      }));
  // Not synced: a watermark lost in a crash only means the run is ingested
  // again on the next start, which rewrites the same keys.
  WriteBatch wb;
  wb.Put(Column::kMeta, posting_keys::kWatermarkKey, U64BE(run_end_));
  PL_RETURN_IF_ERROR(storage_->Write(wb, /*sync=*/false));
  // The buffers keep their capacity for the next run (with the reader's
  // and the sort's scratch, about three runs' worth: ~70 MB at the default
  // run size).
  for (auto& v : run_) v.clear();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint64_t>> PostingIndex::LshBandEntries(int band, uint64_t key,
                                                                   size_t limit) {
  if (band < 0 || band >= fingerprint::kLshBands) {
    return absl::InvalidArgumentError("band must be in [0, " +
                                      std::to_string(fingerprint::kLshBands) + ")");
  }
  std::vector<std::string> prefixes{
      posting_keys::Prefix(posting_keys::kLshBand, static_cast<uint8_t>(band), key)};
  std::vector<std::vector<uint64_t>> out(1);
  PL_RETURN_IF_ERROR(ScanLsh(prefixes, limit, &out));
  return std::move(out[0]);
}

absl::StatusOr<std::vector<std::vector<uint64_t>>> PostingIndex::LshBandEntries(
    const std::vector<uint64_t>& band_keys, size_t limit) {
  if (band_keys.size() > static_cast<size_t>(fingerprint::kLshBands)) {
    return absl::InvalidArgumentError("at most " + std::to_string(fingerprint::kLshBands) +
                                      " band keys");
  }
  std::vector<std::string> prefixes;
  for (size_t b = 0; b < band_keys.size(); ++b) {
    prefixes.push_back(
        posting_keys::Prefix(posting_keys::kLshBand, static_cast<uint8_t>(b), band_keys[b]));
  }
  std::vector<std::vector<uint64_t>> out(prefixes.size());
  PL_RETURN_IF_ERROR(ScanLsh(prefixes, limit, &out));
  return out;
}

absl::Status PostingIndex::ScanLsh(const std::vector<std::string>& prefixes, size_t limit,
                                   std::vector<std::vector<uint64_t>>* out) {
  return storage_->ScanPrefixes(Column::kPostings, prefixes,
                                [&](size_t i, std::string_view k, std::string_view) {
                                  if ((*out)[i].size() >= limit) return false;
                                  if (k.size() == kPostingsPrefixBytes + 8) {
                                    (*out)[i].push_back(ReadU64BE(k.data() + kPostingsPrefixBytes));
                                  }
                                  return true;
                                });
}

absl::StatusOr<std::vector<WinnowPosting>> PostingIndex::WinnowEntries(uint64_t hash,
                                                                       size_t limit) {
  PL_ASSIGN_OR_RETURN(auto out, WinnowEntries(std::vector<uint64_t>{hash}, limit));
  return std::move(out[0]);
}

absl::StatusOr<std::vector<std::vector<WinnowPosting>>> PostingIndex::WinnowEntries(
    const std::vector<uint64_t>& hashes, size_t limit) {
  std::vector<std::string> prefixes;
  prefixes.reserve(hashes.size());
  for (uint64_t h : hashes) prefixes.push_back(posting_keys::Prefix(posting_keys::kWinnow, 0, h));
  std::vector<std::vector<WinnowPosting>> out(hashes.size());
  PL_RETURN_IF_ERROR(storage_->ScanPrefixes(
      Column::kPostings, prefixes, [&](size_t i, std::string_view k, std::string_view v) {
        if (out[i].size() >= limit) return false;
        if (k.size() == kPostingsPrefixBytes + 8 && v.size() == 4) {
          uint32_t value = ReadU32BE(v.data());
          out[i].push_back({ReadU64BE(k.data() + kPostingsPrefixBytes),
                            value & ~posting_keys::kRepeatedFlag,
                            (value & posting_keys::kRepeatedFlag) != 0});
        }
        return true;
      }));
  return out;
}

}  // namespace provledger
