// Internal to the entry encoding: the field writer, field lookup, and the
// reasons encoding shared by every entry type that carries a verdict.
#ifndef PROVLEDGER_SRC_LEDGER_ENTRY_FIELDS_H_
#define PROVLEDGER_SRC_LEDGER_ENTRY_FIELDS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "provledger/encoding.h"
#include "provledger/entry.h"

namespace provledger::entry_internal {

class FieldWriter {
 public:
  FieldWriter(EntryType type, int64_t timestamp_us) {
    out_.push_back(static_cast<char>(kEntryFormatVersion));
    out_.push_back(static_cast<char>(type));
    AppendU64BE(&out_, static_cast<uint64_t>(timestamp_us));
  }
  // Tags must be added in ascending order; empty values are omitted, which
  // is how "absent" is encoded.
  void Bytes(uint16_t tag, std::string_view value) {
    if (value.empty()) return;
    AppendU16BE(&out_, tag);
    AppendU32BE(&out_, static_cast<uint32_t>(value.size()));
    out_.append(value);
  }
  void U64(uint16_t tag, uint64_t v) {
    AppendU16BE(&out_, tag);
    AppendU32BE(&out_, 8);
    AppendU64BE(&out_, v);
  }
  // Adds field `tag` with a `size`-byte value (> 0) for the caller to fill
  // at the returned pointer, valid until the next call: large fields are
  // written in place instead of built apart and copied.
  char* Field(uint16_t tag, size_t size) {
    AppendU16BE(&out_, tag);
    AppendU32BE(&out_, static_cast<uint32_t>(size));
    size_t at = out_.size();
    out_.resize(at + size);
    return out_.data() + at;
  }
  // Room for `bytes` more, so a large entry is not regrown field by field.
  void Reserve(size_t bytes) { out_.reserve(out_.size() + bytes); }
  void Byte(uint16_t tag, uint8_t v) { Bytes(tag, std::string(1, static_cast<char>(v))); }
  std::string Finish() { return std::move(out_); }

 private:
  std::string out_;
};

inline std::string Field(const DecodedEntry& e, uint16_t tag) {
  auto it = e.fields.find(tag);
  return it == e.fields.end() ? std::string() : it->second;
}

// (severity u8, code u16-len, message u16-len)*; texts longer than 65535
// bytes are cut.
std::string EncodeReasons(const std::vector<ReasonRecord>& reasons);
absl::StatusOr<std::vector<ReasonRecord>> DecodeReasons(std::string_view bytes);

// A u64 BE field that must be present.
absl::StatusOr<uint64_t> RequiredU64(const DecodedEntry& e, uint16_t tag, const char* what);

}  // namespace provledger::entry_internal

#endif  // PROVLEDGER_SRC_LEDGER_ENTRY_FIELDS_H_
