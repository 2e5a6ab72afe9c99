// The end-to-end side of fingerprint_eval: a real provledgerd (in process,
// RocksDB in a temporary directory) reached over loopback gRPC. Documents are
// registered with RegisterDocuments and queries asked with MatchContent, so
// the evaluation measures what an IP holder gets, index and all.
#ifndef PROVLEDGER_TOOLS_EVAL_SERVER_MATCHER_H_
#define PROVLEDGER_TOOLS_EVAL_SERVER_MATCHER_H_

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "provledger/server.h"
#include "provledger/v1/lineage.grpc.pb.h"
#include "provledger/v1/registry.grpc.pb.h"

namespace provledger::eval {

class ServerMatcher {
 public:
  // Starts a server on a fresh directory under $TMPDIR; exits the process
  // with a message if it cannot.
  ServerMatcher();
  ~ServerMatcher();  // stops the server and removes its directory

  // Registers `texts` in one dataset; document i gets client_ref "i".
  void Register(const std::vector<std::string>& texts);
  // The documents MatchContent reports with `kind` for `text` (all pages).
  // Documents registered with identical bytes share one ledger entry; each
  // of them is reported.
  std::vector<size_t> Match(const std::string& text, v1::MatchKind kind, double min_jaccard);

 private:
  std::string dir_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::RegistryService::Stub> registry_;
  std::unique_ptr<v1::LineageService::Stub> lineage_;
  std::map<std::string, std::vector<size_t>> by_content_id_;
};

}  // namespace provledger::eval

#endif  // PROVLEDGER_TOOLS_EVAL_SERVER_MATCHER_H_
