#include "provledger/note.h"

#include <gtest/gtest.h>

#include "provledger/encoding.h"
#include "provledger/merkle.h"
#include "provledger/sha256.h"
#include "test_util.h"

namespace provledger {
namespace {

using testing::ValueOrDie;

NoteSigner NewSigner(const std::string& name) {
  return NoteSigner(name, ValueOrDie(Ed25519PrivateKey::Generate()));
}

// The signed-note key id is SHA-256(name || "\n" || 0x01 || key)[:4].
TEST(NoteTest, KeyIdAndVerifierKeyFormat) {
  NoteSigner s = NewSigner("example.com/log");
  std::string vkey = s.VerifierKey();
  std::string expect_id =
      ToHex(Sha256(std::string("example.com/log\n\x01", 17) + s.key().PublicKey()).substr(0, 4));
  EXPECT_EQ(vkey.substr(0, vkey.find('+', 16) + 1), "example.com/log+" + expect_id + "+");
  NoteVerifierKey k = ValueOrDie(ParseVerifierKey(vkey));
  EXPECT_EQ(k.name, "example.com/log");
  EXPECT_EQ(k.public_key, s.key().PublicKey());
  EXPECT_EQ(k.key_id, s.key_id());
}

TEST(NoteTest, VerifierKeyRejectsMalformed) {
  NoteSigner s = NewSigner("log");
  std::string vkey = s.VerifierKey();
  EXPECT_FALSE(ParseVerifierKey("log").ok());
  EXPECT_FALSE(ParseVerifierKey("other" + vkey.substr(3)).ok());  // id mismatch
  std::string bad_id = vkey;
  bad_id[4] = bad_id[4] == '0' ? '1' : '0';
  EXPECT_FALSE(ParseVerifierKey(bad_id).ok());
  EXPECT_FALSE(ParseVerifierKey("a b+00000000+AQ==").ok());
}

TEST(NoteTest, SignParseOpen) {
  NoteSigner s = NewSigner("example.com/log");
  std::string note = ValueOrDie(SignNote("example.com/log\n5\nAAAA\n", {&s}));
  EXPECT_EQ(note.substr(0, 25), "example.com/log\n5\nAAAA\n\n\xE2");
  SignedNote parsed = ValueOrDie(ParseNote(note));
  EXPECT_EQ(parsed.text, "example.com/log\n5\nAAAA\n");
  ASSERT_EQ(parsed.signatures.size(), 1u);
  EXPECT_EQ(parsed.signatures[0].key_id, s.key_id());
  NoteVerifierKey k = ValueOrDie(ParseVerifierKey(s.VerifierKey()));
  EXPECT_EQ(ValueOrDie(OpenNote(note, k)), parsed.text);

  // Changing the text breaks the signature.
  std::string tampered = note;
  tampered[16] = '6';
  EXPECT_EQ(OpenNote(tampered, k).status().code(), absl::StatusCode::kPermissionDenied);
  // Another key's verifier finds no signature.
  NoteSigner other = NewSigner("example.com/log");
  NoteVerifierKey ok2 = ValueOrDie(ParseVerifierKey(other.VerifierKey()));
  EXPECT_EQ(OpenNote(note, ok2).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(SignNote("no newline", {&s}).ok());
  EXPECT_FALSE(SignNote("a\n\nb\n", {&s}).ok());
}

TEST(NoteTest, KeyRotationBothSignaturesVerifyAndUnknownAreIgnored) {
  NoteSigner old_key = NewSigner("log.example");
  NoteSigner new_key = NewSigner("log.example");
  NoteSigner witness = NewSigner("witness.example");
  Checkpoint cp{"log.example", 3, std::string(32, 'r')};
  std::string note = ValueOrDie(SignNote(FormatCheckpointText(cp), {&old_key, &new_key, &witness}));
  for (const NoteSigner* s : {&old_key, &new_key}) {
    Checkpoint got =
        ValueOrDie(VerifyCheckpoint(note, ValueOrDie(ParseVerifierKey(s->VerifierKey()))));
    EXPECT_EQ(got.size, 3u);
    EXPECT_EQ(got.root_hash, cp.root_hash);
  }
  // The witness key verifies the note but is not the log's origin.
  EXPECT_EQ(
      VerifyCheckpoint(note, ValueOrDie(ParseVerifierKey(witness.VerifierKey()))).status().code(),
      absl::StatusCode::kPermissionDenied);
}

TEST(NoteTest, CheckpointTextStrictness) {
  EXPECT_FALSE(ParseCheckpointText("o\n01\n" + Base64Encode(std::string(32, 'a')) + "\n").ok());
  EXPECT_FALSE(ParseCheckpointText("o\n1\n" + Base64Encode("short") + "\n").ok());
  EXPECT_FALSE(ParseCheckpointText("o\n1\n").ok());
  Checkpoint cp =
      ValueOrDie(ParseCheckpointText("o\n1\n" + Base64Encode(std::string(32, 'a')) + "\next\n"));
  EXPECT_EQ(cp.size, 1u);
}

TEST(NoteTest, TlogProofRoundTripAndVerify) {
  NoteSigner s = NewSigner("log.example");
  merkle::CompactTree t;
  std::vector<std::string> leaves;
  std::map<std::pair<int, uint64_t>, std::string> nodes;
  for (int i = 0; i < 5; ++i) {
    leaves.push_back(merkle::HashLeaf("e" + std::to_string(i)));
    t.Append(leaves.back(), [&](merkle::NodeId id, const std::string& h) {
      nodes[{id.level, id.index}] = h;
    });
  }
  struct Reader : merkle::NodeReader {
    std::map<std::pair<int, uint64_t>, std::string>* n;
    absl::StatusOr<std::vector<std::string>> ReadNodes(
        const std::vector<merkle::NodeId>& ids) override {
      std::vector<std::string> out;
      for (auto& id : ids) out.push_back(n->at({id.level, id.index}));
      return out;
    }
  } reader;
  reader.n = &nodes;
  TlogProof p;
  p.has_extra = true;
  p.extra = "e2";
  p.index = 2;
  p.hashes = ValueOrDie(merkle::InclusionProof(2, 5, reader));
  p.checkpoint = ValueOrDie(SignNote(FormatCheckpointText({"log.example", 5, t.Root()}), {&s}));
  std::string text = FormatTlogProof(p);
  EXPECT_EQ(text.substr(0, 23), "c2sp.org/tlog-proof@v1\n");
  TlogProof back = ValueOrDie(ParseTlogProof(text));
  EXPECT_EQ(back.extra, "e2");
  EXPECT_EQ(back.index, 2u);
  EXPECT_EQ(back.hashes, p.hashes);
  NoteVerifierKey k = ValueOrDie(ParseVerifierKey(s.VerifierKey()));
  PL_EXPECT_OK(VerifyTlogProof(back, k, merkle::HashLeaf(back.extra)));
  EXPECT_FALSE(VerifyTlogProof(back, k, merkle::HashLeaf("e3")).ok());
  back.index = 3;
  EXPECT_FALSE(VerifyTlogProof(back, k, merkle::HashLeaf("e2")).ok());
  EXPECT_FALSE(ParseTlogProof("c2sp.org/tlog-proof@v1\nindex x\n\n").ok());
}

}  // namespace
}  // namespace provledger
