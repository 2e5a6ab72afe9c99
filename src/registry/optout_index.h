// The opt-out registry in memory: every do-not-train declaration, indexed by
// content id, normalised hash, LSH band and URL pattern / domain, so each
// registration is checked without reads. Loaded from the ledger on first use
// (about 1.2 KB per text work declared). Thread-safe.
#ifndef PROVLEDGER_SRC_REGISTRY_OPTOUT_INDEX_H_
#define PROVLEDGER_SRC_REGISTRY_OPTOUT_INDEX_H_

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "provledger/entry.h"
#include "provledger/fingerprint.h"
#include "provledger/policy.h"

namespace provledger {

class OptOutIndex {
 public:
  // Adds the declaration appended at `ledger_index`.
  void Add(uint64_t ledger_index, const OptOutEntry& e);
  // The declarations a document matches: same content id, same normalised
  // hash, a near-duplicate MinHash (shares an LSH band and the estimated
  // Jaccard reaches fingerprint::kNearDuplicateThreshold), or a URL pattern
  // or domain covering `url`. One match per declaration, the strongest.
  std::vector<policy::OptOutMatch> Match(const std::string& content_id,
                                         const fingerprint::TextFingerprints* text,
                                         const std::string& url) const;
  size_t size() const;

 private:
  struct Declaration {
    uint64_t ledger_index;
    std::string declarant;
    OptOutKind kind;
    std::string pattern;
    std::optional<fingerprint::MinHashSignature> minhash;
  };
  mutable std::shared_mutex mu_;
  std::vector<Declaration> declarations_;
  std::unordered_map<std::string, std::vector<size_t>> by_content_id_;
  std::unordered_map<std::string, std::vector<size_t>> by_normalized_hash_;
  std::unordered_map<uint64_t, std::vector<size_t>> by_band_;
  // URL patterns and domains, by the host they are confined to, so a URL is
  // compared only with the declarations of its own host and parent domains.
  std::unordered_map<std::string, std::vector<size_t>> by_host_;    // exact host
  std::unordered_map<std::string, std::vector<size_t>> by_domain_;  // and subdomains
  // Patterns declared before patterns had to name a host (older ledgers):
  // compared with every URL, as they were then. New ones are refused.
  std::vector<size_t> unindexed_;
};

// The literal host a URL pattern is confined to: "https://news.example.org/*"
// is {"news.example.org", false}, "https://*.example.org/a/*" is
// {"example.org", true} (that domain's subdomains). nullopt when the host
// part is not a literal host, optionally after "*." (a pattern such as
// "http*://*" would cover every site).
struct PatternHost {
  std::string host;  // lower case
  bool subdomains = false;
};
std::optional<PatternHost> UrlPatternHost(std::string_view pattern);

// The latest assessment of each source (domain or dataset name), so each
// registration is checked against the blacklist without reads. Thread-safe.
class SourceBlacklist {
 public:
  void Add(const AssessmentEntry& a);
  // Descriptions of the blacklisted sources covering a document with this
  // source URL (its host or a parent domain) or dataset name.
  std::vector<std::string> Match(const std::string& url, const std::string& dataset_name) const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, AssessmentEntry> domains_;
  std::unordered_map<std::string, AssessmentEntry> datasets_;
};

// Lower-case host of an absolute URL ("" if none).
std::string UrlHostOf(const std::string& url);
// "news.example.org" -> "org.example.news": index keys by reversed host put
// a domain and its subdomains under one prefix.
std::string ReversedHost(const std::string& host);

}  // namespace provledger

#endif  // PROVLEDGER_SRC_REGISTRY_OPTOUT_INDEX_H_
