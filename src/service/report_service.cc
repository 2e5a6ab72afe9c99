#include "report_service.h"

#include <algorithm>

#include "grpc_status.h"

namespace provledger::service {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

}  // namespace

ReportServiceImpl::ReportServiceImpl(report::ReportBuilder* builder, Registry* registry,
                                     const Clock* clock)
    : builder_(builder), registry_(registry), clock_(clock) {
  const std::string service = v1::ReportService::service_full_name();
  MarkMethodStreamed(MethodIndex(service, "GenerateFilingReport"),
                     ParsedStream(this, &ReportServiceImpl::GenerateFilingReportParsed));
  MarkMethodStreamed(MethodIndex(service, "RecordReview"),
                     ParsedUnary(this, &ReportServiceImpl::RecordReview));
}

grpc::Status ReportServiceImpl::GenerateFilingReportParsed(grpc::ServerContext* /*ctx*/,
                                                           RawStream* stream) {
  v1::GenerateFilingReportRequest request;
  const v1::GenerateFilingReportRequest* req = &request;
  {
    ParsedReader<v1::GenerateFilingReportRequest> reader(stream);
    if (!reader.Read(&request)) {
      return ToGrpc(reader.status().ok() ? absl::InvalidArgumentError("no request message was sent")
                                         : absl::InvalidArgumentError(reader.status().message()));
    }
  }
  report::ReportSpec spec;
  switch (req->subject_case()) {
    case v1::GenerateFilingReportRequest::kModel:
      if (req->model().name().empty()) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "model.name is required");
      }
      spec.model_name = req->model().name();
      spec.model_version = req->model().version();
      break;
    case v1::GenerateFilingReportRequest::kDatasets:
      if (req->datasets().dataset_ids().empty()) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            "datasets.dataset_ids must name at least one dataset");
      }
      spec.dataset_ids.assign(req->datasets().dataset_ids().begin(),
                              req->datasets().dataset_ids().end());
      break;
    default:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "subject is required: a model (name, version) or datasets");
  }
  if (req->as_of().point_case() == v1::AsOf::kTreeSize)
    spec.as_of.tree_size = req->as_of().tree_size();
  if (req->as_of().point_case() == v1::AsOf::kTimeUnixMicros) {
    spec.as_of.time_us = req->as_of().time_unix_micros();
  }
  if (req->sample_tree_size() != 0) spec.sample_tree_size = req->sample_tree_size();
  if (req->sample_size() != 0) spec.sample_size = req->sample_size();
  auto report = builder_->Generate(spec, clock_->NowMicros());
  if (!report.ok()) return ToGrpc(report.status());
  const std::string& bytes = report->signed_report;
  for (size_t at = 0; at < bytes.size() || at == 0; at += kChunkBytes) {
    v1::ReportChunk chunk;
    chunk.set_data(bytes.substr(at, kChunkBytes));
    if (at == 0) {
      v1::ReportSummary* s = chunk.mutable_summary();
      s->set_tree_size(report->tree_size);
      s->set_documents(report->documents);
      s->set_sampled(report->sampled);
      s->set_reviewed(report->reviewed);
      s->set_report_bytes(bytes.size());
    }
    if (!WriteMessage(stream, chunk)) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
    }
    if (bytes.empty()) break;
  }
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::RecordReview(grpc::ServerContext* /*ctx*/,
                                             const v1::RecordReviewRequest* req,
                                             v1::RecordReviewResponse* resp) {
  if (req->result() != v1::PASS && req->result() != v1::FAIL) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "result must be PASS or FAIL");
  }
  ReviewSpec spec;
  spec.document_index = req->document_index();
  spec.reviewer = req->reviewer();
  spec.passed = req->result() == v1::PASS;
  spec.notes = req->notes();
  spec.sample_tree_size = req->sample_tree_size();
  auto info = registry_->RecordReview(spec);
  if (!info.ok()) return ToGrpc(info.status());
  resp->set_ledger_index(info->ledger_index);
  resp->set_already_recorded(info->already_existed);
  resp->set_checkpoint(info->checkpoint->note);
  return grpc::Status::OK;
}

}  // namespace provledger::service
