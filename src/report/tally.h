// Streaming aggregation of a report's documents: one pass, memory bounded by
// the number of distinct values counted (license expressions, domains,
// crawlers, ...), never by the number of documents. Not thread-safe.
#ifndef PROVLEDGER_SRC_REPORT_TALLY_H_
#define PROVLEDGER_SRC_REPORT_TALLY_H_

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "provledger/entry.h"
#include "provledger/policy.h"

namespace provledger::report_internal {

// Documents and bytes, split by the verdict in force.
struct Count {
  uint64_t documents = 0, bytes = 0;
  std::array<uint64_t, 3> verdicts{};  // accepted, flagged, rejected
  void Add(uint64_t size, uint8_t verdict) {
    ++documents;
    bytes += size;
    ++verdicts[verdict - 1];
  }
  nlohmann::json ToJson() const;
};

class Tally {
 public:
  // One document: its entry, registration time, decoded source record (may
  // be default: nothing declared) and the verdict in force (1..3).
  void Add(uint64_t ledger_index, int64_t registered_us, const DocumentEntry& doc,
           const policy::SourceRecord& source, const VerdictRecord& verdict);
  // The report sections: "volume", "licensing", "evidence", "opt_out",
  // "verdicts", "crawled", "sources", "personal_information", "timeline".
  void WriteTo(nlohmann::json* report) const;

 private:
  Count total_;
  std::map<std::string, Count> by_category_, by_media_type_, by_language_;
  std::map<std::string, Count> by_class_, by_expression_;
  std::map<std::string, uint64_t> by_spdx_id_;
  std::map<std::string, std::vector<std::string>> expression_ids_;  // parse cache
  struct ReasonCount {
    std::array<uint64_t, 3> verdicts{};
    std::vector<uint64_t> examples;
  };
  std::map<std::string, ReasonCount> by_reason_;
  std::map<std::string, std::pair<uint64_t, uint64_t>>
      coverage_;                              // category -> (documents, complete)
  std::map<std::string, uint64_t> policies_;  // raw sha256 -> documents
  std::map<std::string, Count> signals_;
  Count with_signal_, registry_matches_;
  // Crawled data.
  Count crawled_;
  std::map<std::string, Count> domains_;
  std::map<std::string, uint64_t> crawlers_;
  int64_t collected_first_ = 0, collected_last_ = 0;
  uint64_t robots_checked_ = 0, tdmrep_checked_ = 0;
  // Other sources.
  struct OpenDataset {
    Count count;
    std::string url, version;
    std::set<std::string> licenses;
  };
  std::map<std::string, OpenDataset> open_datasets_;
  std::map<std::string, Count> counterparties_, generators_;
  uint64_t contracts_with_term_ = 0;
  uint64_t user_with_consent_ = 0;
  std::map<std::string, Count> personal_info_;
  uint64_t personal_with_basis_ = 0;
  std::map<std::string, Count> by_month_;
  int64_t registered_first_ = 0, registered_last_ = 0;
  int64_t month_day_ = 0;  // the day month_ was formatted for
  std::string month_;
};

}  // namespace provledger::report_internal

#endif  // PROVLEDGER_SRC_REPORT_TALLY_H_
