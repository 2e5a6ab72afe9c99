#include "provledger/merkle.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "provledger/encoding.h"

namespace provledger::merkle {
namespace {

std::string H(const char* hex) { return *FromHex(hex); }

// The leaf inputs and roots published with transparency-dev/merkle and the
// Certificate Transparency test suites (RFC 6962 hashing).
std::vector<std::string> LeafInputs() {
  return {H(""),
          H("00"),
          H("10"),
          H("2021"),
          H("3031"),
          H("40414243"),
          H("5051525354555657"),
          H("606162636465666768696a6b6c6d6e6f")};
}
const char* kRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

// A NodeReader over the nodes a CompactTree reported while appending.
class MapReader : public NodeReader {
 public:
  absl::StatusOr<std::vector<std::string>> ReadNodes(const std::vector<NodeId>& ids) override {
    std::vector<std::string> out;
    for (const auto& id : ids) {
      auto it = nodes.find({id.level, id.index});
      if (it == nodes.end()) return absl::NotFoundError("node");
      out.push_back(it->second);
    }
    reads += ids.size();
    return out;
  }
  std::map<std::pair<int, uint64_t>, std::string> nodes;
  size_t reads = 0;
};

// Straight transcription of RFC 6962 section 2.1 over a leaf-hash list, as
// an independent reference for the storage-backed implementation.
std::string RefMth(const std::vector<std::string>& l, size_t a, size_t b) {
  if (b - a == 0) return EmptyRoot();
  if (b - a == 1) return l[a];
  size_t k = 1;
  while (k << 1 < b - a) k <<= 1;
  return HashChildren(RefMth(l, a, a + k), RefMth(l, a + k, b));
}
std::vector<std::string> RefPath(const std::vector<std::string>& l, size_t m, size_t a, size_t b) {
  if (b - a <= 1) return {};
  size_t k = 1;
  while (k << 1 < b - a) k <<= 1;
  std::vector<std::string> p;
  if (m < k) {
    p = RefPath(l, m, a, a + k);
    p.push_back(RefMth(l, a + k, b));
  } else {
    p = RefPath(l, m - k, a + k, b);
    p.push_back(RefMth(l, a, a + k));
  }
  return p;
}
std::vector<std::string> RefSubproof(const std::vector<std::string>& l, size_t m, size_t a,
                                     size_t b, bool complete) {
  size_t n = b - a;
  if (m == n)
    return complete ? std::vector<std::string>{} : std::vector<std::string>{RefMth(l, a, b)};
  size_t k = 1;
  while (k << 1 < n) k <<= 1;
  std::vector<std::string> p;
  if (m <= k) {
    p = RefSubproof(l, m, a, a + k, complete);
    p.push_back(RefMth(l, a + k, b));
  } else {
    p = RefSubproof(l, m - k, a + k, b, false);
    p.push_back(RefMth(l, a, a + k));
  }
  return p;
}

struct Built {
  MapReader reader;
  std::vector<std::string> leaves;
  std::vector<std::string> roots;  // roots[n] = root of first n leaves
};

void Build(size_t n, Built* b) {
  CompactTree t;
  b->roots.push_back(t.Root());
  for (size_t i = 0; i < n; ++i) {
    std::string leaf = HashLeaf("leaf " + std::to_string(i));
    b->leaves.push_back(leaf);
    t.Append(leaf, [b](NodeId id, const std::string& h) {
      b->reader.nodes[{id.level, id.index}] = h;
    });
    b->roots.push_back(t.Root());
  }
}

TEST(MerkleTest, Rfc6962RootVectors) {
  CompactTree t;
  EXPECT_EQ(ToHex(t.Root()), kRoots[0]);
  auto leaves = LeafInputs();
  MapReader reader;
  for (size_t i = 0; i < leaves.size(); ++i) {
    t.Append(HashLeaf(leaves[i]), [&](NodeId id, const std::string& h) {
      reader.nodes[{id.level, id.index}] = h;
    });
    EXPECT_EQ(ToHex(t.Root()), kRoots[i + 1]) << "size " << i + 1;
  }
  // The stored perfect subtrees are the published node hashes.
  EXPECT_EQ(ToHex(reader.nodes[{0, 1}]),
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
  EXPECT_EQ(ToHex(reader.nodes[{1, 1}]),
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e");
  EXPECT_EQ(ToHex(reader.nodes[{2, 1}]),
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
  EXPECT_EQ(reader.nodes.size(), 15u);
  for (size_t n = 0; n <= leaves.size(); ++n) {
    EXPECT_EQ(ToHex(*RootAt(n, reader)), kRoots[n]);
  }
}

TEST(MerkleTest, PublishedProofVectors) {
  auto leaves = LeafInputs();
  MapReader reader;
  CompactTree t;
  for (auto& l : leaves) {
    t.Append(HashLeaf(l), [&](NodeId id, const std::string& h) {
      reader.nodes[{id.level, id.index}] = h;
    });
  }
  // Inclusion of leaf 0 in the 8-leaf tree.
  auto path = InclusionProof(0, 8, reader);
  ASSERT_TRUE(path.ok());
  ASSERT_EQ(path->size(), 3u);
  EXPECT_EQ(ToHex((*path)[0]), "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
  EXPECT_EQ(ToHex((*path)[1]), "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e");
  EXPECT_EQ(ToHex((*path)[2]), "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
  // Consistency 2 -> 5 and 6 -> 8.
  auto c25 = ConsistencyProof(2, 5, reader);
  ASSERT_TRUE(c25.ok());
  ASSERT_EQ(c25->size(), 2u);
  EXPECT_EQ(ToHex((*c25)[0]), "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e");
  EXPECT_EQ(ToHex((*c25)[1]), "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
  auto c68 = ConsistencyProof(6, 8, reader);
  ASSERT_TRUE(c68.ok());
  ASSERT_EQ(c68->size(), 3u);
  EXPECT_EQ(ToHex((*c68)[0]), "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a");
  EXPECT_EQ(ToHex((*c68)[1]), "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0");
  EXPECT_EQ(ToHex((*c68)[2]), "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
  EXPECT_TRUE(VerifyConsistency(6, 8, H(kRoots[6]), H(kRoots[8]), *c68).ok());
  EXPECT_TRUE(VerifyInclusion(0, 8, HashLeaf(leaves[0]), *path, H(kRoots[8])).ok());
}

TEST(MerkleTest, ProofsMatchReferenceAndVerify) {
  Built b;
  Build(70, &b);
  for (size_t n = 1; n <= 70; ++n) {
    for (size_t i = 0; i < n; ++i) {
      auto path = InclusionProof(i, n, b.reader);
      ASSERT_TRUE(path.ok());
      ASSERT_EQ(*path, RefPath(b.leaves, i, 0, n)) << i << "/" << n;
      ASSERT_TRUE(VerifyInclusion(i, n, b.leaves[i], *path, b.roots[n]).ok());
      // Wrong leaf, wrong index and wrong size must fail.
      if (n > 1) {
        ASSERT_FALSE(VerifyInclusion(i, n, b.leaves[(i + 1) % n], *path, b.roots[n]).ok());
        ASSERT_FALSE(VerifyInclusion((i + 1) % n, n, b.leaves[i], *path, b.roots[n]).ok());
      }
      // (The size alone is not bound by a path -- for leaf 0 of 3 and of 4
      // the shapes coincide -- which is why the size comes from a signed
      // checkpoint together with the root.)
      ASSERT_FALSE(VerifyInclusion(i, n, b.leaves[i], *path, b.roots[n - 1]).ok() && n > 1);
    }
    for (size_t m = 1; m <= n; ++m) {
      auto proof = ConsistencyProof(m, n, b.reader);
      ASSERT_TRUE(proof.ok());
      std::vector<std::string> ref =
          m == n ? std::vector<std::string>{} : RefSubproof(b.leaves, m, 0, n, true);
      ASSERT_EQ(*proof, ref) << m << "->" << n;
      ASSERT_TRUE(VerifyConsistency(m, n, b.roots[m], b.roots[n], *proof).ok()) << m << "->" << n;
      if (m < n) {
        // A proof must not verify against a different old root.
        ASSERT_FALSE(VerifyConsistency(m, n, b.roots[m - 1], b.roots[n], *proof).ok());
        auto bad = *proof;
        bad.back()[0] ^= 1;
        ASSERT_FALSE(VerifyConsistency(m, n, b.roots[m], b.roots[n], bad).ok());
      }
    }
  }
}

TEST(MerkleTest, TamperedPathFails) {
  Built b;
  Build(13, &b);
  auto path = *InclusionProof(5, 13, b.reader);
  for (size_t j = 0; j < path.size(); ++j) {
    auto bad = path;
    bad[j][31] ^= 0x80;
    EXPECT_FALSE(VerifyInclusion(5, 13, b.leaves[5], bad, b.roots[13]).ok());
  }
  auto longer = path;
  longer.push_back(path[0]);
  EXPECT_FALSE(VerifyInclusion(5, 13, b.leaves[5], longer, b.roots[13]).ok());
  auto shorter = path;
  shorter.pop_back();
  EXPECT_FALSE(VerifyInclusion(5, 13, b.leaves[5], shorter, b.roots[13]).ok());
}

TEST(MerkleTest, ProofReadsAreLogarithmic) {
  Built b;
  Build(1000, &b);
  b.reader.reads = 0;
  ASSERT_TRUE(InclusionProof(3, 1000, b.reader).ok());
  // One path element per level plus the right-edge decomposition.
  EXPECT_LE(b.reader.reads, 2u * 10u);
  b.reader.reads = 0;
  ASSERT_TRUE(ConsistencyProof(377, 1000, b.reader).ok());
  EXPECT_LE(b.reader.reads, 3u * 10u);
}

TEST(MerkleTest, CompactTreeReloadContinues) {
  Built b;
  Build(37, &b);
  auto loaded = CompactTree::Load(37, b.reader);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->Root(), b.roots[37]);
  EXPECT_FALSE(CompactTree::FromHashes(37, {"x"}).ok());
}

TEST(MerkleTest, RangeNodesCoverExactly) {
  for (uint64_t a = 0; a < 40; ++a) {
    for (uint64_t e = a; e < 80; ++e) {
      uint64_t pos = a;
      for (const NodeId& id : RangeNodes(a, e)) {
        ASSERT_EQ(id.index << id.level, pos);
        pos += uint64_t{1} << id.level;
      }
      ASSERT_EQ(pos, e);
    }
  }
}

TEST(MerkleTest, BadArguments) {
  Built b;
  Build(4, &b);
  EXPECT_EQ(InclusionProof(4, 4, b.reader).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(5, 4, b.reader).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ConsistencyProof(0, 4, b.reader)->empty());
  EXPECT_FALSE(VerifyConsistency(2, 2, b.roots[2], b.roots[3], {}).ok());
  EXPECT_FALSE(VerifyConsistency(2, 4, b.roots[2], b.roots[4], {}).ok());
}

}  // namespace
}  // namespace provledger::merkle
