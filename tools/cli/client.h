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

}  // namespace provledger::cli

#endif  // PROVLEDGER_TOOLS_CLI_CLIENT_H_
