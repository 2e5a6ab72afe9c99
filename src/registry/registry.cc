#include "provledger/registry.h"

#include <algorithm>
#include <future>
#include <string>
#include <utility>

#include "optout_index.h"
#include "provledger/encoding.h"
#include "provledger/index_keys.h"
#include "provledger/source_record_codec.h"
#include "provledger/status_macros.h"
#include "provledger/utf8.h"
#include "verdicts.h"

namespace provledger {
namespace {

// Valid UTF-8 without C0/C1 control characters (newline and tab allowed
// only with `allow_newlines`).
// A pipeline's reference for a document: shown to reviewers and IP holders,
// so no controls or direction overrides that would make it read as another.
absl::Status CheckClientRef(std::string_view ref, size_t max, std::string_view field) {
  if (ref.size() > max) {
    return absl::InvalidArgumentError(std::string(field) + "client_ref is longer than " +
                                      std::to_string(max) + " bytes");
  }
  if (!IsCleanText(ref)) {
    return absl::InvalidArgumentError(std::string(field) +
                                      "client_ref must be UTF-8 without control or bidirectional " +
                                      "formatting characters (got '" + EchoValue(ref) + "')");
  }
  return absl::OkStatus();
}

absl::Status CheckText(const std::string& value, const char* field, size_t max, bool required) {
  if (required && value.empty()) {
    return absl::InvalidArgumentError(std::string(field) + " is required");
  }
  if (value.size() > max) {
    return absl::InvalidArgumentError(std::string(field) + " is longer than " +
                                      std::to_string(max) + " bytes");
  }
  if (!IsCleanText(value)) {
    return absl::InvalidArgumentError(
        std::string(field) +
        " must be UTF-8 without control or bidirectional formatting characters");
  }
  return absl::OkStatus();
}

TextFingerprintRecord TextRecord(const fingerprint::TextFingerprints& f, FingerprintOrigin origin) {
  TextFingerprintRecord t;
  t.origin = origin;
  t.normalization_version = fingerprint::kNormalizationVersion;
  t.normalized_hash = f.normalized_hash;
  t.minhash_version = fingerprint::kMinHashVersion;
  t.minhash.assign(f.minhash.begin(), f.minhash.end());
  t.token_count = f.token_count;
  t.winnow_version = fingerprint::kWinnowVersion;
  t.winnows.reserve(std::min(f.winnows.size(), kMaxStoredWinnows));
  for (const auto& w : f.winnows) {
    if (t.winnows.size() == kMaxStoredWinnows) break;
    t.winnows.push_back({w.hash, w.token_index});
  }
  if (f.winnows.size() > kMaxStoredWinnows) t.winnows_total = f.winnows.size();
  return t;
}

}  // namespace

std::string DatasetIdFor(const std::string& name, const std::string& version) {
  return "ds_" + ToHex(Sha256("provledger/dataset/v1\n" + name + "\n" + version)).substr(0, 24);
}

Registry::Registry(Ledger* ledger, const Clock* clock, RegistryOptions options)
    : ledger_(ledger),
      clock_(clock),
      options_(options),
      policy_(options.policy != nullptr ? options.policy : &policy::Policy::Default()),
      opt_outs_(std::make_unique<OptOutIndex>()),
      blacklist_(std::make_unique<SourceBlacklist>()) {}

Registry::~Registry() = default;

absl::Status Registry::CheckSource(const policy::SourceRecord& source,
                                   std::string_view field) const {
  return policy::ValidateSourceRecord(source, std::string(field) + "source.");
}

absl::StatusOr<DatasetInfo> Registry::CreateDataset(const DatasetSpec& spec) {
  PL_RETURN_IF_ERROR(CheckText(spec.name, "name", 256, true));
  PL_RETURN_IF_ERROR(CheckText(spec.version, "version", 128, false));
  PL_RETURN_IF_ERROR(CheckText(spec.owner, "owner", 256, false));
  if (spec.description.size() > 4096) {
    return absl::InvalidArgumentError("description is longer than 4096 bytes");
  }
  if (!IsCleanText(spec.description, /*allow_newlines=*/true)) {
    return absl::InvalidArgumentError(
        "description must be UTF-8 without control characters other than newline and tab");
  }
  std::string use = spec.intended_use.empty() ? "commercial" : spec.intended_use;
  std::vector<std::string> uses = policy_->intended_uses();
  if (std::find(uses.begin(), uses.end(), use) == uses.end()) {
    std::string list;
    for (const auto& u : uses) list += (list.empty() ? "" : ", ") + u;
    return absl::InvalidArgumentError("intended_use '" + use + "' is not defined by the policy '" +
                                      policy_->name() + "' (it defines: " + list + ")");
  }
  PL_RETURN_IF_ERROR(policy::ValidateSourceRecord(spec.default_source, "default_source."));
  DatasetEntry entry{DatasetIdFor(spec.name, spec.version),
                     spec.name,
                     spec.version,
                     spec.description,
                     spec.owner,
                     use,
                     policy::EncodeSourceRecord(spec.default_source)};
  AppendRequest req;
  req.entry = EncodeDatasetEntry(entry, clock_->NowMicros());
  req.dedup_key = index_keys::Dataset(entry.dataset_id);
  AppendOutcome out = ledger_->Append({std::move(req)});
  PL_RETURN_IF_ERROR(out.status);
  const AppendResult& r = out.results[0];
  DatasetInfo info;
  info.dataset_id = entry.dataset_id;
  info.ledger_index = r.index;
  info.already_existed = r.existed;
  info.checkpoint = out.checkpoint;
  if (r.existed) {
    PL_ASSIGN_OR_RETURN(DatasetInfo existing, GetDataset(entry.dataset_id));
    const DatasetEntry& e = existing.entry;
    if (e.description != entry.description || e.owner != entry.owner ||
        e.intended_use != entry.intended_use || e.default_source != entry.default_source) {
      return absl::AlreadyExistsError("dataset '" + spec.name + "' version '" + spec.version +
                                      "' already exists (" + entry.dataset_id +
                                      ") with a different description, owner, intended use or "
                                      "default source");
    }
    info.entry = existing.entry;
  } else {
    info.entry = std::move(entry);
  }
  std::lock_guard<std::mutex> lock(mu_);
  known_datasets_[info.dataset_id] = DatasetDefaults{use, spec.default_source};
  return info;
}

absl::StatusOr<DatasetInfo> Registry::GetDataset(const std::string& dataset_id) {
  PL_ASSIGN_OR_RETURN(auto index, ledger_->LookupIndex(index_keys::Dataset(dataset_id)));
  if (!index.has_value()) {
    return absl::NotFoundError("dataset_id '" + EchoValue(dataset_id) + "' does not exist");
  }
  PL_ASSIGN_OR_RETURN(auto entries, ledger_->GetEntries(*index, 1));
  if (entries.empty()) return absl::DataLossError("dataset entry is missing");
  PL_ASSIGN_OR_RETURN(DecodedEntry decoded, DecodeEntry(entries[0].data));
  PL_ASSIGN_OR_RETURN(DatasetEntry entry, AsDatasetEntry(decoded));
  DatasetInfo info;
  info.dataset_id = dataset_id;
  info.ledger_index = *index;
  info.already_existed = true;
  info.entry = std::move(entry);
  info.checkpoint = ledger_->Latest();
  return info;
}

absl::StatusOr<Registry::DatasetDefaults> Registry::Defaults(const std::string& dataset_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = known_datasets_.find(dataset_id);
    if (it != known_datasets_.end()) return it->second;
  }
  PL_ASSIGN_OR_RETURN(DatasetInfo info, GetDataset(dataset_id));
  DatasetDefaults d;
  // Datasets created before intended uses existed are judged as commercial.
  d.intended_use = info.entry.intended_use.empty() ? "commercial" : info.entry.intended_use;
  if (!info.entry.default_source.empty()) {
    auto source = policy::DecodeSourceRecord(info.entry.default_source);
    if (!source.ok()) {
      return absl::DataLossError("dataset " + dataset_id + ": stored default source record: " +
                                 std::string(source.status().message()));
    }
    d.source = *std::move(source);
  }
  PL_ASSIGN_OR_RETURN(auto seal, ledger_->LookupIndex(index_keys::Seal(dataset_id)));
  d.sealed = seal.has_value();
  std::lock_guard<std::mutex> lock(mu_);
  known_datasets_[dataset_id] = d;
  return d;
}

absl::Status Registry::CheckOpen(const std::string& dataset_id, const DatasetDefaults& d) {
  if (d.sealed || sealing_.count(dataset_id)) {
    return absl::FailedPreconditionError("dataset_id '" + dataset_id +
                                         "' is sealed; register into a new dataset version");
  }
  return absl::OkStatus();
}

absl::Status Registry::CheckDatasetExists(const std::string& dataset_id) {
  PL_ASSIGN_OR_RETURN(DatasetDefaults d, Defaults(dataset_id));
  std::lock_guard<std::mutex> lock(mu_);
  return CheckOpen(dataset_id, d);
}

VerdictRecord Registry::Judge(const DocumentRegistration& d, const policy::SourceRecord& merged,
                              const std::string& intended_use, int64_t now) const {
  policy::EvaluationContext ctx{intended_use, now, d.media_type, {}};
  ctx.opt_out_matches =
      opt_outs_->Match(d.content_id, d.text.has_value() ? &*d.text : nullptr, merged.url);
  ctx.blacklisted_sources = blacklist_->Match(merged.url, merged.dataset_name);
  VerdictRecord v = ToVerdictRecord(policy_->Evaluate(merged, ctx), policy_->sha256());
  v.source = policy::EncodeSourceRecord(merged);
  v.intended_use = intended_use;
  return v;
}

void Registry::RegisterAsync(std::vector<DocumentRegistration> docs,
                             std::function<void(RegisterOutcome)> done) {
  std::vector<AppendRequest> reqs;
  reqs.reserve(docs.size());
  int64_t now = clock_->NowMicros();
  auto verdicts = std::make_shared<std::vector<VerdictRecord>>();
  verdicts->reserve(docs.size());
  auto fail = [&done](absl::Status s) {
    RegisterOutcome failed;
    failed.status = std::move(s);
    done(std::move(failed));
  };
  if (absl::Status loaded = EnsureOptOutsLoaded(); !loaded.ok()) return fail(loaded);
  for (const auto& d : docs) {
    auto defaults = Defaults(d.dataset_id);
    if (!defaults.ok()) return fail(defaults.status());
    AppendRequest r;
    DocumentEntry entry{d.dataset_id, d.content_id, d.size_bytes, d.client_ref,
                        d.media_type, std::nullopt, std::nullopt};
    const policy::SourceRecord merged = policy::MergeDefaults(defaults->source, d.source);
    entry.verdict = Judge(d, merged, defaults->intended_use, now);
    verdicts->push_back(*entry.verdict);
    // Where it came from, so a later blacklisting finds it.
    std::string host = UrlHostOf(merged.url);
    if (!host.empty()) r.index_prefixes.push_back(index_keys::SourceHostPrefix(ReversedHost(host)));
    if (!merged.dataset_name.empty()) {
      r.index_prefixes.push_back(index_keys::SourceDatasetPrefix(merged.dataset_name));
    }
    r.dedup_key = index_keys::DatasetContent(d.dataset_id, d.content_id);
    r.index_prefixes.push_back(index_keys::DatasetDocumentsPrefix(d.dataset_id));
    r.index_prefixes.push_back(index_keys::ContentPrefix(d.content_id));
    if (d.text.has_value()) {
      entry.text = TextRecord(*d.text, d.origin);
      // LSH-band and winnowing postings are built from the entry afterwards
      // (posting_index.h); the exact-match key goes in this batch.
      r.index_prefixes.push_back(index_keys::NormalizedHashPrefix(d.text->normalized_hash));
    }
    r.entry = EncodeDocumentEntry(entry, now);
    reqs.push_back(std::move(r));
  }
  // Count the registrations in flight per dataset, so a seal waits for them;
  // refuse them once a seal has begun.
  std::vector<std::string> datasets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& d : docs) {
      auto it = known_datasets_.find(d.dataset_id);
      absl::Status open =
          it == known_datasets_.end() ? absl::OkStatus() : CheckOpen(d.dataset_id, it->second);
      if (!open.ok()) {
        for (const std::string& ds : datasets) --in_flight_[ds];
        in_flight_cv_.notify_all();
        return fail(open);
      }
      ++in_flight_[d.dataset_id];
      datasets.push_back(d.dataset_id);
    }
  }
  // The count drops before the caller hears back: once `inner` has run the
  // caller may destroy the registry.
  done = [this, datasets = std::move(datasets),
          inner = std::move(done)](RegisterOutcome out) mutable {
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const std::string& ds : datasets) --in_flight_[ds];
      in_flight_cv_.notify_all();
    }
    inner(std::move(out));
  };
  ledger_->AppendAsync(std::move(reqs), [this, docs = std::move(docs), verdicts,
                                         done = std::move(done)](AppendOutcome out) mutable {
    RegisterOutcome result;
    result.status = out.status;
    result.checkpoint = out.checkpoint;
    if (out.status.ok()) {
      for (size_t i = 0; i < docs.size(); ++i) {
        DocumentReceiptInfo r;
        r.doc = std::move(docs[i]);
        r.ledger_index = out.results[i].index;
        r.leaf_hash = std::move(out.results[i].leaf_hash);
        r.already_registered = out.results[i].existed;
        r.verdict = std::move((*verdicts)[i]);
        if (r.already_registered) {
          // The receipt states what the ledger recorded then.
          auto recorded = RecordedVerdict(r.ledger_index);
          if (!recorded.ok()) {
            result.status = recorded.status();
            result.receipts.clear();
            break;
          }
          r.verdict = *std::move(recorded);
        }
        result.receipts.push_back(std::move(r));
      }
    }
    done(std::move(result));
  });
}

absl::Status Registry::CheckClientFingerprints(const FingerprintVersions& versions,
                                               DocumentRegistration* doc, std::string_view field) {
  const std::string f = std::string(field) + "fingerprints.";
  if (doc->dataset_id.empty()) {
    return absl::InvalidArgumentError("dataset_id is required");
  }
  PL_RETURN_IF_ERROR(CheckDatasetExists(doc->dataset_id));
  PL_RETURN_IF_ERROR(CheckClientRef(doc->client_ref, options_.max_client_ref_bytes, field));
  if (doc->content_id.size() != 32) {
    return absl::InvalidArgumentError(f + "content_id must be 32 bytes (SHA-256), got " +
                                      std::to_string(doc->content_id.size()));
  }
  if (doc->size_bytes > options_.max_document_bytes) {
    return absl::ResourceExhaustedError(f + "size_bytes exceeds the limit of " +
                                        std::to_string(options_.max_document_bytes) + " bytes");
  }
  const std::string& mt = doc->media_type;
  size_t slash = mt.find('/');
  if (mt.size() > 255 || slash == std::string::npos || slash == 0 || slash + 1 == mt.size() ||
      !IsCleanText(mt) || mt.find(' ') < slash) {
    return absl::InvalidArgumentError(f + "media_type must be a media type such as " +
                                      "\"text/plain; charset=utf-8\" (at most 255 bytes)");
  }
  doc->origin = FingerprintOrigin::kClient;
  if (!doc->text.has_value()) return absl::OkStatus();
  fingerprint::TextFingerprints& t = *doc->text;
  const std::string ft = f + "text.";
  auto version = [&](uint32_t got, uint32_t want, const char* field) -> absl::Status {
    if (got == want) return absl::OkStatus();
    return absl::InvalidArgumentError(ft + field + " " + std::to_string(got) +
                                      " is not supported; this server computes version " +
                                      std::to_string(want));
  };
  PL_RETURN_IF_ERROR(
      version(versions.normalization, fingerprint::kNormalizationVersion, "normalization_version"));
  PL_RETURN_IF_ERROR(version(versions.minhash, fingerprint::kMinHashVersion, "minhash_version"));
  PL_RETURN_IF_ERROR(version(versions.winnow, fingerprint::kWinnowVersion, "winnow_version"));
  if (t.normalized_hash.size() != 16) {
    return absl::InvalidArgumentError(ft + "normalized_hash must be 16 bytes (XXH3-128)");
  }
  if (t.token_count > doc->size_bytes) {
    return absl::InvalidArgumentError(ft + "token_count exceeds size_bytes");
  }
  bool empty_sig =
      std::all_of(t.minhash.begin(), t.minhash.end(), [](uint32_t v) { return v == UINT32_MAX; });
  if ((t.token_count == 0) != empty_sig || (t.token_count == 0) != t.winnows.empty()) {
    return absl::InvalidArgumentError(
        ft +
        "a text without tokens has an all-0xffffffff minhash and no winnow_hashes, and only it");
  }
  uint64_t shingles = t.token_count == 0 ? 0
                      : t.token_count < fingerprint::kShingleTokens
                          ? 1
                          : t.token_count - fingerprint::kShingleTokens + 1;
  if (t.winnows.size() > shingles) {
    return absl::InvalidArgumentError(ft + "winnow_hashes has more fingerprints than the " +
                                      std::to_string(shingles) + " shingles of " +
                                      std::to_string(t.token_count) + " tokens");
  }
  // Winnowing selects one shingle in every window of kWinnowWindow: the
  // first, each gap and the distance from the last to the end are < window.
  const uint64_t w = fingerprint::kWinnowWindow;
  for (size_t i = 0; i <= t.winnows.size() && shingles > 0; ++i) {
    uint64_t prev = i == 0 ? 0 : t.winnows[i - 1].token_index + 1;
    uint64_t next = i == t.winnows.size() ? shingles : t.winnows[i].token_index;
    if (i < t.winnows.size() && (next < prev || next >= shingles)) {
      return absl::InvalidArgumentError(ft + "winnow_token_indices[" + std::to_string(i) +
                                        "] must be strictly increasing and below "
                                        "the shingle count " +
                                        std::to_string(shingles));
    }
    if (next - prev >= w) {
      return absl::InvalidArgumentError(
          ft + "winnow_token_indices leaves " + std::to_string(next - prev) +
          " shingles without a fingerprint near index " + std::to_string(prev) +
          "; winnowing selects one in every " + std::to_string(w));
    }
  }
  t.lsh_bands = fingerprint::LshBands(t.minhash);
  return absl::OkStatus();
}

absl::StatusOr<VerdictRecord> Registry::RecordedVerdict(uint64_t index) {
  PL_ASSIGN_OR_RETURN(auto entries, ledger_->GetEntries(index, 1));
  if (entries.empty()) return absl::DataLossError("entry " + std::to_string(index) + " is missing");
  PL_ASSIGN_OR_RETURN(DecodedEntry decoded, DecodeEntry(entries[0].data));
  PL_ASSIGN_OR_RETURN(DocumentEntry entry, AsDocumentEntry(decoded));
  // Entries written before verdicts existed carry none.
  return entry.verdict.value_or(VerdictRecord{});
}

RegisterOutcome Registry::Register(std::vector<DocumentRegistration> docs) {
  std::promise<RegisterOutcome> p;
  auto f = p.get_future();
  RegisterAsync(std::move(docs), [&p](RegisterOutcome o) { p.set_value(std::move(o)); });
  return f.get();
}

absl::StatusOr<std::optional<DocumentRegistration>> DocumentAssembler::AddPart(
    const std::string& dataset_id, const std::string& client_ref, std::string_view content,
    bool more) {
  const bool first = !in_progress_;
  if (first) {
    if (dataset_id.empty()) {
      return absl::InvalidArgumentError(
          "dataset_id is required on the first part of each document");
    }
    PL_RETURN_IF_ERROR(registry_->CheckDatasetExists(dataset_id));
    PL_RETURN_IF_ERROR(
        CheckClientRef(client_ref, registry_->options().max_client_ref_bytes, "document."));
    current_ = DocumentRegistration{dataset_id, client_ref, "", 0, "", std::nullopt};
    hasher_ = Sha256Hasher();
    buffer_.clear();
    head_.clear();
    buffering_ = true;
    in_progress_ = true;
  } else {
    if (!dataset_id.empty() && dataset_id != current_.dataset_id) {
      return absl::InvalidArgumentError("dataset_id changed in the middle of document '" +
                                        current_.client_ref + "'");
    }
    if (!client_ref.empty() && client_ref != current_.client_ref) {
      return absl::InvalidArgumentError("document.client_ref changed in the middle of document '" +
                                        current_.client_ref + "'");
    }
  }
  current_.size_bytes += content.size();
  if (current_.size_bytes > registry_->options().max_document_bytes) {
    in_progress_ = false;
    return absl::ResourceExhaustedError(
        "document.content of '" + current_.client_ref + "' exceeds the limit of " +
        std::to_string(registry_->options().max_document_bytes) + " bytes");
  }
  hasher_.Update(content);
  const uint64_t limit = registry_->options().max_fingerprint_bytes;
  if (first && !more) {
    // A document in one part is fingerprinted where it lies, not copied.
    const bool whole = content.size() <= limit;
    return Finish(whole ? content : content.substr(0, kHeadBytes), whole);
  }
  if (head_.size() < kHeadBytes) head_.append(content.substr(0, kHeadBytes - head_.size()));
  if (buffering_) {
    if (current_.size_bytes <= limit) {
      buffer_.append(content);
    } else {
      buffering_ = false;  // too large to fingerprint: content id and size only
      std::string().swap(buffer_);
    }
  }
  if (more) return std::optional<DocumentRegistration>();
  auto done = buffering_ ? Finish(buffer_, true) : Finish(head_, false);
  std::string().swap(buffer_);
  return done;
}

std::optional<DocumentRegistration> DocumentAssembler::Finish(std::string_view bytes, bool whole) {
  current_.content_id = hasher_.Finish();
  in_progress_ = false;
  // A document over the fingerprint limit was not kept: only its head is
  // typed (FingerprintWork with a zero text limit), never as text.
  fingerprint::WorkFingerprints w =
      fingerprint::FingerprintWork(bytes, whole ? registry_->options().max_fingerprint_bytes : 0);
  current_.media_type = std::move(w.media_type);
  current_.text = std::move(w.text);
  return std::optional<DocumentRegistration>(std::move(current_));
}

}  // namespace provledger
