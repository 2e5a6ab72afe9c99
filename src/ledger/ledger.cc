#include "provledger/ledger.h"

#include <future>
#include <string>
#include <unordered_map>
#include <utility>

#include "keys.h"
#include "provledger/encoding.h"
#include "provledger/status_macros.h"
#include "provledger/thread_name.h"
#include "storage_node_reader.h"

namespace provledger {

using ledger_keys::CheckpointKey;
using ledger_keys::EntryKey;
using ledger_keys::NodeKey;

Ledger::Ledger(Storage* storage, LedgerOptions options)
    : storage_(storage), options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<Ledger>> Ledger::Open(Storage* storage, LedgerOptions options) {
  if (options.signers.empty()) {
    return absl::FailedPreconditionError("ledger: at least one signing key is required");
  }
  if (!IsValidNoteName(options.origin)) {
    return absl::InvalidArgumentError(
        "ledger: origin must be non-empty and contain no spaces or '+'");
  }
  for (const auto& s : options.signers) {
    if (s->name() != options.origin) {
      return absl::InvalidArgumentError("ledger: signer name '" + s->name() +
                                        "' differs from the origin '" + options.origin + "'");
    }
  }
  std::unique_ptr<Ledger> ledger(new Ledger(storage, std::move(options)));
  PL_RETURN_IF_ERROR(ledger->Recover());
  ledger->written_checkpoint_ = ledger->latest_;
  ledger->syncer_ = std::thread([l = ledger.get()] {
    NameThisThread("pl-wal-sync");
    l->SyncLoop();
  });
  ledger->committer_ = std::thread([l = ledger.get()] {
    NameThisThread("pl-commit");
    l->CommitLoop();
  });
  return ledger;
}

absl::StatusOr<std::optional<std::string>> Ledger::StoredOrigin(Storage* storage) {
  return storage->Get(Column::kMeta, ledger_keys::kOrigin);
}

Ledger::~Ledger() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (committer_.joinable()) committer_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    committer_done_ = true;
  }
  sync_cv_.notify_all();
  if (syncer_.joinable()) syncer_.join();
}

std::vector<std::string> Ledger::VerifierKeys() const {
  std::vector<std::string> keys;
  for (const auto& s : options_.signers) keys.push_back(s->VerifierKey());
  return keys;
}

absl::StatusOr<std::string> Ledger::SignCheckpoint(uint64_t size, const std::string& root) const {
  std::vector<const NoteSigner*> signers;
  for (const auto& s : options_.signers) signers.push_back(s.get());
  return SignNote(FormatCheckpointText(Checkpoint{options_.origin, size, root}), signers);
}

absl::StatusOr<std::string> Ledger::SignText(std::string_view text) const {
  // A checkpoint body is "<origin>\n<decimal size>\n<root>\n...": refuse
  // anything whose second line is a number, valid root or not.
  size_t first = text.find('\n');
  if (first != std::string_view::npos) {
    size_t second = text.find('\n', first + 1);
    std::string_view line = text.substr(
        first + 1, second == std::string_view::npos ? std::string_view::npos : second - first - 1);
    if (!line.empty() && line.find_first_not_of("0123456789") == std::string_view::npos) {
      return absl::InvalidArgumentError("refusing to sign a text shaped like a checkpoint");
    }
  }
  std::vector<const NoteSigner*> signers;
  for (const auto& s : options_.signers) signers.push_back(s.get());
  return SignNote(text, signers);
}

absl::Status Ledger::Recover() {
  PL_ASSIGN_OR_RETURN(auto origin, storage_->Get(Column::kMeta, ledger_keys::kOrigin));

  if (!origin.has_value()) {
    // A new ledger: record its identity and sign the empty tree, durably.
    PL_ASSIGN_OR_RETURN(auto size_bytes, storage_->Get(Column::kMeta, ledger_keys::kSize));
    if (size_bytes.has_value()) {
      return absl::DataLossError("ledger: tree size stored without an origin");
    }
    std::string root = merkle::EmptyRoot();
    PL_RETURN_IF_ERROR(CheckAndRaiseMark(0, root));
    PL_ASSIGN_OR_RETURN(std::string note, SignCheckpoint(0, root));
    WriteBatch b;
    b.Put(Column::kMeta, ledger_keys::kOrigin, options_.origin);
    b.Put(Column::kMeta, ledger_keys::kSize, U64BE(0));
    b.Put(Column::kMeta, CheckpointKey(0), note);
    PL_RETURN_IF_ERROR(storage_->Write(b, /*sync=*/true));
    latest_ = std::make_shared<SignedCheckpoint>(SignedCheckpoint{0, root, note});
    return absl::OkStatus();
  }

  if (*origin != options_.origin) {
    return absl::FailedPreconditionError("ledger: this data directory holds the log '" + *origin +
                                         "', not '" + options_.origin +
                                         "'; the origin cannot change");
  }
  PL_ASSIGN_OR_RETURN(auto stored, LoadStoredTree(&tree_));
  const uint64_t size = stored->size;
  const std::string& root = stored->root_hash;
  // The newest entry must hash to its stored leaf: catches a torn or edited
  // tail without a full scan (VerifyFull does the full check).
  if (size > 0) {
    StorageNodeReader reader(storage_);
    PL_ASSIGN_OR_RETURN(auto last, storage_->Get(Column::kEntries, EntryKey(size - 1)));
    PL_ASSIGN_OR_RETURN(auto leaf, reader.ReadNodes({merkle::NodeId{0, size - 1}}));
    if (!last.has_value() || merkle::HashLeaf(*last) != leaf[0]) {
      return absl::FailedPreconditionError("ledger check failed: entry " +
                                           std::to_string(size - 1) +
                                           " does not hash to its stored leaf; refusing to start");
    }
  }
  PL_RETURN_IF_ERROR(CheckAndRaiseMark(size, root));
  // Every signature on the stored checkpoint by a configured key must verify.
  PL_ASSIGN_OR_RETURN(SignedNote parsed, ParseNote(stored->note));
  bool all_signed = true;
  for (const auto& s : options_.signers) {
    bool found = false;
    for (const NoteSignature& sig : parsed.signatures) {
      if (sig.name != s->name() || sig.key_id != s->key_id()) continue;
      found = true;
      if (!Ed25519Verify(s->key().PublicKey(), parsed.text, sig.signature)) {
        return absl::FailedPreconditionError(
            "ledger check failed: the stored checkpoint's signature by key " + s->VerifierKey() +
            " does not verify");
      }
    }
    all_signed = all_signed && found;
  }
  if (!all_signed) {
    // A key was added: re-sign the same tree head with every current key so
    // verifiers can move over. Same size and root, so this is not a fork.
    PL_ASSIGN_OR_RETURN(std::string note, SignCheckpoint(size, root));
    WriteBatch b;
    b.Put(Column::kMeta, CheckpointKey(size), note);
    PL_RETURN_IF_ERROR(storage_->Write(b, /*sync=*/true));
    stored = std::make_shared<SignedCheckpoint>(SignedCheckpoint{size, root, std::move(note)});
  }
  latest_ = std::move(stored);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const SignedCheckpoint>> Ledger::LoadStoredTree(
    merkle::CompactTree* tree) {
  PL_ASSIGN_OR_RETURN(auto size_bytes, storage_->Get(Column::kMeta, ledger_keys::kSize));
  if (!size_bytes.has_value() || size_bytes->size() != 8) {
    return absl::DataLossError("ledger: tree size is missing or malformed");
  }
  const uint64_t size = ReadU64BE(size_bytes->data());
  StorageNodeReader reader(storage_);
  PL_ASSIGN_OR_RETURN(*tree, merkle::CompactTree::Load(size, reader));
  std::string root = tree->Root();
  PL_ASSIGN_OR_RETURN(auto stored_note, storage_->Get(Column::kMeta, CheckpointKey(size)));
  if (!stored_note.has_value()) {
    return absl::DataLossError("ledger: no signed checkpoint stored for size " +
                               std::to_string(size));
  }
  PL_ASSIGN_OR_RETURN(SignedNote parsed, ParseNote(*stored_note));
  PL_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpointText(parsed.text));
  if (cp.origin != options_.origin || cp.size != size || cp.root_hash != root) {
    return absl::FailedPreconditionError(
        "ledger check failed: the root recomputed from storage at size " + std::to_string(size) +
        " is " + Base64Encode(root) + " but the last signed checkpoint says size " +
        std::to_string(cp.size) + " root " + Base64Encode(cp.root_hash) +
        "; refusing to start on a ledger that does not match its checkpoint");
  }
  return std::make_shared<SignedCheckpoint>(
      SignedCheckpoint{size, std::move(root), *std::move(stored_note)});
}

absl::Status Ledger::CheckAndRaiseMark(uint64_t size, const std::string& root) {
  HighWaterMarkStore* store = options_.high_water_mark;
  if (store == nullptr) return absl::OkStatus();
  PL_ASSIGN_OR_RETURN(std::optional<HighWaterMark> mark, store->Load());
  PL_ASSIGN_OR_RETURN(auto kept, storage_->Get(Column::kMeta, ledger_keys::kMarkKept));
  const std::string where = "the high-water mark " + store->Describe();
  const std::string recovery = " (recovery: docs/ledger-format.md, section 4a)";
  if (!mark.has_value() && kept.has_value()) {
    return absl::FailedPreconditionError(
        "ledger check failed: " + where + " is missing, and this ledger has kept one since " +
        "it was created; without it a database that lost acknowledged entries cannot be told " +
        "from a whole one. Refusing to start; put the file back" + recovery);
  }
  if (mark.has_value()) {
    if (mark->size > size) {
      return absl::FailedPreconditionError(
          "ledger check failed: the database holds " + std::to_string(size) +
          " entries but this log has already published a signed checkpoint of size " +
          std::to_string(mark->size) + " (root " + Base64Encode(mark->root_hash) + ", " + where +
          "): " + std::to_string(mark->size - size) +
          " acknowledged entries are missing (a damaged write-ahead log, lost files or an older " +
          "copy of the database). Refusing to start: signing from here would fork the log. " +
          "Restore a backup that reaches size " + std::to_string(mark->size) + recovery);
    }
    std::string root_at_mark = root;
    if (mark->size < size) {
      StorageNodeReader reader(storage_);
      PL_ASSIGN_OR_RETURN(merkle::CompactTree at_mark,
                          merkle::CompactTree::Load(mark->size, reader));
      root_at_mark = at_mark.Root();
    }
    if (root_at_mark != mark->root_hash) {
      return absl::FailedPreconditionError(
          "ledger check failed: at size " + std::to_string(mark->size) + " the database's tree " +
          "has root " + Base64Encode(root_at_mark) + " but this log published root " +
          Base64Encode(mark->root_hash) + " (" + where + "): the database holds a different " +
          "log. Refusing to start" + recovery);
    }
  }
  if (!mark.has_value() || mark->size < size) {
    PL_RETURN_IF_ERROR(store->Store(HighWaterMark{size, root}));
  }
  if (!kept.has_value()) {
    WriteBatch b;
    b.Put(Column::kMeta, ledger_keys::kMarkKept, "1");
    PL_RETURN_IF_ERROR(storage_->Write(b, /*sync=*/true));
  }
  return absl::OkStatus();
}

absl::Status Ledger::WriteStatus() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failed_.ok() ? paused_ : failed_;
}

void Ledger::PauseAppends(absl::Status why) {
  std::lock_guard<std::mutex> lock(mu_);
  paused_ = std::move(why);
}

absl::Status Ledger::Resume() {
  std::lock_guard<std::mutex> commit(commit_mu_);
  {
    // The committer is held; wait for the sync thread to answer what it
    // was given, so nothing below races with a group in flight.
    std::unique_lock<std::mutex> lock(mu_);
    if (failed_.ok()) return absl::OkStatus();
    idle_cv_.wait(lock, [this] { return written_.empty() && !syncing_; });
  }
  PL_RETURN_IF_ERROR(storage_->Resume());
  merkle::CompactTree tree;
  PL_ASSIGN_OR_RETURN(auto stored, LoadStoredTree(&tree));
  if (stored->size < Latest()->size) {
    return absl::DataLossError("ledger: after resuming, the storage holds " +
                               std::to_string(stored->size) + " entries, fewer than the " +
                               std::to_string(Latest()->size) + " already published");
  }
  if (options_.high_water_mark != nullptr) {
    PL_RETURN_IF_ERROR(
        options_.high_water_mark->Store(HighWaterMark{stored->size, stored->root_hash}));
  }
  tree_ = std::move(tree);
  written_checkpoint_ = stored;
  std::lock_guard<std::mutex> lock(mu_);
  latest_ = std::move(stored);
  failed_ = absl::OkStatus();
  sync_failed_ = false;
  return absl::OkStatus();
}

void Ledger::AppendAsync(std::vector<AppendRequest> requests,
                         std::function<void(AppendOutcome)> done) {
  absl::Status refused;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failed_.ok()) {
      refused = failed_;
    } else if (stopping_) {
      refused = absl::UnavailableError("ledger is shutting down");
    } else if (!paused_.ok()) {
      refused = paused_;
    }
    if (refused.ok()) queue_.push_back(Pending{std::move(requests), std::move(done)});
  }
  if (refused.ok()) {
    cv_.notify_one();
    return;
  }
  AppendOutcome out;
  out.status = refused;
  done(std::move(out));  // NOLINT(bugprone-use-after-move): moved only when queued
}

AppendOutcome Ledger::Append(std::vector<AppendRequest> requests) {
  std::promise<AppendOutcome> p;
  auto f = p.get_future();
  AppendAsync(std::move(requests), [&p](AppendOutcome out) { p.set_value(std::move(out)); });
  return f.get();
}

void Ledger::CommitLoop() {
  while (true) {
    std::vector<Pending> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      size_t entries = 0, bytes = 0;
      while (!queue_.empty()) {
        const Pending& next = queue_.front();
        size_t next_bytes = 0;
        for (const auto& r : next.requests) next_bytes += r.entry.size();
        if (!batch.empty() && (entries + next.requests.size() > options_.max_batch_entries ||
                               bytes + next_bytes > options_.max_batch_bytes)) {
          break;
        }
        entries += next.requests.size();
        bytes += next_bytes;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    {
      std::lock_guard<std::mutex> commit(commit_mu_);
      Written w = CommitBatch(std::move(batch));
      std::lock_guard<std::mutex> lock(mu_);
      written_.push_back(std::move(w));
    }
    sync_cv_.notify_one();
  }
}

Ledger::Written Ledger::CommitBatch(std::vector<Pending> batch) {
  Written w;
  w.done.reserve(batch.size());
  for (auto& p : batch) w.done.push_back(std::move(p.done));
  {
    std::lock_guard<std::mutex> lock(mu_);
    w.status = failed_;
  }
  if (!w.status.ok()) return w;

  // One batched lookup for every dedup key in the group. It sees groups
  // written but not yet synced; their callbacks run first (in order), so a
  // result naming one of their entries is never acknowledged before it.
  // The same pass counts the group's puts: each entry writes itself, its
  // leaf and on average one more tree node (n appends complete fewer than
  // 2n + 64 nodes), its keys, and the group its size and checkpoint.
  std::vector<std::string> dedup_keys;
  size_t puts = 2 + 64;
  for (const auto& p : batch) {
    for (const auto& r : p.requests) {
      if (!r.dedup_key.empty()) dedup_keys.push_back(r.dedup_key);
      puts += 3 + (r.dedup_key.empty() ? 0 : 1) + r.index_keys.size() + r.index_prefixes.size() +
              r.index_prefix_values.size();
    }
  }
  auto existing = storage_->MultiGet(Column::kIndex, dedup_keys);
  if (!existing.ok()) {
    w.status = existing.status();
    return w;
  }

  // Existing dedup hits need their leaf hashes for the receipt.
  std::vector<merkle::NodeId> hit_leaves;
  for (const auto& v : *existing) {
    if (v.has_value() && v->size() == 8) hit_leaves.push_back({0, ReadU64BE(v->data())});
  }
  std::vector<std::string> hit_hashes;
  if (!hit_leaves.empty()) {
    StorageNodeReader reader(storage_);
    auto h = reader.ReadNodes(hit_leaves);
    if (!h.ok()) {
      w.status = h.status();
      return w;
    }
    hit_hashes = *std::move(h);
  }

  merkle::CompactTree tree = tree_;
  WriteBatch wb;
  wb.Reserve(puts);
  std::unordered_map<std::string, AppendResult> in_batch;
  in_batch.reserve(dedup_keys.size());
  w.results.resize(batch.size());
  size_t dedup_pos = 0, hit_pos = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    for (auto& r : batch[i].requests) {
      if (!r.dedup_key.empty()) {
        const auto& found = (*existing)[dedup_pos++];
        if (found.has_value() && found->size() == 8) {
          w.results[i].push_back(
              AppendResult{ReadU64BE(found->data()), hit_hashes[hit_pos++], true});
          continue;
        }
        auto it = in_batch.find(r.dedup_key);
        if (it != in_batch.end()) {
          AppendResult dup = it->second;
          dup.existed = true;
          w.results[i].push_back(dup);
          continue;
        }
      }
      uint64_t index = tree.size();
      std::string leaf = merkle::HashLeaf(r.entry);
      wb.Put(Column::kEntries, EntryKey(index), std::move(r.entry));
      tree.Append(leaf, [&wb](merkle::NodeId id, const std::string& h) {
        wb.Put(Column::kTree, NodeKey(id), h);
      });
      std::string value = U64BE(index);
      if (!r.dedup_key.empty()) {
        wb.Put(Column::kIndex, r.dedup_key, value);
        in_batch.emplace(r.dedup_key, AppendResult{index, leaf, false});
      }
      for (auto& k : r.index_keys) wb.Put(Column::kIndex, std::move(k), value);
      for (auto& k : r.index_prefixes) wb.Put(Column::kIndex, k + value, "");
      for (auto& [k, v] : r.index_prefix_values) wb.Put(Column::kIndex, k + value, std::move(v));
      w.results[i].push_back(AppendResult{index, std::move(leaf), false});
    }
  }
  batch.clear();  // the requests' remaining memory, before the write

  w.checkpoint = written_checkpoint_;
  if (tree.size() == tree_.size()) return w;  // dedup hits only: nothing to write
  std::string root = tree.Root();
  auto note = SignCheckpoint(tree.size(), root);
  if (!note.ok()) {
    w.status = note.status();
    return w;
  }
  wb.Put(Column::kMeta, ledger_keys::kSize, U64BE(tree.size()));
  wb.Put(Column::kMeta, CheckpointKey(tree.size()), *note);
  absl::Status s = storage_->Write(wb, /*sync=*/false);
  if (!s.ok()) {
    w.status =
        absl::UnavailableError("ledger write failed (" + std::string(s.message()) +
                               "); appends are refused until the storage accepts writes again");
    std::lock_guard<std::mutex> lock(mu_);
    failed_ = w.status;
    return w;
  }
  tree_ = std::move(tree);
  written_checkpoint_ = std::make_shared<SignedCheckpoint>(
      SignedCheckpoint{tree_.size(), std::move(root), *std::move(note)});
  w.checkpoint = written_checkpoint_;
  w.wrote = true;
  return w;
}

void Ledger::SyncLoop() {
  while (true) {
    std::deque<Written> groups;
    bool sync_failed = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      sync_cv_.wait(lock, [this] { return committer_done_ || !written_.empty(); });
      if (written_.empty()) return;  // the committer stopped and all is answered
      groups.swap(written_);
      syncing_ = true;
      // After a failed write the WAL is in error too: syncing it would
      // fail (or trip RocksDB's debug assertion), so groups written before
      // the failure are not acknowledged; Resume makes them durable.
      sync_failed = sync_failed_ || !failed_.ok();
    }
    // One fsync covers every group written so far. After a failed sync
    // nothing unsynced is trusted again until Resume (a retried fsync can
    // report success for pages the kernel already dropped).
    std::shared_ptr<const SignedCheckpoint> newest;
    for (const auto& g : groups) {
      if (g.wrote && g.status.ok()) newest = g.checkpoint;
    }
    absl::Status synced;
    if (sync_failed) {
      std::lock_guard<std::mutex> lock(mu_);
      synced = failed_;
    } else if (newest != nullptr) {
      synced = storage_->SyncWal();
      // The mark reaches the checkpoint before anyone sees it (§4a).
      if (synced.ok() && options_.high_water_mark != nullptr) {
        synced = options_.high_water_mark->Store(HighWaterMark{newest->size, newest->root_hash});
      }
      if (!synced.ok()) {
        synced =
            absl::UnavailableError("ledger sync failed (" + std::string(synced.message()) +
                                   "); appends are refused until the storage accepts writes again");
        std::lock_guard<std::mutex> lock(mu_);
        sync_failed_ = true;
        failed_ = synced;
      }
    }
    if (newest != nullptr && synced.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      latest_ = newest;
    }
    for (auto& g : groups) {
      absl::Status status = g.status.ok() ? synced : g.status;
      for (size_t i = 0; i < g.done.size(); ++i) {
        AppendOutcome out;
        out.status = status;
        if (status.ok()) {
          out.results = std::move(g.results[i]);
          out.checkpoint = g.checkpoint;
        }
        g.done[i](std::move(out));
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      syncing_ = false;
    }
    idle_cv_.notify_all();
  }
}

std::shared_ptr<const SignedCheckpoint> Ledger::Latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

absl::StatusOr<std::string> Ledger::CheckpointNote(uint64_t size) {
  PL_RETURN_IF_ERROR(CheckSize(size));
  PL_ASSIGN_OR_RETURN(auto note, storage_->Get(Column::kMeta, CheckpointKey(size)));
  if (!note.has_value()) {
    return absl::NotFoundError("no checkpoint was signed at tree_size " + std::to_string(size));
  }
  return *std::move(note);
}

absl::StatusOr<SignedCheckpoint> Ledger::CheckpointAtOrBefore(uint64_t size) {
  PL_RETURN_IF_ERROR(CheckSize(size));
  std::shared_ptr<const SignedCheckpoint> latest = Latest();
  if (latest->size == size) return *latest;
  PL_ASSIGN_OR_RETURN(auto row,
                      storage_->Last(Column::kMeta, CheckpointKey(0), CheckpointKey(size + 1)));
  if (!row.has_value()) {
    return absl::NotFoundError("no checkpoint was signed at or before tree_size " +
                               std::to_string(size));
  }
  const std::string& key = row->first;
  if (key.size() != CheckpointKey(0).size()) return absl::DataLossError("malformed checkpoint key");
  SignedCheckpoint cp;
  cp.size = ReadU64BE(key.data() + key.size() - 8);
  cp.note = std::move(row->second);
  PL_ASSIGN_OR_RETURN(SignedNote parsed, ParseNote(cp.note));
  PL_ASSIGN_OR_RETURN(Checkpoint body, ParseCheckpointText(parsed.text));
  if (body.size != cp.size) {
    return absl::DataLossError("checkpoint stored under size " + std::to_string(cp.size) +
                               " says size " + std::to_string(body.size));
  }
  cp.root_hash = std::move(body.root_hash);
  return cp;
}

absl::Status Ledger::CheckSize(uint64_t size) const {
  uint64_t latest = Latest()->size;
  if (size > latest) {
    return absl::OutOfRangeError("tree_size " + std::to_string(size) +
                                 " is beyond the latest checkpoint's size " +
                                 std::to_string(latest));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StoredEntry>> Ledger::GetEntries(uint64_t start, uint64_t count) {
  uint64_t size = Latest()->size;
  if (start >= size || count == 0) return std::vector<StoredEntry>();
  uint64_t end = start + std::min<uint64_t>(count, size - start);
  std::vector<uint64_t> indices;
  indices.reserve(end - start);
  for (uint64_t i = start; i < end; ++i) indices.push_back(i);
  return GetEntriesAt(indices);
}

absl::Status Ledger::ScanEntries(uint64_t start, uint64_t count,
                                 const std::function<bool(uint64_t, std::string_view)>& fn) {
  uint64_t size = Latest()->size;
  if (start >= size || count == 0) return absl::OkStatus();
  const uint64_t end = start + std::min<uint64_t>(count, size - start);
  uint64_t next = start;
  bool stopped = false;
  absl::Status gap;
  PL_RETURN_IF_ERROR(storage_->Scan(Column::kEntries, EntryKey(start), EntryKey(end),
                                    [&](std::string_view key, std::string_view value) {
                                      if (key.size() != 8 || ReadU64BE(key.data()) != next) {
                                        gap = absl::DataLossError("entry " + std::to_string(next) +
                                                                  " is missing");
                                        return false;
                                      }
                                      ++next;
                                      stopped = !fn(next - 1, value);
                                      return !stopped;
                                    }));
  PL_RETURN_IF_ERROR(gap);
  if (!stopped && next != end) {
    return absl::DataLossError("entry " + std::to_string(next) + " is missing");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StoredEntry>> Ledger::GetEntriesAt(
    const std::vector<uint64_t>& indices) {
  uint64_t size = Latest()->size;
  std::vector<std::string> keys;
  std::vector<merkle::NodeId> leaves;
  keys.reserve(indices.size());
  leaves.reserve(indices.size());
  for (uint64_t i : indices) {
    if (i >= size) {
      return absl::OutOfRangeError("entry " + std::to_string(i) + " is beyond the tree size " +
                                   std::to_string(size));
    }
    keys.push_back(EntryKey(i));
    leaves.push_back({0, i});
  }
  PL_ASSIGN_OR_RETURN(auto values, storage_->MultiGet(Column::kEntries, keys));
  StorageNodeReader reader(storage_);
  PL_ASSIGN_OR_RETURN(auto hashes, reader.ReadNodes(leaves));
  std::vector<StoredEntry> out;
  out.reserve(indices.size());
  for (size_t k = 0; k < indices.size(); ++k) {
    if (!values[k].has_value()) {
      return absl::DataLossError("entry " + std::to_string(indices[k]) + " is missing");
    }
    out.push_back(StoredEntry{indices[k], *std::move(values[k]), std::move(hashes[k])});
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> Ledger::InclusionProof(uint64_t index, uint64_t size) {
  PL_RETURN_IF_ERROR(CheckSize(size));
  StorageNodeReader reader(storage_);
  return merkle::InclusionProof(index, size, reader);
}

absl::StatusOr<std::vector<std::string>> Ledger::ConsistencyProof(uint64_t from, uint64_t to) {
  PL_RETURN_IF_ERROR(CheckSize(to));
  StorageNodeReader reader(storage_);
  return merkle::ConsistencyProof(from, to, reader);
}

absl::StatusOr<std::optional<uint64_t>> Ledger::LookupIndex(const std::string& key) {
  uint64_t size = Latest()->size;  // before the read: a later key is not yet durable
  PL_ASSIGN_OR_RETURN(auto v, storage_->Get(Column::kIndex, key));
  if (!v.has_value()) return std::optional<uint64_t>();
  if (v->size() != 8) return absl::DataLossError("index value is malformed");
  uint64_t index = ReadU64BE(v->data());
  if (index >= size) return std::optional<uint64_t>();
  return std::optional<uint64_t>(index);
}

absl::StatusOr<std::vector<uint64_t>> Ledger::ScanIndexPrefix(const std::string& prefix,
                                                              std::optional<uint64_t> after,
                                                              size_t limit) {
  std::string begin = prefix;
  if (after.has_value()) {
    if (*after == UINT64_MAX) return std::vector<uint64_t>{};
    begin += U64BE(*after + 1);
  }
  // The end of the prefix range: prefix with its last byte incremented.
  std::string end = prefix;
  while (!end.empty() && static_cast<uint8_t>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(end.back() + 1);
  std::vector<uint64_t> out;
  uint64_t size = Latest()->size;
  PL_RETURN_IF_ERROR(
      storage_->Scan(Column::kIndex, begin, end, [&](std::string_view k, std::string_view) {
        if (k.size() != prefix.size() + 8) return true;
        uint64_t index = ReadU64BE(k.data() + prefix.size());
        if (index >= size) return false;
        out.push_back(index);
        return out.size() < limit;
      }));
  return out;
}

absl::Status Ledger::ScanIndexTree(const std::string& prefix,
                                   const std::function<bool(uint64_t)>& fn) {
  std::string end = prefix;
  while (!end.empty() && static_cast<uint8_t>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(end.back() + 1);
  uint64_t size = Latest()->size;
  return storage_->Scan(Column::kIndex, prefix, end, [&](std::string_view k, std::string_view) {
    if (k.size() < prefix.size() + 8) return true;
    uint64_t index = ReadU64BE(k.data() + k.size() - 8);
    if (index >= size) return true;  // not yet covered by a checkpoint
    return fn(index);
  });
}

absl::Status Ledger::ScanIndexRange(std::string_view begin, std::string_view end,
                                    const std::function<bool(std::string_view, uint64_t)>& fn) {
  uint64_t size = Latest()->size;
  return storage_->Scan(Column::kIndex, begin, end, [&](std::string_view k, std::string_view) {
    if (k.size() < 8) return true;
    uint64_t index = ReadU64BE(k.data() + k.size() - 8);
    if (index >= size) return true;
    return fn(k, index);
  });
}

absl::Status Ledger::VerifyFull() {
  PL_RETURN_IF_ERROR(storage_->VerifyChecksums());
  auto latest = Latest();
  merkle::CompactTree tree;
  StorageNodeReader reader(storage_);
  absl::Status mismatch;
  uint64_t expected = 0;
  PL_RETURN_IF_ERROR(
      storage_->Scan(Column::kEntries, "", "", [&](std::string_view key, std::string_view value) {
        if (key.size() != 8 || ReadU64BE(key.data()) != expected) {
          mismatch = absl::DataLossError("entry " + std::to_string(expected) + " is missing");
          return false;
        }
        if (expected >= latest->size) return false;
        std::string leaf = merkle::HashLeaf(value);
        auto stored = reader.ReadNodes({merkle::NodeId{0, expected}});
        if (!stored.ok() || (*stored)[0] != leaf) {
          mismatch = absl::DataLossError("entry " + std::to_string(expected) +
                                         " does not hash to its stored leaf");
          return false;
        }
        tree.Append(std::move(leaf), [](merkle::NodeId, const std::string&) {});
        ++expected;
        return true;
      }));
  PL_RETURN_IF_ERROR(mismatch);
  if (tree.size() != latest->size) {
    return absl::DataLossError("ledger holds " + std::to_string(tree.size()) +
                               " entries but its checkpoint says " + std::to_string(latest->size));
  }
  if (tree.Root() != latest->root_hash) {
    return absl::DataLossError("root recomputed from all entries differs from the checkpoint");
  }
  return absl::OkStatus();
}

}  // namespace provledger
