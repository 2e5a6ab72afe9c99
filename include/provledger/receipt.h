// Signed match receipts (docs/receipts.md): what an IP holder attaches to a
// claim. A receipt states the query's fingerprints, each match with its
// evidence, every ledger entry it cites with an inclusion proof, and the
// signed checkpoint those proofs verify against; the whole is a C2SP signed
// note by the log's key. Verification is offline and trusts nothing but the
// verifier key: the checkpoint's signature, every proof, and every match's
// evidence recomputed from the cited entries' own fingerprints.
//
// Pure: no I/O, no storage (the CLI links it).
#ifndef PROVLEDGER_RECEIPT_H_
#define PROVLEDGER_RECEIPT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "provledger/fingerprint.h"
#include "provledger/note.h"

namespace provledger {

inline constexpr char kReceiptFormat[] = "provledger-match-receipt/v1";

// The query as fingerprinted by the server (never its text).
// A query is searched, and its receipt records it, by at most this many
// winnowing fingerprints: the first in text order (about 360,000 tokens of
// prose). So a receipt's query stays near 1 MiB whatever the work; excerpts
// beyond that part of a longer (or very repetitive) work are not searched.
inline constexpr size_t kMaxQueryWinnows = 32768;
// Cuts `winnows` to kMaxQueryWinnows; the count it had when cut, else 0.
uint64_t CapQueryWinnows(std::vector<fingerprint::WinnowFingerprint>* winnows);

struct ReceiptQuery {
  std::string content_id;  // 32 bytes
  uint64_t size_bytes = 0;
  std::string media_type;
  bool text = false;            // the fields below are set for text
  std::string normalized_hash;  // 16 bytes
  std::vector<uint32_t> minhash;
  std::vector<fingerprint::WinnowFingerprint> winnows;
  // When the work had more than kMaxQueryWinnows: how many (0 otherwise).
  uint64_t winnows_total = 0;
  uint64_t token_count = 0;
};

struct ReceiptSpan {
  uint32_t query_token_begin = 0, query_token_end = 0;
  uint32_t document_token_begin = 0;
  uint32_t fingerprints = 0;
};

struct ReceiptMatch {
  std::string kind;                   // "EXACT", "NORMALISED", "NEAR_DUPLICATE", "CONTAINED"
  uint64_t ledger_index = 0;          // the document entry
  uint32_t minhash_equal = 0;         // equal MinHash positions (of 128), text only
  uint32_t fingerprints_found = 0;    // distinct query winnowing hashes in the document
  std::vector<ReceiptSpan> spans;     // contained passages, longest first
  uint64_t dataset_index = 0;         // the dataset entry
  uint64_t verdict_index = 0;         // the entry recording the verdict in force
  std::vector<uint64_t> run_indices;  // training runs reached from the dataset
};

// A cited ledger entry and its RFC 9162 inclusion path in the checkpoint.
struct ReceiptEntry {
  uint64_t index = 0;
  std::string entry;  // canonical entry bytes
  std::vector<std::string> inclusion_proof;
};

struct Receipt {
  std::string origin;
  int64_t issued_us = 0;
  ReceiptQuery query;
  uint32_t near_duplicate_min_equal = 64;  // MinHash positions (of 128) a near duplicate needs
  std::vector<std::string> searched;       // kinds searched
  uint64_t tree_size = 0;
  std::string checkpoint;      // the signed checkpoint note
  uint64_t total_matches = 0;  // matches found; `matches` may hold fewer
  std::vector<ReceiptMatch> matches;
  std::vector<ReceiptEntry> entries;  // every entry the matches cite, by index
};

// The canonical body: one line of JSON (object keys sorted, no whitespace,
// integers only, bytes in base64) and a newline. Decode is strict: it
// accepts exactly what Encode writes (InvalidArgument otherwise).
std::string EncodeReceiptBody(const Receipt& r);
absl::StatusOr<Receipt> DecodeReceiptBody(std::string_view body);

// What VerifyReceipt established.
struct ReceiptCheck {
  Receipt receipt;
  Checkpoint checkpoint;
  bool content_checked = false;  // the query was recomputed from the work
};

// Verifies a signed receipt with `key` (the log's verifier key):
// PermissionDenied if the receipt or its checkpoint is not signed by it;
// DataLoss naming the defect if a proof fails, a cited entry does not say
// what the match claims, or the evidence does not recompute. With `work`
// (the queried bytes) the query's content id and fingerprints must also be
// recomputed exactly from it (text up to `max_text_bytes`).
absl::StatusOr<ReceiptCheck> VerifyReceipt(std::string_view signed_receipt,
                                           const NoteVerifierKey& key,
                                           std::optional<std::string_view> work = std::nullopt,
                                           uint64_t max_text_bytes = 16ull << 20);

}  // namespace provledger

#endif  // PROVLEDGER_RECEIPT_H_
