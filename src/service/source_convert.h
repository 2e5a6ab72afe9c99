// provledger.v1.SourceRecord <-> policy::SourceRecord, and verdicts into
// receipts. Unknown enum numbers (proto3 keeps them) are InvalidArgument
// naming the field.
#ifndef PROVLEDGER_SRC_SERVICE_SOURCE_CONVERT_H_
#define PROVLEDGER_SRC_SERVICE_SOURCE_CONVERT_H_

#include <string>

#include "absl/status/statusor.h"
#include "provledger/entry.h"
#include "provledger/policy.h"
#include "provledger/v1/registry.pb.h"
#include "provledger/v1/source.pb.h"

namespace provledger::service {

absl::StatusOr<policy::SourceRecord> FromProto(const v1::SourceRecord& p,
                                               const std::string& field_prefix);

// Sets the verdict, reasons, license, license class and policy hash of `r`.
void SetVerdict(const VerdictRecord& v, v1::DocumentReceipt* r);

}  // namespace provledger::service

#endif  // PROVLEDGER_SRC_SERVICE_SOURCE_CONVERT_H_
