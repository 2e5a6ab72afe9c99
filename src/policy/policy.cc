// Policy files and their evaluation (docs/policy.md).
#include "provledger/policy.h"

#include <libpsl.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "provledger/encoding.h"
#include "provledger/sha256.h"
#include "provledger/status_macros.h"
#include "provledger/utf8.h"

namespace provledger::policy {
namespace internal {
extern const std::string_view kDefaultPolicyJson;
}  // namespace internal
namespace {

constexpr size_t kMaxText = 2048;
constexpr size_t kMaxUrl = 4096;

const std::set<std::string>& EvidenceNames() {
  static const std::set<std::string> names = {
      "license",      "dataset_name",  "dataset_url",     "dataset_version",
      "url",          "collected_at",  "crawler_agent",   "robots_txt",
      "counterparty", "contract_ref",  "contract_term",   "licensed_scope",
      "consent_ref",  "consent_scope", "generator_model", "generator_provenance_ref",
      "consent_basis"};
  return names;
}

bool HasEvidence(const SourceRecord& r, const std::string& name) {
  if (name == "license") return !r.license.empty();
  if (name == "dataset_name") return !r.dataset_name.empty();
  if (name == "dataset_url") return !r.dataset_url.empty();
  if (name == "dataset_version") return !r.dataset_version.empty();
  if (name == "url") return !r.url.empty();
  if (name == "collected_at") return r.collected_at_micros != 0;
  if (name == "crawler_agent") return !r.crawler_agent.empty();
  if (name == "robots_txt") {
    return r.signals.robots_txt != Signal::kNotObserved && r.signals.robots_txt_sha256.size() == 32;
  }
  if (name == "counterparty") return !r.counterparty.empty();
  if (name == "contract_ref") return !r.contract_ref.empty();
  if (name == "contract_term") return r.contract_start_micros != 0 && r.contract_end_micros != 0;
  if (name == "licensed_scope") return !r.licensed_scope.empty();
  if (name == "consent_ref") return !r.consent_ref.empty();
  if (name == "consent_scope") return !r.consent_scope.empty();
  if (name == "generator_model") return !r.generator_model.empty();
  if (name == "generator_provenance_ref") return !r.generator_provenance_ref.empty();
  if (name == "consent_basis") return !r.consent_basis.empty();
  return false;
}

absl::Status CheckField(const std::string& value, std::string_view prefix, const char* field,
                        size_t max) {
  if (value.size() > max) {
    return absl::InvalidArgumentError(std::string(prefix) + field + " is longer than " +
                                      std::to_string(max) + " bytes");
  }
  size_t i = 0;
  uint32_t cp;
  while (i < value.size()) {
    if (!DecodeUtf8(value, &i, &cp) || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
      return absl::InvalidArgumentError(std::string(prefix) + field +
                                        " must be UTF-8 without control characters");
    }
  }
  return absl::OkStatus();
}

// The shape of a BCP 47 language tag (RFC 5646 §2.1): alphanumeric subtags
// of 1-8 characters separated by '-', the first 2-8 letters (or "x"/"i"
// for private use and grandfathered tags); at most 64 bytes. Empty is fine.
bool IsBcp47Shaped(std::string_view tag) {
  if (tag.empty()) return true;
  if (tag.size() > 64) return false;
  size_t start = 0;
  bool first = true;
  while (start <= tag.size()) {
    size_t end = tag.find('-', start);
    if (end == std::string_view::npos) end = tag.size();
    std::string_view sub = tag.substr(start, end - start);
    if (sub.empty() || sub.size() > 8) return false;
    for (char c : sub) {
      bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (!alpha && !(c >= '0' && c <= '9')) return false;
      if (first && !alpha) return false;
    }
    if (first && sub.size() < 2 && sub != "x" && sub != "i") return false;
    first = false;
    start = end + 1;
  }
  return true;
}

absl::Status CheckHash(const std::string& value, std::string_view prefix, const char* field) {
  if (value.empty() || value.size() == 32) return absl::OkStatus();
  return absl::InvalidArgumentError(std::string(prefix) + field + " must be 32 bytes (SHA-256)");
}

template <typename T>
void Fill(T* field, const T& fallback, const T& empty) {
  if (*field == empty) *field = fallback;
}

}  // namespace

std::string UrlHost(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    return AsciiLower(rest.substr(0, close == std::string_view::npos ? rest.size() : close + 1));
  }
  return AsciiLower(rest.substr(0, rest.find(':')));
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p, ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool DomainCovers(std::string_view domain, std::string_view host) {
  if (host == domain) return true;
  return host.size() > domain.size() &&
         host.compare(host.size() - domain.size(), domain.size(), domain) == 0 &&
         host[host.size() - domain.size() - 1] == '.';
}

bool IsPublicSuffix(std::string_view domain) {
  const psl_ctx_t* psl = psl_builtin();
  if (psl == nullptr) return domain.find('.') == std::string_view::npos;
  std::string d(domain);
  while (!d.empty() && d.back() == '.') d.pop_back();
  return d.empty() ||
         psl_is_public_suffix2(psl, d.c_str(), PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

std::string_view SourceCategoryName(SourceCategory c) {
  switch (c) {
    case SourceCategory::kUnspecified:
      return "UNSPECIFIED";
    case SourceCategory::kOpenSourceDataset:
      return "OPEN_SOURCE_DATASET";
    case SourceCategory::kSelfCollected:
      return "SELF_COLLECTED";
    case SourceCategory::kCommercialLicensed:
      return "COMMERCIAL_LICENSED";
    case SourceCategory::kUserProvided:
      return "USER_PROVIDED";
    case SourceCategory::kSynthetic:
      return "SYNTHETIC";
    case SourceCategory::kOther:
      return "OTHER";
  }
  return "UNSPECIFIED";
}

std::optional<SourceCategory> ParseSourceCategory(std::string_view name) {
  for (int i = 0; i <= 6; ++i) {
    auto c = static_cast<SourceCategory>(i);
    if (SourceCategoryName(c) == name) return c;
  }
  return std::nullopt;
}

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kAccepted:
      return "ACCEPTED";
    case Verdict::kFlagged:
      return "FLAGGED";
    case Verdict::kRejected:
      return "REJECTED";
  }
  return "REJECTED";
}

SourceRecord MergeDefaults(const SourceRecord& defaults, const SourceRecord& doc) {
  SourceRecord r = doc;
  const std::string none;
  Fill(&r.category, defaults.category, SourceCategory::kUnspecified);
  for (auto [field, fallback] :
       {std::pair{&r.license, &defaults.license},
        std::pair{&r.dataset_name, &defaults.dataset_name},
        std::pair{&r.dataset_url, &defaults.dataset_url},
        std::pair{&r.dataset_version, &defaults.dataset_version}, std::pair{&r.url, &defaults.url},
        std::pair{&r.crawler_agent, &defaults.crawler_agent},
        std::pair{&r.counterparty, &defaults.counterparty},
        std::pair{&r.contract_ref, &defaults.contract_ref},
        std::pair{&r.licensed_scope, &defaults.licensed_scope},
        std::pair{&r.consent_ref, &defaults.consent_ref},
        std::pair{&r.consent_scope, &defaults.consent_scope},
        std::pair{&r.generator_model, &defaults.generator_model},
        std::pair{&r.generator_provenance_ref, &defaults.generator_provenance_ref},
        std::pair{&r.consent_basis, &defaults.consent_basis},
        std::pair{&r.language, &defaults.language}}) {
    Fill(field, *fallback, none);
  }
  Fill(&r.collected_at_micros, defaults.collected_at_micros, int64_t{0});
  Fill(&r.contract_start_micros, defaults.contract_start_micros, int64_t{0});
  Fill(&r.contract_end_micros, defaults.contract_end_micros, int64_t{0});
  Fill(&r.personal_info, defaults.personal_info, PersonalInfo::kUnspecified);
  // Signals are facts about one fetch: a document's own observation wins as
  // a whole; a dataset-wide observation (one crawl of one site) fills in.
  const OptOutSignals& d = defaults.signals;
  OptOutSignals& s = r.signals;
  Fill(&s.robots_txt, d.robots_txt, Signal::kNotObserved);
  Fill(&s.robots_txt_sha256, d.robots_txt_sha256, none);
  s.x_robots_noai = s.x_robots_noai || d.x_robots_noai;
  s.x_robots_noimageai = s.x_robots_noimageai || d.x_robots_noimageai;
  Fill(&s.tdm_reservation, d.tdm_reservation, Signal::kNotObserved);
  Fill(&s.tdm_policy, d.tdm_policy, none);
  Fill(&s.tdmrep_sha256, d.tdmrep_sha256, none);
  Fill(&s.content_signal_ai_train, d.content_signal_ai_train, Signal::kNotObserved);
  Fill(&s.ai_txt, d.ai_txt, Signal::kNotObserved);
  Fill(&s.ai_txt_sha256, d.ai_txt_sha256, none);
  Fill(&s.c2pa_training_mining, d.c2pa_training_mining, none);
  return r;
}

absl::Status ValidateSourceRecord(const SourceRecord& r, std::string_view p) {
  for (auto [value, name, max] :
       {std::tuple{&r.license, "license", size_t{1024}},
        std::tuple{&r.dataset_name, "dataset_name", kMaxText},
        std::tuple{&r.dataset_url, "dataset_url", kMaxUrl},
        std::tuple{&r.dataset_version, "dataset_version", kMaxText},
        std::tuple{&r.url, "url", kMaxUrl}, std::tuple{&r.crawler_agent, "crawler_agent", kMaxText},
        std::tuple{&r.counterparty, "counterparty", kMaxText},
        std::tuple{&r.contract_ref, "contract_ref", kMaxText},
        std::tuple{&r.licensed_scope, "licensed_scope", kMaxText},
        std::tuple{&r.consent_ref, "consent_ref", kMaxText},
        std::tuple{&r.consent_scope, "consent_scope", kMaxText},
        std::tuple{&r.generator_model, "generator_model", kMaxText},
        std::tuple{&r.generator_provenance_ref, "generator_provenance_ref", kMaxText},
        std::tuple{&r.consent_basis, "consent_basis", kMaxText},
        std::tuple{&r.signals.tdm_policy, "signals.tdm_policy", kMaxUrl}}) {
    PL_RETURN_IF_ERROR(CheckField(*value, p, name, max));
  }
  PL_RETURN_IF_ERROR(CheckHash(r.signals.robots_txt_sha256, p, "signals.robots_txt_sha256"));
  PL_RETURN_IF_ERROR(CheckHash(r.signals.tdmrep_sha256, p, "signals.tdmrep_sha256"));
  PL_RETURN_IF_ERROR(CheckHash(r.signals.ai_txt_sha256, p, "signals.ai_txt_sha256"));
  if (!IsBcp47Shaped(r.language)) {
    return absl::InvalidArgumentError(std::string(p) +
                                      "language must be a BCP 47 tag such as en, zh-Hans or pt-BR");
  }
  const std::string& c2pa = r.signals.c2pa_training_mining;
  if (!c2pa.empty() && c2pa != "allowed" && c2pa != "notAllowed" && c2pa != "constrained") {
    return absl::InvalidArgumentError(std::string(p) +
                                      "signals.c2pa_training_mining must be allowed, notAllowed "
                                      "or constrained");
  }
  if (r.contract_start_micros != 0 && r.contract_end_micros != 0 &&
      r.contract_end_micros < r.contract_start_micros) {
    return absl::InvalidArgumentError(std::string(p) + "contract_end is before contract_start");
  }
  if (!r.license.empty()) {
    auto parsed = spdx::ParseExpression(r.license);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(std::string(p) +
                                        "license: " + std::string(parsed.status().message()));
    }
  }
  return absl::OkStatus();
}

// ---- Parsing ---------------------------------------------------------------

class PolicyParser {
 public:
  static absl::StatusOr<Policy> Parse(std::string_view bytes) {
    nlohmann::json j = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      return absl::InvalidArgumentError("policy is not a JSON object");
    }
    Policy p;
    p.sha256_ = Sha256(bytes);
    static const std::set<std::string> known = {"format",
                                                "name",
                                                "required_evidence",
                                                "missing_evidence",
                                                "missing_license",
                                                "license_classes",
                                                "license_refs",
                                                "blocked_sources",
                                                "opt_out_signal",
                                                "personal_information",
                                                "expired_contract",
                                                "opt_out_registry_match",
                                                "source_assessment"};
    for (const auto& [key, value] : j.items()) {
      if (!known.count(key)) return Bad(key, "is not a policy key (docs/policy.md)");
    }
    if (!j.contains("format") || j["format"] != 1) return Bad("format", "must be 1");
    if (!j.contains("name") || !j["name"].is_string() || j["name"].get<std::string>().empty()) {
      return Bad("name", "must be a non-empty string");
    }
    p.name_ = j["name"].get<std::string>();

    if (!j.contains("required_evidence") || !j["required_evidence"].is_object()) {
      return Bad("required_evidence", "must be an object of category -> evidence names");
    }
    for (const auto& [cat, list] : j["required_evidence"].items()) {
      auto c = ParseSourceCategory(cat);
      if (!c || *c == SourceCategory::kUnspecified) {
        return Bad("required_evidence." + cat, "is not a source category");
      }
      if (!list.is_array()) return Bad("required_evidence." + cat, "must be an array");
      for (const auto& e : list) {
        if (!e.is_string() || !EvidenceNames().count(e.get<std::string>())) {
          return Bad("required_evidence." + cat, "names unknown evidence " + e.dump());
        }
        p.required_evidence_[*c].push_back(e.get<std::string>());
      }
    }
    PL_ASSIGN_OR_RETURN(p.missing_evidence_, ActionOf(j, "missing_evidence", false));
    PL_ASSIGN_OR_RETURN(p.missing_license_, ActionOf(j, "missing_license", false));
    PL_ASSIGN_OR_RETURN(p.opt_out_signal_, ActionOf(j, "opt_out_signal", false));
    PL_ASSIGN_OR_RETURN(p.expired_contract_, ActionOf(j, "expired_contract", false));
    if (j.contains("source_assessment")) {
      const auto& sa = j["source_assessment"];
      if (!sa.is_object()) return Bad("source_assessment", "must be an object");
      for (const auto& [key, value] : sa.items()) {
        if (key == "max_failure_rate") {
          if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1) {
            return Bad("source_assessment.max_failure_rate", "must be a number in [0, 1]");
          }
          p.max_failure_rate_ = value.get<double>();
        } else if (key == "action") {
          PL_ASSIGN_OR_RETURN(p.blacklisted_source_,
                              ActionValue(value, "source_assessment.action"));
        } else if (key == "earlier_documents") {
          PL_ASSIGN_OR_RETURN(p.earlier_documents_,
                              ActionValue(value, "source_assessment.earlier_documents"));
          if (p.earlier_documents_ == Policy::Action::kAccept) {
            return Bad("source_assessment.earlier_documents", "must be \"flag\" or \"reject\"");
          }
        } else {
          return Bad("source_assessment." + key, "is not a known key");
        }
      }
    }
    if (j.contains("opt_out_registry_match")) {
      PL_ASSIGN_OR_RETURN(p.opt_out_registry_match_,
                          ActionValue(j["opt_out_registry_match"], "opt_out_registry_match"));
    }

    if (!j.contains("license_classes") || !j["license_classes"].is_object() ||
        j["license_classes"].empty()) {
      return Bad("license_classes", "must map each intended use to class -> action");
    }
    for (const auto& [use, classes] : j["license_classes"].items()) {
      if (!classes.is_object()) return Bad("license_classes." + use, "must be an object");
      Policy::UseRules rules;
      for (const auto& [cls, action] : classes.items()) {
        std::string key = "license_classes." + use;
        key += ".";
        key += cls;
        auto c = spdx::ParseLicenseClass(cls);
        if (!c) return Bad(key, "is not a license class");
        PL_ASSIGN_OR_RETURN(rules.by_class[*c], ActionValue(action, key));
      }
      for (int i = 1; i <= 8; ++i) {
        auto c = static_cast<spdx::LicenseClass>(i);
        if (!rules.by_class.count(c)) {
          return Bad("license_classes." + use,
                     "has no action for class " + std::string(spdx::LicenseClassName(c)));
        }
      }
      p.uses_[use] = std::move(rules);
    }
    if (j.contains("license_refs")) {
      if (!j["license_refs"].is_object()) return Bad("license_refs", "must be an object");
      for (const auto& [id, cls] : j["license_refs"].items()) {
        auto c = cls.is_string() ? spdx::ParseLicenseClass(cls.get<std::string>()) : std::nullopt;
        if (!c) return Bad("license_refs." + id, "must be a license class name");
        p.license_refs_[id] = *c;
      }
    }
    if (j.contains("blocked_sources")) {
      const auto& b = j["blocked_sources"];
      if (!b.is_object()) return Bad("blocked_sources", "must be an object");
      for (const auto& [key, value] : b.items()) {
        std::vector<std::string>* out = key == "domains"         ? &p.blocked_domains_
                                        : key == "url_patterns"  ? &p.blocked_url_patterns_
                                        : key == "dataset_names" ? &p.blocked_datasets_
                                                                 : nullptr;
        if (out == nullptr) return Bad("blocked_sources." + key, "is not a blocked-source list");
        if (!value.is_array()) return Bad("blocked_sources." + key, "must be an array");
        for (const auto& v : value) {
          if (!v.is_string() || v.get<std::string>().empty()) {
            return Bad("blocked_sources." + key, "must hold non-empty strings");
          }
          out->push_back(key == "url_patterns" ? v.get<std::string>()
                                               : AsciiLower(v.get<std::string>()));
        }
      }
    }
    if (j.contains("personal_information")) {
      const auto& pi = j["personal_information"];
      if (!pi.is_object()) return Bad("personal_information", "must be an object");
      for (const auto& [key, value] : pi.items()) {
        Policy::Action* out = key == "personal_without_consent"    ? &p.personal_without_consent_
                              : key == "sensitive_without_consent" ? &p.sensitive_without_consent_
                              : key == "unspecified"               ? &p.unspecified_personal_info_
                                                                   : nullptr;
        if (out == nullptr) return Bad("personal_information." + key, "is not a known key");
        PL_ASSIGN_OR_RETURN(*out, ActionValue(value, "personal_information." + key));
      }
    }
    return p;
  }

 private:
  static absl::Status Bad(const std::string& key, const std::string& what) {
    return absl::InvalidArgumentError("policy: " + key + " " + what);
  }
  static absl::StatusOr<Policy::Action> ActionValue(const nlohmann::json& v,
                                                    const std::string& key) {
    if (v == "accept") return Policy::Action::kAccept;
    if (v == "flag") return Policy::Action::kFlag;
    if (v == "reject") return Policy::Action::kReject;
    return Bad(key, "must be \"accept\", \"flag\" or \"reject\"");
  }
  static absl::StatusOr<Policy::Action> ActionOf(const nlohmann::json& j, const std::string& key,
                                                 bool optional) {
    if (!j.contains(key)) {
      if (optional) return Policy::Action::kFlag;
      return Bad(key, "is required");
    }
    return ActionValue(j[key], key);
  }
};

absl::StatusOr<Policy> Policy::Parse(std::string_view json_bytes) {
  return PolicyParser::Parse(json_bytes);
}

std::string_view Policy::DefaultPolicyJson() { return internal::kDefaultPolicyJson; }

const Policy& Policy::Default() {
  static const Policy* p = [] {
    auto parsed = Parse(internal::kDefaultPolicyJson);
    // Compiled in and parsed by the unit tests: failure is a build defect.
    if (!parsed.ok()) std::abort();
    return new Policy(*std::move(parsed));
  }();
  return *p;
}

std::vector<std::string> Policy::intended_uses() const {
  std::vector<std::string> out;
  for (const auto& [use, rules] : uses_) out.push_back(use);
  return out;
}

// ---- Evaluation ------------------------------------------------------------

void Policy::Add(Decision* d, Action a, std::string code, std::string message) const {
  if (a == Action::kAccept) return;
  Verdict v = a == Action::kReject ? Verdict::kRejected : Verdict::kFlagged;
  d->verdict = std::max(d->verdict, v);
  d->reasons.push_back(Reason{std::move(code), std::move(message), v});
}

Decision Policy::Evaluate(const SourceRecord& r, const EvaluationContext& ctx) const {
  Decision d;
  // Source category and the evidence it requires.
  if (r.category == SourceCategory::kUnspecified) {
    Add(&d, missing_evidence_, "MISSING_SOURCE_CATEGORY",
        "no source category: every document needs one (dataset default or its own)");
  } else {
    auto req = required_evidence_.find(r.category);
    if (req != required_evidence_.end()) {
      for (const std::string& e : req->second) {
        if (e == "license") continue;  // judged below with its own action
        if (!HasEvidence(r, e)) {
          Add(&d, missing_evidence_, "MISSING_EVIDENCE",
              std::string(SourceCategoryName(r.category)) + " requires " + e);
        }
      }
    }
  }
  // License.
  auto use = uses_.find(ctx.intended_use);
  if (use == uses_.end()) {
    Add(&d, Action::kReject, "UNKNOWN_INTENDED_USE",
        "the policy has no rules for intended use '" + ctx.intended_use + "'");
  }
  if (r.license.empty()) {
    bool required = false;
    auto req = required_evidence_.find(r.category);
    if (req != required_evidence_.end()) {
      required = std::count(req->second.begin(), req->second.end(), "license") > 0;
    }
    Add(&d, required ? std::max(missing_license_, missing_evidence_) : missing_license_,
        "MISSING_LICENSE", "no SPDX license expression");
  } else {
    auto parsed = spdx::ParseExpression(r.license, license_refs_);
    if (!parsed.ok()) {
      Add(&d, Action::kReject, "LICENSE_MALFORMED", std::string(parsed.status().message()));
    } else {
      d.license_canonical = parsed->canonical;
      d.license_class = parsed->license_class;
      if (!parsed->unlisted.empty()) {
        Add(&d, Action::kFlag, "LICENSE_UNLISTED",
            "not on the SPDX License List " + spdx::LicenseListVersion() + ": " +
                parsed->unlisted.front());
      }
      if (use != uses_.end()) {
        Action a = use->second.by_class.at(parsed->license_class);
        Add(&d, a, "LICENSE_CLASS",
            "license " + parsed->canonical + " is " +
                std::string(spdx::LicenseClassName(parsed->license_class)) + ", which the policy " +
                (a == Action::kReject ? "rejects" : "flags") + " for " + ctx.intended_use + " use");
      }
    }
  }
  // Blocked sources.
  std::string host = UrlHost(r.url);
  for (const std::string& dom : blocked_domains_) {
    if (!host.empty() && DomainCovers(dom, host)) {
      std::string message = "source domain " + host;
      message += " is blocked (";
      message += dom;
      message += ")";
      Add(&d, Action::kReject, "BLOCKED_DOMAIN", std::move(message));
    }
  }
  for (const std::string& pat : blocked_url_patterns_) {
    if (!r.url.empty() && GlobMatch(pat, r.url)) {
      Add(&d, Action::kReject, "BLOCKED_URL", "source URL matches blocked pattern " + pat);
    }
  }
  for (const std::string& name : blocked_datasets_) {
    if (!r.dataset_name.empty() && AsciiLower(r.dataset_name) == name) {
      Add(&d, Action::kReject, "BLOCKED_DATASET", "dataset " + r.dataset_name + " is blocked");
    }
  }
  // Opt-out signals observed at collection.
  const OptOutSignals& s = r.signals;
  auto opt_out = [&](bool hit, const char* code, const char* what) {
    if (hit) Add(&d, opt_out_signal_, code, std::string("collected despite ") + what);
  };
  opt_out(s.robots_txt == Signal::kForbidden, "OPT_OUT_ROBOTS_TXT",
          "robots.txt disallowing the crawler (RFC 9309)");
  opt_out(s.x_robots_noai, "OPT_OUT_NOAI", "an X-Robots-Tag/meta noai directive");
  opt_out(s.x_robots_noimageai && ctx.media_type.rfind("image/", 0) == 0, "OPT_OUT_NOIMAGEAI",
          "an X-Robots-Tag/meta noimageai directive");
  opt_out(s.tdm_reservation == Signal::kForbidden, "OPT_OUT_TDM_RESERVATION",
          "a TDM reservation (W3C TDMRep tdm-reservation: 1)");
  opt_out(s.content_signal_ai_train == Signal::kForbidden, "OPT_OUT_CONTENT_SIGNAL",
          "Content-Signal: ai-train=no");
  opt_out(s.ai_txt == Signal::kForbidden, "OPT_OUT_AI_TXT", "an ai.txt disallowing training");
  opt_out(s.c2pa_training_mining == "notAllowed" || s.c2pa_training_mining == "constrained",
          "OPT_OUT_C2PA", "a C2PA training-mining assertion that does not allow training");
  // Blacklisted sources.
  for (const std::string& source : ctx.blacklisted_sources) {
    Add(&d, blacklisted_source_, "SOURCE_BLACKLISTED", "from a blacklisted source: " + source);
  }
  // The opt-out registry.
  for (const OptOutMatch& m : ctx.opt_out_matches) {
    Add(&d, opt_out_registry_match_, "OPT_OUT_REGISTRY",
        "matches the do-not-train declaration at ledger index " +
            std::to_string(m.declaration_index) + " by " + m.declarant + " (" + m.how + ")");
  }
  // Commercial contract term.
  if (r.category == SourceCategory::kCommercialLicensed && r.contract_start_micros != 0 &&
      r.contract_end_micros != 0 && ctx.now_micros != 0 &&
      (ctx.now_micros < r.contract_start_micros || ctx.now_micros > r.contract_end_micros)) {
    Add(&d, expired_contract_, "CONTRACT_NOT_IN_FORCE",
        "registered outside the contract term of " + r.contract_ref);
  }
  // Personal information.
  bool consent = !r.consent_basis.empty();
  if (r.personal_info == PersonalInfo::kSensitive && !consent) {
    Add(&d, sensitive_without_consent_, "SENSITIVE_PI_WITHOUT_CONSENT",
        "sensitive personal information without a recorded consent basis");
  } else if (r.personal_info == PersonalInfo::kPersonal && !consent) {
    Add(&d, personal_without_consent_, "PI_WITHOUT_CONSENT",
        "personal information without a recorded consent basis");
  } else if (r.personal_info == PersonalInfo::kUnspecified) {
    Add(&d, unspecified_personal_info_, "PI_UNSPECIFIED",
        "whether the document holds personal information is not recorded");
  }
  return d;
}

}  // namespace provledger::policy
