// The JSON the CLI prints for a ledger entry's fields (entries, verify).
#ifndef PROVLEDGER_TOOLS_CLI_ENTRY_JSON_H_
#define PROVLEDGER_TOOLS_CLI_ENTRY_JSON_H_

#include <nlohmann/json.hpp>

#include "provledger/entry.h"

namespace provledger::cli {

// Ids, size, media type, and when present the verdict, reasons, license,
// license class, policy hash, intended use and the source record.
void AddDocumentFields(const DocumentEntry& d, nlohmann::json* j);
// Name, version, description, owner, intended use, default source.
void AddDatasetFields(const DatasetEntry& d, nlohmann::json* j);
// Any entry: "type" and its fields (manifests, derivations and training
// runs included); "error" if it does not decode.
void AddEntryFields(const DecodedEntry& e, nlohmann::json* j);

}  // namespace provledger::cli

#endif  // PROVLEDGER_TOOLS_CLI_ENTRY_JSON_H_
