// The provledger CLI's commands. Online commands talk to provledgerd over
// gRPC; `verify ...` and `keygen` work offline with files and a verifier key.
// Every command returns a process exit code (0 ok, 1 failure/verification
// failed, 2 usage error) and prints errors on stderr.
#ifndef PROVLEDGER_TOOLS_CLI_COMMANDS_H_
#define PROVLEDGER_TOOLS_CLI_COMMANDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "provledger/note.h"

namespace provledger::cli {

struct RegisterArgs {
  std::string server;
  std::string dataset_id;
  std::vector<std::string> inputs;  // folders, files, or .jsonl files
  std::string receipts_out;         // JSONL receipts; empty = none
  bool jsonl = false;               // force JSONL parsing of files
  bool quiet = false;
  std::string source_file;    // source record JSON for every document (docs/policy.md)
  bool fingerprints = false;  // inputs are `fingerprint --format pb` files
};

struct DatasetArgs {
  std::string server;
  std::string name, version, description, owner, intended_use;
  std::string source_file;  // the dataset's default source record (JSON)
};

struct PolicyCheckArgs {
  std::vector<std::string> inputs;  // JSONL records {"ref", "source"} (text optional)
  std::string policy_file;          // empty = the built-in default
  std::string intended_use = "commercial";
  std::string defaults_file;  // a dataset default source record (JSON)
  std::string media_type;     // judged as this media type (noimageai)
};

struct FingerprintArgs {
  std::vector<std::string> inputs;  // folders, files, or .jsonl files
  std::string out;                  // output; empty or "-" = stdout
  std::string format = "jsonl";     // "jsonl" or "pb" (length-delimited records)
  bool jsonl = false;               // force JSONL parsing of files
  int threads = 0;                  // 0 = all cores
};

int CreateDataset(const DatasetArgs& args);

struct DeriveArgs {
  std::string server, dataset_id, transformation, description;
  std::vector<std::string> parents;
};
struct TrainingRunArgs {
  std::string server, name, version, description, start, end;  // times RFC 3339
  std::vector<std::string> datasets;
  bool commercial = false, public_cn = false, public_eu = false;
};
struct OptOutArgs {
  std::string server, declarant, reference, file, url_pattern, domain;
};
int DeclareOptOut(const OptOutArgs& args);
struct AssessArgs {
  std::string server, domain, dataset_name, assessor, phase, notes;
  uint64_t sample_size = 0, failures = 0;
};
int RecordSourceAssessment(const AssessArgs& args);
int ReevaluateDataset(const std::string& server, const std::string& dataset_id);
int SealDataset(const std::string& server, const std::string& dataset_id);
int DeriveDataset(const DeriveArgs& args);
int RegisterTrainingRun(const TrainingRunArgs& args);
// Offline: judges JSONL source records by a policy, one JSON verdict per line.
int PolicyCheck(const PolicyCheckArgs& args);
// Prints the built-in default policy.
int PolicyDefault();
int Register(const RegisterArgs& args);
int GetCheckpoint(const std::string& server, uint64_t size, const std::string& out);
int ShowVerifierKeys(const std::string& server);
int Entries(const std::string& server, uint64_t start, uint32_t count);
int Proof(const std::string& server, uint64_t index, uint64_t size, const std::string& out);
int Consistency(const std::string& server, uint64_t from, uint64_t to, const std::string& out);

int VerifyCheckpointFile(const std::string& file, const std::string& vkey);
int VerifyInclusionFile(const std::string& file, const std::string& vkey,
                        const std::string& content_file);
int VerifyConsistencyFiles(const std::string& old_cp, const std::string& new_cp,
                           const std::string& proof_file, const std::string& vkey);
int Fingerprint(const FingerprintArgs& args);
int Keygen(const std::string& name, const std::string& out);

// RFC 3339 -> Unix microseconds into *out (unchanged for ""); false after
// printing an error naming `flag`.
bool ParseTime(const std::string& s, const char* flag, int64_t* out);

// Queries (query_commands.cc). Output: a table, or with `json` one JSON
// object (the response in proto3 JSON form).
struct AsOfArgs {
  uint64_t tree_size = 0;  // 0 = unset
  std::string time;        // RFC 3339; "" = unset
};
struct LookupArgs {
  std::string server, content_id_hex, normalized_hash_hex, file;
  AsOfArgs as_of;
  uint32_t limit = 100;
  bool json = false;
};
int Lookup(const LookupArgs& args);
struct MatchArgs {
  std::string server, input;  // a file or "-"
  double min_jaccard = 0;
  std::vector<std::string> kinds;  // EXACT, NORMALISED, NEAR_DUPLICATE, CONTAINED
  AsOfArgs as_of;
  uint32_t limit = 50;
  bool json = false;
  std::string receipt_out;  // write the signed receipt here
};
int Match(const MatchArgs& args);
int DatasetLineage(const std::string& server, const std::string& dataset_id, const AsOfArgs& as_of,
                   bool json);
int ModelLineage(const std::string& server, const std::string& name, const std::string& version,
                 const AsOfArgs& as_of, bool json);
// Offline: verifies a receipt from `match --receipt` (and, with
// `content_file`, that it is the receipt of that work).
int VerifyReceiptFile(const std::string& file, const std::string& vkey,
                      const std::string& content_file);

// Reads a whole file (or stdin for "-"). NotFound if unreadable.
absl::StatusOr<std::string> ReadFile(const std::string& path);
// Writes `data` to `path` ("-" or empty = stdout).
absl::Status WriteOutput(const std::string& path, const std::string& data);
// A verifier key given literally or as @file / a file name holding one.
absl::StatusOr<std::string> ResolveVerifierKey(const std::string& arg);
// ResolveVerifierKey, parsed.
absl::StatusOr<NoteVerifierKey> LoadVerifierKey(const std::string& vkey);

// Filing reports (report_commands.cc).
struct ReportArgs {
  std::string server, model, version, out;
  std::vector<std::string> datasets;
  AsOfArgs as_of;
  uint64_t sample_tree_size = 0;  // 0 = the anchor
  uint32_t sample_size = 0;       // 0 = the server's default (4,000)
};
int GenerateReport(const ReportArgs& args);
struct ReviewArgs {
  std::string server, reviewer, notes, file;  // file: JSONL reviews
  uint64_t document_index = 0;
  bool pass = false, fail = false;
  uint64_t sample_tree_size = 0;
};
int RecordReviews(const ReviewArgs& args);
// Renders a report (verified first when `vkey` is given).
int RenderReport(const std::string& file, const std::string& format, const std::string& out,
                 const std::string& vkey);
// The sampled training documents of a report, one JSON object per line, for
// reviewers (verified first when `vkey` is given).
int ReportSample(const std::string& file, const std::string& vkey);
// Offline: signature, checkpoints, every proof, the sample re-derived.
int VerifyReportFile(const std::string& file, const std::string& vkey);

}  // namespace provledger::cli

#endif  // PROVLEDGER_TOOLS_CLI_COMMANDS_H_
