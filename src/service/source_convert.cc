#include "source_convert.h"

#include "provledger/spdx.h"

namespace provledger::service {
void ToProto(const SealEntry& m, v1::DatasetManifest* p) {
  p->set_dataset_id(m.dataset_id);
  p->set_ledger_size(m.ledger_size);
  p->set_document_count(m.document_count);
  p->set_total_bytes(m.total_bytes);
  p->set_accepted(m.verdicts[0]);
  p->set_flagged(m.verdicts[1]);
  p->set_rejected(m.verdicts[2]);
  for (size_t c = 0; c < m.license_classes.size(); ++c) {
    if (m.license_classes[c] == 0) continue;
    std::string name = c == 0 ? "none" : LicenseClassName(static_cast<uint8_t>(c));
    (*p->mutable_license_classes())[name] = m.license_classes[c];
  }
  p->set_manifest_root(m.manifest_root);
}

void AddRefs(const std::vector<DatasetRef>& refs,
             google::protobuf::RepeatedPtrField<v1::DatasetVersionRef>* out) {
  for (const DatasetRef& r : refs) {
    v1::DatasetVersionRef* p = out->Add();
    p->set_dataset_id(r.dataset_id);
    p->set_manifest_root(r.manifest_root);
  }
}

void AddReasons(const std::vector<ReasonRecord>& reasons,
                google::protobuf::RepeatedPtrField<v1::VerdictReason>* out) {
  for (const ReasonRecord& reason : reasons) {
    v1::VerdictReason* p = out->Add();
    p->set_code(reason.code);
    p->set_message(reason.message);
    p->set_severity(static_cast<v1::Verdict>(reason.severity));
  }
}

std::string LicenseClassName(uint8_t license_class) {
  return std::string(spdx::LicenseClassName(static_cast<spdx::LicenseClass>(license_class)));
}

}  // namespace provledger::service
