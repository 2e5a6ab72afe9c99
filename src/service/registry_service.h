// provledger.v1.RegistryService: dataset creation and streamed document
// registration. Receipts are sent only after the ledger batch holding the
// document is durable.
#ifndef PROVLEDGER_SRC_SERVICE_REGISTRY_SERVICE_H_
#define PROVLEDGER_SRC_SERVICE_REGISTRY_SERVICE_H_

#include <atomic>
#include <chrono>

#include "parsed_requests.h"
#include "provledger/registry.h"
#include "provledger/v1/registry.grpc.pb.h"

namespace provledger::service {

// Bounds on what registration streams may hold.
struct RegistrationLimits {
  // Documents a stream has submitted and not yet answered, or answered and
  // the client has not read (a message of `documents` is taken whole, so up
  // to one message more); the stream stops reading until the client reads.
  size_t max_in_flight = 8192;
  // Bytes of partly received documents all streams together may hold in
  // memory; a part beyond it ends its stream RESOURCE_EXHAUSTED.
  uint64_t max_assembling_bytes = uint64_t{1} << 30;
  // A document whose next part does not come within this ends its stream
  // (the call is cancelled, freeing what it held).
  std::chrono::milliseconds partial_document_timeout{60000};
};

class RegistryServiceImpl final : public v1::RegistryService::Service {
 public:
  // `registry` is not owned and must outlive the service. Streams are held
  // to `limits` (flow control: a client that never reads its receipts is
  // held to max_in_flight, whatever it keeps sending). Every request is
  // parsed by the service (parsed_requests.h).
  explicit RegistryServiceImpl(Registry* registry, RegistrationLimits limits = {});

  grpc::Status CreateDataset(grpc::ServerContext* ctx, const v1::CreateDatasetRequest* req,
                             v1::CreateDatasetResponse* resp) override;
  grpc::Status SealDataset(grpc::ServerContext* ctx, const v1::SealDatasetRequest* req,
                           v1::SealDatasetResponse* resp) override;
  grpc::Status DeriveDataset(grpc::ServerContext* ctx, const v1::DeriveDatasetRequest* req,
                             v1::DeriveDatasetResponse* resp) override;
  grpc::Status RegisterTrainingRun(grpc::ServerContext* ctx,
                                   const v1::RegisterTrainingRunRequest* req,
                                   v1::RegisterTrainingRunResponse* resp) override;
  grpc::Status DeclareOptOut(grpc::ServerContext* ctx, const v1::DeclareOptOutRequest* req,
                             v1::DeclareOptOutResponse* resp) override;
  grpc::Status RecordSourceAssessment(grpc::ServerContext* ctx,
                                      const v1::RecordSourceAssessmentRequest* req,
                                      v1::RecordSourceAssessmentResponse* resp) override;
  grpc::Status ReevaluateDataset(grpc::ServerContext* ctx, const v1::ReevaluateDatasetRequest* req,
                                 v1::ReevaluateDatasetResponse* resp) override;
  // RegisterDocuments: requests are v1::RegisterDocumentsRequest, responses
  // v1::RegisterDocumentsResponse; a message that cannot be parsed ends the
  // stream INVALID_ARGUMENT (after the receipts of what came before it).
  grpc::Status RegisterDocumentsParsed(grpc::ServerContext* ctx, RawStream* stream);

 private:
  Registry* registry_;
  const RegistrationLimits limits_;
  std::atomic<uint64_t> assembling_bytes_{0};  // over all streams
};

}  // namespace provledger::service

#endif  // PROVLEDGER_SRC_SERVICE_REGISTRY_SERVICE_H_
