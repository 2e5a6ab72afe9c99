// What `register` and `fingerprint` read: folders, files and JSONL shards.
#ifndef PROVLEDGER_TOOLS_CLI_INPUTS_H_
#define PROVLEDGER_TOOLS_CLI_INPUTS_H_

#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
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

// A JSONL line longer than this is refused rather than read into memory
// whole (a line is one document and its source record, JSON-escaped).
inline constexpr size_t kMaxJsonlLineBytes = size_t{256} << 20;
// JSON nested deeper than this is refused before it is parsed (the JSON
// library serialises recursively).
inline constexpr int kMaxJsonDepth = 64;

enum class LineRead { kLine, kEnd, kTooLong };
// Reads the next line of `in` into *line (without its newline), at most
// kMaxJsonlLineBytes; kTooLong skips the rest of that line.
LineRead ReadJsonlLine(std::istream& in, std::string* line);
// Whether `json` nests arrays and objects at most `max_depth` deep
// (strings are skipped; the text need not be valid JSON).
bool JsonDepthWithin(std::string_view json, int max_depth);

struct JsonlRecord {
  std::string ref;  // "ref", or "<file ref>:<line>" when absent
  std::string text;
  // The record's "source" object (docs/policy.md), when present.
  std::optional<policy::SourceRecord> source;
};

// Parses line `line_no` of a JSONL shard: nullopt for a blank line;
// InvalidArgument "<path>:<line>: expected ..." when it is not a
// {"ref": ..., "text": ..., "source": {...}} object, nests deeper than
// kMaxJsonDepth, or its "source" is malformed (the field is named).
absl::StatusOr<std::optional<JsonlRecord>> ParseJsonlLine(const std::string& line,
                                                          const InputFile& file, uint64_t line_no);

}  // namespace provledger::cli

#endif  // PROVLEDGER_TOOLS_CLI_INPUTS_H_
