// Offline verification: needs only files and the log's verifier key.
#include <fcntl.h>
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "entry_json.h"
#include "provledger/encoding.h"
#include "provledger/entry.h"
#include "provledger/merkle.h"
#include "provledger/note.h"
#include "provledger/receipt.h"
#include "provledger/sha256.h"
#include "provledger/status_macros.h"

namespace provledger::cli {
namespace {

int Report(const absl::Status& s, const std::string& what) {
  if (s.ok()) return 0;
  std::cerr << "provledger: " << what << " FAILED: " << s.message() << "\n";
  return 1;
}

}  // namespace

absl::StatusOr<NoteVerifierKey> LoadVerifierKey(const std::string& vkey) {
  PL_ASSIGN_OR_RETURN(std::string text, ResolveVerifierKey(vkey));
  return ParseVerifierKey(text);
}

namespace {

struct ConsistencyProofFile {
  uint64_t from = 0, to = 0;
  std::vector<std::string> hashes;
};

absl::StatusOr<ConsistencyProofFile> ParseConsistencyFile(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    lines.push_back(text.substr(pos, eol - pos));
    pos = eol + 1;
  }
  if (lines.size() < 3 || lines[0] != "provledger-consistency-proof v1" ||
      lines[1].rfind("from ", 0) != 0 || lines[2].rfind("to ", 0) != 0) {
    return absl::InvalidArgumentError("not a provledger consistency proof file");
  }
  ConsistencyProofFile f;
  PL_ASSIGN_OR_RETURN(f.from, ParseDecimalU64(lines[1].substr(5)));
  PL_ASSIGN_OR_RETURN(f.to, ParseDecimalU64(lines[2].substr(3)));
  for (size_t i = 3; i < lines.size(); ++i) {
    PL_ASSIGN_OR_RETURN(std::string h, Base64Decode(lines[i]));
    if (h.size() != kSha256Size) return absl::InvalidArgumentError("bad proof hash");
    f.hashes.push_back(std::move(h));
  }
  return f;
}

}  // namespace

int VerifyCheckpointFile(const std::string& file, const std::string& vkey) {
  auto key = LoadVerifierKey(vkey);
  if (!key.ok()) return Report(key.status(), "verifier key");
  auto note = ReadFile(file);
  if (!note.ok()) return Report(note.status(), "reading checkpoint");
  auto cp = VerifyCheckpoint(*note, *key);
  if (!cp.ok()) return Report(cp.status(), "checkpoint verification");
  std::cout << "OK checkpoint: origin=" << cp->origin << " tree_size=" << cp->size
            << " root=" << Base64Encode(cp->root_hash) << "\n";
  return 0;
}

int VerifyInclusionFile(const std::string& file, const std::string& vkey,
                        const std::string& content_file) {
  auto key = LoadVerifierKey(vkey);
  if (!key.ok()) return Report(key.status(), "verifier key");
  auto text = ReadFile(file);
  if (!text.ok()) return Report(text.status(), "reading proof");
  auto proof = ParseTlogProof(*text);
  if (!proof.ok()) return Report(proof.status(), "parsing proof");
  if (!proof->has_extra) {
    return Report(absl::InvalidArgumentError("proof carries no entry (extra line)"),
                  "inclusion verification");
  }
  auto cp = VerifyTlogProof(*proof, *key, merkle::HashLeaf(proof->extra));
  if (!cp.ok()) return Report(cp.status(), "inclusion verification");
  auto decoded = DecodeEntry(proof->extra);
  if (!decoded.ok()) return Report(decoded.status(), "decoding entry");
  nlohmann::json j;
  j["index"] = proof->index;
  j["tree_size"] = cp->size;
  j["timestamp_us"] = decoded->timestamp_us;
  if (auto d = AsDocumentEntry(*decoded); d.ok()) {
    AddDocumentFields(*d, &j);
    if (!content_file.empty()) {
      auto content = ReadFile(content_file);
      if (!content.ok()) return Report(content.status(), "reading content");
      if (Sha256(*content) != d->content_id) {
        return Report(absl::InvalidArgumentError("SHA-256 of " + content_file + " is " +
                                                 ToHex(Sha256(*content)) + ", the entry records " +
                                                 ToHex(d->content_id)),
                      "content check");
      }
      j["content_matches"] = content_file;
    }
  } else {
    AddEntryFields(*decoded, &j);
  }
  std::cout << "OK inclusion: " << j.dump() << "\n";
  return 0;
}

int VerifyConsistencyFiles(const std::string& old_cp, const std::string& new_cp,
                           const std::string& proof_file, const std::string& vkey) {
  auto key = LoadVerifierKey(vkey);
  if (!key.ok()) return Report(key.status(), "verifier key");
  auto old_note = ReadFile(old_cp);
  auto new_note = ReadFile(new_cp);
  auto proof_text = ReadFile(proof_file);
  if (!old_note.ok()) return Report(old_note.status(), "reading old checkpoint");
  if (!new_note.ok()) return Report(new_note.status(), "reading new checkpoint");
  if (!proof_text.ok()) return Report(proof_text.status(), "reading proof");
  auto c1 = VerifyCheckpoint(*old_note, *key);
  if (!c1.ok()) return Report(c1.status(), "old checkpoint verification");
  auto c2 = VerifyCheckpoint(*new_note, *key);
  if (!c2.ok()) return Report(c2.status(), "new checkpoint verification");
  auto proof = ParseConsistencyFile(*proof_text);
  if (!proof.ok()) return Report(proof.status(), "parsing proof");
  if (proof->from != c1->size || proof->to != c2->size) {
    return Report(
        absl::InvalidArgumentError("proof is for sizes " + std::to_string(proof->from) + " -> " +
                                   std::to_string(proof->to) + ", checkpoints are " +
                                   std::to_string(c1->size) + " -> " + std::to_string(c2->size)),
        "consistency verification");
  }
  absl::Status s =
      merkle::VerifyConsistency(c1->size, c2->size, c1->root_hash, c2->root_hash, proof->hashes);
  if (!s.ok()) return Report(s, "consistency verification");
  std::cout << "OK consistency: tree " << c1->size << " is a prefix of tree " << c2->size << "\n";
  return 0;
}

int Keygen(const std::string& name, const std::string& out) {
  if (!IsValidNoteName(name)) {
    std::cerr << "provledger: --name must be non-empty without spaces or '+'\n";
    return 2;
  }
  auto key = Ed25519PrivateKey::Generate();
  if (!key.ok()) return Report(key.status(), "key generation");
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::cerr << "provledger: cannot create " << out << " (exists?)\n";
    return 1;
  }
  std::string pem = key->ToPem();
  bool ok = ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size());
  ::close(fd);
  if (!ok) return Report(absl::UnavailableError("write failed"), "writing key");
  std::cout << FormatVerifierKey(name, key->PublicKey()) << "\n";
  return 0;
}

int VerifyReceiptFile(const std::string& file, const std::string& vkey,
                      const std::string& content_file) {
  auto key = LoadVerifierKey(vkey);
  if (!key.ok()) return Report(key.status(), "verifier key");
  auto text = ReadFile(file);
  if (!text.ok()) return Report(text.status(), "reading receipt");
  std::optional<std::string> work;
  if (!content_file.empty()) {
    auto content = ReadFile(content_file);
    if (!content.ok()) return Report(content.status(), "reading content");
    work = *std::move(content);
  }
  auto check = VerifyReceipt(
      *text, *key, work.has_value() ? std::optional<std::string_view>(*work) : std::nullopt);
  if (!check.ok()) return Report(check.status(), "receipt verification");
  const Receipt& r = check->receipt;
  nlohmann::json j;
  j["receipt"] = "verified";
  j["origin"] = r.origin;
  j["issued_unix_micros"] = r.issued_us;
  j["tree_size"] = r.tree_size;
  j["query_content_id"] = ToHex(r.query.content_id);
  j["content_checked"] = check->content_checked;
  j["total_matches"] = r.total_matches;
  nlohmann::json matches = nlohmann::json::array();
  for (const ReceiptMatch& m : r.matches) {
    nlohmann::json mj = {{"kind", m.kind}, {"ledger_index", m.ledger_index}};
    for (const ReceiptEntry& e : r.entries) {
      if (e.index != m.ledger_index) continue;
      auto decoded = DecodeEntry(e.entry);
      if (!decoded.ok()) continue;
      if (auto d = AsDocumentEntry(*decoded); d.ok()) AddDocumentFields(*d, &mj);
    }
    if (m.kind == "NEAR_DUPLICATE") mj["minhash_equal_of_128"] = m.minhash_equal;
    if (m.kind == "CONTAINED") {
      mj["fingerprints_found"] = m.fingerprints_found;
      mj["query_fingerprints"] = r.query.winnows.size();
    }
    matches.push_back(std::move(mj));
  }
  j["matches"] = std::move(matches);
  std::cout << j.dump() << "\n";
  return 0;
}

}  // namespace provledger::cli
