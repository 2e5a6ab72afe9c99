// Internal to the registry: field checks and the one-entry append path shared
// by lineage, opt-out and review records.
#ifndef PROVLEDGER_SRC_REGISTRY_REGISTRY_INTERNAL_H_
#define PROVLEDGER_SRC_REGISTRY_REGISTRY_INTERNAL_H_

#include <string>

#include "absl/status/statusor.h"
#include "provledger/entry.h"
#include "provledger/ledger.h"
#include "provledger/registry.h"
#include "provledger/status_macros.h"
#include "provledger/utf8.h"

namespace provledger::registry_internal {

// InvalidArgument naming `field` if `v` is missing (when required), longer
// than `max` bytes, not UTF-8, or holds control characters (a newline only
// where `newline_ok`).
inline absl::Status CheckText(const std::string& v, const char* field, size_t max, bool required,
                              bool newline_ok = false) {
  if (required && v.empty()) return absl::InvalidArgumentError(std::string(field) + " is required");
  if (v.size() > max) {
    return absl::InvalidArgumentError(std::string(field) + " is longer than " +
                                      std::to_string(max) + " bytes");
  }
  if (!IsValidUtf8(v)) return absl::InvalidArgumentError(std::string(field) + " must be UTF-8");
  for (char c : v) {
    if (static_cast<unsigned char>(c) < 0x20 && !(newline_ok && c == '\n')) {
      return absl::InvalidArgumentError(std::string(field) + " must not hold control characters");
    }
  }
  return absl::OkStatus();
}

// Appends one entry; on a dedup hit returns the entry recorded first.
template <typename Entry>
absl::StatusOr<LineageInfo<Entry>> AppendOne(Ledger* ledger, AppendRequest req, Entry entry,
                                             absl::StatusOr<Entry> (*decode)(const DecodedEntry&)) {
  AppendOutcome out = ledger->Append({std::move(req)});
  PL_RETURN_IF_ERROR(out.status);
  LineageInfo<Entry> info;
  info.ledger_index = out.results[0].index;
  info.already_existed = out.results[0].existed;
  info.checkpoint = out.checkpoint;
  if (!info.already_existed) {
    info.entry = std::move(entry);
    return info;
  }
  PL_ASSIGN_OR_RETURN(auto entries, ledger->GetEntries(info.ledger_index, 1));
  if (entries.empty()) return absl::DataLossError("entry " + std::to_string(info.ledger_index));
  PL_ASSIGN_OR_RETURN(DecodedEntry decoded, DecodeEntry(entries[0].data));
  PL_ASSIGN_OR_RETURN(info.entry, decode(decoded));
  return info;
}

}  // namespace provledger::registry_internal

#endif  // PROVLEDGER_SRC_REGISTRY_REGISTRY_INTERNAL_H_
