// Proof generation (RFC 9162 2.1.3.1 / 2.1.4.1) over stored perfect subtrees,
// and proof verification (RFC 9162 2.1.3.2 / 2.1.4.2).
#include <string>
#include <utility>
#include <vector>

#include "provledger/merkle.h"
#include "provledger/status_macros.h"

namespace provledger::merkle {
namespace {

// Largest power of two strictly less than n (n >= 2).
uint64_t SplitPoint(uint64_t n) {
  uint64_t k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

struct Range {
  uint64_t begin;
  uint64_t end;
};

// Resolves a list of subtree ranges to their MTH values with one batched
// read: each range is the right fold of its RangeNodes.
absl::StatusOr<std::vector<std::string>> ResolveRanges(const std::vector<Range>& ranges,
                                                       NodeReader& reader) {
  std::vector<NodeId> ids;
  std::vector<size_t> counts;
  for (const Range& r : ranges) {
    std::vector<NodeId> nodes = RangeNodes(r.begin, r.end);
    counts.push_back(nodes.size());
    ids.insert(ids.end(), nodes.begin(), nodes.end());
  }
  PL_ASSIGN_OR_RETURN(std::vector<std::string> hashes, reader.ReadNodes(ids));
  if (hashes.size() != ids.size()) {
    return absl::InternalError("node reader returned the wrong number of hashes");
  }
  std::vector<std::string> out;
  out.reserve(ranges.size());
  size_t pos = 0;
  for (size_t count : counts) {
    std::string h = std::move(hashes[pos + count - 1]);
    for (size_t i = count - 1; i-- > 0;) h = HashChildren(hashes[pos + i], h);
    out.push_back(std::move(h));
    pos += count;
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t index, uint64_t size,
                                                        NodeReader& reader) {
  if (index >= size) {
    return absl::InvalidArgumentError("inclusion proof: index must be < tree size");
  }
  // PATH(m, D[a:a+n]) collected top-down, emitted bottom-up.
  std::vector<Range> ranges;
  uint64_t a = 0, n = size, m = index;
  while (n > 1) {
    uint64_t k = SplitPoint(n);
    if (m < k) {
      ranges.push_back({a + k, a + n});
      n = k;
    } else {
      ranges.push_back({a, a + k});
      a += k;
      m -= k;
      n -= k;
    }
  }
  std::vector<Range> bottom_up(ranges.rbegin(), ranges.rend());
  return ResolveRanges(bottom_up, reader);
}

absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t from, uint64_t to,
                                                          NodeReader& reader) {
  if (from > to) {
    return absl::InvalidArgumentError("consistency proof: from_size must be <= to_size");
  }
  if (from == 0 || from == to) return std::vector<std::string>{};
  // SUBPROOF(m, D[a:a+n], b) collected top-down, emitted bottom-up.
  std::vector<Range> ranges;
  uint64_t a = 0, n = to, m = from;
  bool complete = true;
  while (m != n) {
    uint64_t k = SplitPoint(n);
    if (m <= k) {
      ranges.push_back({a + k, a + n});
      n = k;
    } else {
      ranges.push_back({a, a + k});
      a += k;
      m -= k;
      n -= k;
      complete = false;
    }
  }
  if (!complete) ranges.push_back({a, a + n});
  std::vector<Range> bottom_up(ranges.rbegin(), ranges.rend());
  return ResolveRanges(bottom_up, reader);
}

absl::StatusOr<std::string> RootAt(uint64_t size, NodeReader& reader) {
  if (size == 0) return EmptyRoot();
  PL_ASSIGN_OR_RETURN(std::vector<std::string> roots, ResolveRanges({Range{0, size}}, reader));
  return std::move(roots[0]);
}

absl::Status VerifyInclusion(uint64_t index, uint64_t size, std::string_view leaf_hash,
                             const std::vector<std::string>& path, std::string_view root) {
  if (index >= size) {
    return absl::InvalidArgumentError("inclusion: index is not below tree size");
  }
  uint64_t fn = index, sn = size - 1;
  std::string r(leaf_hash);
  for (const std::string& p : path) {
    if (sn == 0) return absl::InvalidArgumentError("inclusion: proof too long");
    if ((fn & 1) || fn == sn) {
      r = HashChildren(p, r);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::InvalidArgumentError("inclusion: proof too short");
  if (r != root) {
    return absl::InvalidArgumentError("inclusion: computed root does not match");
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t size1, uint64_t size2, std::string_view root1,
                               std::string_view root2, const std::vector<std::string>& path) {
  if (size1 > size2) {
    return absl::InvalidArgumentError("consistency: first size exceeds second");
  }
  if (size1 == size2) {
    if (!path.empty())
      return absl::InvalidArgumentError("consistency: proof must be empty for equal sizes");
    if (root1 != root2)
      return absl::InvalidArgumentError("consistency: equal sizes with different roots");
    return absl::OkStatus();
  }
  if (size1 == 0) {
    if (!path.empty())
      return absl::InvalidArgumentError("consistency: proof must be empty from size 0");
    return absl::OkStatus();
  }
  if (path.empty()) return absl::InvalidArgumentError("consistency: empty proof");
  std::vector<std::string> p;
  if ((size1 & (size1 - 1)) == 0) p.emplace_back(root1);
  p.insert(p.end(), path.begin(), path.end());
  uint64_t fn = size1 - 1, sn = size2 - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  std::string fr = p[0], sr = p[0];
  for (size_t i = 1; i < p.size(); ++i) {
    if (sn == 0) return absl::InvalidArgumentError("consistency: proof too long");
    const std::string& c = p[i];
    if ((fn & 1) || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::InvalidArgumentError("consistency: proof too short");
  if (fr != root1) return absl::InvalidArgumentError("consistency: first root does not match");
  if (sr != root2) return absl::InvalidArgumentError("consistency: second root does not match");
  return absl::OkStatus();
}

}  // namespace provledger::merkle
