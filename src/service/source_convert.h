// Conversions shared by the services: verdicts, manifests and dataset
// references (source records: source_proto.h).
#ifndef PROVLEDGER_SRC_SERVICE_SOURCE_CONVERT_H_
#define PROVLEDGER_SRC_SERVICE_SOURCE_CONVERT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "provledger/entry.h"
#include "provledger/policy.h"
#include "provledger/v1/registry.pb.h"
#include "provledger/v1/source.pb.h"
#include "source_proto.h"

namespace provledger::service {

void ToProto(const SealEntry& m, v1::DatasetManifest* p);
void AddRefs(const std::vector<DatasetRef>& refs,
             google::protobuf::RepeatedPtrField<v1::DatasetVersionRef>* out);

// "permissive", ... for a stored license class byte.
std::string LicenseClassName(uint8_t license_class);

// Appends stored reasons to a proto's repeated reasons.
void AddReasons(const std::vector<ReasonRecord>& reasons,
                google::protobuf::RepeatedPtrField<v1::VerdictReason>* out);

// Sets the verdict, reasons, license, license class and policy hash of a
// message that has them (DocumentReceipt, Registration).
template <typename Message>
void SetVerdict(const VerdictRecord& v, Message* r) {
  r->set_verdict(static_cast<v1::Verdict>(v.verdict));
  AddReasons(v.reasons, r->mutable_reasons());
  r->set_license(v.license);
  if (!v.license.empty()) r->set_license_class(LicenseClassName(v.license_class));
  r->set_policy_sha256(v.policy_sha256);
}

}  // namespace provledger::service

#endif  // PROVLEDGER_SRC_SERVICE_SOURCE_CONVERT_H_
