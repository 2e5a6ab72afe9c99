// Filing reports (docs/reports.md): a model version's (or a set of dataset
// versions') training data as the ledger records it -- volume, licensing,
// legitimacy evidence, opt-out compliance, verdicts, crawled domains -- with a
// reproducible audit sample, as canonical JSON signed by the log's key.
//
// This header is the pure part the CLI links: the sample procedure, offline
// verification and the renderings. The server side that reads the ledger is
// report_builder.h.
#ifndef PROVLEDGER_REPORT_H_
#define PROVLEDGER_REPORT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "provledger/note.h"

namespace provledger::report {

inline constexpr char kReportFormat[] = "provledger-filing-report/v1";
inline constexpr char kSampleProcedure[] = "provledger-sample/v1";
// TC260-003: at least 4,000 items sampled by hand; at least 96% must pass.
inline constexpr uint64_t kDefaultSampleSize = 4000;
inline constexpr uint64_t kPassBarPermille = 960;

// The sample procedure provledger-sample/v1 (docs/reports.md §4): draw j
// (j = 0, 1, ...) takes x = the first 8 bytes (big-endian) of
// SHA-256("provledger-sample/v1\n" || seed || u64be(j)); x below 2^64 mod
// `population` is discarded (no modulo bias), otherwise position x mod
// `population` is drawn unless it was drawn before. Returns the first
// min(max_draws, population) distinct positions in draw order. Pure.
std::vector<uint64_t> DrawSample(std::string_view seed, uint64_t population, uint64_t max_draws);

// The most draws the procedure makes: min(population, 2 x requested); the
// sample is the draws up to the `requested`-th training document.
inline uint64_t MaxDraws(uint64_t population, uint64_t requested) {
  return population < 2 * requested ? population : 2 * requested;
}

// The review status of a sample (docs/reports.md §5): NOT_REVIEWED,
// INCOMPLETE, MEETS_BAR (passed >= 96% of the sampled) or BELOW_BAR.
std::string ReviewStatus(uint64_t sampled, uint64_t reviewed, uint64_t passed);

// What VerifyReport established.
struct ReportCheck {
  std::string body;  // the canonical JSON
  Checkpoint anchor;
  uint64_t entries_proven = 0;  // cited entries whose inclusion proofs held
  uint64_t sampled = 0;         // sampled documents that are training data
  uint64_t excluded = 0;        // drawn documents that were rejected
  uint64_t reviewed = 0, passed = 0;
};

// Verifies a signed report with the log's verifier key, offline:
// PermissionDenied if the report, its anchor or its sample checkpoint is not
// signed by `key`; InvalidArgument if the body is not a canonical report;
// DataLoss naming the defect if a proof fails, a cited entry does not say
// what the report states, a dataset's totals differ from its manifest, the
// sample is not the one the procedure draws, or the review tally does not
// recompute.
absl::StatusOr<ReportCheck> VerifyReport(std::string_view signed_report,
                                         const NoteVerifierKey& key);

// The signed report's body (no verification).
absl::StatusOr<std::string> ReportBody(std::string_view signed_report);

// Renderings of a report body (canonical JSON). InvalidArgument if the body
// is not a report.
enum class Rendering {
  kHtml,           // self-contained page with inline SVG charts
  kSpdx,           // SPDX 3.0 JSON-LD, AI and Dataset profiles
  kCycloneDx,      // CycloneDX 1.6 ML-BOM
  kCroissant,      // MLCommons Croissant 1.0 JSON-LD with RAI fields
  kAb2013,         // California AB 2013 disclosure fields, JSON
  kEuSummaryJson,  // EU AI Act public summary template, JSON
  kEuSummaryMarkdown,
};
// "html", "spdx", "cyclonedx", "croissant", "ab2013", "eu-summary-json",
// "eu-summary-md".
absl::StatusOr<Rendering> ParseRendering(std::string_view name);
absl::StatusOr<std::string> Render(std::string_view body, Rendering rendering);

}  // namespace provledger::report

#endif  // PROVLEDGER_REPORT_H_
