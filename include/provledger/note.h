// C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, the checkpoint
// body of c2sp.org/tlog-checkpoint, and c2sp.org/tlog-proof offline proofs.
//
//   NoteSigner signer("example.com/log", std::move(key));
//   std::string vkey = signer.VerifierKey();   // "example.com/log+1a2b3c4d+AeX..."
//   PL_ASSIGN_OR_RETURN(std::string note, SignNote(text, {&signer}));
//   PL_ASSIGN_OR_RETURN(NoteVerifierKey k, ParseVerifierKey(vkey));
//   PL_ASSIGN_OR_RETURN(Checkpoint cp, VerifyCheckpoint(note, k));
//
// Everything here is pure and thread-safe (NoteSigner is immutable).
#ifndef PROVLEDGER_NOTE_H_
#define PROVLEDGER_NOTE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "provledger/ed25519.h"

namespace provledger {

// Signature algorithm byte for Ed25519 in signed-note key hashes and keys.
inline constexpr char kNoteAlgEd25519 = 0x01;

// A parsed verifier key `<name>+<hex key id>+<base64(0x01 || public key)>`.
struct NoteVerifierKey {
  std::string name;
  uint32_t key_id = 0;
  std::string public_key;  // 32 raw bytes
};

// True iff `name` is a valid key name: non-empty UTF-8 without whitespace
// and without '+'.
bool IsValidNoteName(std::string_view name);
// First four bytes of SHA-256(name || "\n" || 0x01 || public_key), big-endian.
uint32_t NoteKeyId(std::string_view name, std::string_view public_key);
std::string FormatVerifierKey(std::string_view name, std::string_view public_key);
// InvalidArgument naming the broken part if `vkey` is malformed or its key id
// does not match its name and key.
absl::StatusOr<NoteVerifierKey> ParseVerifierKey(std::string_view vkey);

// Signs notes under one Ed25519 key with one name.
class NoteSigner {
 public:
  NoteSigner(std::string name, Ed25519PrivateKey key);
  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  const Ed25519PrivateKey& key() const { return key_; }
  std::string VerifierKey() const;
  // The signature line "— <name> <base64(key id || signature)>\n" for `text`.
  absl::StatusOr<std::string> SignatureLine(std::string_view text) const;

 private:
  std::string name_;
  Ed25519PrivateKey key_;
  uint32_t key_id_;
};

// The note `text` (which must end in "\n" and hold no blank line), a blank
// line, and one signature line per signer, in order.
absl::StatusOr<std::string> SignNote(std::string_view text,
                                     const std::vector<const NoteSigner*>& signers);

struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  std::string signature;  // without the key id prefix
};

struct SignedNote {
  std::string text;  // including its final "\n"
  std::vector<NoteSignature> signatures;
};

// Splits a signed note. InvalidArgument if it is not well formed.
absl::StatusOr<SignedNote> ParseNote(std::string_view note);

// Returns the note text if `note` carries a valid signature by `key`.
// Signatures by other keys are ignored (they may be rotation partners or
// witnesses). PermissionDenied if there is no signature by `key` or if one
// fails to verify; InvalidArgument if the note is malformed.
absl::StatusOr<std::string> OpenNote(std::string_view note, const NoteVerifierKey& key);

// A tree head: the body of a c2sp.org/tlog-checkpoint note.
struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  std::string root_hash;  // 32 raw bytes
};

// "<origin>\n<size>\n<base64 root>\n"
std::string FormatCheckpointText(const Checkpoint& cp);
// Parses a checkpoint body; extension lines after the third are ignored.
absl::StatusOr<Checkpoint> ParseCheckpointText(std::string_view text);
// OpenNote + ParseCheckpointText, and the origin must equal the key's name.
absl::StatusOr<Checkpoint> VerifyCheckpoint(std::string_view note, const NoteVerifierKey& key);

// A c2sp.org/tlog-proof@v1 offline inclusion proof.
struct TlogProof {
  bool has_extra = false;
  std::string extra;  // opaque; provledger puts the entry's bytes here
  uint64_t index = 0;
  std::vector<std::string> hashes;  // inclusion path, 32 bytes each
  std::string checkpoint;           // the signed checkpoint note
};

std::string FormatTlogProof(const TlogProof& proof);
absl::StatusOr<TlogProof> ParseTlogProof(std::string_view text);
// Verifies the checkpoint signature by `key` and that `leaf_hash` is at
// `proof.index` in it. Returns the checkpoint on success.
absl::StatusOr<Checkpoint> VerifyTlogProof(const TlogProof& proof, const NoteVerifierKey& key,
                                           std::string_view leaf_hash);

}  // namespace provledger

#endif  // PROVLEDGER_NOTE_H_
