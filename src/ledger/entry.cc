#include "provledger/entry.h"

#include <optional>
#include <string>
#include <utility>

#include "entry_fields.h"
#include "provledger/encoding.h"
#include "provledger/sha256.h"
#include "provledger/status_macros.h"

namespace provledger {
namespace entry_internal {

std::string EncodeReasons(const std::vector<ReasonRecord>& reasons) {
  std::string out;
  for (const ReasonRecord& r : reasons) {
    std::string_view code = std::string_view(r.code).substr(0, 0xffff);
    std::string_view message = std::string_view(r.message).substr(0, 0xffff);
    out.push_back(static_cast<char>(r.severity));
    AppendU16BE(&out, static_cast<uint16_t>(code.size()));
    out += code;
    AppendU16BE(&out, static_cast<uint16_t>(message.size()));
    out += message;
  }
  return out;
}

absl::StatusOr<std::vector<ReasonRecord>> DecodeReasons(std::string_view rs) {
  std::vector<ReasonRecord> out;
  while (!rs.empty()) {
    ReasonRecord r;
    if (rs.size() < 3) return absl::InvalidArgumentError("entry: truncated reason");
    r.severity = static_cast<uint8_t>(rs[0]);
    uint16_t code_len = ReadU16BE(rs.data() + 1);
    if (r.severity < 2 || r.severity > 3 || code_len == 0 || rs.size() < 3u + code_len + 2u) {
      return absl::InvalidArgumentError("entry: malformed reason");
    }
    r.code = std::string(rs.substr(3, code_len));
    uint16_t msg_len = ReadU16BE(rs.data() + 3 + code_len);
    if (rs.size() < 5u + code_len + msg_len) {
      return absl::InvalidArgumentError("entry: truncated reason");
    }
    r.message = std::string(rs.substr(5 + code_len, msg_len));
    rs.remove_prefix(5 + code_len + msg_len);
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<uint64_t> RequiredU64(const DecodedEntry& e, uint16_t tag, const char* what) {
  std::string v = Field(e, tag);
  if (v.size() != 8) return absl::InvalidArgumentError(std::string("entry: missing ") + what);
  return ReadU64BE(v.data());
}

}  // namespace entry_internal

using entry_internal::Field;
using entry_internal::FieldWriter;

std::string EncodeDatasetEntry(const DatasetEntry& d, int64_t timestamp_us) {
  FieldWriter w(EntryType::kDatasetCreated, timestamp_us);
  w.Bytes(kDatasetTagId, d.dataset_id);
  w.Bytes(kDatasetTagName, d.name);
  w.Bytes(kDatasetTagVersion, d.version);
  w.Bytes(kDatasetTagDescription, d.description);
  w.Bytes(kDatasetTagOwner, d.owner);
  w.Bytes(kDatasetTagIntendedUse, d.intended_use);
  w.Bytes(kDatasetTagDefaultSource, d.default_source);
  return w.Finish();
}

std::string EncodeDocumentEntry(const DocumentEntry& d, int64_t timestamp_us) {
  FieldWriter w(EntryType::kDocumentRegistered, timestamp_us);
  size_t estimate = 256 + d.dataset_id.size() + d.client_ref.size() + d.media_type.size();
  if (d.text.has_value()) estimate += 4 * d.text->minhash.size() + 12 * d.text->winnows.size();
  if (d.verdict.has_value()) estimate += d.verdict->source.size() + d.verdict->license.size();
  w.Reserve(estimate);
  w.Bytes(kDocumentTagDatasetId, d.dataset_id);
  w.Bytes(kDocumentTagContentId, d.content_id);
  w.U64(kDocumentTagSize, d.size_bytes);
  w.Bytes(kDocumentTagClientRef, d.client_ref);
  w.Bytes(kDocumentTagMediaType, d.media_type);
  if (d.text.has_value()) {
    const TextFingerprintRecord& t = *d.text;
    w.Bytes(kDocumentTagFingerprintOrigin, std::string(1, static_cast<char>(t.origin)));
    w.Bytes(kDocumentTagNormalizedHash,
            std::string(1, static_cast<char>(t.normalization_version)) + t.normalized_hash);
    char* p = w.Field(kDocumentTagMinHash, 1 + 4 * t.minhash.size());
    *p++ = static_cast<char>(t.minhash_version);
    for (uint32_t v : t.minhash) {
      StoreU32BE(p, v);
      p += 4;
    }
    w.U64(kDocumentTagTokenCount, t.token_count);
    if (!t.winnows.empty()) {
      p = w.Field(kDocumentTagWinnows, 1 + 12 * t.winnows.size());
      *p++ = static_cast<char>(t.winnow_version);
      for (const auto& x : t.winnows) {
        StoreU64BE(p, x.hash);
        StoreU32BE(p + 8, x.token_index);
        p += 12;
      }
    }
    if (t.winnows_total > t.winnows.size()) w.U64(kDocumentTagWinnowsTotal, t.winnows_total);
  }
  if (d.verdict.has_value()) {
    const VerdictRecord& v = *d.verdict;
    w.Bytes(kDocumentTagSource, v.source);
    w.Bytes(kDocumentTagLicense, v.license);
    if (!v.license.empty()) {
      w.Bytes(kDocumentTagLicenseClass, std::string(1, static_cast<char>(v.license_class)));
    }
    w.Bytes(kDocumentTagVerdict, std::string(1, static_cast<char>(v.verdict)));
    w.Bytes(kDocumentTagReasons, entry_internal::EncodeReasons(v.reasons));
    w.Bytes(kDocumentTagPolicySha256, v.policy_sha256);
    w.Bytes(kDocumentTagIntendedUse, v.intended_use);
  }
  return w.Finish();
}

namespace {

// Checks the header and walks the fields of a canonical v1 entry: `fn` gets
// each (tag, value) in order. InvalidArgument naming the defect.
template <typename Fn>
absl::Status WalkEntry(std::string_view bytes, EntryType* type, int64_t* timestamp_us, Fn fn) {
  if (bytes.size() < 10) return absl::InvalidArgumentError("entry: shorter than its header");
  uint8_t version = static_cast<uint8_t>(bytes[0]);
  if (version != kEntryFormatVersion) {
    return absl::InvalidArgumentError("entry: unsupported format version " +
                                      std::to_string(version));
  }
  uint8_t t = static_cast<uint8_t>(bytes[1]);
  if (t < static_cast<uint8_t>(EntryType::kDatasetCreated) ||
      t > static_cast<uint8_t>(EntryType::kReviewRecorded)) {
    return absl::InvalidArgumentError("entry: unknown entry type " + std::to_string(t));
  }
  *type = static_cast<EntryType>(t);
  *timestamp_us = static_cast<int64_t>(ReadU64BE(bytes.data() + 2));
  std::string_view rest = bytes.substr(10);
  int last_tag = -1;
  while (!rest.empty()) {
    if (rest.size() < 6) return absl::InvalidArgumentError("entry: truncated field header");
    uint16_t tag = ReadU16BE(rest.data());
    uint32_t len = ReadU32BE(rest.data() + 2);
    rest.remove_prefix(6);
    if (static_cast<int>(tag) <= last_tag) {
      return absl::InvalidArgumentError("entry: field tags not strictly ascending");
    }
    if (len == 0) return absl::InvalidArgumentError("entry: empty field value");
    if (len > rest.size()) return absl::InvalidArgumentError("entry: truncated field value");
    fn(tag, rest.substr(0, len));
    rest.remove_prefix(len);
    last_tag = tag;
  }
  return absl::OkStatus();
}

// The fingerprint fields of a document entry, as stored (empty = absent).
struct TextFields {
  std::string_view origin, normalized_hash, minhash, token_count, winnows, winnows_total;
};

// The text fingerprint record of a document entry's fields: nullopt when
// it has none. InvalidArgument if they are malformed or incomplete.
absl::StatusOr<std::optional<TextFingerprintRecord>> DecodeTextFields(const TextFields& f) {
  if (f.origin.empty()) {
    if (!f.winnows.empty() || !f.winnows_total.empty()) {
      return absl::InvalidArgumentError("document entry: winnows without the other fingerprints");
    }
    return std::optional<TextFingerprintRecord>();
  }
  const std::string_view nh = f.normalized_hash, mh = f.minhash, tc = f.token_count;
  if (f.origin.size() != 1 || (f.origin[0] != 1 && f.origin[0] != 2) || nh.size() != 17 ||
      mh.empty() || (mh.size() - 1) % 4 != 0 || tc.size() != 8) {
    return absl::InvalidArgumentError("document entry: malformed fingerprint fields");
  }
  TextFingerprintRecord t;
  t.origin = static_cast<FingerprintOrigin>(f.origin[0]);
  t.normalization_version = static_cast<uint8_t>(nh[0]);
  t.normalized_hash = std::string(nh.substr(1));
  t.minhash_version = static_cast<uint8_t>(mh[0]);
  t.minhash.reserve((mh.size() - 1) / 4);
  for (size_t i = 1; i < mh.size(); i += 4) t.minhash.push_back(ReadU32BE(mh.data() + i));
  t.token_count = ReadU64BE(tc.data());
  const std::string_view ws = f.winnows;
  if (!ws.empty()) {
    if ((ws.size() - 1) % 12 != 0 || ws.size() == 1) {
      return absl::InvalidArgumentError("document entry: malformed winnows field");
    }
    t.winnow_version = static_cast<uint8_t>(ws[0]);
    t.winnows.reserve((ws.size() - 1) / 12);
    for (size_t i = 1; i < ws.size(); i += 12) {
      t.winnows.push_back({ReadU64BE(ws.data() + i), ReadU32BE(ws.data() + i + 8)});
    }
  }
  if (!f.winnows_total.empty()) {
    // Present only on a list cut to its first kMaxStoredWinnows.
    if (f.winnows_total.size() != 8 || t.winnows.size() != kMaxStoredWinnows ||
        ReadU64BE(f.winnows_total.data()) <= kMaxStoredWinnows) {
      return absl::InvalidArgumentError("document entry: malformed winnows_total field");
    }
    t.winnows_total = ReadU64BE(f.winnows_total.data());
  }
  return std::optional<TextFingerprintRecord>(std::move(t));
}

}  // namespace

void CapStoredWinnows(TextFingerprintRecord* t) {
  if (t->winnows.size() <= kMaxStoredWinnows) return;
  t->winnows_total = t->winnows.size();
  t->winnows.resize(kMaxStoredWinnows);
  t->winnows.shrink_to_fit();
}

absl::StatusOr<DecodedEntry> DecodeEntry(std::string_view bytes) {
  DecodedEntry e;
  e.version = kEntryFormatVersion;
  auto* fields = &e.fields;
  PL_RETURN_IF_ERROR(
      WalkEntry(bytes, &e.type, &e.timestamp_us, [fields](uint16_t tag, std::string_view value) {
        fields->emplace(tag, std::string(value));
      }));
  return e;
}

absl::StatusOr<std::optional<TextFingerprintRecord>> DecodeDocumentFingerprints(
    std::string_view bytes) {
  EntryType type = EntryType::kDatasetCreated;
  int64_t timestamp_us = 0;
  TextFields f;
  PL_RETURN_IF_ERROR(
      WalkEntry(bytes, &type, &timestamp_us, [&f](uint16_t tag, std::string_view value) {
        switch (tag) {
          case kDocumentTagFingerprintOrigin:
            f.origin = value;
            break;
          case kDocumentTagNormalizedHash:
            f.normalized_hash = value;
            break;
          case kDocumentTagMinHash:
            f.minhash = value;
            break;
          case kDocumentTagTokenCount:
            f.token_count = value;
            break;
          case kDocumentTagWinnows:
            f.winnows = value;
            break;
          case kDocumentTagWinnowsTotal:
            f.winnows_total = value;
            break;
          default:
            break;
        }
      }));
  if (type != EntryType::kDocumentRegistered) return std::optional<TextFingerprintRecord>();
  return DecodeTextFields(f);
}

absl::StatusOr<DatasetEntry> AsDatasetEntry(const DecodedEntry& e) {
  if (e.type != EntryType::kDatasetCreated) {
    return absl::InvalidArgumentError("entry is not a dataset entry");
  }
  DatasetEntry d;
  d.dataset_id = Field(e, kDatasetTagId);
  d.name = Field(e, kDatasetTagName);
  d.version = Field(e, kDatasetTagVersion);
  d.description = Field(e, kDatasetTagDescription);
  d.owner = Field(e, kDatasetTagOwner);
  d.intended_use = Field(e, kDatasetTagIntendedUse);
  d.default_source = Field(e, kDatasetTagDefaultSource);
  if (d.dataset_id.empty() || d.name.empty()) {
    return absl::InvalidArgumentError("dataset entry: missing id or name");
  }
  return d;
}

absl::StatusOr<DocumentEntry> AsDocumentEntry(const DecodedEntry& e) {
  if (e.type != EntryType::kDocumentRegistered) {
    return absl::InvalidArgumentError("entry is not a document entry");
  }
  DocumentEntry d;
  d.dataset_id = Field(e, kDocumentTagDatasetId);
  d.content_id = Field(e, kDocumentTagContentId);
  std::string size = Field(e, kDocumentTagSize);
  d.client_ref = Field(e, kDocumentTagClientRef);
  if (d.dataset_id.empty() || d.content_id.size() != kSha256Size || size.size() != 8) {
    return absl::InvalidArgumentError("document entry: missing dataset id, content id or size");
  }
  d.size_bytes = ReadU64BE(size.data());
  d.media_type = Field(e, kDocumentTagMediaType);
  const std::string origin = Field(e, kDocumentTagFingerprintOrigin);
  const std::string nh = Field(e, kDocumentTagNormalizedHash);
  const std::string mh = Field(e, kDocumentTagMinHash);
  const std::string tc = Field(e, kDocumentTagTokenCount);
  const std::string ws = Field(e, kDocumentTagWinnows);
  const std::string wt = Field(e, kDocumentTagWinnowsTotal);
  PL_ASSIGN_OR_RETURN(d.text, DecodeTextFields({origin, nh, mh, tc, ws, wt}));
  std::string verdict = Field(e, kDocumentTagVerdict);
  if (!verdict.empty()) {
    VerdictRecord v;
    v.source = Field(e, kDocumentTagSource);
    v.license = Field(e, kDocumentTagLicense);
    std::string cls = Field(e, kDocumentTagLicenseClass);
    v.policy_sha256 = Field(e, kDocumentTagPolicySha256);
    v.intended_use = Field(e, kDocumentTagIntendedUse);
    if (verdict.size() != 1 || verdict[0] < 1 || verdict[0] > 3 ||
        v.policy_sha256.size() != kSha256Size || v.license.empty() != cls.empty() ||
        (!cls.empty() && (cls.size() != 1 || cls[0] < 1 || cls[0] > 8))) {
      return absl::InvalidArgumentError("document entry: malformed verdict fields");
    }
    v.verdict = static_cast<uint8_t>(verdict[0]);
    if (!cls.empty()) v.license_class = static_cast<uint8_t>(cls[0]);
    auto reasons = entry_internal::DecodeReasons(Field(e, kDocumentTagReasons));
    if (!reasons.ok()) return reasons.status();
    v.reasons = *std::move(reasons);
    // A verdict other than accepted has reasons; an accepted one has none.
    if ((v.verdict == 1) != v.reasons.empty()) {
      return absl::InvalidArgumentError("document entry: verdict and reasons disagree");
    }
    d.verdict = std::move(v);
  } else if (e.fields.count(kDocumentTagSource) || e.fields.count(kDocumentTagReasons) ||
             e.fields.count(kDocumentTagPolicySha256)) {
    return absl::InvalidArgumentError("document entry: policy fields without a verdict");
  }
  return d;
}

}  // namespace provledger
