// Encodings of a SourceRecord (include/provledger/policy.h):
// * canonical bytes, stored in ledger entries (docs/ledger-format.md,
//   "Source records"): (tag u16 BE, length u32 BE, value) in strictly
//   ascending tag order, empty values omitted; one record, one byte string;
// * JSON, as the CLI reads it (docs/policy.md, "Source records in JSON").
// Pure and thread-safe.
#ifndef PROVLEDGER_SOURCE_RECORD_CODEC_H_
#define PROVLEDGER_SOURCE_RECORD_CODEC_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "provledger/policy.h"

namespace provledger::policy {

std::string EncodeSourceRecord(const SourceRecord& r);
// InvalidArgument if `bytes` is not exactly what EncodeSourceRecord writes.
absl::StatusOr<SourceRecord> DecodeSourceRecord(std::string_view bytes);

// Parses a JSON object (text). Unknown keys, wrong types, unknown enum names,
// malformed RFC 3339 times or hex hashes are InvalidArgument naming the key
// (prefixed with `field_prefix`). Does not run ValidateSourceRecord.
absl::StatusOr<SourceRecord> SourceRecordFromJson(std::string_view json_text,
                                                  std::string_view field_prefix = "source.");
// The JSON form (keys in a fixed order; empty values omitted).
std::string SourceRecordToJson(const SourceRecord& r);

}  // namespace provledger::policy

#endif  // PROVLEDGER_SOURCE_RECORD_CODEC_H_
