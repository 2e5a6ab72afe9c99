// Canonical bytes and JSON for source records, from one field table.
#include "provledger/source_record_codec.h"

#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/time/time.h"
#include "provledger/encoding.h"

namespace provledger::policy {
namespace {

enum class Kind { kText, kHash, kTime, kCategory, kSignal, kFlag, kPersonalInfo };

// One field: its tag in the canonical encoding, its JSON key, and how to
// reach it. Tags ascend in table order.
struct FieldDef {
  uint16_t tag;
  const char* key;
  Kind kind;
  std::function<std::string*(SourceRecord*)> text;  // kText, kHash
  std::function<int64_t*(SourceRecord*)> time;      // kTime
  std::function<uint8_t*(SourceRecord*)> small;     // enums and flags
};

#define PL_TEXT(tag, key, member)                                                       \
  FieldDef {                                                                            \
    tag, key, Kind::kText, [](SourceRecord* r) { return &r->member; }, nullptr, nullptr \
  }
#define PL_HASH(tag, key, member)                                                       \
  FieldDef {                                                                            \
    tag, key, Kind::kHash, [](SourceRecord* r) { return &r->member; }, nullptr, nullptr \
  }
#define PL_TIME(tag, key, member)                                                       \
  FieldDef {                                                                            \
    tag, key, Kind::kTime, nullptr, [](SourceRecord* r) { return &r->member; }, nullptr \
  }
#define PL_SMALL(tag, key, kind, member)                                       \
  FieldDef {                                                                   \
    tag, key, kind, nullptr, nullptr,                                          \
        [](SourceRecord* r) { return reinterpret_cast<uint8_t*>(&r->member); } \
  }

const std::vector<FieldDef>& Fields() {
  static const std::vector<FieldDef> fields = {
      PL_SMALL(1, "category", Kind::kCategory, category),
      PL_TEXT(2, "license", license),
      PL_TEXT(3, "dataset_name", dataset_name),
      PL_TEXT(4, "dataset_url", dataset_url),
      PL_TEXT(5, "dataset_version", dataset_version),
      PL_TEXT(6, "url", url),
      PL_TIME(7, "collected_at", collected_at_micros),
      PL_TEXT(8, "crawler_agent", crawler_agent),
      PL_TEXT(9, "counterparty", counterparty),
      PL_TEXT(10, "contract_ref", contract_ref),
      PL_TEXT(11, "licensed_scope", licensed_scope),
      PL_TIME(12, "contract_start", contract_start_micros),
      PL_TIME(13, "contract_end", contract_end_micros),
      PL_TEXT(14, "consent_ref", consent_ref),
      PL_TEXT(15, "consent_scope", consent_scope),
      PL_TEXT(16, "generator_model", generator_model),
      PL_TEXT(17, "generator_provenance_ref", generator_provenance_ref),
      PL_SMALL(18, "personal_info", Kind::kPersonalInfo, personal_info),
      PL_TEXT(19, "consent_basis", consent_basis),
      PL_TEXT(20, "language", language),
      PL_SMALL(32, "signals.robots_txt", Kind::kSignal, signals.robots_txt),
      PL_HASH(33, "signals.robots_txt_sha256", signals.robots_txt_sha256),
      PL_SMALL(34, "signals.noai", Kind::kFlag, signals.x_robots_noai),
      PL_SMALL(35, "signals.noimageai", Kind::kFlag, signals.x_robots_noimageai),
      PL_SMALL(36, "signals.tdm_reservation", Kind::kSignal, signals.tdm_reservation),
      PL_TEXT(37, "signals.tdm_policy", signals.tdm_policy),
      PL_HASH(38, "signals.tdmrep_sha256", signals.tdmrep_sha256),
      PL_SMALL(39, "signals.content_signal_ai_train", Kind::kSignal,
               signals.content_signal_ai_train),
      PL_SMALL(40, "signals.ai_txt", Kind::kSignal, signals.ai_txt),
      PL_HASH(41, "signals.ai_txt_sha256", signals.ai_txt_sha256),
      PL_TEXT(42, "signals.c2pa_training_mining", signals.c2pa_training_mining),
  };
  return fields;
}

#undef PL_TEXT
#undef PL_HASH
#undef PL_TIME
#undef PL_SMALL

uint8_t SmallMax(Kind k) {
  switch (k) {
    case Kind::kCategory:
      return 6;
    case Kind::kSignal:
      return 2;
    case Kind::kFlag:
      return 1;
    case Kind::kPersonalInfo:
      return 3;
    default:
      return 0;
  }
}

// JSON names of the small enums; index = value.
const std::vector<std::string>& SmallNames(Kind k) {
  static const std::vector<std::string> category = {
      "UNSPECIFIED",   "OPEN_SOURCE_DATASET", "SELF_COLLECTED", "COMMERCIAL_LICENSED",
      "USER_PROVIDED", "SYNTHETIC",           "OTHER"};
  static const std::vector<std::string> signal = {"not_observed", "allowed", "forbidden"};
  static const std::vector<std::string> pi = {"unspecified", "none", "personal", "sensitive"};
  static const std::vector<std::string> none;
  switch (k) {
    case Kind::kCategory:
      return category;
    case Kind::kSignal:
      return signal;
    case Kind::kPersonalInfo:
      return pi;
    default:
      return none;
  }
}

std::string FormatTime(int64_t micros) {
  return absl::FormatTime(absl::RFC3339_full, absl::FromUnixMicros(micros), absl::UTCTimeZone());
}

}  // namespace

std::string EncodeSourceRecord(const SourceRecord& in) {
  SourceRecord r = in;  // accessors take a mutable record
  std::string out;
  for (const FieldDef& f : Fields()) {
    std::string value;
    switch (f.kind) {
      case Kind::kText:
      case Kind::kHash:
        value = *f.text(&r);
        break;
      case Kind::kTime:
        if (*f.time(&r) != 0) value = U64BE(static_cast<uint64_t>(*f.time(&r)));
        break;
      default:
        if (*f.small(&r) != 0) value = std::string(1, static_cast<char>(*f.small(&r)));
        break;
    }
    if (value.empty()) continue;
    AppendU16BE(&out, f.tag);
    AppendU32BE(&out, static_cast<uint32_t>(value.size()));
    out += value;
  }
  return out;
}

absl::StatusOr<SourceRecord> DecodeSourceRecord(std::string_view bytes) {
  SourceRecord r;
  size_t next_field = 0;
  const auto& fields = Fields();
  while (!bytes.empty()) {
    if (bytes.size() < 6) return absl::InvalidArgumentError("source record: truncated field");
    uint16_t tag = ReadU16BE(bytes.data());
    uint32_t len = ReadU32BE(bytes.data() + 2);
    if (len == 0 || len > bytes.size() - 6) {
      return absl::InvalidArgumentError("source record: bad length of field " +
                                        std::to_string(tag));
    }
    std::string_view value = bytes.substr(6, len);
    bytes.remove_prefix(6 + len);
    while (next_field < fields.size() && fields[next_field].tag < tag) ++next_field;
    if (next_field == fields.size() || fields[next_field].tag != tag) {
      return absl::InvalidArgumentError("source record: unknown or out-of-order field " +
                                        std::to_string(tag));
    }
    const FieldDef& f = fields[next_field++];
    switch (f.kind) {
      case Kind::kText:
        *f.text(&r) = std::string(value);
        break;
      case Kind::kHash:
        if (value.size() != 32) return absl::InvalidArgumentError("source record: bad hash");
        *f.text(&r) = std::string(value);
        break;
      case Kind::kTime:
        if (value.size() != 8 || ReadU64BE(value.data()) == 0) {
          return absl::InvalidArgumentError("source record: bad time");
        }
        *f.time(&r) = static_cast<int64_t>(ReadU64BE(value.data()));
        break;
      default: {
        auto v = static_cast<uint8_t>(value[0]);
        if (value.size() != 1 || v == 0 || v > SmallMax(f.kind)) {
          return absl::InvalidArgumentError(std::string("source record: bad value of ") + f.key);
        }
        *f.small(&r) = v;
      }
    }
  }
  return r;
}

absl::StatusOr<SourceRecord> SourceRecordFromJson(std::string_view json_text,
                                                  std::string_view prefix) {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError(std::string(prefix) + " must be a JSON object");
  }
  // Flatten "signals": {...} into "signals.<key>".
  nlohmann::json flat = nlohmann::json::object();
  for (const auto& [key, value] : j.items()) {
    if (key == "signals") {
      if (!value.is_object()) {
        return absl::InvalidArgumentError(std::string(prefix) + "signals must be an object");
      }
      for (const auto& [k, v] : value.items()) flat["signals." + k] = v;
    } else {
      flat[key] = value;
    }
  }
  SourceRecord r;
  std::set<std::string> seen;
  for (const FieldDef& f : Fields()) {
    if (!flat.contains(f.key)) continue;
    seen.insert(f.key);
    const nlohmann::json& v = flat[f.key];
    std::string name = std::string(prefix) + f.key;
    auto bad = [&](const std::string& what) {
      std::string message = name;
      message += " ";
      message += what;
      return absl::InvalidArgumentError(message);
    };
    switch (f.kind) {
      case Kind::kText:
        if (!v.is_string()) return bad("must be a string");
        *f.text(&r) = v.get<std::string>();
        break;
      case Kind::kHash: {
        if (!v.is_string()) return bad("must be 64 hex digits (SHA-256)");
        auto raw = FromHex(v.get<std::string>());
        if (!raw.ok() || raw->size() != 32) return bad("must be 64 hex digits (SHA-256)");
        *f.text(&r) = *raw;
        break;
      }
      case Kind::kTime: {
        absl::Time t;
        std::string err;
        if (!v.is_string() ||
            !absl::ParseTime(absl::RFC3339_full, v.get<std::string>(), &t, &err)) {
          return bad("must be an RFC 3339 time such as 2026-11-01T12:00:00Z");
        }
        *f.time(&r) = absl::ToUnixMicros(t);
        if (*f.time(&r) == 0) return bad("must not be the epoch");
        break;
      }
      case Kind::kFlag:
        if (!v.is_boolean()) return bad("must be true or false");
        *f.small(&r) = v.get<bool>() ? 1 : 0;
        break;
      default: {
        const auto& names = SmallNames(f.kind);
        bool found = false;
        for (size_t i = 0; i < names.size() && v.is_string(); ++i) {
          if (names[i] == v.get<std::string>()) {
            *f.small(&r) = static_cast<uint8_t>(i);
            found = true;
          }
        }
        if (!found) {
          std::string list;
          for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
          return bad("must be one of " + list);
        }
      }
    }
  }
  for (const auto& [key, value] : flat.items()) {
    if (!seen.count(key)) {
      return absl::InvalidArgumentError(std::string(prefix) + key +
                                        " is not a source record field (docs/policy.md)");
    }
  }
  return r;
}

std::string SourceRecordToJson(const SourceRecord& in) {
  SourceRecord r = in;
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  nlohmann::ordered_json signals = nlohmann::ordered_json::object();
  for (const FieldDef& f : Fields()) {
    std::string key = f.key;
    bool signal = key.rfind("signals.", 0) == 0;
    if (signal) key = key.substr(8);
    nlohmann::ordered_json& out = signal ? signals : j;
    switch (f.kind) {
      case Kind::kText:
        if (!f.text(&r)->empty()) out[key] = *f.text(&r);
        break;
      case Kind::kHash:
        if (!f.text(&r)->empty()) out[key] = ToHex(*f.text(&r));
        break;
      case Kind::kTime:
        if (*f.time(&r) != 0) out[key] = FormatTime(*f.time(&r));
        break;
      case Kind::kFlag:
        if (*f.small(&r) != 0) out[key] = true;
        break;
      default:
        if (*f.small(&r) != 0) out[key] = SmallNames(f.kind)[*f.small(&r)];
    }
  }
  if (!signals.empty()) j["signals"] = signals;
  return j.dump();
}

}  // namespace provledger::policy
