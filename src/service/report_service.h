// provledger.v1.ReportService: filing reports (ReportBuilder) and reviews of
// their audit samples (Registry::RecordReview).
#ifndef PROVLEDGER_SRC_SERVICE_REPORT_SERVICE_H_
#define PROVLEDGER_SRC_SERVICE_REPORT_SERVICE_H_

#include "parsed_requests.h"
#include "provledger/clock.h"
#include "provledger/registry.h"
#include "provledger/report_builder.h"
#include "provledger/v1/report.grpc.pb.h"

namespace provledger::service {

class ReportServiceImpl final : public v1::ReportService::Service {
 public:
  // None owned; all must outlive the service. Every request is parsed by
  // the service (parsed_requests.h).
  ReportServiceImpl(report::ReportBuilder* builder, Registry* registry, const Clock* clock);

  // GenerateFilingReport: one v1::GenerateFilingReportRequest, then the
  // report as v1::ReportChunk messages.
  grpc::Status GenerateFilingReportParsed(grpc::ServerContext* ctx, RawStream* stream);
  grpc::Status RecordReview(grpc::ServerContext* ctx, const v1::RecordReviewRequest* req,
                            v1::RecordReviewResponse* resp) override;

 private:
  report::ReportBuilder* builder_;
  Registry* registry_;
  const Clock* clock_;
};

}  // namespace provledger::service

#endif  // PROVLEDGER_SRC_SERVICE_REPORT_SERVICE_H_
