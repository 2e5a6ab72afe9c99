// The opt-out registry: declarations in the ledger, matching in memory.
#include <algorithm>
#include <mutex>

#include "optout_index.h"
#include "provledger/encoding.h"
#include "provledger/index_keys.h"
#include "provledger/registry.h"
#include "provledger/status_macros.h"
#include "provledger/utf8.h"
#include "registry_internal.h"

namespace provledger {
namespace {

// A pattern is glob-matched against the URLs of its host: its length bounds
// each comparison (O(URL length x pattern length) at worst).
constexpr size_t kMaxUrlPatternBytes = 1024;
constexpr int kMaxUrlPatternStars = 16;

absl::Status CheckField(const std::string& v, const char* field, size_t max) {
  return registry_internal::CheckText(v, field, max, false);
}

}  // namespace

size_t Registry::opt_out_count() {
  if (!EnsureOptOutsLoaded().ok()) return 0;
  return opt_outs_->size();
}

absl::Status Registry::EnsureOptOutsLoaded() {
  std::lock_guard<std::mutex> lock(opt_out_load_mu_);
  if (opt_outs_loaded_) return absl::OkStatus();
  // Declarations and assessments, each in ledger order (the latest
  // assessment of a source wins).
  for (const std::string& prefix : {index_keys::OptOutsPrefix(), index_keys::AssessmentsPrefix()}) {
    std::optional<uint64_t> after;
    while (true) {
      PL_ASSIGN_OR_RETURN(std::vector<uint64_t> indices,
                          ledger_->ScanIndexPrefix(prefix, after, 4096));
      if (indices.empty()) break;
      PL_ASSIGN_OR_RETURN(auto entries, ledger_->GetEntriesAt(indices));
      for (const StoredEntry& e : entries) {
        PL_ASSIGN_OR_RETURN(DecodedEntry decoded, DecodeEntry(e.data));
        if (decoded.type == EntryType::kOptOutDeclared) {
          PL_ASSIGN_OR_RETURN(OptOutEntry entry, AsOptOutEntry(decoded));
          opt_outs_->Add(e.index, entry);
        } else {
          PL_ASSIGN_OR_RETURN(AssessmentEntry entry, AsAssessmentEntry(decoded));
          blacklist_->Add(entry);
        }
      }
      after = indices.back();
      if (indices.size() < 4096) break;
    }
  }
  opt_outs_loaded_ = true;
  return absl::OkStatus();
}

absl::StatusOr<LineageInfo<OptOutEntry>> Registry::DeclareOptOut(const OptOutSpec& spec) {
  if (spec.declarant.empty()) return absl::InvalidArgumentError("declarant is required");
  PL_RETURN_IF_ERROR(CheckField(spec.declarant, "declarant", 256));
  PL_RETURN_IF_ERROR(CheckField(spec.reference, "reference", 2048));
  PL_RETURN_IF_ERROR(CheckField(spec.url_pattern, "url_pattern", kMaxUrlPatternBytes));
  PL_RETURN_IF_ERROR(CheckField(spec.domain, "domain", 253));
  int targets = (spec.content.has_value() ? 1 : 0) + (spec.url_pattern.empty() ? 0 : 1) +
                (spec.domain.empty() ? 0 : 1);
  if (targets != 1) {
    return absl::InvalidArgumentError("exactly one of content, url_pattern or domain is required");
  }
  PL_RETURN_IF_ERROR(EnsureOptOutsLoaded());
  OptOutEntry entry;
  entry.declarant = spec.declarant;
  entry.reference = spec.reference;
  if (spec.content.has_value()) {
    if (spec.content->size() > options_.max_document_bytes) {
      return absl::ResourceExhaustedError("content exceeds the limit of " +
                                          std::to_string(options_.max_document_bytes) + " bytes");
    }
    entry.kind = OptOutKind::kWork;
    entry.content_id = Sha256(*spec.content);
    if (fingerprint::IsTextMediaType(fingerprint::SniffMediaType(*spec.content)) &&
        spec.content->size() <= options_.max_fingerprint_bytes) {
      auto text = fingerprint::FingerprintText(*spec.content);
      if (text.ok()) {
        TextFingerprintRecord t;
        t.origin = FingerprintOrigin::kServer;
        t.normalization_version = fingerprint::kNormalizationVersion;
        t.normalized_hash = text->normalized_hash;
        t.minhash_version = fingerprint::kMinHashVersion;
        t.minhash.assign(text->minhash.begin(), text->minhash.end());
        t.token_count = text->token_count;
        entry.text = std::move(t);
      }
    }
  } else if (!spec.url_pattern.empty()) {
    if (spec.url_pattern.find("://") == std::string::npos) {
      return absl::InvalidArgumentError(
          "url_pattern must be a URL glob such as https://example.com/books/*");
    }
    auto host = UrlPatternHost(spec.url_pattern);
    if (!host.has_value()) {
      return absl::InvalidArgumentError(
          "url_pattern must name its host (https://example.com/books/* or "
          "https://*.example.com/*), not a wildcard that could cover every site");
    }
    if (policy::IsPublicSuffix(host->host)) {
      return absl::InvalidArgumentError("url_pattern covers the public suffix '" + host->host +
                                        "', every site registered under it; name a domain");
    }
    if (std::count(spec.url_pattern.begin(), spec.url_pattern.end(), '*') > kMaxUrlPatternStars) {
      return absl::InvalidArgumentError("url_pattern has more than " +
                                        std::to_string(kMaxUrlPatternStars) + " '*'");
    }
    entry.kind = OptOutKind::kUrlPattern;
    entry.pattern = spec.url_pattern;
  } else {
    if (spec.domain.find_first_of("/:* ") != std::string::npos || spec.domain.front() == '.') {
      return absl::InvalidArgumentError("domain must be a host name such as example.com");
    }
    if (policy::IsPublicSuffix(AsciiLower(spec.domain))) {
      return absl::InvalidArgumentError("domain '" + spec.domain +
                                        "' is a public suffix, which would cover every site "
                                        "registered under it; name a domain");
    }
    entry.kind = OptOutKind::kDomain;
    entry.pattern = spec.domain;
  }
  std::string target = entry.kind == OptOutKind::kWork ? entry.content_id : entry.pattern;
  AppendRequest req;
  req.entry = EncodeOptOutEntry(entry, clock_->NowMicros());
  req.dedup_key = index_keys::OptOut(
      Sha256(spec.declarant + "\n" + std::to_string(static_cast<int>(entry.kind)) + "\n" + target));
  req.index_prefixes.push_back(index_keys::OptOutsPrefix());
  PL_ASSIGN_OR_RETURN(LineageInfo<OptOutEntry> info,
                      registry_internal::AppendOne<OptOutEntry>(ledger_, std::move(req),
                                                                std::move(entry), &AsOptOutEntry));
  if (!info.already_existed) opt_outs_->Add(info.ledger_index, info.entry);
  return info;
}

}  // namespace provledger
