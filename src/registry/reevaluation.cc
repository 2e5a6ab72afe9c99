// Source assessments (blacklisting) and re-evaluation of recorded verdicts.
#include <algorithm>

#include "optout_index.h"
#include "provledger/encoding.h"
#include "provledger/index_keys.h"
#include "provledger/registry.h"
#include "provledger/source_record_codec.h"
#include "provledger/status_macros.h"
#include "provledger/utf8.h"

namespace provledger {
namespace {

constexpr size_t kPage = 4096;
constexpr size_t kAppendChunk = 1024;

bool SameVerdict(const VerdictRecord& a, const VerdictRecord& b) {
  if (a.verdict != b.verdict || a.policy_sha256 != b.policy_sha256 ||
      a.reasons.size() != b.reasons.size()) {
    return false;
  }
  for (size_t i = 0; i < a.reasons.size(); ++i) {
    if (a.reasons[i].code != b.reasons[i].code || a.reasons[i].message != b.reasons[i].message) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<VerdictRecord> Registry::CurrentVerdict(uint64_t index) {
  PL_ASSIGN_OR_RETURN(VerdictRecord v, RecordedVerdict(index));
  PL_ASSIGN_OR_RETURN(
      std::vector<uint64_t> revs,
      ledger_->ScanIndexPrefix(index_keys::ReevaluationsPrefix(index), std::nullopt, 1 << 20));
  if (revs.empty()) return v;
  PL_ASSIGN_OR_RETURN(auto entries, ledger_->GetEntries(revs.back(), 1));
  PL_ASSIGN_OR_RETURN(DecodedEntry decoded, DecodeEntry(entries.at(0).data));
  PL_ASSIGN_OR_RETURN(ReevaluationEntry r, AsReevaluationEntry(decoded));
  r.verdict.source = v.source;
  r.verdict.license = v.license;
  r.verdict.license_class = v.license_class;
  return r.verdict;
}

absl::StatusOr<LineageInfo<AssessmentEntry>> Registry::RecordSourceAssessment(
    const AssessmentSpec& spec, ReevaluationSummary* summary) {
  std::string source = AsciiLower(spec.source);
  if (source.empty() || source.size() > 253 || !IsValidUtf8(source)) {
    return absl::InvalidArgumentError("source must be a domain or dataset name of 1..253 bytes");
  }
  if (spec.kind == SourceKind::kDomain && source.find_first_of("/:* ") != std::string::npos) {
    return absl::InvalidArgumentError("source must be a host name such as example.com");
  }
  if (spec.kind == SourceKind::kDomain && policy::IsPublicSuffix(source)) {
    return absl::InvalidArgumentError("source '" + source +
                                      "' is a public suffix; assess a domain registered under "
                                      "it, not every site at once");
  }
  if (spec.sample_size == 0) return absl::InvalidArgumentError("sample_size must be positive");
  if (spec.failures > spec.sample_size) {
    return absl::InvalidArgumentError("failures exceeds sample_size");
  }
  if (spec.assessor.empty() || spec.assessor.size() > 256 || !IsValidUtf8(spec.assessor)) {
    return absl::InvalidArgumentError("assessor is required (1..256 bytes of UTF-8)");
  }
  if (!spec.phase.empty() && spec.phase != "before_collection" &&
      spec.phase != "after_collection") {
    return absl::InvalidArgumentError("phase must be before_collection or after_collection");
  }
  if (spec.notes.size() > 4096 || !IsValidUtf8(spec.notes)) {
    return absl::InvalidArgumentError("notes must be UTF-8 of at most 4096 bytes");
  }
  PL_RETURN_IF_ERROR(EnsureOptOutsLoaded());
  AssessmentEntry entry{spec.kind,     source,        spec.sample_size,
                        spec.failures, spec.assessor, spec.phase,
                        spec.notes,    false,         policy_->sha256()};
  entry.blacklisted = static_cast<double>(spec.failures) >
                      policy_->max_failure_rate() * static_cast<double>(spec.sample_size);
  AppendRequest req;
  req.entry = EncodeAssessmentEntry(entry, clock_->NowMicros());
  req.index_prefixes.push_back(index_keys::AssessmentsPrefix());
  AppendOutcome out = ledger_->Append({std::move(req)});
  PL_RETURN_IF_ERROR(out.status);
  LineageInfo<AssessmentEntry> info;
  info.ledger_index = out.results[0].index;
  info.checkpoint = out.checkpoint;
  blacklist_->Add(entry);
  info.entry = std::move(entry);
  *summary = ReevaluationSummary{};
  summary->checkpoint = out.checkpoint;
  if (!info.entry.blacklisted) return info;

  // Earlier documents from the source: the domain and its subdomains, or
  // the dataset name. Each not rejected already gets a new verdict.
  std::vector<std::string> prefixes;
  if (spec.kind == SourceKind::kDomain) {
    std::string rev = ReversedHost(source);
    prefixes = {index_keys::SourceHostPrefix(rev), "sh/" + rev + "."};
  } else {
    prefixes = {index_keys::SourceDatasetPrefix(source)};
  }
  std::string reason = std::string(spec.kind == SourceKind::kDomain ? "domain " : "dataset ") +
                       source + " was blacklisted by the assessment at ledger index " +
                       std::to_string(info.ledger_index) + " (" + std::to_string(spec.failures) +
                       " of " + std::to_string(spec.sample_size) + " sampled items failed)";
  std::vector<AppendRequest> pending;
  auto flush = [&]() -> absl::Status {
    if (pending.empty()) return absl::OkStatus();
    summary->reevaluated += pending.size();
    AppendOutcome o = ledger_->Append(std::move(pending));
    pending.clear();
    PL_RETURN_IF_ERROR(o.status);
    summary->checkpoint = o.checkpoint;
    return absl::OkStatus();
  };
  std::vector<uint64_t> docs;
  for (const std::string& prefix : prefixes) {
    PL_RETURN_IF_ERROR(ledger_->ScanIndexTree(prefix, [&](uint64_t doc) {
      if (doc < info.ledger_index) docs.push_back(doc);
      return true;
    }));
  }
  std::sort(docs.begin(), docs.end());
  docs.erase(std::unique(docs.begin(), docs.end()), docs.end());
  for (uint64_t doc : docs) {
    ++summary->examined;
    PL_ASSIGN_OR_RETURN(VerdictRecord current, CurrentVerdict(doc));
    if (current.verdict == 3) continue;
    ReevaluationEntry r;
    r.document_index = doc;
    r.previous_verdict = current.verdict;
    r.cause = "source_assessment";
    r.verdict.verdict = static_cast<uint8_t>(policy_->earlier_documents_verdict());
    r.verdict.reasons = {ReasonRecord{r.verdict.verdict, "SOURCE_BLACKLISTED", reason}};
    r.verdict.policy_sha256 = policy_->sha256();
    r.verdict.intended_use = current.intended_use;
    AppendRequest rr;
    rr.entry = EncodeReevaluationEntry(r, clock_->NowMicros());
    rr.index_prefixes.push_back(index_keys::ReevaluationsPrefix(doc));
    pending.push_back(std::move(rr));
    if (pending.size() >= kAppendChunk) PL_RETURN_IF_ERROR(flush());
  }
  PL_RETURN_IF_ERROR(flush());
  return info;
}

absl::StatusOr<ReevaluationSummary> Registry::ReevaluateDataset(const std::string& dataset_id) {
  PL_ASSIGN_OR_RETURN(DatasetDefaults defaults, Defaults(dataset_id));
  PL_RETURN_IF_ERROR(EnsureOptOutsLoaded());
  ReevaluationSummary summary;
  summary.checkpoint = ledger_->Latest();
  std::vector<AppendRequest> pending;
  auto flush = [&]() -> absl::Status {
    if (pending.empty()) return absl::OkStatus();
    summary.reevaluated += pending.size();
    AppendOutcome o = ledger_->Append(std::move(pending));
    pending.clear();
    PL_RETURN_IF_ERROR(o.status);
    summary.checkpoint = o.checkpoint;
    return absl::OkStatus();
  };
  std::optional<uint64_t> after;
  while (true) {
    PL_ASSIGN_OR_RETURN(
        std::vector<uint64_t> docs,
        ledger_->ScanIndexPrefix(index_keys::DatasetDocumentsPrefix(dataset_id), after, kPage));
    if (docs.empty()) break;
    after = docs.back();
    PL_ASSIGN_OR_RETURN(auto entries, ledger_->GetEntriesAt(docs));
    for (const StoredEntry& stored : entries) {
      ++summary.examined;
      PL_ASSIGN_OR_RETURN(DecodedEntry decoded, DecodeEntry(stored.data));
      PL_ASSIGN_OR_RETURN(DocumentEntry doc, AsDocumentEntry(decoded));
      // The document as registered: its merged source record and
      // fingerprints (bands derived from the stored MinHash).
      DocumentRegistration reg;
      reg.dataset_id = doc.dataset_id;
      reg.content_id = doc.content_id;
      reg.media_type = doc.media_type;
      if (doc.verdict.has_value() && !doc.verdict->source.empty()) {
        PL_ASSIGN_OR_RETURN(reg.source, policy::DecodeSourceRecord(doc.verdict->source));
      }
      if (doc.text.has_value() && doc.text->minhash.size() == fingerprint::kMinHashSize &&
          doc.text->minhash_version == fingerprint::kMinHashVersion) {
        fingerprint::TextFingerprints t;
        t.normalized_hash = doc.text->normalized_hash;
        std::copy(doc.text->minhash.begin(), doc.text->minhash.end(), t.minhash.begin());
        t.lsh_bands = fingerprint::LshBands(t.minhash);
        reg.text = std::move(t);
      }
      // The stored record already holds the dataset defaults merged in.
      VerdictRecord fresh = Judge(reg, reg.source, defaults.intended_use, decoded.timestamp_us);
      PL_ASSIGN_OR_RETURN(VerdictRecord current, CurrentVerdict(stored.index));
      if (!SameVerdict(fresh, current)) {
        ReevaluationEntry r{stored.index, current.verdict, "policy", fresh};
        AppendRequest rr;
        rr.entry = EncodeReevaluationEntry(r, clock_->NowMicros());
        rr.index_prefixes.push_back(index_keys::ReevaluationsPrefix(stored.index));
        pending.push_back(std::move(rr));
        if (pending.size() >= kAppendChunk) PL_RETURN_IF_ERROR(flush());
      }
      summary.verdicts[fresh.verdict - 1]++;
    }
    if (docs.size() < kPage) break;
  }
  PL_RETURN_IF_ERROR(flush());
  return summary;
}

}  // namespace provledger
