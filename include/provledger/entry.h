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
};

// Field tags of a dataset entry.
enum DatasetTag : uint16_t {
  kDatasetTagId = 1,
  kDatasetTagName = 2,
  kDatasetTagVersion = 3,
  kDatasetTagDescription = 4,
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
};

struct DatasetEntry {
  std::string dataset_id;
  std::string name;
  std::string version;
  std::string description;  // optional
};

struct DocumentEntry {
  std::string dataset_id;
  std::string content_id;  // SHA-256 of the raw bytes, 32 bytes
  uint64_t size_bytes = 0;
  std::string client_ref;                     // optional
  std::string media_type;                     // optional
  std::optional<TextFingerprintRecord> text;  // text documents only
};

std::string EncodeDatasetEntry(const DatasetEntry& d, int64_t timestamp_us);
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
// Typed views. InvalidArgument if the type is wrong or a required field is
// missing or malformed.
absl::StatusOr<DatasetEntry> AsDatasetEntry(const DecodedEntry& e);
absl::StatusOr<DocumentEntry> AsDocumentEntry(const DecodedEntry& e);

}  // namespace provledger

#endif  // PROVLEDGER_ENTRY_H_
