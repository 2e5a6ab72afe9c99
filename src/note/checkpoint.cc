#include <string>

#include "provledger/encoding.h"
#include "provledger/merkle.h"
#include "provledger/note.h"
#include "provledger/sha256.h"
#include "provledger/status_macros.h"

namespace provledger {

std::string FormatCheckpointText(const Checkpoint& cp) {
  return cp.origin + "\n" + std::to_string(cp.size) + "\n" + Base64Encode(cp.root_hash) + "\n";
}

absl::StatusOr<Checkpoint> ParseCheckpointText(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    if (eol == std::string_view::npos) {
      return absl::InvalidArgumentError("checkpoint: text must end with a newline");
    }
    lines.push_back(text.substr(0, eol));
    text.remove_prefix(eol + 1);
  }
  if (lines.size() < 3) {
    return absl::InvalidArgumentError("checkpoint: needs origin, size and root lines");
  }
  for (std::string_view l : lines) {
    if (l.empty()) return absl::InvalidArgumentError("checkpoint: empty line");
  }
  Checkpoint cp;
  cp.origin = std::string(lines[0]);
  auto size = ParseDecimalU64(lines[1]);
  if (!size.ok()) return absl::InvalidArgumentError("checkpoint: bad tree size line");
  cp.size = *size;
  auto root = Base64Decode(lines[2]);
  if (!root.ok() || root->size() != kSha256Size) {
    return absl::InvalidArgumentError("checkpoint: root line must be base64 of 32 bytes");
  }
  cp.root_hash = *std::move(root);
  return cp;
}

absl::StatusOr<Checkpoint> VerifyCheckpoint(std::string_view note, const NoteVerifierKey& key) {
  PL_ASSIGN_OR_RETURN(std::string text, OpenNote(note, key));
  PL_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpointText(text));
  if (cp.origin != key.name) {
    return absl::PermissionDeniedError("checkpoint: origin '" + cp.origin +
                                       "' is not the key's name '" + key.name + "'");
  }
  return cp;
}

namespace {
constexpr std::string_view kTlogProofHeader = "c2sp.org/tlog-proof@v1";
}

std::string FormatTlogProof(const TlogProof& proof) {
  std::string out(kTlogProofHeader);
  out += "\n";
  if (proof.has_extra) out += "extra " + Base64Encode(proof.extra) + "\n";
  out += "index " + std::to_string(proof.index) + "\n";
  for (const std::string& h : proof.hashes) out += Base64Encode(h) + "\n";
  out += "\n";
  out += proof.checkpoint;
  return out;
}

absl::StatusOr<TlogProof> ParseTlogProof(std::string_view text) {
  auto next_line = [&text](std::string_view* line) {
    size_t eol = text.find('\n');
    if (eol == std::string_view::npos) return false;
    *line = text.substr(0, eol);
    text.remove_prefix(eol + 1);
    return true;
  };
  TlogProof p;
  std::string_view line;
  if (!next_line(&line) || line != kTlogProofHeader) {
    return absl::InvalidArgumentError("tlog-proof: missing c2sp.org/tlog-proof@v1 header");
  }
  if (!next_line(&line)) return absl::InvalidArgumentError("tlog-proof: truncated");
  if (line.substr(0, 6) == "extra ") {
    auto extra = Base64Decode(line.substr(6));
    if (!extra.ok()) return absl::InvalidArgumentError("tlog-proof: bad extra line");
    p.has_extra = true;
    p.extra = *std::move(extra);
    if (!next_line(&line)) return absl::InvalidArgumentError("tlog-proof: truncated");
  }
  if (line.substr(0, 6) != "index ") {
    return absl::InvalidArgumentError("tlog-proof: missing index line");
  }
  auto index = ParseDecimalU64(line.substr(6));
  if (!index.ok()) return absl::InvalidArgumentError("tlog-proof: bad index");
  p.index = *index;
  while (true) {
    if (!next_line(&line)) return absl::InvalidArgumentError("tlog-proof: truncated");
    if (line.empty()) break;
    auto h = Base64Decode(line);
    if (!h.ok() || h->size() != kSha256Size) {
      return absl::InvalidArgumentError("tlog-proof: proof line must be base64 of 32 bytes");
    }
    p.hashes.push_back(*std::move(h));
  }
  p.checkpoint = std::string(text);
  if (p.checkpoint.empty()) return absl::InvalidArgumentError("tlog-proof: missing checkpoint");
  return p;
}

absl::StatusOr<Checkpoint> VerifyTlogProof(const TlogProof& proof, const NoteVerifierKey& key,
                                           std::string_view leaf_hash) {
  PL_ASSIGN_OR_RETURN(Checkpoint cp, VerifyCheckpoint(proof.checkpoint, key));
  PL_RETURN_IF_ERROR(
      merkle::VerifyInclusion(proof.index, cp.size, leaf_hash, proof.hashes, cp.root_hash));
  return cp;
}

}  // namespace provledger
