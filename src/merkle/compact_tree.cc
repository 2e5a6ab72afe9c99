#include <string>
#include <utility>

#include "provledger/merkle.h"
#include "provledger/status_macros.h"

namespace provledger::merkle {

std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end) {
  std::vector<NodeId> out;
  while (begin < end) {
    uint8_t level = 0;
    // Grow while `begin` stays aligned and the node still fits in the range.
    while (level < 63 && (begin & ((uint64_t{1} << (level + 1)) - 1)) == 0 &&
           end - begin >= (uint64_t{1} << (level + 1))) {
      ++level;
    }
    out.push_back(NodeId{level, begin >> level});
    begin += uint64_t{1} << level;
  }
  return out;
}

absl::StatusOr<CompactTree> CompactTree::FromHashes(uint64_t size,
                                                    std::vector<std::string> hashes) {
  if (hashes.size() != RangeNodes(0, size).size()) {
    return absl::InvalidArgumentError("compact tree: hash count does not match tree size");
  }
  CompactTree t;
  t.size_ = size;
  t.hashes_ = std::move(hashes);
  return t;
}

absl::StatusOr<CompactTree> CompactTree::Load(uint64_t size, NodeReader& reader) {
  PL_ASSIGN_OR_RETURN(std::vector<std::string> hashes, reader.ReadNodes(RangeNodes(0, size)));
  return FromHashes(size, std::move(hashes));
}

void CompactTree::Append(std::string leaf_hash,
                         const std::function<void(NodeId, const std::string&)>& visit) {
  uint64_t index = size_;
  visit(NodeId{0, index}, leaf_hash);
  hashes_.push_back(std::move(leaf_hash));
  ++size_;
  // Each trailing one bit of the old size is a left sibling to merge with.
  uint8_t level = 0;
  while (index & 1) {
    std::string right = std::move(hashes_.back());
    hashes_.pop_back();
    std::string parent = HashChildren(hashes_.back(), right);
    index >>= 1;
    ++level;
    visit(NodeId{level, index}, parent);
    hashes_.back() = std::move(parent);
  }
}

std::string CompactTree::Root() const {
  if (hashes_.empty()) return EmptyRoot();
  std::string root = hashes_.back();
  for (size_t i = hashes_.size() - 1; i-- > 0;) {
    root = HashChildren(hashes_[i], root);
  }
  return root;
}

}  // namespace provledger::merkle
