// Entry type 6: opt-out declarations (docs/ledger-format.md).
#include <string>

#include "entry_fields.h"
#include "provledger/encoding.h"
#include "provledger/entry.h"
#include "provledger/sha256.h"

namespace provledger {

using entry_internal::Field;
using entry_internal::FieldWriter;

std::string EncodeOptOutEntry(const OptOutEntry& o, int64_t timestamp_us) {
  FieldWriter w(EntryType::kOptOutDeclared, timestamp_us);
  w.Bytes(1, o.declarant);
  w.Bytes(2, o.reference);
  w.Byte(3, static_cast<uint8_t>(o.kind));
  w.Bytes(4, o.content_id);
  if (o.text.has_value()) {
    w.Bytes(5, std::string(1, static_cast<char>(o.text->normalization_version)) +
                   o.text->normalized_hash);
    std::string sig(1, static_cast<char>(o.text->minhash_version));
    for (uint32_t v : o.text->minhash) AppendU32BE(&sig, v);
    w.Bytes(6, sig);
  }
  w.Bytes(7, o.pattern);
  return w.Finish();
}

absl::StatusOr<OptOutEntry> AsOptOutEntry(const DecodedEntry& e) {
  if (e.type != EntryType::kOptOutDeclared) {
    return absl::InvalidArgumentError("entry is not an opt-out declaration");
  }
  OptOutEntry o;
  o.declarant = Field(e, 1);
  o.reference = Field(e, 2);
  std::string kind = Field(e, 3);
  o.content_id = Field(e, 4);
  std::string nh = Field(e, 5), mh = Field(e, 6);
  o.pattern = Field(e, 7);
  if (o.declarant.empty() || kind.size() != 1 || kind[0] < 1 || kind[0] > 3) {
    return absl::InvalidArgumentError("opt-out entry: missing declarant or kind");
  }
  o.kind = static_cast<OptOutKind>(kind[0]);
  bool work = o.kind == OptOutKind::kWork;
  if (work != (o.content_id.size() == kSha256Size) || work == !o.pattern.empty() ||
      (!work && (!nh.empty() || !mh.empty())) || nh.empty() != mh.empty()) {
    return absl::InvalidArgumentError("opt-out entry: fields do not match its kind");
  }
  if (!nh.empty()) {
    if (nh.size() != 17 || (mh.size() - 1) % 4 != 0) {
      return absl::InvalidArgumentError("opt-out entry: malformed fingerprints");
    }
    TextFingerprintRecord t;
    t.normalization_version = static_cast<uint8_t>(nh[0]);
    t.normalized_hash = nh.substr(1);
    t.minhash_version = static_cast<uint8_t>(mh[0]);
    for (size_t i = 1; i < mh.size(); i += 4) t.minhash.push_back(ReadU32BE(mh.data() + i));
    o.text = std::move(t);
  }
  return o;
}

}  // namespace provledger
