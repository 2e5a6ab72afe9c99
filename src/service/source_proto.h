// provledger.v1.SourceRecord <-> policy::SourceRecord: proto and policy
// only, so the CLI shares it with the services. Unknown enum numbers (proto3
// keeps them) are InvalidArgument naming the field.
#ifndef PROVLEDGER_SRC_SERVICE_SOURCE_PROTO_H_
#define PROVLEDGER_SRC_SERVICE_SOURCE_PROTO_H_

#include <string>

#include "absl/status/statusor.h"
#include "provledger/policy.h"
#include "provledger/v1/source.pb.h"

namespace provledger::service {

absl::StatusOr<policy::SourceRecord> FromProto(const v1::SourceRecord& p,
                                               const std::string& field_prefix);
void ToProto(const policy::SourceRecord& r, v1::SourceRecord* p);

}  // namespace provledger::service

#endif  // PROVLEDGER_SRC_SERVICE_SOURCE_PROTO_H_
