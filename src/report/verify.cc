// Offline verification of a signed filing report (docs/reports.md §6).
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "provledger/encoding.h"
#include "provledger/entry.h"
#include "provledger/merkle.h"
#include "provledger/report.h"
#include "provledger/status_macros.h"
#include "report_json.h"

namespace provledger::report {
namespace {

using nlohmann::json;

absl::Status Lost(const std::string& what) { return absl::DataLossError("report: " + what); }

absl::StatusOr<std::vector<std::string>> Hashes(const json& array, const std::string& what) {
  std::vector<std::string> out;
  for (const json& h : array) {
    auto b = Base64Decode(h.get<std::string>());
    if (!b.ok() || b->size() != 32) return Lost(what + " holds a malformed hash");
    out.push_back(*std::move(b));
  }
  return out;
}

// A citation proven in the anchor: its decoded entry.
struct Proven {
  uint64_t index = 0;
  std::string bytes;
  DecodedEntry entry;
};

class Verifier {
 public:
  Verifier(const json& r, const NoteVerifierKey& key) : r_(r), key_(key) {}

  absl::StatusOr<ReportCheck> Run() {
    ReportCheck check;
    PL_RETURN_IF_ERROR(Anchor(&check));
    for (const json& c : r_.at("cited_entries")) {
      PL_ASSIGN_OR_RETURN(Proven p, Cite(c, "cited entry"));
      cited_.emplace(p.index, std::move(p));
    }
    PL_RETURN_IF_ERROR(Datasets());
    PL_RETURN_IF_ERROR(Subject());
    PL_RETURN_IF_ERROR(Totals());
    PL_RETURN_IF_ERROR(Sample(&check));
    check.entries_proven = proven_;
    return check;
  }

 private:
  absl::Status Anchor(ReportCheck* check) {
    const json& a = r_.at("anchor");
    PL_ASSIGN_OR_RETURN(anchor_, VerifyCheckpoint(a.at("checkpoint").get<std::string>(), key_));
    if (anchor_.size != a.at("tree_size").get<uint64_t>() ||
        Base64Encode(anchor_.root_hash) != a.at("root_hash").get<std::string>()) {
      return Lost("anchor.tree_size or root_hash is not the anchor checkpoint's");
    }
    check->anchor = anchor_;
    return absl::OkStatus();
  }

  absl::StatusOr<Proven> Cite(const json& c, const std::string& what) {
    Proven p;
    p.index = c.at("index").get<uint64_t>();
    auto bytes = Base64Decode(c.at("entry").get<std::string>());
    if (!bytes.ok()) return Lost(what + " " + std::to_string(p.index) + ": entry is not base64");
    p.bytes = *std::move(bytes);
    PL_ASSIGN_OR_RETURN(std::vector<std::string> proof,
                        Hashes(c.at("inclusion_proof"), what + " proof"));
    absl::Status ok = merkle::VerifyInclusion(p.index, anchor_.size, merkle::HashLeaf(p.bytes),
                                              proof, anchor_.root_hash);
    if (!ok.ok()) {
      return Lost(what + " " + std::to_string(p.index) +
                  " is not proven in the anchor: " + std::string(ok.message()));
    }
    auto decoded = DecodeEntry(p.bytes);
    if (!decoded.ok()) return Lost(what + " " + std::to_string(p.index) + " does not decode");
    p.entry = *std::move(decoded);
    ++proven_;
    return p;
  }

  absl::StatusOr<const DecodedEntry*> CitedAt(uint64_t index, const std::string& what) {
    auto it = cited_.find(index);
    if (it == cited_.end()) return Lost(what + " entry " + std::to_string(index) + " is not cited");
    return &it->second.entry;
  }

  absl::Status Datasets() {
    std::string previous;
    for (const json& d : r_.at("datasets")) {
      const std::string id = d.at("dataset_id").get<std::string>();
      const std::string at = "dataset '" + id + "': ";
      if (!previous.empty() && id <= previous) return Lost("datasets are not in id order");
      previous = id;
      PL_ASSIGN_OR_RETURN(const DecodedEntry* de,
                          CitedAt(d.at("ledger_index").get<uint64_t>(), at + "dataset"));
      auto entry = AsDatasetEntry(*de);
      if (!entry.ok() ||
          report_internal::DatasetJson(*entry) != json{
                                                      {"dataset_id", id},
                                                      {"name", d.at("name")},
                                                      {"version", d.at("version")},
                                                      {"description", d.at("description")},
                                                      {"owner", d.at("owner")},
                                                      {"intended_use", d.at("intended_use")},
                                                  }) {
        return Lost(at + "the dataset entry does not say what the report states");
      }
      const uint64_t seal_index = d.at("seal_index").get<uint64_t>();
      PL_ASSIGN_OR_RETURN(const DecodedEntry* se, CitedAt(seal_index, at + "seal"));
      auto seal = AsSealEntry(*se);
      const json& as_sealed = d.at("as_sealed");
      if (!seal.ok() || seal->dataset_id != id ||
          ToHex(seal->manifest_root) != d.at("manifest_root").get<std::string>() ||
          seal->ledger_size != d.at("sealed_at_tree_size").get<uint64_t>() ||
          seal->document_count != as_sealed.at("documents").get<uint64_t>() ||
          seal->total_bytes != as_sealed.at("bytes").get<uint64_t>() ||
          seal->verdicts[0] != as_sealed.at("accepted").get<uint64_t>() ||
          seal->verdicts[1] != as_sealed.at("flagged").get<uint64_t>() ||
          seal->verdicts[2] != as_sealed.at("rejected").get<uint64_t>()) {
        return Lost(at + "the manifest entry does not say what the report states");
      }
      // Re-evaluations change verdicts, never the documents or their bytes.
      const json& in_force = d.at("in_force");
      if (in_force.at("documents").get<uint64_t>() != seal->document_count ||
          in_force.at("bytes").get<uint64_t>() != seal->total_bytes) {
        return Lost(at + "in_force documents or bytes differ from the manifest");
      }
      Dataset info{seal_index, seal->document_count, seal->manifest_root, 0};
      info.first_position = population_;
      population_ += seal->document_count;
      datasets_.emplace(id, std::move(info));
    }
    return absl::OkStatus();
  }

  absl::Status Subject() {
    const json& s = r_.at("subject");
    const std::string kind = s.at("kind").get<std::string>();
    std::set<std::string> named;
    if (kind == "model") {
      const json& runs = r_.at("training_runs");
      if (runs.empty()) return Lost("a model report without training runs");
      for (const json& run : runs) {
        const uint64_t index = run.at("ledger_index").get<uint64_t>();
        PL_ASSIGN_OR_RETURN(const DecodedEntry* de, CitedAt(index, "training run"));
        auto entry = AsTrainingRunEntry(*de);
        if (!entry.ok()) return Lost("entry " + std::to_string(index) + " is not a training run");
        json expected = report_internal::RunJson(*entry);
        expected["ledger_index"] = index;
        if (expected != run || entry->model_name != s.at("model_name").get<std::string>() ||
            entry->model_version != s.at("model_version").get<std::string>()) {
          return Lost("training run " + std::to_string(index) +
                      " does not say what the report states");
        }
        for (const DatasetRef& ref : entry->datasets) {
          auto it = datasets_.find(ref.dataset_id);
          if (it == datasets_.end() || it->second.root != ref.manifest_root) {
            return Lost("training run " + std::to_string(index) + " used '" + ref.dataset_id +
                        "' at a manifest the report does not count");
          }
          named.insert(ref.dataset_id);
        }
      }
    } else if (kind == "datasets") {
      for (const json& id : s.at("dataset_ids")) named.insert(id.get<std::string>());
    } else {
      return Lost("unknown subject kind '" + kind + "'");
    }
    if (named.size() != datasets_.size()) {
      return Lost("the datasets counted are not the subject's");
    }
    for (const std::string& id : named) {
      if (datasets_.count(id) == 0) return Lost("subject dataset '" + id + "' is not counted");
    }
    return absl::OkStatus();
  }

  absl::Status Totals() {
    uint64_t documents = 0, bytes = 0;
    for (const json& d : r_.at("datasets")) {
      documents += d.at("in_force").at("documents").get<uint64_t>();
      bytes += d.at("in_force").at("bytes").get<uint64_t>();
    }
    const json& total = r_.at("volume").at("total");
    if (total.at("documents").get<uint64_t>() != documents ||
        total.at("bytes").get<uint64_t>() != bytes) {
      return Lost("volume.total differs from the datasets' manifests");
    }
    for (const char* section : {"by_source_category", "by_media_type", "by_language"}) {
      uint64_t n = 0;
      for (const auto& [k, v] : r_.at("volume").at(section).items()) {
        n += v.at("documents").get<uint64_t>();
      }
      if (n != documents) return Lost(std::string("volume.") + section + " does not add up");
    }
    return absl::OkStatus();
  }

  absl::Status Sample(ReportCheck* check) {
    const json& s = r_.at("audit_sample");
    if (s.at("procedure").get<std::string>() != kSampleProcedure) {
      return Lost("unknown sample procedure");
    }
    PL_ASSIGN_OR_RETURN(Checkpoint seed,
                        VerifyCheckpoint(s.at("seed_checkpoint").get<std::string>(), key_));
    if (seed.size != s.at("seed_tree_size").get<uint64_t>() || seed.size > anchor_.size) {
      return Lost("audit_sample.seed_tree_size is not the seed checkpoint's, or beyond the anchor");
    }
    PL_ASSIGN_OR_RETURN(std::vector<std::string> consistency,
                        Hashes(s.at("seed_consistency_proof"), "seed consistency"));
    absl::Status consistent = merkle::VerifyConsistency(seed.size, anchor_.size, seed.root_hash,
                                                        anchor_.root_hash, consistency);
    if (!consistent.ok()) {
      return Lost("the seed checkpoint is not consistent with the anchor: " +
                  std::string(consistent.message()));
    }
    for (const auto& [id, d] : datasets_) {
      if (seed.size <= d.seal_index) {
        return Lost("the sample was seeded before dataset '" + id + "' was sealed");
      }
    }
    const uint64_t requested = s.at("requested").get<uint64_t>();
    const uint64_t max_draws = MaxDraws(population_, requested);
    if (s.at("population").get<uint64_t>() != population_ ||
        s.at("max_draws").get<uint64_t>() != max_draws) {
      return Lost("audit_sample.population or max_draws is not what the manifests give");
    }
    const json& docs = s.at("documents");
    std::vector<uint64_t> draws = DrawSample(seed.root_hash, population_, docs.size());
    if (draws.size() != docs.size()) return Lost("the sample lists more draws than exist");
    uint64_t training = 0, excluded = 0, reviewed = 0, passed = 0;
    for (size_t j = 0; j < docs.size(); ++j) {
      const json& d = docs[j];
      const std::string at = "sample draw " + std::to_string(j) + ": ";
      if (d.at("draw").get<uint64_t>() != j || d.at("position").get<uint64_t>() != draws[j]) {
        return Lost(at + "not the document the procedure draws (position " +
                    std::to_string(draws[j]) + ")");
      }
      if (training == requested) return Lost("the sample lists draws after it was complete");
      auto ds = datasets_.find(d.at("dataset_id").get<std::string>());
      if (ds == datasets_.end()) return Lost(at + "dataset is not counted");
      const Dataset& dset = ds->second;
      const uint64_t offset = d.at("manifest_offset").get<uint64_t>();
      if (draws[j] < dset.first_position || offset != draws[j] - dset.first_position ||
          offset >= dset.documents) {
        return Lost(at + "the position is not in its dataset's manifest");
      }
      PL_ASSIGN_OR_RETURN(Proven doc, Cite(d.at("document"), at + "document"));
      auto entry = AsDocumentEntry(doc.entry);
      if (!entry.ok() || entry->dataset_id != ds->first) {
        return Lost(at + "the cited entry is not a document of " + ds->first);
      }
      PL_ASSIGN_OR_RETURN(std::vector<std::string> mproof,
                          Hashes(d.at("manifest_proof"), at + "manifest proof"));
      absl::Status in_manifest = merkle::VerifyInclusion(
          offset, dset.documents, merkle::HashLeaf(doc.bytes), mproof, dset.root);
      if (!in_manifest.ok()) {
        return Lost(at + "the document is not at its position in the sealed manifest: " +
                    std::string(in_manifest.message()));
      }
      const VerdictRecord own = entry->verdict.value_or(VerdictRecord{});
      if (d.at("content_id").get<std::string>() != ToHex(entry->content_id) ||
          d.at("size_bytes").get<uint64_t>() != entry->size_bytes ||
          d.at("media_type").get<std::string>() != entry->media_type ||
          d.at("license").get<std::string>() != own.license) {
        return Lost(at + "the stated content, size, media type or license is not the entry's");
      }
      VerdictRecord verdict = own;
      if (verdict.verdict == 0) verdict.verdict = 1;
      if (d.contains("verdict_entry")) {
        PL_ASSIGN_OR_RETURN(Proven ve, Cite(d.at("verdict_entry"), at + "verdict entry"));
        auto rev = AsReevaluationEntry(ve.entry);
        if (!rev.ok() || rev->document_index != doc.index) {
          return Lost(at + "the verdict entry is not a re-evaluation of the document");
        }
        verdict = VerdictAfter(own, *std::move(rev));
      }
      if (d.at("verdict") != report_internal::VerdictJson(verdict)) {
        return Lost(at + "the stated verdict is not the one its entries record");
      }
      const bool is_excluded = verdict.verdict == 3;
      if (d.at("excluded").get<bool>() != is_excluded) {
        return Lost(at + "excluded must be true exactly for rejected documents");
      }
      if (is_excluded) {
        ++excluded;
        if (d.contains("review")) return Lost(at + "a rejected document carries a review");
        continue;
      }
      ++training;
      if (d.contains("review")) {
        const json& rj = d.at("review");
        PL_ASSIGN_OR_RETURN(Proven re, Cite(rj, at + "review"));
        auto review = AsReviewEntry(re.entry);
        if (!review.ok() || review->document_index != doc.index ||
            review->passed != rj.at("passed").get<bool>() ||
            review->reviewer != rj.at("reviewer").get<std::string>()) {
          return Lost(at + "the review entry does not say what the report states");
        }
        ++reviewed;
        passed += review->passed ? 1 : 0;
      }
    }
    if (training < requested && docs.size() != max_draws) {
      return Lost("the sample stops before it has " + std::to_string(requested) +
                  " training documents while draws remain");
    }
    if (s.at("training_documents").get<uint64_t>() != training ||
        s.at("excluded_rejected").get<uint64_t>() != excluded ||
        s.at("short").get<bool>() != (training < requested)) {
      return Lost("the sample's counts do not recompute");
    }
    const json& rv = r_.at("reviews");
    const std::string status = ReviewStatus(training, reviewed, passed);
    if (rv.at("sampled").get<uint64_t>() != training ||
        rv.at("reviewed").get<uint64_t>() != reviewed ||
        rv.at("passed").get<uint64_t>() != passed ||
        rv.at("failed").get<uint64_t>() != reviewed - passed ||
        rv.at("bar_permille").get<uint64_t>() != kPassBarPermille ||
        rv.at("status").get<std::string>() != status) {
      return Lost("the review tally does not recompute from the cited reviews");
    }
    check->sampled = training;
    check->excluded = excluded;
    check->reviewed = reviewed;
    check->passed = passed;
    return absl::OkStatus();
  }

  struct Dataset {
    uint64_t seal_index = 0;
    uint64_t documents = 0;
    std::string root;
    uint64_t first_position = 0;
  };
  const json& r_;
  const NoteVerifierKey& key_;
  Checkpoint anchor_;
  std::map<uint64_t, Proven> cited_;
  std::map<std::string, Dataset> datasets_;
  uint64_t population_ = 0;
  uint64_t proven_ = 0;
};

}  // namespace

absl::StatusOr<std::string> ReportBody(std::string_view signed_report) {
  // The body is everything before the blank line that starts the signatures.
  size_t end = signed_report.find("\n\n");
  if (end == std::string_view::npos) {
    return absl::InvalidArgumentError("report: not a signed note (no signature block)");
  }
  return std::string(signed_report.substr(0, end + 1));
}

absl::StatusOr<ReportCheck> VerifyReport(std::string_view signed_report,
                                         const NoteVerifierKey& key) {
  PL_ASSIGN_OR_RETURN(std::string body, OpenNote(signed_report, key));
  json r = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (r.is_discarded() || !r.is_object()) {
    return absl::InvalidArgumentError("report: the body is not a JSON object");
  }
  if (r.dump(-1, ' ', false, json::error_handler_t::replace) + "\n" != body) {
    return absl::InvalidArgumentError(
        "report: the body is not in canonical form (docs/reports.md)");
  }
  try {
    if (r.at("format").get<std::string>() != kReportFormat) {
      return absl::InvalidArgumentError("report: unsupported format '" +
                                        r.at("format").get<std::string>() + "'");
    }
    if (r.at("origin").get<std::string>() != key.name) {
      return absl::PermissionDeniedError("report: issued by '" + r.at("origin").get<std::string>() +
                                         "', not by '" + key.name + "'");
    }
    Verifier v(r, key);
    PL_ASSIGN_OR_RETURN(ReportCheck check, v.Run());
    check.body = std::move(body);
    return check;
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(std::string("report: a field is missing or malformed: ") +
                                      e.what());
  }
}

}  // namespace provledger::report
