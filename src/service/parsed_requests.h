// Requests parsed by the services themselves, so that a message that cannot
// be parsed is answered INVALID_ARGUMENT naming the field at fault.
//
// gRPC's synchronous API parses requests before the handler sees them: a
// unary request it cannot parse is answered INTERNAL with an empty message,
// and in a stream a message it cannot parse (a string field holding invalid
// UTF-8, say) looks like the end of the stream, so the call ended OK over a
// partial request. Each service replaces its handlers (MarkMethodStreamed)
// with ones that receive the raw bytes and parse them here:
//
//   MarkMethodStreamed(MethodIndex(kService, "CreateDataset"),
//                      ParsedUnary(this, &RegistryServiceImpl::CreateDataset));
//   MarkMethodStreamed(MethodIndex(kService, "RegisterDocuments"),
//                      ParsedStream(this, &RegistryServiceImpl::RegisterDocumentsParsed));
//
// Wire behaviour is unchanged for every client; the handler type
// (BIDI_STREAMING over raw buffers) is internal to the server.
#ifndef PROVLEDGER_SRC_SERVICE_PARSED_REQUESTS_H_
#define PROVLEDGER_SRC_SERVICE_PARSED_REQUESTS_H_

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/method_handler.h>

#include <string>

#include "absl/status/status.h"
#include "grpc_status.h"

namespace provledger::service {

using RawStream = grpc::ServerReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>;

// Parses `buffer` into `msg` (cleared first). InvalidArgument on failure,
// naming the first string field whose bytes are not UTF-8 (as a path, e.g.
// "documents[2].client_ref"), or the message type when the bytes are not a
// protobuf encoding at all.
absl::Status ParseRequest(grpc::ByteBuffer* buffer, google::protobuf::Message* msg);

// Serialises `msg` and writes it on `stream`; false if the call is gone.
bool WriteMessage(RawStream* stream, const google::protobuf::Message& msg);

// The position of `method` in the service's descriptor, which is its index
// in the generated grpc::Service. Aborts if there is no such method (a
// programming error caught by every test that starts a server).
int MethodIndex(const std::string& service_full_name, const std::string& method);

// The requests of a stream, parsed one by one.
template <class Request>
class ParsedReader {
 public:
  explicit ParsedReader(RawStream* stream) : stream_(stream) {}
  // The next request: false at the end of the stream, and at a message that
  // cannot be parsed (status() then says which and why; nothing more is
  // read).
  bool Read(Request* msg) {
    grpc::ByteBuffer buffer;
    if (!status_.ok() || !stream_->Read(&buffer)) return false;
    ++count_;
    absl::Status s = ParseRequest(&buffer, msg);
    if (!s.ok()) {
      status_ = absl::InvalidArgumentError("message " + std::to_string(count_) +
                                           " of the stream: " + std::string(s.message()));
      return false;
    }
    return true;
  }
  const absl::Status& status() const { return status_; }

 private:
  RawStream* stream_;
  absl::Status status_;
  size_t count_ = 0;
};

// A handler for a unary method: one request parsed here, the typed method,
// its one response.
template <class Service, class Request, class Response>
grpc::internal::MethodHandler* ParsedUnary(Service* service,
                                           grpc::Status (Service::*method)(grpc::ServerContext*,
                                                                           const Request*,
                                                                           Response*)) {
  return new grpc::internal::BidiStreamingHandler<Service, grpc::ByteBuffer, grpc::ByteBuffer>(
      [method](Service* s, grpc::ServerContext* ctx, RawStream* stream) {
        grpc::ByteBuffer buffer;
        if (!stream->Read(&buffer)) {
          return ToGrpc(absl::InvalidArgumentError("no request message was sent"));
        }
        Request request;
        absl::Status parsed = ParseRequest(&buffer, &request);
        if (!parsed.ok()) return ToGrpc(parsed);
        Response response;
        grpc::Status status = (s->*method)(ctx, &request, &response);
        if (status.ok()) WriteMessage(stream, response);
        return status;
      },
      service);
}

// A handler for a streaming method that reads its requests through a
// ParsedReader and writes with WriteMessage.
template <class Service>
grpc::internal::MethodHandler* ParsedStream(Service* service,
                                            grpc::Status (Service::*method)(grpc::ServerContext*,
                                                                            RawStream*)) {
  return new grpc::internal::BidiStreamingHandler<Service, grpc::ByteBuffer, grpc::ByteBuffer>(
      [method](Service* s, grpc::ServerContext* ctx, RawStream* stream) {
        return (s->*method)(ctx, stream);
      },
      service);
}

}  // namespace provledger::service

#endif  // PROVLEDGER_SRC_SERVICE_PARSED_REQUESTS_H_
