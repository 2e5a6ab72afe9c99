// Source legitimacy and licensing policy (docs/policy.md): pure rules over a
// document's source record → verdict ACCEPTED / FLAGGED / REJECTED with
// machine-readable reasons. No I/O: a policy is parsed from the bytes of its
// JSON file, whose SHA-256 identifies it in every verdict.
//
//   PL_ASSIGN_OR_RETURN(Policy p, Policy::Parse(file_bytes));
//   Decision d = p.Evaluate(record, {.intended_use = "commercial"});
//
// Thread-safe after construction.
#ifndef PROVLEDGER_POLICY_H_
#define PROVLEDGER_POLICY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "provledger/spdx.h"

namespace provledger::policy {

enum class SourceCategory : uint8_t {
  kUnspecified = 0,
  kOpenSourceDataset = 1,
  kSelfCollected = 2,
  kCommercialLicensed = 3,
  kUserProvided = 4,
  kSynthetic = 5,
  kOther = 6,
};
// "OPEN_SOURCE_DATASET", ... (the proto enum names without prefix).
std::string_view SourceCategoryName(SourceCategory c);
std::optional<SourceCategory> ParseSourceCategory(std::string_view name);

// A tri-state observation: not checked / allowed / forbidden.
enum class Signal : uint8_t { kNotObserved = 0, kAllowed = 1, kForbidden = 2 };

// Opt-out signals observed when a document was collected, as recorded facts.
struct OptOutSignals {
  Signal robots_txt = Signal::kNotObserved;       // RFC 9309 rules for the agent
  std::string robots_txt_sha256;                  // 32 bytes when fetched
  bool x_robots_noai = false;                     // X-Robots-Tag / meta "noai"
  bool x_robots_noimageai = false;                // ... "noimageai"
  Signal tdm_reservation = Signal::kNotObserved;  // W3C TDMRep: kForbidden = reserved (1)
  std::string tdm_policy;                         // tdm-policy URL, if any
  std::string tdmrep_sha256;
  Signal content_signal_ai_train = Signal::kNotObserved;  // Content-Signal: ai-train=yes|no
  Signal ai_txt = Signal::kNotObserved;
  std::string ai_txt_sha256;
  // C2PA/CAWG training-mining assertion: "allowed", "notAllowed",
  // "constrained" (counts as not allowed), or empty.
  std::string c2pa_training_mining;
};

enum class PersonalInfo : uint8_t { kUnspecified = 0, kNone = 1, kPersonal = 2, kSensitive = 3 };

// Everything a registration says about where a document came from.
struct SourceRecord {
  SourceCategory category = SourceCategory::kUnspecified;
  std::string license;  // SPDX expression
  // OPEN_SOURCE_DATASET
  std::string dataset_name, dataset_url, dataset_version;
  // SELF_COLLECTED (and the URL of any document)
  std::string url;
  int64_t collected_at_micros = 0;
  std::string crawler_agent;
  OptOutSignals signals;
  // COMMERCIAL_LICENSED
  std::string counterparty, contract_ref, licensed_scope;
  int64_t contract_start_micros = 0, contract_end_micros = 0;
  // USER_PROVIDED
  std::string consent_ref, consent_scope;
  // SYNTHETIC
  std::string generator_model, generator_provenance_ref;
  // Personal information
  PersonalInfo personal_info = PersonalInfo::kUnspecified;
  std::string consent_basis;
  // The document's language as a BCP 47 tag ("en", "zh-Hans", "pt-BR").
  std::string language;
};

// URL helpers shared by the policy and the registry's source matching.
// The lower-case host of an absolute URL ("" if it has none).
std::string UrlHost(std::string_view url);
// Glob match: '*' any run (including '/'), '?' one byte; case-sensitive.
bool GlobMatch(std::string_view pattern, std::string_view text);
// Whether `host` is `domain` or one of its subdomains (both lower case).
bool DomainCovers(std::string_view domain, std::string_view host);
// Whether `domain` (lower-case ASCII, IDNs in punycode) is a public suffix
// under the Public Suffix List as packaged by Debian (libpsl's built-in
// list): "com", "co.uk", "github.io". A declaration or assessment of one
// would cover every registrant under it. Names the list does not know
// ("localhost", "intranet") are not public suffixes.
bool IsPublicSuffix(std::string_view domain);

// Fills every field `doc` leaves empty/unspecified from `defaults` (the
// dataset's default source record): document values override.
SourceRecord MergeDefaults(const SourceRecord& defaults, const SourceRecord& doc);

// InvalidArgument naming the field (prefixed with `field_prefix`) for input
// that is malformed rather than merely missing: invalid UTF-8 or control
// characters, oversized text (> 2048 bytes, URLs > 4096), a hash that is not
// 32 bytes, an unknown C2PA value, a contract ending before it starts, or a
// license that is not a well-formed SPDX expression.
absl::Status ValidateSourceRecord(const SourceRecord& r, std::string_view field_prefix);

enum class Verdict : uint8_t { kAccepted = 1, kFlagged = 2, kRejected = 3 };
std::string_view VerdictName(Verdict v);  // "ACCEPTED", "FLAGGED", "REJECTED"

struct Reason {
  std::string code;     // e.g. "MISSING_EVIDENCE", "LICENSE_CLASS", "OPT_OUT_ROBOTS_TXT"
  std::string message;  // for people
  Verdict severity = Verdict::kFlagged;
};

struct Decision {
  Verdict verdict = Verdict::kAccepted;
  std::vector<Reason> reasons;    // in evaluation order; empty when accepted
  std::string license_canonical;  // empty when no license was given
  spdx::LicenseClass license_class = spdx::LicenseClass::kUnknown;
};

// A registration matching an opt-out declaration (docs/policy.md §7).
struct OptOutMatch {
  uint64_t declaration_index = 0;  // ledger index of the declaration
  std::string declarant;
  // "content_id", "normalized_hash", "near_duplicate", "url_pattern", "domain"
  std::string how;
};

struct EvaluationContext {
  // The use the dataset is intended for, a key of the policy's
  // "license_classes" ("commercial", "research", ...).
  std::string intended_use = "commercial";
  // Registration time (contract terms are checked against it; 0 = skip).
  int64_t now_micros = 0;
  // The document's media type (noimageai applies to images).
  std::string media_type;
  // Opt-out declarations the document matches (found by the registry).
  std::vector<OptOutMatch> opt_out_matches;
  // Blacklisted sources (by assessment) the document comes from, described
  // ("domain example.com: 9 of 100 sampled items failed").
  std::vector<std::string> blacklisted_sources;
};

class Policy {
 public:
  // Parses a policy file (docs/policy.md). InvalidArgument naming the key
  // for anything malformed or unknown; nothing is defaulted silently except
  // what docs/policy.md lists as optional.
  static absl::StatusOr<Policy> Parse(std::string_view json_bytes);
  // The built-in default policy (deploy/policy/default-policy.json, modelled
  // on TC260-003), compiled in.
  static const Policy& Default();
  static std::string_view DefaultPolicyJson();

  const std::string& name() const { return name_; }
  // SHA-256 of the file bytes (32 bytes): recorded with every verdict.
  const std::string& sha256() const { return sha256_; }
  // The uses the policy defines ("commercial", ...).
  std::vector<std::string> intended_uses() const;

  // The verdict for a (validated) source record. An intended use the
  // policy does not define is REJECTED with reason UNKNOWN_INTENDED_USE.
  Decision Evaluate(const SourceRecord& r, const EvaluationContext& ctx) const;

  // Source assessments (TC260-003): a source whose sampled failure rate
  // exceeds this is blacklisted (default 0.05).
  double max_failure_rate() const { return max_failure_rate_; }
  // What a re-evaluation records for documents registered from a source
  // before it was blacklisted (default FLAGGED).
  Verdict earlier_documents_verdict() const {
    return earlier_documents_ == Action::kReject ? Verdict::kRejected : Verdict::kFlagged;
  }

  // License inheritance: a derived dataset declared under `child_license`
  // (empty = none declared: it inherits) is FLAGGED (LICENSE_INHERITANCE,
  // naming the parent) when a parent holds training data of a more
  // restrictive class than the child's license.
  struct ParentLicenses {
    std::string dataset_id;
    spdx::LicenseClass most_restrictive = spdx::LicenseClass::kPublicDomain;
    bool has_data = false;
  };
  Decision EvaluateDerivation(const std::string& child_license,
                              const std::vector<ParentLicenses>& parents) const;

  // A training run: FLAGGED when a commercially deployed model uses a
  // dataset intended for another use (DATASET_INTENDED_USE), non-commercial
  // or no-derivatives training data (LICENSE_CLASS_IN_RUN), or flagged
  // documents (FLAGGED_DOCUMENTS); rejected documents are never training
  // data and are not judged here.
  struct RunDataset {
    std::string dataset_id;
    std::string intended_use;
    uint64_t flagged = 0;
    uint64_t non_commercial = 0;  // training data (not rejected) of that class
    uint64_t no_derivatives = 0;
  };
  Decision EvaluateTrainingRun(bool commercial, const std::vector<RunDataset>& datasets) const;

 private:
  enum class Action : uint8_t { kAccept, kFlag, kReject };
  struct UseRules {
    std::map<spdx::LicenseClass, Action> by_class;
  };
  void Add(Decision* d, Action a, std::string code, std::string message) const;

  std::string name_;
  std::string sha256_;
  std::map<SourceCategory, std::vector<std::string>> required_evidence_;
  Action missing_evidence_ = Action::kFlag;
  Action missing_license_ = Action::kFlag;
  std::map<std::string, UseRules> uses_;
  std::map<std::string, spdx::LicenseClass> license_refs_;
  std::vector<std::string> blocked_domains_;
  std::vector<std::string> blocked_url_patterns_;
  std::vector<std::string> blocked_datasets_;
  Action opt_out_signal_ = Action::kReject;
  Action opt_out_registry_match_ = Action::kReject;
  double max_failure_rate_ = 0.05;
  Action blacklisted_source_ = Action::kReject;
  Action earlier_documents_ = Action::kFlag;
  Action personal_without_consent_ = Action::kFlag;
  Action sensitive_without_consent_ = Action::kReject;
  Action unspecified_personal_info_ = Action::kAccept;
  Action expired_contract_ = Action::kReject;
  friend class PolicyParser;
};

}  // namespace provledger::policy

#endif  // PROVLEDGER_POLICY_H_
