// gRPC plumbing shared by the CLI's online commands.
#ifndef PROVLEDGER_TOOLS_CLI_CLIENT_H_
#define PROVLEDGER_TOOLS_CLI_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <iostream>
#include <memory>
#include <string>

namespace provledger::cli {

inline std::shared_ptr<grpc::Channel> Connect(const std::string& server) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args);
}

inline const char* CodeName(grpc::StatusCode code) {
  static const char* kNames[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : "UNKNOWN";
}

// Prints "provledger: <what>: <CODE>: <message>" and returns exit code 1.
inline int Fail(const std::string& what, const grpc::Status& s) {
  std::cerr << "provledger: " << what << ": " << CodeName(s.error_code()) << ": "
            << s.error_message() << "\n";
  return 1;
}

// One unary call of `method` on `server`: 0, or 1 after printing the error
// (Fail, naming `what`).
template <typename Stub, typename Request, typename Response>
int CallUnary(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
              const std::string& server, const std::string& what, const Request& req,
              Response* resp) {
  Stub stub(Connect(server));
  grpc::ClientContext ctx;
  grpc::Status s = (stub.*method)(&ctx, req, resp);
  return s.ok() ? 0 : Fail(what, s);
}

}  // namespace provledger::cli

#endif  // PROVLEDGER_TOOLS_CLI_CLIENT_H_
