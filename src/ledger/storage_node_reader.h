// merkle::NodeReader over Column::kTree.
#ifndef PROVLEDGER_SRC_LEDGER_STORAGE_NODE_READER_H_
#define PROVLEDGER_SRC_LEDGER_STORAGE_NODE_READER_H_

#include <string>
#include <vector>

#include "keys.h"
#include "provledger/merkle.h"
#include "provledger/status_macros.h"
#include "provledger/storage.h"

namespace provledger {

class StorageNodeReader final : public merkle::NodeReader {
 public:
  explicit StorageNodeReader(Storage* storage) : storage_(storage) {}

  absl::StatusOr<std::vector<std::string>> ReadNodes(
      const std::vector<merkle::NodeId>& ids) override {
    std::vector<std::string> keys;
    keys.reserve(ids.size());
    for (const auto& id : ids) keys.push_back(ledger_keys::NodeKey(id));
    PL_ASSIGN_OR_RETURN(auto values, storage_->MultiGet(Column::kTree, keys));
    std::vector<std::string> out;
    out.reserve(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      if (!values[i].has_value() || values[i]->size() != 32) {
        return absl::DataLossError("tree node (level " + std::to_string(ids[i].level) + ", index " +
                                   std::to_string(ids[i].index) + ") is missing or malformed");
      }
      out.push_back(*std::move(values[i]));
    }
    return out;
  }

 private:
  Storage* storage_;
};

}  // namespace provledger

#endif  // PROVLEDGER_SRC_LEDGER_STORAGE_NODE_READER_H_
