// provledger.v1.RegistryService: dataset creation and streamed document
// registration. Receipts are sent only after the ledger batch holding the
// document is durable.
#ifndef PROVLEDGER_SRC_SERVICE_REGISTRY_SERVICE_H_
#define PROVLEDGER_SRC_SERVICE_REGISTRY_SERVICE_H_

#include "parsed_requests.h"
#include "provledger/registry.h"
#include "provledger/v1/registry.grpc.pb.h"

namespace provledger::service {

class RegistryServiceImpl final : public v1::RegistryService::Service {
 public:
  // `registry` is not owned and must outlive the service. At most
  // `max_in_flight` documents per stream wait for durability or for the
  // client to take their receipts (a message of `documents` is taken whole,
  // so up to one message more); the stream stops reading until the client
  // reads receipts (flow control: a client that never reads is held to that
  // bound, whatever it keeps sending).
  // Every request is parsed by the service (parsed_requests.h).
  explicit RegistryServiceImpl(Registry* registry, size_t max_in_flight = 8192);

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
  size_t max_in_flight_;
};

}  // namespace provledger::service

#endif  // PROVLEDGER_SRC_SERVICE_REGISTRY_SERVICE_H_
