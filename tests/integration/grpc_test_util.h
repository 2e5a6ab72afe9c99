// Helpers for tests that talk to a real provledgerd over loopback gRPC.
#ifndef PROVLEDGER_TESTS_INTEGRATION_GRPC_TEST_UTIL_H_
#define PROVLEDGER_TESTS_INTEGRATION_GRPC_TEST_UTIL_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "provledger/v1/ledger.grpc.pb.h"
#include "provledger/v1/registry.grpc.pb.h"

namespace provledger::testing {

inline std::shared_ptr<grpc::Channel> Channel(const std::string& addr) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(), args);
}

inline grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

inline std::string FromBuffer(const grpc::ByteBuffer& buf) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buf.Dump(&slices).ok()) return out;
  for (auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

// One unary call by method name with raw request bytes (no generated code):
// used for grpc.health.v1, whose protos are not packaged for C++.
inline grpc::Status RawUnary(grpc::Channel* channel, const std::string& method,
                             const std::string& request, std::string* response) {
  grpc::GenericStub stub(channel->shared_from_this());
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  grpc::ByteBuffer req = ToBuffer(request), resp;
  grpc::Status status;
  auto call = stub.PrepareUnaryCall(&ctx, method, req, &cq);
  call->StartCall();
  call->Finish(&resp, &status, reinterpret_cast<void*>(1));
  void* tag;
  bool ok;
  cq.Next(&tag, &ok);
  *response = FromBuffer(resp);
  return status;
}

// Sends one message on a bidi stream by method name and returns the first
// response's raw bytes (used for server reflection).
inline grpc::Status RawBidiOnce(grpc::Channel* channel, const std::string& method,
                                const std::string& request, std::string* response) {
  grpc::GenericStub stub(channel->shared_from_this());
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  void* tag;
  bool ok;
  auto call = stub.PrepareCall(&ctx, method, &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  cq.Next(&tag, &ok);
  grpc::ByteBuffer req = ToBuffer(request), resp;
  call->Write(req, reinterpret_cast<void*>(2));
  cq.Next(&tag, &ok);
  call->WritesDone(reinterpret_cast<void*>(3));
  cq.Next(&tag, &ok);
  call->Read(&resp, reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  *response = FromBuffer(resp);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  cq.Next(&tag, &ok);
  return status;
}

// Creates a dataset (version "v1"); returns its id, or "" after a test failure.
inline std::string CreateDataset(v1::RegistryService::Stub* stub, const std::string& name) {
  grpc::ClientContext ctx;
  v1::CreateDatasetRequest req;
  req.set_name(name);
  req.set_version("v1");
  v1::CreateDatasetResponse resp;
  grpc::Status s = stub->CreateDataset(&ctx, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return resp.dataset_id();
}

// A document to stream: parts are split at `part_size`.
struct TestDoc {
  std::string dataset_id;
  std::string ref;
  std::string content;
  v1::SourceRecord source;  // the document's own source record (may be empty)
};

// Streams `docs` and collects every receipt; returns the final status.
inline grpc::Status RegisterAll(v1::RegistryService::Stub* stub, const std::vector<TestDoc>& docs,
                                std::vector<v1::DocumentReceipt>* receipts,
                                std::vector<std::string>* checkpoints = nullptr,
                                size_t part_size = 1 << 20) {
  grpc::ClientContext ctx;
  auto stream = stub->RegisterDocuments(&ctx);
  std::thread writer([&] {
    for (const auto& d : docs) {
      size_t off = 0;
      do {
        v1::RegisterDocumentsRequest req;
        if (off == 0) {
          req.set_dataset_id(d.dataset_id);
          req.mutable_document()->set_client_ref(d.ref);
          *req.mutable_document()->mutable_source() = d.source;
        }
        size_t n = std::min(part_size, d.content.size() - off);
        req.mutable_document()->set_content(d.content.substr(off, n));
        off += n;
        req.mutable_document()->set_more(off < d.content.size());
        if (!stream->Write(req)) break;
      } while (off < d.content.size());
    }
    stream->WritesDone();
  });
  v1::RegisterDocumentsResponse resp;
  while (stream->Read(&resp)) {
    for (const auto& r : resp.receipts()) receipts->push_back(r);
    if (checkpoints) checkpoints->push_back(resp.checkpoint());
  }
  writer.join();
  return stream->Finish();
}

}  // namespace provledger::testing

#endif  // PROVLEDGER_TESTS_INTEGRATION_GRPC_TEST_UTIL_H_
