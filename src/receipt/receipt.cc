#include "provledger/receipt.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "provledger/encoding.h"
#include "provledger/entry.h"
#include "provledger/merkle.h"
#include "provledger/sha256.h"
#include "provledger/status_macros.h"

namespace provledger {
namespace {

using nlohmann::json;

std::string Hex64(uint64_t v) {
  std::string b;
  AppendU64BE(&b, v);
  return ToHex(b);
}

json Strings(const std::vector<std::string>& v, bool base64) {
  json a = json::array();
  for (const auto& s : v) a.push_back(base64 ? Base64Encode(s) : s);
  return a;
}

// Strict readers: the field must exist with the right JSON type.
struct Reader {
  const json& j;
  std::string where;
  absl::Status Missing(const char* key) const {
    return absl::InvalidArgumentError("receipt: " + where + key + " is missing or malformed");
  }
  absl::StatusOr<uint64_t> U64(const char* key) const {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_unsigned()) return Missing(key);
    return it->get<uint64_t>();
  }
  absl::StatusOr<int64_t> I64(const char* key) const {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return Missing(key);
    return it->get<int64_t>();
  }
  absl::StatusOr<std::string> Str(const char* key) const {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return Missing(key);
    return it->get<std::string>();
  }
  absl::StatusOr<std::string> Bytes(const char* key) const {
    PL_ASSIGN_OR_RETURN(std::string s, Str(key));
    auto b = Base64Decode(s);
    if (!b.ok()) return Missing(key);
    return *std::move(b);
  }
  absl::StatusOr<const json*> Array(const char* key) const {
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) return Missing(key);
    return &*it;
  }
  absl::StatusOr<const json*> Object(const char* key) const {
    auto it = j.find(key);
    if (it == j.end() || !it->is_object()) return Missing(key);
    return &*it;
  }
};

uint32_t EqualPositions(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  if (a.size() != b.size()) return 0;
  uint32_t n = 0;
  for (size_t i = 0; i < a.size(); ++i) n += a[i] == b[i];
  return n;
}

// Contained runs of the query in a document, longest first, as a receipt
// states them.
std::vector<ReceiptSpan> ContainedSpans(const std::vector<fingerprint::WinnowFingerprint>& query,
                                        const std::vector<TextFingerprintRecord::Winnow>& doc,
                                        uint32_t* found) {
  std::vector<fingerprint::FingerprintMatch> matches =
      fingerprint::PairFingerprints(query, doc, found);
  std::vector<ReceiptSpan> spans;
  for (const auto& run : fingerprint::ContainedRuns(query, std::move(matches))) {
    if (!fingerprint::IsContained(run)) continue;
    spans.push_back({run.query_begin, run.query_end, run.doc_begin, run.fingerprints});
  }
  return spans;
}

bool SameSpans(const std::vector<ReceiptSpan>& a, const std::vector<ReceiptSpan>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].query_token_begin != b[i].query_token_begin ||
        a[i].query_token_end != b[i].query_token_end ||
        a[i].document_token_begin != b[i].document_token_begin ||
        a[i].fingerprints != b[i].fingerprints) {
      return false;
    }
  }
  return true;
}

}  // namespace

uint64_t CapQueryWinnows(std::vector<fingerprint::WinnowFingerprint>* winnows) {
  if (winnows->size() <= kMaxQueryWinnows) return 0;
  const uint64_t total = winnows->size();
  winnows->resize(kMaxQueryWinnows);
  return total;
}

std::string EncodeReceiptBody(const Receipt& r) {
  json q = {{"content_id", Base64Encode(r.query.content_id)},
            {"media_type", r.query.media_type},
            {"size_bytes", r.query.size_bytes}};
  if (r.query.text) {
    json winnows = json::array();
    for (const auto& w : r.query.winnows)
      winnows.push_back(json::array({Hex64(w.hash), w.token_index}));
    q["text"] = {{"minhash", r.query.minhash},
                 {"normalized_hash", Base64Encode(r.query.normalized_hash)},
                 {"token_count", r.query.token_count},
                 {"winnows", winnows}};
    if (r.query.winnows_total > r.query.winnows.size()) {
      q["text"]["winnows_total"] = r.query.winnows_total;
    }
  }
  json matches = json::array();
  for (const ReceiptMatch& m : r.matches) {
    json spans = json::array();
    for (const ReceiptSpan& s : m.spans) {
      spans.push_back({{"document_token_begin", s.document_token_begin},
                       {"fingerprints", s.fingerprints},
                       {"query_token_begin", s.query_token_begin},
                       {"query_token_end", s.query_token_end}});
    }
    matches.push_back({{"dataset_index", m.dataset_index},
                       {"fingerprints_found", m.fingerprints_found},
                       {"kind", m.kind},
                       {"ledger_index", m.ledger_index},
                       {"minhash_equal", m.minhash_equal},
                       {"run_indices", m.run_indices},
                       {"spans", spans},
                       {"verdict_index", m.verdict_index}});
  }
  json entries = json::array();
  for (const ReceiptEntry& e : r.entries) {
    entries.push_back({{"entry", Base64Encode(e.entry)},
                       {"index", e.index},
                       {"inclusion_proof", Strings(e.inclusion_proof, true)}});
  }
  json body = {{"checkpoint", r.checkpoint},
               {"entries", entries},
               {"format", kReceiptFormat},
               {"issued_unix_micros", r.issued_us},
               {"matches", matches},
               {"near_duplicate_min_equal", r.near_duplicate_min_equal},
               {"origin", r.origin},
               {"query", q},
               {"searched", Strings(r.searched, false)},
               {"total_matches", r.total_matches},
               {"tree_size", r.tree_size}};
  return body.dump() + "\n";
}

absl::StatusOr<Receipt> DecodeReceiptBody(std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError("receipt: the body is not a JSON object");
  }
  Reader top{j, ""};
  Receipt r;
  PL_ASSIGN_OR_RETURN(std::string format, top.Str("format"));
  if (format != kReceiptFormat) {
    return absl::InvalidArgumentError("receipt: unsupported format '" + format + "'");
  }
  PL_ASSIGN_OR_RETURN(r.origin, top.Str("origin"));
  PL_ASSIGN_OR_RETURN(r.issued_us, top.I64("issued_unix_micros"));
  PL_ASSIGN_OR_RETURN(uint64_t min_equal, top.U64("near_duplicate_min_equal"));
  r.near_duplicate_min_equal = static_cast<uint32_t>(std::min<uint64_t>(min_equal, 1u << 31));
  PL_ASSIGN_OR_RETURN(r.tree_size, top.U64("tree_size"));
  PL_ASSIGN_OR_RETURN(r.checkpoint, top.Str("checkpoint"));
  PL_ASSIGN_OR_RETURN(r.total_matches, top.U64("total_matches"));
  PL_ASSIGN_OR_RETURN(const json* searched, top.Array("searched"));
  for (const json& s : *searched) {
    if (!s.is_string()) return top.Missing("searched");
    r.searched.push_back(s.get<std::string>());
  }
  PL_ASSIGN_OR_RETURN(const json* q, top.Object("query"));
  Reader qr{*q, "query."};
  PL_ASSIGN_OR_RETURN(r.query.content_id, qr.Bytes("content_id"));
  PL_ASSIGN_OR_RETURN(r.query.media_type, qr.Str("media_type"));
  PL_ASSIGN_OR_RETURN(r.query.size_bytes, qr.U64("size_bytes"));
  if (q->contains("text")) {
    PL_ASSIGN_OR_RETURN(const json* t, qr.Object("text"));
    Reader tr{*t, "query.text."};
    r.query.text = true;
    PL_ASSIGN_OR_RETURN(r.query.normalized_hash, tr.Bytes("normalized_hash"));
    PL_ASSIGN_OR_RETURN(r.query.token_count, tr.U64("token_count"));
    PL_ASSIGN_OR_RETURN(const json* mh, tr.Array("minhash"));
    for (const json& v : *mh) {
      if (!v.is_number_unsigned() || v.get<uint64_t>() > UINT32_MAX) return tr.Missing("minhash");
      r.query.minhash.push_back(v.get<uint32_t>());
    }
    PL_ASSIGN_OR_RETURN(const json* ws, tr.Array("winnows"));
    for (const json& w : *ws) {
      if (!w.is_array() || w.size() != 2 || !w[0].is_string() || !w[1].is_number_unsigned() ||
          w[1].get<uint64_t>() > UINT32_MAX) {
        return tr.Missing("winnows");
      }
      auto hash = FromHex(w[0].get<std::string>());
      if (!hash.ok() || hash->size() != 8) return tr.Missing("winnows");
      r.query.winnows.push_back({ReadU64BE(hash->data()), w[1].get<uint32_t>()});
    }
    if (t->contains("winnows_total")) {
      PL_ASSIGN_OR_RETURN(r.query.winnows_total, tr.U64("winnows_total"));
      if (r.query.winnows.size() != kMaxQueryWinnows || r.query.winnows_total <= kMaxQueryWinnows) {
        return tr.Missing("winnows_total");
      }
    }
  }
  PL_ASSIGN_OR_RETURN(const json* matches, top.Array("matches"));
  for (const json& m : *matches) {
    if (!m.is_object()) return top.Missing("matches");
    Reader mr{m, "matches[]."};
    ReceiptMatch out;
    PL_ASSIGN_OR_RETURN(out.kind, mr.Str("kind"));
    PL_ASSIGN_OR_RETURN(out.ledger_index, mr.U64("ledger_index"));
    PL_ASSIGN_OR_RETURN(uint64_t equal, mr.U64("minhash_equal"));
    PL_ASSIGN_OR_RETURN(uint64_t found, mr.U64("fingerprints_found"));
    out.minhash_equal = static_cast<uint32_t>(std::min<uint64_t>(equal, UINT32_MAX));
    out.fingerprints_found = static_cast<uint32_t>(std::min<uint64_t>(found, UINT32_MAX));
    PL_ASSIGN_OR_RETURN(out.dataset_index, mr.U64("dataset_index"));
    PL_ASSIGN_OR_RETURN(out.verdict_index, mr.U64("verdict_index"));
    PL_ASSIGN_OR_RETURN(const json* runs, mr.Array("run_indices"));
    for (const json& v : *runs) {
      if (!v.is_number_unsigned()) return mr.Missing("run_indices");
      out.run_indices.push_back(v.get<uint64_t>());
    }
    PL_ASSIGN_OR_RETURN(const json* spans, mr.Array("spans"));
    for (const json& s : *spans) {
      if (!s.is_object()) return mr.Missing("spans");
      Reader sr{s, "matches[].spans[]."};
      ReceiptSpan span;
      for (auto [key, field] : {std::pair{"query_token_begin", &span.query_token_begin},
                                std::pair{"query_token_end", &span.query_token_end},
                                std::pair{"document_token_begin", &span.document_token_begin},
                                std::pair{"fingerprints", &span.fingerprints}}) {
        PL_ASSIGN_OR_RETURN(uint64_t v, sr.U64(key));
        if (v > UINT32_MAX) return sr.Missing(key);
        *field = static_cast<uint32_t>(v);
      }
      out.spans.push_back(span);
    }
    r.matches.push_back(std::move(out));
  }
  PL_ASSIGN_OR_RETURN(const json* entries, top.Array("entries"));
  for (const json& e : *entries) {
    if (!e.is_object()) return top.Missing("entries");
    Reader er{e, "entries[]."};
    ReceiptEntry out;
    PL_ASSIGN_OR_RETURN(out.index, er.U64("index"));
    PL_ASSIGN_OR_RETURN(out.entry, er.Bytes("entry"));
    PL_ASSIGN_OR_RETURN(const json* proof, er.Array("inclusion_proof"));
    for (const json& h : *proof) {
      auto b = h.is_string() ? Base64Decode(h.get<std::string>())
                             : absl::StatusOr<std::string>(absl::InvalidArgumentError(""));
      if (!b.ok()) return er.Missing("inclusion_proof");
      out.inclusion_proof.push_back(*std::move(b));
    }
    r.entries.push_back(std::move(out));
  }
  // Canonical: exactly what Encode writes, so one receipt has one encoding.
  if (EncodeReceiptBody(r) != body) {
    return absl::InvalidArgumentError(
        "receipt: the body is not in canonical form (docs/receipts.md)");
  }
  return r;
}

absl::StatusOr<ReceiptCheck> VerifyReceipt(std::string_view signed_receipt,
                                           const NoteVerifierKey& key,
                                           std::optional<std::string_view> work,
                                           uint64_t max_text_bytes) {
  PL_ASSIGN_OR_RETURN(std::string body, OpenNote(signed_receipt, key));
  PL_ASSIGN_OR_RETURN(Receipt r, DecodeReceiptBody(body));
  if (r.origin != key.name) {
    return absl::PermissionDeniedError("receipt: issued by '" + r.origin + "', not by '" +
                                       key.name + "'");
  }
  ReceiptCheck check;
  PL_ASSIGN_OR_RETURN(check.checkpoint, VerifyCheckpoint(r.checkpoint, key));
  if (check.checkpoint.size != r.tree_size) {
    return absl::DataLossError("receipt: tree_size " + std::to_string(r.tree_size) +
                               " is not the checkpoint's size " +
                               std::to_string(check.checkpoint.size));
  }
  // Every cited entry is in the checkpoint's tree.
  std::map<uint64_t, DecodedEntry> cited;
  for (const ReceiptEntry& e : r.entries) {
    absl::Status proven =
        merkle::VerifyInclusion(e.index, check.checkpoint.size, merkle::HashLeaf(e.entry),
                                e.inclusion_proof, check.checkpoint.root_hash);
    if (!proven.ok()) {
      return absl::DataLossError(
          "receipt: entry " + std::to_string(e.index) +
          " is not proven in the checkpoint: " + std::string(proven.message()));
    }
    auto decoded = DecodeEntry(e.entry);
    if (!decoded.ok()) {
      return absl::DataLossError("receipt: entry " + std::to_string(e.index) +
                                 " does not decode: " + std::string(decoded.status().message()));
    }
    cited.emplace(e.index, *std::move(decoded));
  }
  auto entry = [&](uint64_t index, const std::string& what) -> absl::StatusOr<const DecodedEntry*> {
    auto it = cited.find(index);
    if (it == cited.end()) {
      return absl::DataLossError("receipt: " + what + " entry " + std::to_string(index) +
                                 " is not cited");
    }
    return &it->second;
  };
  // Every match: its entries say what it claims, and the evidence recomputes.
  const ReceiptQuery& q = r.query;
  for (const ReceiptMatch& m : r.matches) {
    std::string at = "receipt: match at entry " + std::to_string(m.ledger_index) + ": ";
    auto fail = [&](const std::string& why) { return absl::DataLossError(at + why); };
    PL_ASSIGN_OR_RETURN(const DecodedEntry* de, entry(m.ledger_index, "document"));
    auto doc = AsDocumentEntry(*de);
    if (!doc.ok()) return fail("not a document entry");
    PL_ASSIGN_OR_RETURN(const DecodedEntry* ds, entry(m.dataset_index, "dataset"));
    auto dataset = AsDatasetEntry(*ds);
    if (!dataset.ok() || dataset->dataset_id != doc->dataset_id) {
      return fail("the dataset entry is not the document's dataset");
    }
    if (m.verdict_index != m.ledger_index) {
      PL_ASSIGN_OR_RETURN(const DecodedEntry* ve, entry(m.verdict_index, "verdict"));
      auto rev = AsReevaluationEntry(*ve);
      if (!rev.ok() || rev->document_index != m.ledger_index) {
        return fail("the verdict entry is not a re-evaluation of this document");
      }
    }
    for (uint64_t run : m.run_indices) {
      PL_ASSIGN_OR_RETURN(const DecodedEntry* re, entry(run, "training run"));
      if (!AsTrainingRunEntry(*re).ok()) return fail("a cited run is not a training run entry");
    }
    uint32_t equal = 0, found = 0;
    std::vector<ReceiptSpan> spans;
    const bool both_text = q.text && doc->text.has_value();
    if (both_text) {
      const TextFingerprintRecord& t = *doc->text;
      if (t.minhash_version == fingerprint::kMinHashVersion) {
        equal = EqualPositions(q.minhash, t.minhash);
      }
      if (t.winnow_version == fingerprint::kWinnowVersion) {
        spans = ContainedSpans(q.winnows, t.winnows, &found);
      }
    }
    if (equal != m.minhash_equal || found != m.fingerprints_found || !SameSpans(spans, m.spans)) {
      return fail("the stated evidence does not recompute from the entry's fingerprints");
    }
    bool holds = false;
    if (m.kind == "EXACT") {
      holds = doc->content_id == q.content_id;
    } else if (m.kind == "NORMALISED") {
      holds = both_text && doc->text->normalized_hash == q.normalized_hash;
    } else if (m.kind == "NEAR_DUPLICATE") {
      holds = both_text && equal >= r.near_duplicate_min_equal;
    } else if (m.kind == "CONTAINED") {
      holds = !spans.empty();
    } else {
      return fail("unknown kind '" + m.kind + "'");
    }
    if (!holds) return fail("the entry does not support the kind " + m.kind);
  }
  if (work.has_value()) {
    if (Sha256(*work) != q.content_id || work->size() != q.size_bytes) {
      return absl::DataLossError("receipt: the work given is not the queried content");
    }
    fingerprint::WorkFingerprints w = fingerprint::FingerprintWork(*work, max_text_bytes);
    bool same = w.media_type == q.media_type && w.text.has_value() == q.text;
    if (same && q.text) {
      fingerprint::TextFingerprints& t = *w.text;
      same = CapQueryWinnows(&t.winnows) == q.winnows_total &&
             t.normalized_hash == q.normalized_hash && t.token_count == q.token_count &&
             std::vector<uint32_t>(t.minhash.begin(), t.minhash.end()) == q.minhash &&
             t.winnows.size() == q.winnows.size() &&
             std::equal(t.winnows.begin(), t.winnows.end(), q.winnows.begin(),
                        [](const auto& a, const auto& b) {
                          return a.hash == b.hash && a.token_index == b.token_index;
                        });
    }
    if (!same) {
      return absl::DataLossError(
          "receipt: the query's fingerprints do not recompute from the work");
    }
    check.content_checked = true;
  }
  check.receipt = std::move(r);
  return check;
}

}  // namespace provledger
