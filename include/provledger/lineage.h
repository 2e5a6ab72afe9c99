// Lineage and match queries (the read side): every registration of a work,
// a reformatted copy, a near duplicate or an excerpt of it; the dataset
// versions and models they lead to; each answer anchored to a signed
// checkpoint, with inclusion proofs, and askable "as of" an earlier tree size
// or time.
//
//   LineageQueries q(ledger, postings);
//   PL_ASSIGN_OR_RETURN(MatchQuery query, MatchQuery::FromContent(bytes));
//   PL_ASSIGN_OR_RETURN(MatchResult r, q.Match(query, MatchSpec{}));
//
// As of: a tree size N answers from entries [0, N) and the verdicts in force
// then, anchored to the last checkpoint signed at or before N (every group
// commit signs one, so that is what a client could have been shown). A time
// T means the size after the last entry stamped at or before T (entry
// timestamps are the server clock when the batch was queued; concurrent
// batches may be out of order by microseconds).
//
// Matching reads the posting index (posting_index.h) for near duplicates and
// containment; it waits for the index to cover the anchor (up to
// `index_wait`) and is exact against the entries: candidates from the
// postings are checked with the MinHash and the complete winnowing list that
// each document entry records, so the index loses nothing the fingerprints
// would find, except through `max_postings_per_fingerprint` (a fingerprint
// found in more documents than that is boilerplate, not evidence, and is
// counted in `common_fingerprints_skipped`).
//
// Thread-safety: all methods may be called concurrently. The ledger and the
// posting index are not owned and must outlive this object.
#ifndef PROVLEDGER_LINEAGE_H_
#define PROVLEDGER_LINEAGE_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "provledger/entry.h"
#include "provledger/fingerprint.h"
#include "provledger/ledger.h"
#include "provledger/posting_index.h"

namespace provledger {

struct AsOfSpec {
  std::optional<uint64_t> tree_size;
  std::optional<int64_t> time_us;  // used when tree_size is unset
};

// A model version whose training run used a dataset version reached from a
// registration's dataset through derivations (path: the versions after the
// registration's own, ending with dataset_id; empty when the same).
struct ModelUseInfo {
  std::string model_name;
  std::string model_version;
  uint64_t run_index = 0;
  std::string dataset_id;
  std::vector<std::string> derivation_path;
  uint8_t run_verdict = 0;  // 0 when the run carries none
};

struct RegistrationInfo {
  uint64_t ledger_index = 0;
  std::string leaf_hash;
  int64_t registered_us = 0;
  DocumentEntry document;  // as recorded (its verdict: the one recorded then)
  DatasetEntry dataset;
  VerdictRecord verdict;       // in force at the anchor
  uint64_t verdict_index = 0;  // the entry that recorded it
  std::vector<ModelUseInfo> models;
  std::vector<std::string> inclusion_proof;  // against the anchor
};

struct LookupResult {
  SignedCheckpoint anchor;
  std::vector<RegistrationInfo> registrations;
  std::optional<uint64_t> next_after;  // more after this ledger index
};

enum class MatchKind : uint8_t { kExact = 1, kNormalised = 2, kNearDuplicate = 3, kContained = 4 };

// A work to match, as the server sees it (never stored).
struct MatchQuery {
  std::string content_id;  // SHA-256
  uint64_t size_bytes = 0;
  std::string media_type;
  std::optional<fingerprint::TextAnalysis> analysis;  // text within the size limit
  std::optional<fingerprint::TextFingerprints> text;
  // How many winnowing fingerprints the text had when `text` keeps only the
  // first kMaxQueryWinnows (receipt.h); 0 otherwise.
  uint64_t winnows_total = 0;
  // Hashes `bytes`, sniffs the media type and, for text of at most
  // `max_fingerprint_bytes`, fingerprints it (keeping at most
  // kMaxQueryWinnows fingerprints). Text that is not valid UTF-8 is matched
  // by content id only.
  static MatchQuery FromContent(std::string_view bytes,
                                uint64_t max_fingerprint_bytes = 16ull << 20);
};

struct MatchSpec {
  double min_jaccard = 0;  // raised to fingerprint::kNearDuplicateThreshold
  AsOfSpec as_of;
  size_t page_size = 50;
  size_t offset = 0;          // into the ranked matches
  std::set<MatchKind> kinds;  // empty = all
  // Also issue a signed receipt (receipt.h) of the first
  // `receipt_max_matches` ranked matches, whatever the page.
  bool receipt = false;
  size_t receipt_max_matches = 500;
};

struct SpanInfo {
  uint32_t query_token_begin = 0, query_token_end = 0;
  uint32_t query_byte_begin = 0, query_byte_end = 0;  // in the normalised query
  uint32_t document_token_begin = 0;
  uint32_t fingerprints = 0;
  std::string query_excerpt;  // at most 400 bytes of the normalised query
};

struct MatchInfo {
  MatchKind kind = MatchKind::kExact;
  RegistrationInfo registration;
  double estimated_jaccard = 0;
  double contained_share = 0;
  uint32_t longest_run_tokens = 0;
  std::vector<SpanInfo> spans;
};

struct MatchResult {
  SignedCheckpoint anchor;
  uint32_t query_fingerprints = 0;  // distinct winnowing hashes of the query
  std::vector<MatchInfo> matches;   // this page, ranked
  size_t total = 0;                 // matches over all pages
  std::optional<size_t> next_offset;
  std::set<MatchKind> searched;  // kinds this server could look for
  uint32_t common_fingerprints_skipped = 0;
  bool candidates_truncated = false;
  uint32_t candidates_checked = 0;  // documents whose entries were read
  std::string receipt;              // the signed receipt note, when asked for
};

struct DatasetView {
  uint64_t ledger_index = 0;
  int64_t created_us = 0;
  DatasetEntry entry;
  std::optional<SealEntry> seal;  // when sealed at the anchor
  uint64_t seal_index = 0;
};

struct DerivationEdgeInfo {
  std::string parent_id;
  DerivationEntry entry;  // entry.dataset_id is the child
  uint64_t ledger_index = 0;
};

struct DatasetLineage {
  SignedCheckpoint anchor;
  DatasetView dataset;
  std::vector<DatasetView> ancestors;    // nearest first
  std::vector<DatasetView> descendants;  // nearest first
  std::vector<DerivationEdgeInfo> edges;
  std::vector<ModelUseInfo> models;  // runs on the dataset or a descendant
};

struct LineageCountsInfo {
  uint64_t documents = 0;
  uint64_t bytes = 0;
  std::map<std::string, uint64_t> by_source_category;
  std::map<std::string, uint64_t> by_license_class;
  std::map<std::string, uint64_t> by_verdict;
};

struct ModelLineage {
  SignedCheckpoint anchor;
  std::vector<std::pair<uint64_t, TrainingRunEntry>> runs;  // (ledger index, run)
  std::vector<DatasetView> datasets;                        // used directly, then their ancestors
  std::vector<DerivationEdgeInfo> edges;
  LineageCountsInfo counts;
};

struct LineageOptions {
  std::chrono::milliseconds index_wait{5000};
  size_t max_postings_per_fingerprint = 10000;
  size_t max_candidates = 5000;  // documents checked against one query
};

class LineageQueries {
 public:
  // `postings` may be null (index_near_duplicates off): then only exact and
  // normalised matches are searched, and MatchResult::searched says so.
  LineageQueries(Ledger* ledger, PostingIndex* postings, LineageOptions options = {});

  // The anchor for `as_of`: OutOfRange for a size beyond the latest. A time
  // before the first entry resolves to the empty tree (size 0).
  absl::StatusOr<SignedCheckpoint> Resolve(const AsOfSpec& as_of);

  // Registrations of a content id (32 bytes) or a normalised hash (16
  // bytes), ascending by ledger index, after `after`. InvalidArgument for
  // other lengths.
  absl::StatusOr<LookupResult> LookupContent(const std::string& id_or_hash, const AsOfSpec& as_of,
                                             size_t page_size, std::optional<uint64_t> after);
  // Ranked matches of `query`: kind (exact first), then evidence strength,
  // then ledger index. Unavailable if the posting index does not catch up
  // with the anchor within index_wait.
  absl::StatusOr<MatchResult> Match(const MatchQuery& query, const MatchSpec& spec);

  // NotFound (naming dataset_id) if it did not exist at the anchor.
  absl::StatusOr<DatasetView> GetDataset(const std::string& dataset_id,
                                         const SignedCheckpoint& anchor);
  // The dataset's document entries, ascending, after `after`.
  absl::StatusOr<std::vector<std::pair<uint64_t, DocumentEntry>>> ListDatasetDocuments(
      const std::string& dataset_id, const SignedCheckpoint& anchor, size_t page_size,
      std::optional<uint64_t> after, bool* more);
  absl::StatusOr<DatasetLineage> GetDatasetLineage(const std::string& dataset_id,
                                                   const AsOfSpec& as_of);
  // NotFound if the model version has no training run at the anchor.
  // Without `counts` the documents are not read (counts stay zero).
  absl::StatusOr<ModelLineage> GetModelLineage(const std::string& model_name,
                                               const std::string& model_version,
                                               const AsOfSpec& as_of, bool counts = true);

  // The inclusion proof of a dataset's entry in the anchor's tree.
  absl::StatusOr<std::vector<std::string>> DatasetProof(const DatasetView& dataset,
                                                        const SignedCheckpoint& anchor);

  // A registration as of `anchor` (its dataset, verdict in force, models,
  // inclusion proof). InvalidArgument if the entry is not a document.
  absl::StatusOr<RegistrationInfo> Registration(const StoredEntry& entry,
                                                const SignedCheckpoint& anchor);

 private:
  Ledger* ledger_;
  PostingIndex* postings_;
  LineageOptions options_;
};

}  // namespace provledger

#endif  // PROVLEDGER_LINEAGE_H_
