// ReportBuilder: resolves the subject, streams the documents once (tally,
// manifest recomputation, sample capture), then cites and signs.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "provledger/encoding.h"
#include "provledger/index_keys.h"
#include "provledger/merkle.h"
#include "provledger/report_builder.h"
#include "provledger/source_record_codec.h"
#include "provledger/status_macros.h"
#include "report_json.h"
#include "tally.h"

namespace provledger::report {
namespace {

using nlohmann::json;
using report_internal::Citation;
using report_internal::Count;
using report_internal::VerdictJson;

constexpr size_t kPage = 4096;

// Serves the perfect-subtree hashes an inclusion proof reads. First it
// records which ones (answering with placeholders), then the caller fills
// them in from a streaming pass and it serves them.
class NodeCollector : public merkle::NodeReader {
 public:
  absl::StatusOr<std::vector<std::string>> ReadNodes(
      const std::vector<merkle::NodeId>& ids) override {
    std::vector<std::string> out;
    out.reserve(ids.size());
    for (const merkle::NodeId& id : ids) {
      auto key = std::make_pair(id.level, id.index);
      if (recording_) {
        nodes_.try_emplace(key);
        out.emplace_back(32, '\0');
        continue;
      }
      auto it = nodes_.find(key);
      if (it == nodes_.end() || it->second.empty()) {
        return absl::DataLossError("manifest node " + std::to_string(id.level) + "/" +
                                   std::to_string(id.index) + " was not seen");
      }
      out.push_back(it->second);
    }
    return out;
  }
  // Keeps `hash` if a recorded proof needs the node.
  void Offer(merkle::NodeId id, const std::string& hash) {
    auto it = nodes_.find(std::make_pair(id.level, id.index));
    if (it != nodes_.end()) it->second = hash;
  }
  void StopRecording() { recording_ = false; }

 private:
  bool recording_ = true;
  std::map<std::pair<uint8_t, uint64_t>, std::string> nodes_;
};

// A drawn document, captured during the pass.
struct Drawn {
  size_t dataset = 0;  // into the report's datasets
  uint64_t offset = 0;
  bool seen = false;
  StoredEntry entry;
  VerdictRecord verdict;
  uint64_t verdict_index = 0;
  std::optional<StoredEntry> verdict_entry;
  std::vector<std::string> manifest_proof;
};

struct DatasetState {
  DatasetView view;
  uint64_t first_position = 0;
  std::map<uint64_t, size_t> drawn;  // offset -> draw number
  NodeCollector nodes;
  Count count;
  int64_t first_us = 0, last_us = 0;
  // Training documents (not rejected) per license expression and media type.
  std::map<std::string, uint64_t> licenses, media_types;
};

// Reads the document at `stored`: its entry, time and source record.
struct DocView {
  DocumentEntry doc;
  int64_t timestamp_us = 0;
};

absl::StatusOr<DocView> ReadDocument(const StoredEntry& stored) {
  auto decoded = DecodeEntry(stored.data);
  if (!decoded.ok()) {
    return absl::DataLossError("entry " + std::to_string(stored.index) +
                               " does not decode: " + std::string(decoded.status().message()));
  }
  PL_ASSIGN_OR_RETURN(DocumentEntry doc, AsDocumentEntry(*decoded));
  return DocView{std::move(doc), decoded->timestamp_us};
}

}  // namespace

absl::StatusOr<GeneratedReport> ReportBuilder::Generate(const ReportSpec& spec, int64_t now_us) {
  const bool by_model = !spec.model_name.empty();
  if (by_model == !spec.dataset_ids.empty()) {
    return absl::InvalidArgumentError(
        "subject: give either model_name (and model_version) or dataset_ids, not both");
  }
  if (spec.sample_size == 0 || spec.sample_size > 1000000) {
    return absl::InvalidArgumentError("sample_size must be between 1 and 1000000, got " +
                                      std::to_string(spec.sample_size));
  }
  PL_ASSIGN_OR_RETURN(SignedCheckpoint anchor, lineage_->Resolve(spec.as_of));
  const AsOfSpec at_anchor{anchor.size, std::nullopt};
  json report = json::object();

  // The subject: training runs, the dataset versions they used, ancestors.
  std::vector<std::string> direct;
  std::vector<DatasetView> ancestors;
  std::vector<DerivationEdgeInfo> edges;
  std::set<uint64_t> cited;
  json runs = json::array();
  if (by_model) {
    PL_ASSIGN_OR_RETURN(ModelLineage m, lineage_->GetModelLineage(
                                            spec.model_name, spec.model_version, at_anchor, false));
    for (const auto& [index, run] : m.runs) {
      json r = report_internal::RunJson(run);
      r["ledger_index"] = index;
      runs.push_back(std::move(r));
      cited.insert(index);
      for (const DatasetRef& d : run.datasets) {
        if (std::find(direct.begin(), direct.end(), d.dataset_id) == direct.end()) {
          direct.push_back(d.dataset_id);
        }
      }
    }
    for (DatasetView& v : m.datasets) {
      if (std::find(direct.begin(), direct.end(), v.entry.dataset_id) == direct.end()) {
        ancestors.push_back(std::move(v));
      }
    }
    edges = std::move(m.edges);
    report["subject"] = {
        {"kind", "model"}, {"model_name", spec.model_name}, {"model_version", spec.model_version}};
  } else {
    std::set<std::string> seen;
    for (const std::string& id : spec.dataset_ids) {
      if (!seen.insert(id).second) {
        return absl::InvalidArgumentError("dataset_ids names " + id + " twice");
      }
      direct.push_back(id);
    }
    std::set<std::string> listed(direct.begin(), direct.end());
    std::set<std::pair<uint64_t, std::string>> edge_seen;
    for (const std::string& id : direct) {
      PL_ASSIGN_OR_RETURN(DatasetLineage l, lineage_->GetDatasetLineage(id, at_anchor));
      std::set<std::string> upward{id};
      for (DatasetView& a : l.ancestors) {
        upward.insert(a.entry.dataset_id);
        if (listed.insert(a.entry.dataset_id).second) ancestors.push_back(std::move(a));
      }
      for (DerivationEdgeInfo& e : l.edges) {
        if (upward.count(e.entry.dataset_id) != 0 &&
            edge_seen.insert({e.ledger_index, e.parent_id}).second) {
          edges.push_back(std::move(e));
        }
      }
    }
    report["subject"] = {{"kind", "datasets"}, {"dataset_ids", direct}};
  }
  std::sort(direct.begin(), direct.end());

  // The dataset versions counted: sealed at the anchor, in id order.
  std::vector<DatasetState> datasets(direct.size());
  uint64_t population = 0, last_seal = 0;
  for (size_t k = 0; k < direct.size(); ++k) {
    PL_ASSIGN_OR_RETURN(datasets[k].view, lineage_->GetDataset(direct[k], anchor));
    const DatasetView& v = datasets[k].view;
    if (!v.seal.has_value()) {
      return absl::FailedPreconditionError("dataset_id '" + direct[k] +
                                           "' is not sealed at tree size " +
                                           std::to_string(anchor.size));
    }
    datasets[k].first_position = population;
    population += v.seal->document_count;
    last_seal = std::max(last_seal, v.seal_index);
    cited.insert(v.ledger_index);
    cited.insert(v.seal_index);
  }
  for (const DatasetView& a : ancestors) cited.insert(a.ledger_index);
  for (const DerivationEdgeInfo& e : edges) cited.insert(e.ledger_index);

  // The sample's seed and draws (docs/reports.md §4).
  SignedCheckpoint seed = anchor;
  if (spec.sample_tree_size.has_value()) {
    if (*spec.sample_tree_size > anchor.size) {
      return absl::OutOfRangeError("sample_tree_size " + std::to_string(*spec.sample_tree_size) +
                                   " is beyond the report's tree size " +
                                   std::to_string(anchor.size));
    }
    PL_ASSIGN_OR_RETURN(seed, ledger_->CheckpointAtOrBefore(*spec.sample_tree_size));
    if (seed.size != *spec.sample_tree_size) {
      return absl::InvalidArgumentError("sample_tree_size " +
                                        std::to_string(*spec.sample_tree_size) +
                                        " is not the size of a signed checkpoint (the one before "
                                        "it is " +
                                        std::to_string(seed.size) + ")");
    }
  }
  if (!datasets.empty() && seed.size <= last_seal) {
    return absl::FailedPreconditionError(
        "the sample checkpoint (tree size " + std::to_string(seed.size) +
        ") precedes a seal of the report's datasets (entry " + std::to_string(last_seal) +
        "): the sample must be drawn after every dataset is sealed");
  }
  const uint64_t max_draws = MaxDraws(population, spec.sample_size);
  std::vector<uint64_t> positions = DrawSample(seed.root_hash, population, max_draws);
  std::vector<Drawn> drawn(positions.size());
  for (size_t j = 0; j < positions.size(); ++j) {
    size_t k = 0;
    while (k + 1 < datasets.size() && datasets[k + 1].first_position <= positions[j]) ++k;
    drawn[j].dataset = k;
    drawn[j].offset = positions[j] - datasets[k].first_position;
    datasets[k].drawn[drawn[j].offset] = j;
  }
  for (DatasetState& d : datasets) {
    for (const auto& [offset, j] : d.drawn) {
      PL_RETURN_IF_ERROR(
          merkle::InclusionProof(offset, d.view.seal->document_count, d.nodes).status());
    }
    d.nodes.StopRecording();
  }

  // The pass: every document of every dataset, once.
  report_internal::Tally tally;
  for (DatasetState& d : datasets) {
    const SealEntry& seal = *d.view.seal;
    merkle::CompactTree manifest;
    std::optional<uint64_t> after;
    while (true) {
      PL_ASSIGN_OR_RETURN(std::vector<uint64_t> indices,
                          ledger_->ScanIndexPrefix(
                              index_keys::DatasetDocumentsPrefix(seal.dataset_id), after, kPage));
      if (indices.empty()) break;
      after = indices.back();
      PL_ASSIGN_OR_RETURN(std::vector<StoredEntry> entries, ledger_->GetEntriesAt(indices));
      // Re-evaluations of this page's documents below the anchor: the last
      // one of each document is its verdict in force.
      std::map<uint64_t, uint64_t> latest_rev;
      PL_RETURN_IF_ERROR(
          ledger_->ScanIndexRange(index_keys::ReevaluationsPrefix(indices.front()),
                                  index_keys::ReevaluationsPrefix(indices.back() + 1),
                                  [&](std::string_view key, uint64_t rev) {
                                    if (rev < anchor.size && key.size() == 20)
                                      latest_rev[ReadU64BE(key.data() + 4)] = rev;
                                    return true;
                                  }));
      std::map<uint64_t, StoredEntry> revs;
      if (!latest_rev.empty()) {
        std::vector<uint64_t> at;
        at.reserve(latest_rev.size());
        for (const auto& [doc, rev] : latest_rev) at.push_back(rev);
        PL_ASSIGN_OR_RETURN(std::vector<StoredEntry> rev_entries, ledger_->GetEntriesAt(at));
        for (StoredEntry& e : rev_entries) revs.emplace(e.index, std::move(e));
      }
      for (StoredEntry& stored : entries) {
        if (stored.index >= seal.ledger_size) {
          return absl::DataLossError("dataset '" + seal.dataset_id + "' has entry " +
                                     std::to_string(stored.index) + " after its seal");
        }
        PL_ASSIGN_OR_RETURN(DocView dv, ReadDocument(stored));
        VerdictRecord verdict = dv.doc.verdict.value_or(VerdictRecord{});
        if (verdict.verdict == 0) verdict.verdict = 1;
        uint64_t verdict_index = stored.index;
        const StoredEntry* rev_entry = nullptr;
        if (auto it = latest_rev.find(stored.index); it != latest_rev.end()) {
          rev_entry = &revs.at(it->second);
          PL_ASSIGN_OR_RETURN(DecodedEntry de, DecodeEntry(rev_entry->data));
          PL_ASSIGN_OR_RETURN(ReevaluationEntry re, AsReevaluationEntry(de));
          verdict = VerdictAfter(verdict, std::move(re));
          verdict_index = it->second;
        }
        policy::SourceRecord source;
        if (!verdict.source.empty()) {
          auto decoded = policy::DecodeSourceRecord(verdict.source);
          if (decoded.ok()) source = *std::move(decoded);
        }
        tally.Add(stored.index, dv.timestamp_us, dv.doc, source, verdict);
        d.count.Add(dv.doc.size_bytes, verdict.verdict);
        if (verdict.verdict != 3) {
          ++d.licenses[verdict.license.empty() ? std::string("NOASSERTION") : verdict.license];
          ++d.media_types[dv.doc.media_type.empty() ? std::string("unspecified")
                                                    : dv.doc.media_type];
        }
        if (d.first_us == 0) d.first_us = dv.timestamp_us;
        d.last_us = std::max(d.last_us, dv.timestamp_us);

        const uint64_t offset = manifest.size();
        manifest.Append(stored.leaf_hash,
                        [&](merkle::NodeId id, const std::string& h) { d.nodes.Offer(id, h); });
        if (auto it = d.drawn.find(offset); it != d.drawn.end()) {
          Drawn& s = drawn[it->second];
          s.seen = true;
          s.verdict = verdict;
          s.verdict_index = verdict_index;
          if (rev_entry != nullptr) s.verdict_entry = *rev_entry;
          s.entry = std::move(stored);
        }
      }
      if (indices.size() < kPage) break;
    }
    // The manifest must recompute: the sealed commitment is what the
    // sample's proofs are checked against.
    if (manifest.size() != seal.document_count || manifest.Root() != seal.manifest_root) {
      return absl::DataLossError("dataset '" + seal.dataset_id +
                                 "': its documents do not recompute the sealed manifest (" +
                                 std::to_string(manifest.size()) + " documents, sealed " +
                                 std::to_string(seal.document_count) + ")");
    }
  }

  // The sample: draws in order until sample_size training documents.
  json sample_docs = json::array();
  uint64_t sampled = 0, excluded = 0, reviewed = 0, passed = 0;
  for (size_t j = 0; j < drawn.size() && sampled < spec.sample_size; ++j) {
    Drawn& s = drawn[j];
    if (!s.seen) return absl::DataLossError("drawn document " + std::to_string(j) + " not seen");
    DatasetState& d = datasets[s.dataset];
    PL_ASSIGN_OR_RETURN(s.manifest_proof,
                        merkle::InclusionProof(s.offset, d.view.seal->document_count, d.nodes));
    const bool is_excluded = s.verdict.verdict == 3;
    PL_ASSIGN_OR_RETURN(std::vector<std::string> proof,
                        ledger_->InclusionProof(s.entry.index, anchor.size));
    PL_ASSIGN_OR_RETURN(DocView dv, ReadDocument(s.entry));
    json item = {{"draw", j},
                 {"position", positions[j]},
                 {"dataset_id", d.view.entry.dataset_id},
                 {"manifest_offset", s.offset},
                 {"manifest_proof", json::array()},
                 {"document", Citation(s.entry.index, s.entry.data, proof)},
                 {"content_id", ToHex(dv.doc.content_id)},
                 {"size_bytes", dv.doc.size_bytes},
                 {"media_type", dv.doc.media_type},
                 {"license", s.verdict.license},
                 {"verdict", VerdictJson(s.verdict)},
                 {"excluded", is_excluded}};
    for (const std::string& h : s.manifest_proof) item["manifest_proof"].push_back(Base64Encode(h));
    item["source"] =
        s.verdict.source.empty()
            ? json::object()
            : json::parse(policy::SourceRecordToJson(
                  policy::DecodeSourceRecord(s.verdict.source).value_or(policy::SourceRecord{})));
    if (s.verdict_entry.has_value()) {
      PL_ASSIGN_OR_RETURN(std::vector<std::string> vp,
                          ledger_->InclusionProof(s.verdict_entry->index, anchor.size));
      item["verdict_entry"] = Citation(s.verdict_entry->index, s.verdict_entry->data, vp);
    }
    if (is_excluded) {
      ++excluded;
    } else {
      ++sampled;
      // The latest review of the document below the anchor.
      PL_ASSIGN_OR_RETURN(std::vector<uint64_t> reviews,
                          ledger_->ScanIndexPrefix(index_keys::ReviewsPrefix(s.entry.index),
                                                   std::nullopt, 1 << 20));
      while (!reviews.empty() && reviews.back() >= anchor.size) reviews.pop_back();
      if (!reviews.empty()) {
        PL_ASSIGN_OR_RETURN(std::vector<StoredEntry> re, ledger_->GetEntriesAt({reviews.back()}));
        PL_ASSIGN_OR_RETURN(DecodedEntry de, DecodeEntry(re.at(0).data));
        PL_ASSIGN_OR_RETURN(ReviewEntry review, AsReviewEntry(de));
        PL_ASSIGN_OR_RETURN(std::vector<std::string> rp,
                            ledger_->InclusionProof(re[0].index, anchor.size));
        item["review"] = Citation(re[0].index, re[0].data, rp);
        item["review"]["passed"] = review.passed;
        item["review"]["reviewer"] = review.reviewer;
        ++reviewed;
        passed += review.passed ? 1 : 0;
      }
    }
    sample_docs.push_back(std::move(item));
  }
  PL_ASSIGN_OR_RETURN(std::vector<std::string> seed_consistency,
                      ledger_->ConsistencyProof(seed.size, anchor.size));
  json consistency = json::array();
  for (const std::string& h : seed_consistency) consistency.push_back(Base64Encode(h));
  report["audit_sample"] = {{"procedure", kSampleProcedure},
                            {"requested", spec.sample_size},
                            {"population", population},
                            {"max_draws", max_draws},
                            {"seed_checkpoint", seed.note},
                            {"seed_tree_size", seed.size},
                            {"seed_consistency_proof", consistency},
                            {"documents", sample_docs},
                            {"training_documents", sampled},
                            {"excluded_rejected", excluded},
                            {"short", sampled < spec.sample_size}};
  const std::string status = ReviewStatus(sampled, reviewed, passed);
  report["reviews"] = {
      {"sampled", sampled},
      {"reviewed", reviewed},
      {"passed", passed},
      {"failed", reviewed - passed},
      {"pass_permille", reviewed == 0 ? json(nullptr) : json(passed * 1000 / reviewed)},
      {"bar_permille", kPassBarPermille},
      {"status", status}};

  // Datasets, ancestors and derivations.
  json ds_json = json::array();
  for (const DatasetState& d : datasets) {
    const SealEntry& seal = *d.view.seal;
    json j = report_internal::DatasetJson(d.view.entry);
    j["ledger_index"] = d.view.ledger_index;
    j["seal_index"] = d.view.seal_index;
    j["sealed_at_tree_size"] = seal.ledger_size;
    j["manifest_root"] = ToHex(seal.manifest_root);
    j["in_force"] = d.count.ToJson();
    j["as_sealed"] = {{"documents", seal.document_count},
                      {"bytes", seal.total_bytes},
                      {"accepted", seal.verdicts[0]},
                      {"flagged", seal.verdicts[1]},
                      {"rejected", seal.verdicts[2]}};
    j["training_licenses"] = d.licenses;
    j["training_media_types"] = d.media_types;
    j["registration_period"] =
        d.first_us == 0 ? json::object()
                        : json{{"first_unix_micros", d.first_us}, {"last_unix_micros", d.last_us}};
    ds_json.push_back(std::move(j));
  }
  report["datasets"] = ds_json;
  json anc = json::array();
  for (const DatasetView& a : ancestors) {
    json j = report_internal::DatasetJson(a.entry);
    j["ledger_index"] = a.ledger_index;
    j["manifest_root"] = a.seal.has_value() ? ToHex(a.seal->manifest_root) : "";
    anc.push_back(std::move(j));
  }
  report["ancestors"] = anc;
  json deriv = json::array();
  json conflicts = json::array();
  for (const DerivationEdgeInfo& e : edges) {
    deriv.push_back({{"child", e.entry.dataset_id},
                     {"parent", e.parent_id},
                     {"transformation", e.entry.transformation},
                     {"description", e.entry.description},
                     {"ledger_index", e.ledger_index}});
  }
  report["derivations"] = deriv;
  report["training_runs"] = runs;

  tally.WriteTo(&report);
  // License and use conflicts: the documents' license reasons (counted in
  // verdicts.by_reason), then every derivation and run reason.
  for (const char* code : {"LICENSE_CLASS", "LICENSE_UNLISTED", "LICENSE_MALFORMED"}) {
    const json& reasons = report["verdicts"]["by_reason"];
    if (!reasons.contains(code)) continue;
    const json& r = reasons[code];
    conflicts.push_back(
        {{"scope", "documents"},
         {"code", code},
         {"documents", r["accepted"].get<uint64_t>() + r["flagged"].get<uint64_t>() +
                           r["rejected"].get<uint64_t>()},
         {"examples", r["examples"]}});
  }
  std::set<uint64_t> derivations_seen;
  for (const DerivationEdgeInfo& e : edges) {
    if (!e.entry.verdict.has_value() || !derivations_seen.insert(e.ledger_index).second) continue;
    for (const ReasonRecord& r : e.entry.verdict->reasons) {
      conflicts.push_back({{"scope", "derivation"},
                           {"code", r.code},
                           {"message", r.message},
                           {"ledger_index", e.ledger_index}});
    }
  }
  for (const json& r : runs) {
    if (r["verdict"].is_null()) continue;
    for (const json& reason : r["verdict"]["reasons"]) {
      conflicts.push_back({{"scope", "training_run"},
                           {"code", reason["code"]},
                           {"message", reason["message"]},
                           {"ledger_index", r["ledger_index"]}});
    }
  }
  report["licensing"]["conflicts"] = conflicts;

  // Every entry the report states facts from, proven in the anchor.
  json citations = json::array();
  std::vector<uint64_t> cite(cited.begin(), cited.end());
  PL_ASSIGN_OR_RETURN(std::vector<StoredEntry> cited_entries, ledger_->GetEntriesAt(cite));
  for (const StoredEntry& e : cited_entries) {
    PL_ASSIGN_OR_RETURN(std::vector<std::string> proof,
                        ledger_->InclusionProof(e.index, anchor.size));
    citations.push_back(Citation(e.index, e.data, proof));
  }
  report["cited_entries"] = citations;
  report["format"] = kReportFormat;
  report["origin"] = ledger_->origin();
  report["generated_unix_micros"] = now_us;
  report["anchor"] = {{"tree_size", anchor.size},
                      {"root_hash", Base64Encode(anchor.root_hash)},
                      {"checkpoint", anchor.note}};

  std::string body = report.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  PL_ASSIGN_OR_RETURN(std::string signed_report, ledger_->SignText(body));
  GeneratedReport out;
  out.signed_report = std::move(signed_report);
  out.tree_size = anchor.size;
  out.documents = population;
  out.sampled = sampled;
  out.reviewed = reviewed;
  return out;
}

}  // namespace provledger::report
