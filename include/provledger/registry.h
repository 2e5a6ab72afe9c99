// Registration: datasets and documents become ledger entries, with the index
// keys that make them findable, deduplicated per dataset.
//
//   Registry reg(ledger.get(), SystemClock(), RegistryOptions{});
//   PL_ASSIGN_OR_RETURN(DatasetInfo ds, reg.CreateDataset("crawl", "2026-11", ""));
//   DocumentAssembler doc(&reg);                    // one per stream
//   PL_ASSIGN_OR_RETURN(auto done, doc.AddPart(ds.dataset_id, "a.txt", bytes, false));
//   if (done) reg.RegisterAsync(*done, [](RegisterOutcome o) { ... });
//
// Errors name the request field at fault ("dataset_id", "document.content",
// ...), so the service layer can pass them through unchanged. Validation
// happens before anything is queued: a rejected document writes nothing.
// Thread-safe; a DocumentAssembler is per stream and not thread-safe.
#ifndef PROVLEDGER_REGISTRY_H_
#define PROVLEDGER_REGISTRY_H_

#include <array>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "provledger/clock.h"
#include "provledger/entry.h"
#include "provledger/fingerprint.h"
#include "provledger/ledger.h"
#include "provledger/policy.h"
#include "provledger/sha256.h"

namespace provledger {

struct RegistryOptions {
  uint64_t max_document_bytes = 64ull << 20;  // 64 MiB
  size_t max_client_ref_bytes = 1024;
  // Text documents up to this size get text fingerprints (they are buffered
  // per stream to normalise them); larger ones get content id and size only.
  uint64_t max_fingerprint_bytes = 16ull << 20;  // 16 MiB
  // The policy every document is judged by; nullptr = policy::Policy::Default().
  // Not owned; must outlive the registry.
  const policy::Policy* policy = nullptr;
};

// What CreateDataset takes.
struct DatasetSpec {
  std::string name;          // required, 1..256 bytes
  std::string version;       // up to 128 bytes
  std::string description;   // up to 4096 bytes
  std::string owner;         // up to 256 bytes
  std::string intended_use;  // a use the policy defines; empty = "commercial"
  policy::SourceRecord default_source;
};

struct DatasetInfo {
  std::string dataset_id;
  uint64_t ledger_index = 0;
  bool already_existed = false;
  DatasetEntry entry;
  std::shared_ptr<const SignedCheckpoint> checkpoint;
};

// A complete document ready to register (hashes computed).
struct DocumentRegistration {
  std::string dataset_id;
  std::string client_ref;
  std::string content_id;  // SHA-256 of the raw bytes
  uint64_t size_bytes = 0;
  std::string media_type;
  // Text fingerprints, when the document is text within the size limit.
  std::optional<fingerprint::TextFingerprints> text;
  // Who computed the fingerprints: the server from the content, or the
  // pipeline (CheckClientFingerprints).
  FingerprintOrigin origin = FingerprintOrigin::kServer;
  // The document's own source record (validated with CheckSource); merged
  // over the dataset's default at registration.
  policy::SourceRecord source;
};

// The algorithm versions a client says its fingerprints use.
struct FingerprintVersions {
  uint32_t normalization = 0;
  uint32_t minhash = 0;
  uint32_t winnow = 0;
};

struct DocumentReceiptInfo {
  DocumentRegistration doc;
  uint64_t ledger_index = 0;
  std::string leaf_hash;
  bool already_registered = false;
  // The verdict recorded in the entry (for a duplicate: the one recorded
  // with the first registration).
  VerdictRecord verdict;
};

struct RegisterOutcome {
  absl::Status status;
  std::vector<DocumentReceiptInfo> receipts;  // when OK, one per document
  std::shared_ptr<const SignedCheckpoint> checkpoint;
};

// "ds_" + the first 24 hex digits of SHA-256("provledger/dataset/v1\n" ||
// name || "\n" || version).
std::string DatasetIdFor(const std::string& name, const std::string& version);

struct SealInfo {
  SealEntry manifest;
  uint64_t ledger_index = 0;
  bool already_sealed = false;
  std::shared_ptr<const SignedCheckpoint> checkpoint;
};

struct DerivationSpec {
  std::string child;                 // the derived dataset version
  std::vector<std::string> parents;  // sealed dataset versions it derives from
  std::string transformation;        // filter, deduplicate, mix, sample, annotate, other
  std::string description;           // up to 4096 bytes
};

struct TrainingRunSpec {
  std::string model_name;                // 1..256 bytes
  std::string model_version;             // up to 128 bytes
  std::vector<std::string> dataset_ids;  // sealed dataset versions used
  int64_t training_start_us = 0;
  int64_t training_end_us = 0;
  bool commercial = false;  // deployed commercially
  bool public_cn = false;   // offered to the public in China
  bool public_eu = false;   // ... in the EU
  std::string description;
};

// A rights holder's do-not-train declaration: exactly one of a work (its
// bytes, fingerprinted by the server and not kept), a URL pattern (glob) or a
// domain.
struct OptOutSpec {
  std::string declarant;  // required, up to 256 bytes
  std::string reference;  // up to 2048 bytes
  std::optional<std::string> content;
  std::string url_pattern;
  std::string domain;
};

// A sampling assessment of a source (TC260-003: sample before and after
// collection; blacklist above the policy's failure rate, 5% by default).
struct AssessmentSpec {
  SourceKind kind = SourceKind::kDomain;
  std::string source;  // a domain ("example.com") or a dataset name
  uint64_t sample_size = 0;
  uint64_t failures = 0;
  std::string assessor;  // required
  std::string phase;     // "before_collection", "after_collection" or empty
  std::string notes;
};

// A reviewer's judgement of a document drawn into a report's audit sample.
struct ReviewSpec {
  uint64_t document_index = 0;  // the document entry reviewed
  std::string reviewer;         // required, up to 256 bytes
  bool passed = false;
  std::string notes;              // up to 4096 bytes
  uint64_t sample_tree_size = 0;  // the checkpoint that drew the sample, 0 = not stated
};

// What a re-evaluation did.
struct ReevaluationSummary {
  uint64_t examined = 0;               // documents looked at
  uint64_t reevaluated = 0;            // re-evaluation entries appended
  std::array<uint64_t, 3> verdicts{};  // current verdicts after it: accepted, flagged, rejected
  std::shared_ptr<const SignedCheckpoint> checkpoint;
};

// A derivation or training run as appended.
template <typename Entry>
struct LineageInfo {
  Entry entry;
  uint64_t ledger_index = 0;
  bool already_existed = false;
  std::shared_ptr<const SignedCheckpoint> checkpoint;
};

class OptOutIndex;      // src/registry/optout_index.h
class SourceBlacklist;  // src/registry/optout_index.h

class Registry {
 public:
  // `ledger` and `clock` are not owned and must outlive the registry.
  Registry(Ledger* ledger, const Clock* clock, RegistryOptions options);
  ~Registry();

  const RegistryOptions& options() const { return options_; }

  // InvalidArgument naming the field for bad values (an intended use the
  // policy does not define, a malformed default source record); AlreadyExists
  // if the dataset exists with other values; errors of the ledger as is.
  absl::StatusOr<DatasetInfo> CreateDataset(const DatasetSpec& spec);
  absl::StatusOr<DatasetInfo> CreateDataset(const std::string& name, const std::string& version,
                                            const std::string& description) {
    return CreateDataset(DatasetSpec{name, version, description, "", "", {}});
  }
  const policy::Policy& policy() const { return *policy_; }
  // InvalidArgument naming the field (`field` + "source.*", by default
  // document.source.*) if a document's own source record is malformed.
  absl::Status CheckSource(const policy::SourceRecord& source,
                           std::string_view field = "document.") const;
  // NotFound (naming dataset_id) if no such dataset.
  absl::StatusOr<DatasetInfo> GetDataset(const std::string& dataset_id);
  // OK if the dataset exists (cached after the first lookup) and is open for
  // registration: NotFound, or FailedPrecondition once it is being sealed.
  absl::Status CheckDatasetExists(const std::string& dataset_id);

  // Checks a document registered by its client-computed fingerprints (the
  // content is never sent) and completes it: origin becomes kClient and the
  // LSH bands are derived from the MinHash (client bands are not trusted).
  // Checked: the dataset exists (NotFound), content_id is 32 bytes, size is
  // within max_document_bytes (ResourceExhausted), the media type is
  // well-formed, and for text: the versions are the ones this server
  // computes, the normalised hash is 16 bytes, the MinHash has 128 values,
  // the winnowing positions are strictly increasing, below token_count and
  // at least one per window. Errors are InvalidArgument naming the field
  // (`field` + "fingerprints.*", by default document.fingerprints.*).
  // Nothing is written.
  absl::Status CheckClientFingerprints(const FingerprintVersions& versions,
                                       DocumentRegistration* doc,
                                       std::string_view field = "document.");

  // Seals a dataset version: waits for its in-flight registrations, then
  // appends a manifest entry (document count, bytes, counts per verdict and
  // per license class, and the RFC 6962 root over its documents' leaf
  // hashes). Later registrations into it fail with FailedPrecondition.
  // Idempotent: sealing again returns the manifest (already_sealed).
  // NotFound for an unknown dataset.
  absl::StatusOr<SealInfo> SealDataset(const std::string& dataset_id);
  // NotFound unless the dataset is sealed.
  absl::StatusOr<SealInfo> GetSeal(const std::string& dataset_id);
  // Declares `child` derived from sealed parents. FailedPrecondition if a
  // parent is not sealed or the edge would close a cycle; InvalidArgument
  // naming the field for bad values. The policy's license-inheritance
  // verdict is recorded in the entry. Idempotent for the same declaration.
  absl::StatusOr<LineageInfo<DerivationEntry>> DeriveDataset(const DerivationSpec& spec);
  // Records a training run over sealed dataset versions (by manifest root),
  // with the run-level verdict. FailedPrecondition if a dataset is not
  // sealed. Idempotent for the same run.
  absl::StatusOr<LineageInfo<TrainingRunEntry>> RegisterTrainingRun(const TrainingRunSpec& spec);

  // Records a do-not-train declaration; registrations acknowledged after it
  // that match it (by content id, normalised hash, near-duplicate MinHash,
  // or their source URL) get the policy's opt_out_registry_match action.
  // InvalidArgument naming the field; idempotent per declarant and target.
  absl::StatusOr<LineageInfo<OptOutEntry>> DeclareOptOut(const OptOutSpec& spec);
  size_t opt_out_count();

  // Records an assessment. When the source's failure rate exceeds the
  // policy's threshold it is blacklisted: later registrations from it get
  // SOURCE_BLACKLISTED (reject by default), and every earlier document from
  // it that was not rejected gets a re-evaluation entry with the policy's
  // earlier_documents verdict (FLAGGED by default), in `summary`.
  absl::StatusOr<LineageInfo<AssessmentEntry>> RecordSourceAssessment(const AssessmentSpec& spec,
                                                                      ReevaluationSummary* summary);
  // Judges every document of a dataset again under the current policy and
  // appends a re-evaluation entry for each whose verdict, reasons or policy
  // differ from its latest recorded verdict. The original entries are never
  // changed. NotFound for an unknown dataset.
  absl::StatusOr<ReevaluationSummary> ReevaluateDataset(const std::string& dataset_id);
  // The latest verdict of the document entry at `index` (its own, or the
  // latest re-evaluation's).
  absl::StatusOr<VerdictRecord> CurrentVerdict(uint64_t index);

  // Records a review (docs/reports.md §5). InvalidArgument naming the field
  // (reviewer, notes, document_index when the entry is not a document,
  // sample_tree_size when it is beyond the latest size or does not include
  // the document); NotFound when document_index is beyond the latest size.
  // Idempotent: the same review again returns the entry recorded first.
  absl::StatusOr<LineageInfo<ReviewEntry>> RecordReview(const ReviewSpec& spec);

  // Queues documents for the next group commit; `done` runs once they are
  // durable (or failed), on the ledger's committer thread.
  void RegisterAsync(std::vector<DocumentRegistration> docs,
                     std::function<void(RegisterOutcome)> done);
  RegisterOutcome Register(std::vector<DocumentRegistration> docs);

 private:
  Ledger* ledger_;
  const Clock* clock_;
  RegistryOptions options_;
  // What registration needs of a dataset, cached after the first lookup.
  struct DatasetDefaults {
    std::string intended_use;
    policy::SourceRecord source;
    bool sealed = false;
  };
  absl::StatusOr<DatasetDefaults> Defaults(const std::string& dataset_id);
  // The policy's verdict on `d`, whose source record with the dataset's
  // defaults merged in is `merged`.
  VerdictRecord Judge(const DocumentRegistration& d, const policy::SourceRecord& merged,
                      const std::string& intended_use, int64_t now) const;
  // Loads the opt-out declarations from the ledger once.
  absl::Status EnsureOptOutsLoaded();
  absl::StatusOr<VerdictRecord> RecordedVerdict(uint64_t index);

  absl::Status CheckOpen(const std::string& dataset_id, const DatasetDefaults& d);
  // Calls `fn` for each document of the dataset in ledger order, a page at a
  // time (memory bounded by the page).
  absl::Status ForEachDatasetDocument(
      const std::string& dataset_id,
      const std::function<void(const StoredEntry&, const DocumentEntry&)>& fn);
  absl::StatusOr<DatasetRef> SealedRef(const std::string& dataset_id, SealEntry* manifest);
  absl::StatusOr<bool> IsAncestor(const std::string& candidate, const std::string& of);

  const policy::Policy* policy_;
  std::mutex mu_;
  std::condition_variable in_flight_cv_;
  std::unordered_map<std::string, DatasetDefaults> known_datasets_;
  std::unordered_map<std::string, int> in_flight_;  // registrations queued, per dataset
  std::unordered_set<std::string> sealing_;
  std::unique_ptr<OptOutIndex> opt_outs_;
  std::unique_ptr<SourceBlacklist> blacklist_;
  std::mutex opt_out_load_mu_;
  bool opt_outs_loaded_ = false;
};

// Reassembles a document sent in parts and hashes it as it arrives (the
// content itself is never kept). One per registration stream.
class DocumentAssembler {
 public:
  explicit DocumentAssembler(Registry* registry) : registry_(registry) {}

  // Adds one part. Returns the finished document when `more` is false,
  // nullopt while more parts are expected. Errors (the stream should end):
  // InvalidArgument for a missing/changed dataset_id or an oversized
  // client_ref, NotFound for an unknown dataset, ResourceExhausted when the
  // document exceeds max_document_bytes.
  absl::StatusOr<std::optional<DocumentRegistration>> AddPart(const std::string& dataset_id,
                                                              const std::string& client_ref,
                                                              std::string_view content, bool more);
  // True while a document is partly received.
  bool in_progress() const { return in_progress_; }
  // The bytes of the current document held in memory (while it may still be
  // fingerprinted); 0 between documents.
  size_t buffered_bytes() const { return in_progress_ ? buffer_.size() : 0; }
  const std::string& current_ref() const { return current_.client_ref; }

 private:
  // Ends the document: its content id, and the fingerprints of `bytes`, the
  // whole content when `whole`, else only its head (typed, never as text).
  std::optional<DocumentRegistration> Finish(std::string_view bytes, bool whole);

  Registry* registry_;
  bool in_progress_ = false;
  DocumentRegistration current_;
  Sha256Hasher hasher_;
  std::string buffer_;  // the content while it may still be fingerprinted
  std::string head_;    // the first bytes, for the media type
  static constexpr size_t kHeadBytes = 64;
  bool buffering_ = false;
};

}  // namespace provledger

#endif  // PROVLEDGER_REGISTRY_H_
