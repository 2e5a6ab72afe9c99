// MatchContent: candidates from the exact indexes and the postings, each
// checked against its entry's recorded fingerprints, then ranked.
#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <cmath>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "provledger/index_keys.h"
#include "provledger/lineage.h"
#include "provledger/receipt.h"
#include "provledger/sha256.h"
#include "provledger/status_macros.h"
#include "session.h"

namespace provledger {

using lineage_internal::Session;

MatchQuery MatchQuery::FromContent(std::string_view bytes, uint64_t max_fingerprint_bytes) {
  MatchQuery q;
  q.content_id = Sha256(bytes);
  q.size_bytes = bytes.size();
  fingerprint::WorkFingerprints w = fingerprint::FingerprintWork(bytes, max_fingerprint_bytes);
  q.media_type = std::move(w.media_type);
  q.analysis = std::move(w.analysis);
  q.text = std::move(w.text);
  if (q.text.has_value()) q.winnows_total = CapQueryWinnows(&q.text->winnows);
  return q;
}

namespace {

constexpr size_t kMaxSpans = 20;
constexpr size_t kMaxExcerptBytes = 400;

struct Candidate {
  bool exact = false;
  bool normalised = false;
  bool lsh = false;  // shares an LSH band with the query
  // (query fingerprint index, the hash's first position in the document)
  std::vector<std::pair<uint32_t, uint32_t>> hits;
  bool repeated = false;  // one of those hashes occurs more than once there

  // Whether a contained run is possible: it needs query fingerprints i and
  // i + 1 at one offset. Exact from first positions unless a hash repeats
  // in the document, which then is checked against its entry.
  bool MayContain(const std::vector<fingerprint::WinnowFingerprint>& q) {
    if (hits.size() < fingerprint::kContainedMinFingerprints) return false;
    if (repeated) return true;
    std::sort(hits.begin(), hits.end());
    for (size_t k = 1; k < hits.size(); ++k) {
      auto [i, p] = hits[k - 1];
      auto [j, r] = hits[k];
      if (j == i + 1 && static_cast<int64_t>(r) - p ==
                            static_cast<int64_t>(q[j].token_index) - q[i].token_index) {
        return true;
      }
    }
    return false;
  }
};

struct Checked {
  MatchInfo info;
  uint32_t minhash_equal = 0;  // equal MinHash positions
  uint32_t found = 0;          // distinct query winnowing hashes in the document
  StoredEntry stored;
  DocumentEntry doc;
  int64_t timestamp_us = 0;
  std::vector<fingerprint::ContainedRun> runs;  // contained runs, longest first
};

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string Excerpt(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xc0) == 0x80) --end;
  return std::string(s.substr(0, end));
}

const char* KindName(MatchKind k) {
  switch (k) {
    case MatchKind::kExact:
      return "EXACT";
    case MatchKind::kNormalised:
      return "NORMALISED";
    case MatchKind::kNearDuplicate:
      return "NEAR_DUPLICATE";
    case MatchKind::kContained:
      return "CONTAINED";
  }
  return "UNSPECIFIED";
}

// The signed receipt of the first `max` ranked matches: the query's
// fingerprints, each match's evidence, and every entry it cites (document,
// dataset, verdict in force, training runs) with its inclusion proof.
absl::StatusOr<std::string> IssueReceipt(Ledger* ledger, Session& session, const MatchQuery& query,
                                         const std::vector<Checked>& checked,
                                         const MatchResult& result, double min_jaccard,
                                         size_t max) {
  const SignedCheckpoint& anchor = session.anchor();
  Receipt rc;
  rc.origin = ledger->origin();
  rc.issued_us = absl::ToUnixMicros(absl::Now());
  rc.query.content_id = query.content_id;
  rc.query.size_bytes = query.size_bytes;
  rc.query.media_type = query.media_type;
  if (query.text.has_value()) {
    rc.query.text = true;
    rc.query.normalized_hash = query.text->normalized_hash;
    rc.query.minhash.assign(query.text->minhash.begin(), query.text->minhash.end());
    rc.query.winnows = query.text->winnows;
    rc.query.winnows_total = query.winnows_total;
    rc.query.token_count = query.text->token_count;
  }
  rc.near_duplicate_min_equal =
      static_cast<uint32_t>(std::ceil(min_jaccard * fingerprint::kMinHashSize));
  for (MatchKind k : result.searched) rc.searched.emplace_back(KindName(k));
  rc.tree_size = anchor.size;
  rc.checkpoint = anchor.note;
  rc.total_matches = checked.size();
  std::map<uint64_t, std::string> cite;  // index -> entry bytes ("" = to fetch)
  for (size_t k = 0; k < std::min(max, checked.size()); ++k) {
    const Checked& c = checked[k];
    ReceiptMatch m;
    m.kind = KindName(c.info.kind);
    m.ledger_index = c.stored.index;
    m.minhash_equal = c.minhash_equal;
    m.fingerprints_found = c.found;
    for (const auto& run : c.runs) {
      m.spans.push_back({run.query_begin, run.query_end, run.doc_begin, run.fingerprints});
    }
    PL_ASSIGN_OR_RETURN(DatasetView ds, session.Dataset(c.doc.dataset_id));
    m.dataset_index = ds.ledger_index;
    PL_ASSIGN_OR_RETURN(auto verdict, session.VerdictInForce(c.stored.index, c.doc));
    m.verdict_index = verdict.second;
    PL_ASSIGN_OR_RETURN(std::vector<ModelUseInfo> models, session.Models(c.doc.dataset_id));
    for (const ModelUseInfo& u : models) m.run_indices.push_back(u.run_index);
    std::sort(m.run_indices.begin(), m.run_indices.end());
    m.run_indices.erase(std::unique(m.run_indices.begin(), m.run_indices.end()),
                        m.run_indices.end());
    cite[c.stored.index] = c.stored.data;
    for (uint64_t i : m.run_indices) cite.emplace(i, "");
    cite.emplace(m.dataset_index, "");
    cite.emplace(m.verdict_index, "");
    rc.matches.push_back(std::move(m));
  }
  std::vector<uint64_t> fetch;
  for (const auto& [i, bytes] : cite) {
    if (bytes.empty()) fetch.push_back(i);
  }
  PL_ASSIGN_OR_RETURN(std::vector<StoredEntry> fetched, ledger->GetEntriesAt(fetch));
  for (StoredEntry& e : fetched) cite[e.index] = std::move(e.data);
  for (auto& [i, bytes] : cite) {
    PL_ASSIGN_OR_RETURN(std::vector<std::string> proof, ledger->InclusionProof(i, anchor.size));
    rc.entries.push_back({i, std::move(bytes), std::move(proof)});
  }
  return ledger->SignText(EncodeReceiptBody(rc));
}

bool CurrentMinHash(const TextFingerprintRecord& t) {
  return t.minhash_version == fingerprint::kMinHashVersion &&
         t.minhash.size() == static_cast<size_t>(fingerprint::kMinHashSize);
}

}  // namespace

absl::StatusOr<MatchResult> LineageQueries::Match(const MatchQuery& query, const MatchSpec& spec) {
  if (spec.min_jaccard < 0 || spec.min_jaccard > 1) {
    return absl::InvalidArgumentError("min_jaccard must be between 0 and 1");
  }
  if (query.content_id.size() != 32) {
    return absl::InvalidArgumentError("query content_id must be 32 bytes");
  }
  const double min_jaccard = std::max(spec.min_jaccard, fingerprint::kNearDuplicateThreshold);
  PL_ASSIGN_OR_RETURN(SignedCheckpoint anchor, Resolve(spec.as_of));
  MatchResult result;
  result.searched = {MatchKind::kExact, MatchKind::kNormalised};
  const bool text = query.text.has_value() && query.text->token_count > 0;
  if (postings_ != nullptr) {
    result.searched.insert({MatchKind::kNearDuplicate, MatchKind::kContained});
    if (text && postings_->indexed_size() < anchor.size) {
      absl::Status s = postings_->WaitIndexed(
          anchor.size, std::chrono::steady_clock::now() + options_.index_wait);
      if (absl::IsDeadlineExceeded(s)) {
        return absl::UnavailableError("the posting index is catching up with the ledger (" +
                                      std::string(s.message()) +
                                      "); retry, or ask as of an earlier tree size");
      }
      PL_RETURN_IF_ERROR(s);
    }
  }
  Session session(ledger_, anchor);

  // 1. Candidates.
  std::unordered_map<uint64_t, Candidate> candidates;
  PL_ASSIGN_OR_RETURN(std::vector<uint64_t> exact,
                      session.Below(index_keys::ContentPrefix(query.content_id)));
  for (uint64_t i : exact) candidates[i].exact = true;
  std::vector<uint64_t> distinct_hashes;
  if (text) {
    PL_ASSIGN_OR_RETURN(
        std::vector<uint64_t> normalised,
        session.Below(index_keys::NormalizedHashPrefix(query.text->normalized_hash)));
    for (uint64_t i : normalised) candidates[i].normalised = true;
    for (const auto& w : query.text->winnows) distinct_hashes.push_back(w.hash);
    std::sort(distinct_hashes.begin(), distinct_hashes.end());
    distinct_hashes.erase(std::unique(distinct_hashes.begin(), distinct_hashes.end()),
                          distinct_hashes.end());
  }
  result.query_fingerprints = static_cast<uint32_t>(distinct_hashes.size());
  const size_t cap = options_.max_postings_per_fingerprint;
  if (text && postings_ != nullptr) {
    PL_ASSIGN_OR_RETURN(std::vector<std::vector<uint64_t>> bands,
                        postings_->LshBandEntries(query.text->lsh_bands, cap + 1));
    for (const std::vector<uint64_t>& docs : bands) {
      if (docs.size() > cap) {
        ++result.common_fingerprints_skipped;
        continue;
      }
      for (uint64_t i : docs) {
        if (i < anchor.size) candidates[i].lsh = true;
      }
    }
    // Query fingerprint indices per hash (a hash may recur in the query).
    std::unordered_map<uint64_t, std::vector<uint32_t>> at;
    for (size_t i = 0; i < query.text->winnows.size(); ++i) {
      at[query.text->winnows[i].hash].push_back(static_cast<uint32_t>(i));
    }
    PL_ASSIGN_OR_RETURN(std::vector<std::vector<WinnowPosting>> lists,
                        postings_->WinnowEntries(distinct_hashes, cap + 1));
    for (size_t k = 0; k < distinct_hashes.size(); ++k) {
      const std::vector<WinnowPosting>& posts = lists[k];
      if (posts.size() > cap) {
        ++result.common_fingerprints_skipped;
        continue;
      }
      const std::vector<uint32_t>& indices = at[distinct_hashes[k]];
      for (const WinnowPosting& p : posts) {
        if (p.ledger_index >= anchor.size) continue;
        Candidate& c = candidates[p.ledger_index];
        c.repeated = c.repeated || p.repeated;
        for (uint32_t i : indices) c.hits.emplace_back(i, p.token_index);
      }
    }
  }
  std::vector<std::pair<uint64_t, Candidate>> worth;
  for (auto& [index, c] : candidates) {
    if (c.exact || c.normalised || c.lsh || (text && c.MayContain(query.text->winnows))) {
      worth.emplace_back(index, std::move(c));
    }
  }
  std::sort(worth.begin(), worth.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  if (worth.size() > options_.max_candidates) {
    // Keep the strongest: exact and normalised, then band sharers, then by
    // shared fingerprints.
    std::stable_sort(worth.begin(), worth.end(), [](const auto& a, const auto& b) {
      auto rank = [](const Candidate& c) {
        return std::make_tuple(!(c.exact || c.normalised), !c.lsh,
                               -static_cast<int64_t>(c.hits.size()));
      };
      return rank(a.second) < rank(b.second);
    });
    worth.resize(options_.max_candidates);
    std::sort(worth.begin(), worth.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    result.candidates_truncated = true;
  }
  result.candidates_checked = static_cast<uint32_t>(worth.size());

  // 2. Check each candidate against its entry's own fingerprints.
  const bool want_all = spec.kinds.empty();
  std::vector<Checked> checked;
  constexpr size_t kFetch = 512;
  for (size_t start = 0; start < worth.size(); start += kFetch) {
    std::vector<uint64_t> indices;
    for (size_t k = start; k < std::min(worth.size(), start + kFetch); ++k) {
      indices.push_back(worth[k].first);
    }
    PL_ASSIGN_OR_RETURN(std::vector<StoredEntry> entries, ledger_->GetEntriesAt(indices));
    for (size_t k = 0; k < entries.size(); ++k) {
      const Candidate& cand = worth[start + k].second;
      StoredEntry& stored = entries[k];
      auto decoded = DecodeEntry(stored.data);
      if (!decoded.ok() || decoded->type != EntryType::kDocumentRegistered) continue;
      PL_ASSIGN_OR_RETURN(DocumentEntry doc, AsDocumentEntry(*decoded));
      Checked c;
      std::set<MatchKind> kinds;
      if (cand.exact && doc.content_id == query.content_id) kinds.insert(MatchKind::kExact);
      if (text && doc.text.has_value()) {
        const TextFingerprintRecord& t = *doc.text;
        if (t.normalized_hash == query.text->normalized_hash) kinds.insert(MatchKind::kNormalised);
        if (CurrentMinHash(t) && t.token_count > 0) {
          fingerprint::MinHashSignature sig;
          std::copy(t.minhash.begin(), t.minhash.end(), sig.begin());
          c.info.estimated_jaccard = fingerprint::EstimateJaccard(query.text->minhash, sig);
          for (int i = 0; i < fingerprint::kMinHashSize; ++i) {
            c.minhash_equal += query.text->minhash[i] == sig[i];
          }
          if (cand.lsh && c.info.estimated_jaccard >= min_jaccard) {
            kinds.insert(MatchKind::kNearDuplicate);
          }
        }
        if (t.winnow_version == fingerprint::kWinnowVersion && !t.winnows.empty()) {
          const auto& qw = query.text->winnows;
          std::vector<fingerprint::FingerprintMatch> matches =
              fingerprint::PairFingerprints(qw, t.winnows, &c.found);
          if (!distinct_hashes.empty()) {
            c.info.contained_share =
                static_cast<double>(c.found) / static_cast<double>(distinct_hashes.size());
          }
          for (const auto& run : fingerprint::ContainedRuns(qw, std::move(matches))) {
            if (fingerprint::IsContained(run)) c.runs.push_back(run);
          }
          if (!c.runs.empty()) kinds.insert(MatchKind::kContained);
        }
      }
      // The strongest kind that applies and was asked for.
      auto chosen = std::find_if(kinds.begin(), kinds.end(),
                                 [&](MatchKind k) { return want_all || spec.kinds.count(k) > 0; });
      if (chosen == kinds.end()) continue;
      c.info.kind = *chosen;
      c.timestamp_us = decoded->timestamp_us;
      c.stored = std::move(stored);
      c.doc = std::move(doc);
      checked.push_back(std::move(c));
    }
  }

  // 3. Rank: kind, then evidence, then ledger order.
  auto longest = [](const Checked& c) {
    return c.runs.empty() ? 0u : c.runs.front().query_end - c.runs.front().query_begin;
  };
  std::sort(checked.begin(), checked.end(), [&](const Checked& a, const Checked& b) {
    if (a.info.kind != b.info.kind) return a.info.kind < b.info.kind;
    if (a.info.kind == MatchKind::kNearDuplicate &&
        a.info.estimated_jaccard != b.info.estimated_jaccard) {
      return a.info.estimated_jaccard > b.info.estimated_jaccard;
    }
    if (a.info.kind == MatchKind::kContained) {
      if (longest(a) != longest(b)) return longest(a) > longest(b);
      if (a.info.contained_share != b.info.contained_share) {
        return a.info.contained_share > b.info.contained_share;
      }
    }
    return a.stored.index < b.stored.index;
  });
  result.total = checked.size();
  size_t end = std::min(checked.size(), spec.offset + spec.page_size);
  if (end < checked.size()) result.next_offset = end;

  if (spec.receipt) {
    PL_ASSIGN_OR_RETURN(result.receipt, IssueReceipt(ledger_, session, query, checked, result,
                                                     min_jaccard, spec.receipt_max_matches));
  }

  // 4. The page: lineage, proofs and the matched passages.
  const fingerprint::TextAnalysis* analysis = query.analysis ? &*query.analysis : nullptr;
  for (size_t k = spec.offset; k < end; ++k) {
    Checked& c = checked[k];
    PL_ASSIGN_OR_RETURN(c.info.registration,
                        session.Registration(c.stored, std::move(c.doc), c.timestamp_us));
    c.info.longest_run_tokens = longest(c);
    for (const auto& run : c.runs) {
      if (c.info.spans.size() == kMaxSpans) break;
      SpanInfo span;
      span.query_token_begin = run.query_begin;
      span.query_token_end = run.query_end;
      span.document_token_begin = run.doc_begin;
      span.fingerprints = run.fingerprints;
      if (analysis != nullptr && !analysis->token_begin.empty()) {
        size_t last = std::min<size_t>(run.query_end, analysis->token_end.size()) - 1;
        span.query_byte_begin = analysis->token_begin[run.query_begin];
        span.query_byte_end = analysis->token_end[last];
        span.query_excerpt =
            Excerpt(std::string_view(analysis->normalized)
                        .substr(span.query_byte_begin, span.query_byte_end - span.query_byte_begin),
                    kMaxExcerptBytes);
      }
      c.info.spans.push_back(std::move(span));
    }
    result.matches.push_back(std::move(c.info));
  }
  result.anchor = std::move(anchor);
  return result;
}

}  // namespace provledger
