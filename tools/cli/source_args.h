// Source records on the command line: JSON files (docs/policy.md, "Source
// records in JSON") and their wire form.
#ifndef PROVLEDGER_TOOLS_CLI_SOURCE_ARGS_H_
#define PROVLEDGER_TOOLS_CLI_SOURCE_ARGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "provledger/policy.h"
#include "provledger/v1/source.pb.h"

namespace provledger::cli {

// Reads and checks a source record JSON file. InvalidArgument "<path>: <field> ..."
// for a malformed file; NotFound if it cannot be read.
absl::StatusOr<policy::SourceRecord> LoadSourceFile(const std::string& path);

// The proto form (src/service/source_proto.h).
v1::SourceRecord ToProto(const policy::SourceRecord& r);

}  // namespace provledger::cli

#endif  // PROVLEDGER_TOOLS_CLI_SOURCE_ARGS_H_
