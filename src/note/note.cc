#include <string>
#include <utility>

#include "provledger/encoding.h"
#include "provledger/note.h"
#include "provledger/sha256.h"
#include "provledger/status_macros.h"

namespace provledger {
namespace {

constexpr std::string_view kEmDash = "\xE2\x80\x94";  // U+2014

std::string KeyIdBytes(uint32_t id) {
  std::string s;
  AppendU32BE(&s, id);
  return s;
}

}  // namespace

bool IsValidNoteName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c == '+' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      return false;
    }
  }
  return true;
}

uint32_t NoteKeyId(std::string_view name, std::string_view public_key) {
  std::string h = Sha256Concat(name, std::string("\n") + kNoteAlgEd25519, public_key);
  return ReadU32BE(h.data());
}

std::string FormatVerifierKey(std::string_view name, std::string_view public_key) {
  std::string keyed(1, kNoteAlgEd25519);
  keyed.append(public_key);
  std::string id = ToHex(KeyIdBytes(NoteKeyId(name, public_key)));
  return std::string(name) + "+" + id + "+" + Base64Encode(keyed);
}

absl::StatusOr<NoteVerifierKey> ParseVerifierKey(std::string_view vkey) {
  // <name>+<8 hex digits>+<base64>; the base64 part may itself contain '+'.
  size_t p1 = vkey.find('+');
  size_t p2 = p1 == std::string_view::npos ? p1 : p1 + 9;
  if (p1 == std::string_view::npos || p2 >= vkey.size() || vkey[p2] != '+') {
    return absl::InvalidArgumentError("verifier key: expected <name>+<hex key id>+<base64 key>");
  }
  NoteVerifierKey k;
  k.name = std::string(vkey.substr(0, p1));
  if (!IsValidNoteName(k.name)) {
    return absl::InvalidArgumentError("verifier key: invalid name");
  }
  std::string_view hex = vkey.substr(p1 + 1, p2 - p1 - 1);
  auto id = FromHex(hex);
  if (hex.size() != 8 || !id.ok()) {
    return absl::InvalidArgumentError("verifier key: key id must be 8 hex digits");
  }
  k.key_id = ReadU32BE(id->data());
  auto keyed = Base64Decode(vkey.substr(p2 + 1));
  if (!keyed.ok() || keyed->size() != 1 + kEd25519PublicKeySize || (*keyed)[0] != kNoteAlgEd25519) {
    return absl::InvalidArgumentError(
        "verifier key: key must be base64 of 0x01 followed by a 32-byte Ed25519 key");
  }
  k.public_key = keyed->substr(1);
  if (NoteKeyId(k.name, k.public_key) != k.key_id) {
    return absl::InvalidArgumentError("verifier key: key id does not match name and key");
  }
  return k;
}

NoteSigner::NoteSigner(std::string name, Ed25519PrivateKey key)
    : name_(std::move(name)), key_(std::move(key)), key_id_(NoteKeyId(name_, key_.PublicKey())) {}

std::string NoteSigner::VerifierKey() const { return FormatVerifierKey(name_, key_.PublicKey()); }

absl::StatusOr<std::string> NoteSigner::SignatureLine(std::string_view text) const {
  PL_ASSIGN_OR_RETURN(std::string sig, key_.Sign(text));
  return std::string(kEmDash) + " " + name_ + " " + Base64Encode(KeyIdBytes(key_id_) + sig) + "\n";
}

absl::StatusOr<std::string> SignNote(std::string_view text,
                                     const std::vector<const NoteSigner*>& signers) {
  if (text.empty() || text.back() != '\n' || text.find("\n\n") != std::string_view::npos ||
      text.front() == '\n') {
    return absl::InvalidArgumentError("note text must be non-empty lines each ending in a newline");
  }
  if (signers.empty()) return absl::InvalidArgumentError("note needs a signer");
  std::string note(text);
  note.push_back('\n');
  for (const NoteSigner* s : signers) {
    PL_ASSIGN_OR_RETURN(std::string line, s->SignatureLine(text));
    note += line;
  }
  return note;
}

absl::StatusOr<SignedNote> ParseNote(std::string_view note) {
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos || note.back() != '\n') {
    return absl::InvalidArgumentError("signed note: missing blank line before signatures");
  }
  SignedNote out;
  out.text = std::string(note.substr(0, split + 1));
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty()) return absl::InvalidArgumentError("signed note: no signatures");
  while (!sigs.empty()) {
    size_t eol = sigs.find('\n');
    std::string_view line = sigs.substr(0, eol);
    sigs.remove_prefix(eol + 1);
    if (line.substr(0, kEmDash.size() + 1) != std::string(kEmDash) + " ") {
      return absl::InvalidArgumentError(
          "signed note: signature line must start with an em dash and a space");
    }
    line.remove_prefix(kEmDash.size() + 1);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) {
      return absl::InvalidArgumentError("signed note: malformed signature line");
    }
    NoteSignature sig;
    sig.name = std::string(line.substr(0, sp));
    auto raw = Base64Decode(line.substr(sp + 1));
    if (!IsValidNoteName(sig.name) || !raw.ok() || raw->size() < 5) {
      return absl::InvalidArgumentError("signed note: malformed signature line");
    }
    sig.key_id = ReadU32BE(raw->data());
    sig.signature = raw->substr(4);
    out.signatures.push_back(std::move(sig));
  }
  return out;
}

absl::StatusOr<std::string> OpenNote(std::string_view note, const NoteVerifierKey& key) {
  PL_ASSIGN_OR_RETURN(SignedNote parsed, ParseNote(note));
  bool verified = false;
  for (const NoteSignature& s : parsed.signatures) {
    if (s.name != key.name || s.key_id != key.key_id) continue;
    if (!Ed25519Verify(key.public_key, parsed.text, s.signature)) {
      return absl::PermissionDeniedError("signed note: signature by " + key.name +
                                         " does not verify");
    }
    verified = true;
  }
  if (!verified) {
    return absl::PermissionDeniedError("signed note: no signature by key " + key.name + "+" +
                                       ToHex(KeyIdBytes(key.key_id)));
  }
  return parsed.text;
}

}  // namespace provledger
