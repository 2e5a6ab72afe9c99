#include "parsed_requests.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/proto_buffer_reader.h>
#include <grpcpp/support/proto_buffer_writer.h>

#include <cstdlib>
#include <map>
#include <optional>

#include "provledger/utf8.h"

namespace provledger::service {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

// The path of the first string field in `bytes` (an encoding of `type`)
// whose value is not UTF-8, walking nested messages; nullopt if none.
std::optional<std::string> FindInvalidUtf8(const Descriptor& type, const std::string& bytes,
                                           const std::string& prefix, int depth) {
  UnknownFieldSet fields;
  if (depth > 32 || !fields.ParseFromString(bytes)) return std::nullopt;
  std::map<int, int> seen;  // occurrences of each field number, for indices
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& f = fields.field(i);
    const int occurrence = seen[f.number()]++;
    const FieldDescriptor* field = type.FindFieldByNumber(f.number());
    if (field == nullptr || f.type() != UnknownField::TYPE_LENGTH_DELIMITED) continue;
    std::string path = prefix + field->name();
    if (field->is_repeated()) path += "[" + std::to_string(occurrence) + "]";
    if (field->type() == FieldDescriptor::TYPE_STRING && !IsValidUtf8(f.length_delimited())) {
      return path;
    }
    if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      auto nested =
          FindInvalidUtf8(*field->message_type(), f.length_delimited(), path + ".", depth + 1);
      if (nested.has_value()) return nested;
    }
  }
  return std::nullopt;
}

}  // namespace

absl::Status ParseRequest(grpc::ByteBuffer* buffer, google::protobuf::Message* msg) {
  msg->Clear();
  bool parsed;
  {
    grpc::ProtoBufferReader reader(buffer);
    parsed = reader.status().ok() && msg->ParseFromZeroCopyStream(&reader);
  }
  if (parsed) return absl::OkStatus();
  // Say why: the bytes again, walked without the UTF-8 check.
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (buffer->Dump(&slices).ok()) {
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  msg->Clear();
  const Descriptor& type = *msg->GetDescriptor();
  auto field = FindInvalidUtf8(type, bytes, "", 0);
  if (field.has_value()) {
    return absl::InvalidArgumentError(*field +
                                      " is not valid UTF-8 (a string field; the message was "
                                      "not read)");
  }
  return absl::InvalidArgumentError("the request is not a valid " + type.full_name() +
                                    " message (" + std::to_string(bytes.size()) + " bytes)");
}

bool WriteMessage(RawStream* stream, const google::protobuf::Message& msg) {
  grpc::ByteBuffer buffer;
  bool own_buffer = false;
  if (!grpc::SerializationTraits<google::protobuf::Message>::Serialize(msg, &buffer, &own_buffer)
           .ok()) {
    return false;
  }
  return stream->Write(buffer);
}

int MethodIndex(const std::string& service_full_name, const std::string& method) {
  const auto* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_full_name);
  const auto* m = service == nullptr ? nullptr : service->FindMethodByName(method);
  if (m == nullptr) {
    std::fprintf(stderr, "provledgerd: no method %s/%s\n", service_full_name.c_str(),
                 method.c_str());
    std::abort();
  }
  return m->index();
}

}  // namespace provledger::service
