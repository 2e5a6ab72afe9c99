// absl::Status -> grpc::Status at the service boundary. absl status codes
// are numerically the gRPC codes, so the conversion is a cast; the message
// (which names the offending field) is kept.
#ifndef PROVLEDGER_SRC_SERVICE_GRPC_STATUS_H_
#define PROVLEDGER_SRC_SERVICE_GRPC_STATUS_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/status.h"

namespace provledger::service {

inline grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

}  // namespace provledger::service

#endif  // PROVLEDGER_SRC_SERVICE_GRPC_STATUS_H_
