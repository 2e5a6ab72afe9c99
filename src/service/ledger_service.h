// provledger.v1.LedgerService: read-only access to checkpoints, entries and
// proofs. Thin: request validation and proto conversion only.
#ifndef PROVLEDGER_SRC_SERVICE_LEDGER_SERVICE_H_
#define PROVLEDGER_SRC_SERVICE_LEDGER_SERVICE_H_

#include "parsed_requests.h"
#include "provledger/ledger.h"
#include "provledger/v1/ledger.grpc.pb.h"

namespace provledger::service {

class LedgerServiceImpl final : public v1::LedgerService::Service {
 public:
  // `ledger` is not owned and must outlive the service.
  // Every request is parsed by the service (parsed_requests.h).
  explicit LedgerServiceImpl(Ledger* ledger);

  grpc::Status GetCheckpoint(grpc::ServerContext* ctx, const v1::GetCheckpointRequest* req,
                             v1::GetCheckpointResponse* resp) override;
  grpc::Status GetEntries(grpc::ServerContext* ctx, const v1::GetEntriesRequest* req,
                          v1::GetEntriesResponse* resp) override;
  grpc::Status GetInclusionProof(grpc::ServerContext* ctx, const v1::GetInclusionProofRequest* req,
                                 v1::GetInclusionProofResponse* resp) override;
  grpc::Status GetConsistencyProof(grpc::ServerContext* ctx,
                                   const v1::GetConsistencyProofRequest* req,
                                   v1::GetConsistencyProofResponse* resp) override;

  static constexpr uint32_t kMaxEntriesPerCall = 1000;
  // GetEntries answers fewer entries than asked once they pass this many
  // bytes (always at least one; an entry is at most ~1.6 MiB, entry.h).
  static constexpr size_t kMaxEntriesBytesPerCall = size_t{3} << 20;

 private:
  Ledger* ledger_;
};

}  // namespace provledger::service

#endif  // PROVLEDGER_SRC_SERVICE_LEDGER_SERVICE_H_
