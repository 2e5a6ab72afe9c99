// provledger.v1.ReportService: filing reports (ReportBuilder) and reviews of
// their audit samples (Registry::RecordReview).
#ifndef PROVLEDGER_SRC_SERVICE_REPORT_SERVICE_H_
#define PROVLEDGER_SRC_SERVICE_REPORT_SERVICE_H_

#include "provledger/clock.h"
#include "provledger/registry.h"
#include "provledger/report_builder.h"
#include "provledger/v1/report.grpc.pb.h"

namespace provledger::service {

class ReportServiceImpl final : public v1::ReportService::Service {
 public:
  // None owned; all must outlive the service.
  ReportServiceImpl(report::ReportBuilder* builder, Registry* registry, const Clock* clock)
      : builder_(builder), registry_(registry), clock_(clock) {}

  grpc::Status GenerateFilingReport(grpc::ServerContext* ctx,
                                    const v1::GenerateFilingReportRequest* req,
                                    grpc::ServerWriter<v1::ReportChunk>* writer) override;
  grpc::Status RecordReview(grpc::ServerContext* ctx, const v1::RecordReviewRequest* req,
                            v1::RecordReviewResponse* resp) override;

 private:
  report::ReportBuilder* builder_;
  Registry* registry_;
  const Clock* clock_;
};

}  // namespace provledger::service

#endif  // PROVLEDGER_SRC_SERVICE_REPORT_SERVICE_H_
