// RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification.
//
//   std::string leaf = merkle::HashLeaf(entry_bytes);     // SHA-256(0x00 || d)
//   merkle::CompactTree tree;                             // right edge only
//   tree.Append(leaf, [&](merkle::NodeId id, const std::string& h) { store });
//   PL_ASSIGN_OR_RETURN(auto path, merkle::InclusionProof(i, n, reader));
//   absl::Status ok = merkle::VerifyInclusion(i, n, leaf, path, root);
//
// Storage model ("full-subtree storage"): every perfect subtree of the log
// -- a node covering leaves [index * 2^level, (index + 1) * 2^level) -- is
// stored once, when its last leaf is appended, and never changes. Any RFC 6962
// subtree hash MTH(D[a:b]) that proofs need is either such a node or, on the
// right edge of a tree, the right fold of at most log2(n) of them. So a proof
// for any past tree size costs O(log n) node reads, fetched in one batch.
//
// All functions are pure and thread-safe; CompactTree is a value type.
#ifndef PROVLEDGER_MERKLE_H_
#define PROVLEDGER_MERKLE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace provledger::merkle {

// SHA-256(0x00 || data).
std::string HashLeaf(std::string_view data);
// SHA-256(0x01 || left || right).
std::string HashChildren(std::string_view left, std::string_view right);
// Root of the empty tree: SHA-256 of the empty string.
std::string EmptyRoot();

// A perfect subtree: leaves [index << level, (index + 1) << level).
struct NodeId {
  uint8_t level = 0;
  uint64_t index = 0;
  bool operator==(const NodeId& o) const { return level == o.level && index == o.index; }
};

// The perfect subtrees that exactly cover [begin, end), left to right, each
// as large as alignment allows. Requires begin <= end.
std::vector<NodeId> RangeNodes(uint64_t begin, uint64_t end);

// Source of stored perfect-subtree hashes.
class NodeReader {
 public:
  virtual ~NodeReader() = default;
  // Returns the hashes of `ids` in order. Every id must be a node that is
  // complete in the tree being read; a missing node is an error (NotFound or
  // DataLoss), never an empty hash.
  virtual absl::StatusOr<std::vector<std::string>> ReadNodes(const std::vector<NodeId>& ids) = 0;
};

// The right edge of a tree of `size()` leaves: the hashes of RangeNodes(0,
// size()). Enough to append leaves and compute the root in O(log n).
class CompactTree {
 public:
  CompactTree() = default;
  // Rebuilds the right edge from stored nodes. `hashes` must be the hashes of
  // RangeNodes(0, size) in order; InvalidArgument if the count differs.
  static absl::StatusOr<CompactTree> FromHashes(uint64_t size, std::vector<std::string> hashes);
  // Loads the right edge of a `size`-leaf tree from `reader` (O(log n) reads).
  static absl::StatusOr<CompactTree> Load(uint64_t size, NodeReader& reader);

  // Appends a leaf. `visit` is called for the leaf node and for every perfect
  // subtree the append completes, bottom-up, so the caller can store them.
  void Append(std::string leaf_hash, const std::function<void(NodeId, const std::string&)>& visit);

  uint64_t size() const { return size_; }
  // RFC 6962 root hash of the current tree (EmptyRoot() when empty).
  std::string Root() const;

 private:
  uint64_t size_ = 0;
  std::vector<std::string> hashes_;  // RangeNodes(0, size_) hashes
};

// RFC 9162 section 2.1.3.1 inclusion path of leaf `index` in the tree of
// `size` leaves. InvalidArgument unless index < size.
absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t index, uint64_t size,
                                                        NodeReader& reader);
// RFC 9162 section 2.1.4.1 consistency proof from `from` to `to` leaves.
// Empty when from == to or from == 0. InvalidArgument if from > to.
absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t from, uint64_t to,
                                                          NodeReader& reader);
// Root hash of the tree of the first `size` leaves.
absl::StatusOr<std::string> RootAt(uint64_t size, NodeReader& reader);

// RFC 9162 section 2.1.3.2. OK if `path` proves `leaf_hash` at `index` in the
// tree of `size` leaves with root `root`; InvalidArgument (with the reason)
// otherwise.
absl::Status VerifyInclusion(uint64_t index, uint64_t size, std::string_view leaf_hash,
                             const std::vector<std::string>& path, std::string_view root);
// RFC 9162 section 2.1.4.2. OK if `path` proves the tree of `size1` leaves
// with root `root1` is a prefix of the tree of `size2` leaves with `root2`.
absl::Status VerifyConsistency(uint64_t size1, uint64_t size2, std::string_view root1,
                               std::string_view root2, const std::vector<std::string>& path);

}  // namespace provledger::merkle

#endif  // PROVLEDGER_MERKLE_H_
