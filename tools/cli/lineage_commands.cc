// `provledger dataset seal|derive` and `provledger model register`.
#include <iostream>
#include <nlohmann/json.hpp>

#include "absl/time/time.h"
#include "client.h"
#include "commands.h"
#include "provledger/encoding.h"
#include "provledger/v1/registry.grpc.pb.h"

namespace provledger::cli {
namespace {

nlohmann::json Refs(const google::protobuf::RepeatedPtrField<v1::DatasetVersionRef>& refs) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : refs) {
    out.push_back({{"dataset_id", r.dataset_id()}, {"manifest_root", ToHex(r.manifest_root())}});
  }
  return out;
}

template <typename Response>
void AddVerdict(const Response& r, nlohmann::json* j) {
  (*j)["verdict"] = v1::Verdict_Name(r.verdict());
  nlohmann::json reasons = nlohmann::json::array();
  for (const auto& reason : r.reasons()) {
    reasons.push_back({{"code", reason.code()}, {"message", reason.message()}});
  }
  (*j)["reasons"] = reasons;
}

}  // namespace

bool ParseTime(const std::string& s, const char* flag, int64_t* out) {
  if (s.empty()) return true;
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, s, &t, &err)) {
    std::cerr << "provledger: " << flag << " must be an RFC 3339 time such as "
              << "2026-11-01T00:00:00Z\n";
    return false;
  }
  *out = absl::ToUnixMicros(t);
  return true;
}

int DeclareOptOut(const OptOutArgs& args) {
  v1::DeclareOptOutRequest req;
  req.set_declarant(args.declarant);
  req.set_reference(args.reference);
  if (!args.file.empty()) {
    auto content = ReadFile(args.file);
    if (!content.ok()) {
      std::cerr << "provledger: " << content.status().message() << "\n";
      return 2;
    }
    req.set_content(*std::move(content));
  } else if (!args.url_pattern.empty()) {
    req.set_url_pattern(args.url_pattern);
  } else if (!args.domain.empty()) {
    req.set_domain(args.domain);
  }
  v1::DeclareOptOutResponse resp;
  if (int rc = CallUnary(&v1::RegistryService::Stub::DeclareOptOut, args.server, "declare opt-out",
                         req, &resp);
      rc != 0) {
    return rc;
  }
  nlohmann::json j;
  j["ledger_index"] = resp.ledger_index();
  j["already_existed"] = resp.already_existed();
  if (!resp.content_id().empty()) j["content_id"] = ToHex(resp.content_id());
  if (!resp.normalized_hash().empty()) j["normalized_hash"] = ToHex(resp.normalized_hash());
  std::cout << j.dump() << "\n";
  return 0;
}

namespace {
nlohmann::json SummaryJson(const v1::ReevaluationSummary& s) {
  return {{"examined", s.examined()},
          {"reevaluated", s.reevaluated()},
          {"accepted", s.accepted()},
          {"flagged", s.flagged()},
          {"rejected", s.rejected()}};
}
}  // namespace

int RecordSourceAssessment(const AssessArgs& args) {
  v1::RecordSourceAssessmentRequest req;
  if (!args.domain.empty()) req.set_domain(args.domain);
  if (!args.dataset_name.empty()) req.set_dataset_name(args.dataset_name);
  req.set_sample_size(args.sample_size);
  req.set_failures(args.failures);
  req.set_assessor(args.assessor);
  req.set_phase(args.phase);
  req.set_notes(args.notes);
  v1::RecordSourceAssessmentResponse resp;
  if (int rc = CallUnary(&v1::RegistryService::Stub::RecordSourceAssessment, args.server,
                         "record source assessment", req, &resp);
      rc != 0) {
    return rc;
  }
  nlohmann::json j{{"ledger_index", resp.ledger_index()},
                   {"blacklisted", resp.blacklisted()},
                   {"earlier_documents", SummaryJson(resp.earlier_documents())}};
  std::cout << j.dump() << "\n";
  return 0;
}

int ReevaluateDataset(const std::string& server, const std::string& dataset_id) {
  v1::ReevaluateDatasetRequest req;
  req.set_dataset_id(dataset_id);
  v1::ReevaluateDatasetResponse resp;
  if (int rc = CallUnary(&v1::RegistryService::Stub::ReevaluateDataset, server,
                         "re-evaluate dataset", req, &resp);
      rc != 0) {
    return rc;
  }
  nlohmann::json j = SummaryJson(resp.summary());
  j["dataset_id"] = dataset_id;
  j["policy_sha256"] = ToHex(resp.policy_sha256());
  std::cout << j.dump() << "\n";
  return 0;
}

int SealDataset(const std::string& server, const std::string& dataset_id) {
  v1::SealDatasetRequest req;
  req.set_dataset_id(dataset_id);
  v1::SealDatasetResponse resp;
  if (int rc =
          CallUnary(&v1::RegistryService::Stub::SealDataset, server, "seal dataset", req, &resp);
      rc != 0) {
    return rc;
  }
  const v1::DatasetManifest& m = resp.manifest();
  nlohmann::json j;
  j["dataset_id"] = m.dataset_id();
  j["ledger_index"] = resp.ledger_index();
  j["already_sealed"] = resp.already_sealed();
  j["document_count"] = m.document_count();
  j["total_bytes"] = m.total_bytes();
  j["accepted"] = m.accepted();
  j["flagged"] = m.flagged();
  j["rejected"] = m.rejected();
  j["license_classes"] = nlohmann::json(
      std::map<std::string, uint64_t>(m.license_classes().begin(), m.license_classes().end()));
  j["manifest_root"] = ToHex(m.manifest_root());
  std::cout << j.dump() << "\n";
  return 0;
}

int DeriveDataset(const DeriveArgs& args) {
  v1::DeriveDatasetRequest req;
  req.set_dataset_id(args.dataset_id);
  for (const auto& p : args.parents) req.add_parent_ids(p);
  req.set_transformation(args.transformation);
  req.set_description(args.description);
  v1::DeriveDatasetResponse resp;
  if (int rc = CallUnary(&v1::RegistryService::Stub::DeriveDataset, args.server, "derive dataset",
                         req, &resp);
      rc != 0) {
    return rc;
  }
  nlohmann::json j;
  j["dataset_id"] = args.dataset_id;
  j["parents"] = Refs(resp.parents());
  AddVerdict(resp, &j);
  j["ledger_index"] = resp.ledger_index();
  j["already_existed"] = resp.already_existed();
  std::cout << j.dump() << "\n";
  return 0;
}

int RegisterTrainingRun(const TrainingRunArgs& args) {
  v1::RegisterTrainingRunRequest req;
  int64_t start = 0, end = 0;
  if (!ParseTime(args.start, "--start", &start) || !ParseTime(args.end, "--end", &end)) return 2;
  req.set_model_name(args.name);
  req.set_model_version(args.version);
  for (const auto& d : args.datasets) req.add_dataset_ids(d);
  req.set_training_start_unix_micros(start);
  req.set_training_end_unix_micros(end);
  req.set_commercial(args.commercial);
  req.set_public_cn(args.public_cn);
  req.set_public_eu(args.public_eu);
  req.set_description(args.description);
  v1::RegisterTrainingRunResponse resp;
  if (int rc = CallUnary(&v1::RegistryService::Stub::RegisterTrainingRun, args.server,
                         "register training run", req, &resp);
      rc != 0) {
    return rc;
  }
  nlohmann::json j;
  j["model_name"] = args.name;
  j["model_version"] = args.version;
  j["datasets"] = Refs(resp.datasets());
  AddVerdict(resp, &j);
  j["ledger_index"] = resp.ledger_index();
  j["already_existed"] = resp.already_existed();
  std::cout << j.dump() << "\n";
  return 0;
}

}  // namespace provledger::cli
