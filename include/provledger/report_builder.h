// Generates signed filing reports from the ledger (docs/reports.md). The
// pure side (sample procedure, verification, renderings) is report.h.
//
//   ReportBuilder builder(ledger, &lineage);
//   ReportSpec spec;
//   spec.model_name = "m"; spec.model_version = "1";
//   PL_ASSIGN_OR_RETURN(GeneratedReport r, builder.Generate(spec, now_us));
//
// One streaming pass over the documents of the report's dataset versions:
// memory is bounded by the sample (at most 2 x sample_size captured entries)
// and by the distinct values counted (license expressions, domains, ...),
// not by the number of documents.
//
// Thread-safety: Generate may be called concurrently. The ledger and the
// lineage queries are not owned and must outlive the builder.
#ifndef PROVLEDGER_REPORT_BUILDER_H_
#define PROVLEDGER_REPORT_BUILDER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "provledger/ledger.h"
#include "provledger/lineage.h"
#include "provledger/report.h"

namespace provledger::report {

struct ReportSpec {
  // The subject: a model version (its training runs' dataset versions), or
  // a list of sealed dataset versions. Exactly one of the two.
  std::string model_name, model_version;
  std::vector<std::string> dataset_ids;
  AsOfSpec as_of;  // the anchor (default: the latest checkpoint)
  // The checkpoint whose root hash seeds the audit sample (default: the
  // anchor). Naming an earlier report's anchor keeps its sample, so reviews
  // recorded since are counted.
  std::optional<uint64_t> sample_tree_size;
  uint64_t sample_size = kDefaultSampleSize;
};

struct GeneratedReport {
  std::string signed_report;  // C2SP signed note; its body is the canonical JSON
  uint64_t tree_size = 0;     // the anchor
  uint64_t documents = 0;
  uint64_t sampled = 0;  // training documents in the sample
  uint64_t reviewed = 0;
};

class ReportBuilder {
 public:
  ReportBuilder(Ledger* ledger, LineageQueries* lineage) : ledger_(ledger), lineage_(lineage) {}

  // InvalidArgument naming the field for a bad subject or sample size;
  // NotFound for an unknown model version or dataset; FailedPrecondition
  // for a dataset not sealed at the anchor or a sample checkpoint that
  // precedes a seal; OutOfRange for an anchor or sample checkpoint beyond
  // the latest; DataLoss if a manifest does not recompute from the entries.
  absl::StatusOr<GeneratedReport> Generate(const ReportSpec& spec, int64_t now_us);

 private:
  Ledger* ledger_;
  LineageQueries* lineage_;
};

}  // namespace provledger::report

#endif  // PROVLEDGER_REPORT_BUILDER_H_
