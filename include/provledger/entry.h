// The canonical, versioned byte encoding of ledger entries (format v1).
// docs/ledger-format.md is the normative description; this header is its
// implementation. The leaf hash of an entry is SHA-256(0x00 || Encode(entry)).
//
//   DocumentEntry d{.dataset_id = "ds_...", .content_id = cid, .size_bytes = n};
//   std::string bytes = EncodeDocumentEntry(d, now_micros);
//   PL_ASSIGN_OR_RETURN(DecodedEntry e, DecodeEntry(bytes));
//
// Layout: version (u8 = 1) | type (u8) | timestamp_us (u64 BE) | fields,
// where fields are (tag u16 BE, length u32 BE, value) in strictly ascending
// tag order, each non-empty. Encoding is a function of the values: one value,
// one byte string. Decoding rejects anything an encoder would not produce.
// All functions are pure and thread-safe.
#ifndef PROVLEDGER_ENTRY_H_
#define PROVLEDGER_ENTRY_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace provledger {

inline constexpr uint8_t kEntryFormatVersion = 1;

enum class EntryType : uint8_t {
  kDatasetCreated = 1,
  kDocumentRegistered = 2,
  kDatasetSealed = 3,   // a dataset version's manifest
  kDatasetDerived = 4,  // a derivation edge set (child <- parents)
  kTrainingRun = 5,     // a model version trained on sealed dataset versions
  kOptOutDeclared = 6,  // a rights holder's do-not-train declaration
  kSourceAssessed = 7,  // a sampling assessment of a source (TC260-003)
  kReevaluated = 8,     // a new verdict for an earlier document entry
  kReviewRecorded = 9,  // a reviewer's judgement of a sampled document (docs/reports.md)
};

// Field tags of a dataset entry.
enum DatasetTag : uint16_t {
  kDatasetTagId = 1,
  kDatasetTagName = 2,
  kDatasetTagVersion = 3,
  kDatasetTagDescription = 4,
  kDatasetTagOwner = 5,
  kDatasetTagIntendedUse = 6,
  kDatasetTagDefaultSource = 7,  // canonical source record (source_record_codec.h)
};

// Field tags of a document entry.
enum DocumentTag : uint16_t {
  kDocumentTagDatasetId = 1,
  kDocumentTagContentId = 2,
  kDocumentTagSize = 3,
  kDocumentTagClientRef = 4,
  // Fingerprints (docs/fingerprints.md); all optional.
  kDocumentTagMediaType = 16,
  kDocumentTagFingerprintOrigin = 17,
  kDocumentTagNormalizedHash = 18,
  kDocumentTagMinHash = 19,
  kDocumentTagTokenCount = 20,
  kDocumentTagWinnows = 21,  // version u8, then (hash u64 BE, token index u32 BE)*
  // u64 BE: how many fingerprints the text had, when tag 21 holds only the
  // first kMaxStoredWinnows of them (absent otherwise).
  kDocumentTagWinnowsTotal = 22,
  // Source, license and the policy verdict (docs/policy.md); present together.
  kDocumentTagSource = 32,        // canonical source record, dataset defaults merged in
  kDocumentTagLicense = 33,       // canonical SPDX expression
  kDocumentTagLicenseClass = 34,  // u8, spdx::LicenseClass
  kDocumentTagVerdict = 35,       // u8: 1 accepted, 2 flagged, 3 rejected
  kDocumentTagReasons = 36,       // (severity u8, code u16-len, message u16-len)*
  kDocumentTagPolicySha256 = 37,  // SHA-256 of the policy file in force
  kDocumentTagIntendedUse = 38,   // the use the verdict was reached for
};

// Who computed an entry's fingerprints.
enum class FingerprintOrigin : uint8_t {
  kServer = 1,  // from the content the server received
  kClient = 2,  // supplied by the pipeline (content never sent)
};

// The text fingerprints recorded in a document entry. Versions are those of
// docs/fingerprints.md; values are kept as the bytes the entry holds.
struct TextFingerprintRecord {
  FingerprintOrigin origin = FingerprintOrigin::kServer;
  uint8_t normalization_version = 0;
  std::string normalized_hash;  // 16 bytes (XXH3-128, canonical)
  uint8_t minhash_version = 0;
  std::vector<uint32_t> minhash;  // 128 values
  uint64_t token_count = 0;
  // The winnowing fingerprints in text order (repeats kept); empty for a
  // text without tokens and in entries written before tag 21 existed.
  struct Winnow {
    uint64_t hash = 0;
    uint32_t token_index = 0;
  };
  uint8_t winnow_version = 0;
  std::vector<Winnow> winnows;
  // When greater than winnows.size(): the text had this many fingerprints
  // and `winnows` holds the first kMaxStoredWinnows (CapStoredWinnows).
  uint64_t winnows_total = 0;
};

// An entry stores at most this many winnowing fingerprints (1.5 MiB), so
// every entry stays fetchable by a client with gRPC's default 4 MiB limit,
// whatever the document: the first ones in text order. A text with more
// (a very long or very repetitive document) is matched as an excerpt only
// within the part they cover (docs/ledger-format.md, tag 22).
inline constexpr size_t kMaxStoredWinnows = 131072;
// Cuts `t`'s winnowing list to kMaxStoredWinnows, recording the total.
void CapStoredWinnows(TextFingerprintRecord* t);

struct DatasetEntry {
  std::string dataset_id;
  std::string name;
  std::string version;
  std::string description;     // optional
  std::string owner;           // optional
  std::string intended_use;    // optional ("commercial", "research", ...)
  std::string default_source;  // optional canonical source record
};

// One reason of a verdict, as stored.
struct ReasonRecord {
  uint8_t severity = 2;  // 2 flag, 3 reject
  std::string code;
  std::string message;
};

// The policy's decision on a document, as stored in its entry.
struct VerdictRecord {
  std::string source;                 // canonical source record (may be empty: nothing declared)
  std::string license;                // canonical SPDX expression, may be empty
  uint8_t license_class = 0;          // spdx::LicenseClass when license is set
  uint8_t verdict = 1;                // 1 accepted, 2 flagged, 3 rejected
  std::vector<ReasonRecord> reasons;  // in evaluation order
  std::string policy_sha256;          // 32 bytes
  std::string intended_use;
};

struct DocumentEntry {
  std::string dataset_id;
  std::string content_id;  // SHA-256 of the raw bytes, 32 bytes
  uint64_t size_bytes = 0;
  std::string client_ref;                     // optional
  std::string media_type;                     // optional
  std::optional<TextFingerprintRecord> text;  // text documents only
  std::optional<VerdictRecord> verdict;       // when a policy judged it
};

// A sealed dataset version (docs/ledger-format.md, "Manifest entry").
struct SealEntry {
  std::string dataset_id;
  uint64_t ledger_size = 0;     // tree size when sealed: every document below it
  uint64_t document_count = 0;  // documents registered into the dataset
  uint64_t total_bytes = 0;
  std::array<uint64_t, 3> verdicts{};         // accepted, flagged, rejected
  std::array<uint64_t, 9> license_classes{};  // [0] no license, [c] spdx::LicenseClass c
  // RFC 6962 root over the documents' leaf hashes in ledger order (the
  // documents as a log of their own); SHA-256("") for an empty dataset.
  std::string manifest_root;
};

// A reference to a sealed dataset version.
struct DatasetRef {
  std::string dataset_id;
  std::string manifest_root;  // 32 bytes
};

struct DerivationEntry {
  std::string dataset_id;           // the derived (child) dataset
  std::vector<DatasetRef> parents;  // sealed parent versions
  std::string transformation;       // filter, deduplicate, mix, sample, annotate, other
  std::string description;
  std::optional<VerdictRecord> verdict;  // license inheritance check
};

struct TrainingRunEntry {
  std::string model_name;
  std::string model_version;
  std::vector<DatasetRef> datasets;  // sealed versions used
  int64_t training_start_us = 0;
  int64_t training_end_us = 0;
  // Deployment: bit 0 commercial, bit 1 public in China, bit 2 public in the EU.
  uint8_t deployment = 0;
  std::string description;
  std::optional<VerdictRecord> verdict;  // run-level policy evaluation
};

// A do-not-train declaration (docs/policy.md, "Opt-out registry"): a work,
// by its fingerprints, or a URL pattern or domain.
enum class OptOutKind : uint8_t { kWork = 1, kUrlPattern = 2, kDomain = 3 };
struct OptOutEntry {
  std::string declarant;  // who declared it
  std::string reference;  // their reference (a URL, a registry id), optional
  OptOutKind kind = OptOutKind::kWork;
  // kWork: the work's content id and, for text, its fingerprints.
  std::string content_id;
  std::optional<TextFingerprintRecord> text;
  // kUrlPattern (glob) or kDomain (the host and its subdomains).
  std::string pattern;
};

// A sampling assessment of a source: a domain or a dataset name.
enum class SourceKind : uint8_t { kDomain = 1, kDatasetName = 2 };
struct AssessmentEntry {
  SourceKind kind = SourceKind::kDomain;
  std::string source;  // lower case
  uint64_t sample_size = 0;
  uint64_t failures = 0;  // illegal or harmful items in the sample
  std::string assessor;
  std::string phase;  // "before_collection" or "after_collection"
  std::string notes;
  bool blacklisted = false;  // over the policy's threshold
  std::string policy_sha256;
};

// A document's verdict reached again (a new policy, a blacklisted source).
// The original entry is never changed; the latest re-evaluation wins.
struct ReevaluationEntry {
  uint64_t document_index = 0;
  uint8_t previous_verdict = 0;
  std::string cause;      // "policy" or "source_assessment"
  VerdictRecord verdict;  // verdict, reasons, policy_sha256 (+ intended use)
};

// A reviewer's pass/fail judgement of a document drawn into a report's audit
// sample (TC260-003 manual sampling). Several may exist for one document; the
// latest below a report's anchor is the one in force.
struct ReviewEntry {
  uint64_t document_index = 0;
  std::string reviewer;
  bool passed = false;
  std::string notes;              // optional
  uint64_t sample_tree_size = 0;  // the sample checkpoint it was drawn in; 0 = not stated
};

std::string EncodeReviewEntry(const ReviewEntry& r, int64_t timestamp_us);
std::string EncodeDatasetEntry(const DatasetEntry& d, int64_t timestamp_us);
std::string EncodeAssessmentEntry(const AssessmentEntry& a, int64_t timestamp_us);
std::string EncodeReevaluationEntry(const ReevaluationEntry& r, int64_t timestamp_us);
std::string EncodeOptOutEntry(const OptOutEntry& o, int64_t timestamp_us);
std::string EncodeSealEntry(const SealEntry& s, int64_t timestamp_us);
std::string EncodeDerivationEntry(const DerivationEntry& d, int64_t timestamp_us);
std::string EncodeTrainingRunEntry(const TrainingRunEntry& r, int64_t timestamp_us);
std::string EncodeDocumentEntry(const DocumentEntry& d, int64_t timestamp_us);

// A structurally valid entry of any type; `fields` keeps unknown tags too, so
// a v1 reader can show entries written by a newer v1 writer.
struct DecodedEntry {
  uint8_t version = 0;
  EntryType type = EntryType::kDocumentRegistered;
  int64_t timestamp_us = 0;
  std::map<uint16_t, std::string> fields;
};

// InvalidArgument naming the defect if `bytes` is not a canonical v1 entry.
absl::StatusOr<DecodedEntry> DecodeEntry(std::string_view bytes);
// The text fingerprints of a document entry, decoding nothing else (the
// posting indexer reads every entry for these): nullopt for other entry
// types and for documents without them. The entry's structure and these
// fields are checked as DecodeEntry and AsDocumentEntry check them.
absl::StatusOr<std::optional<TextFingerprintRecord>> DecodeDocumentFingerprints(
    std::string_view bytes);
// Typed views. InvalidArgument if the type is wrong or a required field is
// missing or malformed.
absl::StatusOr<DatasetEntry> AsDatasetEntry(const DecodedEntry& e);
absl::StatusOr<DocumentEntry> AsDocumentEntry(const DecodedEntry& e);
absl::StatusOr<SealEntry> AsSealEntry(const DecodedEntry& e);
absl::StatusOr<DerivationEntry> AsDerivationEntry(const DecodedEntry& e);
absl::StatusOr<TrainingRunEntry> AsTrainingRunEntry(const DecodedEntry& e);
absl::StatusOr<OptOutEntry> AsOptOutEntry(const DecodedEntry& e);
absl::StatusOr<AssessmentEntry> AsAssessmentEntry(const DecodedEntry& e);
absl::StatusOr<ReevaluationEntry> AsReevaluationEntry(const DecodedEntry& e);
// The verdict in force after re-evaluation `r` of a document whose own
// verdict is `own`: a re-evaluation records the verdict, reasons and policy;
// source, license and license class stay the document's.
VerdictRecord VerdictAfter(const VerdictRecord& own, ReevaluationEntry r);
absl::StatusOr<ReviewEntry> AsReviewEntry(const DecodedEntry& e);

}  // namespace provledger

#endif  // PROVLEDGER_ENTRY_H_
