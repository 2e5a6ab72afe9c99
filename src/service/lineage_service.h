// provledger.v1.LineageService: lookups, matching and lineage over
// LineageQueries. Page tokens pin the tree size of the first page, so every
// page of one listing answers from the same anchor.
#ifndef PROVLEDGER_SRC_SERVICE_LINEAGE_SERVICE_H_
#define PROVLEDGER_SRC_SERVICE_LINEAGE_SERVICE_H_

#include "parsed_requests.h"
#include "provledger/lineage.h"
#include "provledger/v1/lineage.grpc.pb.h"

namespace provledger::service {

class LineageServiceImpl final : public v1::LineageService::Service {
 public:
  // `queries` is not owned and must outlive the service. A MatchContent work
  // larger than `max_query_bytes` is RESOURCE_EXHAUSTED; text up to
  // `max_fingerprint_bytes` is fingerprinted. Every request is parsed by
  // the service (parsed_requests.h).
  LineageServiceImpl(LineageQueries* queries, uint64_t max_query_bytes,
                     uint64_t max_fingerprint_bytes);

  grpc::Status LookupContent(grpc::ServerContext* ctx, const v1::LookupContentRequest* req,
                             v1::LookupContentResponse* resp) override;
  // MatchContent: v1::MatchContentRequest messages, then one
  // v1::MatchContentResponse; a message that cannot be parsed is
  // INVALID_ARGUMENT, never a match over part of the work.
  grpc::Status MatchContentParsed(grpc::ServerContext* ctx, RawStream* stream);
  grpc::Status GetDataset(grpc::ServerContext* ctx, const v1::GetDatasetRequest* req,
                          v1::GetDatasetResponse* resp) override;
  grpc::Status ListDatasetDocuments(grpc::ServerContext* ctx,
                                    const v1::ListDatasetDocumentsRequest* req,
                                    v1::ListDatasetDocumentsResponse* resp) override;
  grpc::Status GetDatasetLineage(grpc::ServerContext* ctx, const v1::GetDatasetLineageRequest* req,
                                 v1::GetDatasetLineageResponse* resp) override;
  grpc::Status GetModelLineage(grpc::ServerContext* ctx, const v1::GetModelLineageRequest* req,
                               v1::GetModelLineageResponse* resp) override;

 private:
  grpc::Status MatchContentOf(grpc::ServerContext* ctx, RawStream* stream,
                              v1::MatchContentResponse* resp);

  LineageQueries* queries_;
  uint64_t max_query_bytes_;
  uint64_t max_fingerprint_bytes_;
};

}  // namespace provledger::service

#endif  // PROVLEDGER_SRC_SERVICE_LINEAGE_SERVICE_H_
