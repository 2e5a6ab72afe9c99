// What `register` and `fingerprint` read: folders, files and JSONL shards.
#ifndef PROVLEDGER_TOOLS_CLI_INPUTS_H_
#define PROVLEDGER_TOOLS_CLI_INPUTS_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "provledger/policy.h"

namespace provledger::cli {

struct InputFile {
  std::filesystem::path path;
  std::string ref;  // path relative to the folder given, or the file name
  bool jsonl = false;
};

// Expands each input: a folder recursively (regular files, in name order), a
// file as itself. A file is JSONL if it ends in ".jsonl" or `force_jsonl`.
// InvalidArgument naming the input if it is neither a file nor a folder.
absl::StatusOr<std::vector<InputFile>> ExpandInputs(const std::vector<std::string>& inputs,
                                                    bool force_jsonl);

struct JsonlRecord {
  std::string ref;  // "ref", or "<file ref>:<line>" when absent
  std::string text;
  // The record's "source" object (docs/policy.md), when present.
  std::optional<policy::SourceRecord> source;
};

// Parses line `line_no` of a JSONL shard: nullopt for a blank line;
// InvalidArgument "<path>:<line>: expected ..." when it is not a
// {"ref": ..., "text": ..., "source": {...}} object, or its "source" is
// malformed (the field is named).
absl::StatusOr<std::optional<JsonlRecord>> ParseJsonlLine(const std::string& line,
                                                          const InputFile& file, uint64_t line_no);

}  // namespace provledger::cli

#endif  // PROVLEDGER_TOOLS_CLI_INPUTS_H_
