// `provledger lookup`, `match` and `lineage dataset|model`: LineageService
// answers as a table for people or as JSON for scripts.
#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <string>

#include "absl/time/time.h"
#include "client.h"
#include "commands.h"
#include "provledger/encoding.h"
#include "provledger/sha256.h"
#include "provledger/v1/lineage.grpc.pb.h"

namespace provledger::cli {
namespace {

bool SetAsOf(const AsOfArgs& a, v1::AsOf* out) {
  if (a.tree_size > 0) {
    out->set_tree_size(a.tree_size);
    return true;
  }
  if (a.time.empty()) return true;
  int64_t us = 0;
  if (!ParseTime(a.time, "--as-of-time", &us)) return false;
  out->set_time_unix_micros(us);
  return true;
}

int PrintJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  auto s = google::protobuf::util::MessageToJsonString(m, &out, o);
  if (!s.ok()) {
    std::cerr << "provledger: " << s.ToString() << "\n";
    return 1;
  }
  std::cout << out << "\n";
  return 0;
}

std::string Time(int64_t us) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMicros(us), absl::UTCTimeZone());
}

std::string Short(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 1) + "~";
}

std::string Models(const v1::Registration& r) {
  std::string out;
  for (const auto& m : r.models()) {
    std::string one = m.model_name() + (m.model_version().empty() ? "" : "@" + m.model_version());
    if (out.find(one) == std::string::npos) out += (out.empty() ? "" : ",") + one;
  }
  return out.empty() ? "-" : out;
}

void PrintAnchor(const v1::Anchor& a) {
  std::cout << "anchored to the checkpoint at tree size " << a.tree_size() << " (root "
            << Base64Encode(a.root_hash()) << ")\n";
}

void PrintRegistrationRow(const std::string& lead, const v1::Registration& r) {
  std::printf(
      "%s%-8llu %-24s %-20s %-9s %-16s %s\n", lead.c_str(),
      static_cast<unsigned long long>(r.ledger_index()),  // NOLINT(google-runtime-int)
      Short(r.dataset_name() + (r.dataset_version().empty() ? "" : " " + r.dataset_version()), 24)
          .c_str(),
      Time(r.registered_unix_micros()).c_str(), v1::Verdict_Name(r.verdict()).c_str(),
      Short(r.license(), 16).c_str(), Models(r).c_str());
}

}  // namespace

int Lookup(const LookupArgs& args) {
  v1::LookupContentRequest req;
  int keys = !args.content_id_hex.empty() + !args.normalized_hash_hex.empty() + !args.file.empty();
  if (keys != 1) {
    std::cerr << "provledger: give one of FILE, --content-id or --normalized-hash\n";
    return 2;
  }
  if (!args.file.empty()) {
    auto bytes = ReadFile(args.file);
    if (!bytes.ok()) {
      std::cerr << "provledger: " << bytes.status().message() << "\n";
      return 1;
    }
    req.set_content_id(Sha256(*bytes));
  } else {
    const std::string& hex =
        args.content_id_hex.empty() ? args.normalized_hash_hex : args.content_id_hex;
    auto raw = FromHex(hex);
    if (!raw.ok()) {
      std::cerr << "provledger: the id must be hex: " << raw.status().message() << "\n";
      return 2;
    }
    if (args.content_id_hex.empty()) {
      req.set_normalized_hash(*raw);
    } else {
      req.set_content_id(*raw);
    }
  }
  if (!SetAsOf(args.as_of, req.mutable_as_of())) return 2;
  req.set_page_size(args.limit);
  v1::LookupContentResponse resp;
  if (int rc =
          CallUnary(&v1::LineageService::Stub::LookupContent, args.server, "lookup", req, &resp);
      rc != 0) {
    return rc;
  }
  if (args.json) return PrintJson(resp);
  PrintAnchor(resp.anchor());
  if (resp.registrations().empty()) {
    std::cout << "not registered\n";
    return 0;
  }
  std::printf("%-8s %-24s %-20s %-9s %-16s %s\n", "LEDGER", "DATASET", "REGISTERED", "VERDICT",
              "LICENSE", "MODELS");
  for (const auto& r : resp.registrations()) PrintRegistrationRow("", r);
  if (!resp.next_page_token().empty()) std::cout << "(more: raise --limit or use --json)\n";
  return 0;
}

int Match(const MatchArgs& args) {
  auto bytes = ReadFile(args.input);
  if (!bytes.ok()) {
    std::cerr << "provledger: " << bytes.status().message() << "\n";
    return 1;
  }
  v1::MatchOptions options;
  options.set_min_jaccard(args.min_jaccard);
  for (const std::string& k : args.kinds) {
    v1::MatchKind kind;
    if (!v1::MatchKind_Parse(k, &kind) || kind == v1::MATCH_KIND_UNSPECIFIED) {
      std::cerr << "provledger: --kind must be EXACT, NORMALISED, NEAR_DUPLICATE or CONTAINED\n";
      return 2;
    }
    options.add_kinds(kind);
  }
  if (!SetAsOf(args.as_of, options.mutable_as_of())) return 2;
  options.set_page_size(args.limit);
  options.set_receipt(!args.receipt_out.empty());

  auto stub = v1::LineageService::NewStub(Connect(args.server));
  grpc::ClientContext ctx;
  v1::MatchContentResponse resp;
  auto writer = stub->MatchContent(&ctx, &resp);
  constexpr size_t kPart = 1 << 20;
  size_t off = 0;
  do {
    v1::MatchContentRequest req;
    if (off == 0) *req.mutable_options() = options;
    req.set_content(bytes->substr(off, kPart));
    off += kPart;
    if (!writer->Write(req)) break;
  } while (off < bytes->size());
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (!s.ok()) return Fail("match", s);
  if (!args.receipt_out.empty()) {
    if (absl::Status w = WriteOutput(args.receipt_out, resp.receipt()); !w.ok()) {
      std::cerr << "provledger: " << w.message() << "\n";
      return 1;
    }
  }
  if (args.json) {
    resp.clear_receipt();  // written to its own file
    return PrintJson(resp);
  }
  std::cout << "query sha256 " << ToHex(resp.query_content_id()) << ", " << resp.query_size_bytes()
            << " bytes, " << resp.query_media_type() << ", " << resp.query_token_count()
            << " tokens, " << resp.query_fingerprints() << " winnowing fingerprints\n";
  PrintAnchor(resp.anchor());
  std::cout << resp.total_matches() << " match(es)";
  if (resp.common_fingerprints_skipped() > 0) {
    std::cout << "; " << resp.common_fingerprints_skipped()
              << " common fingerprint(s) not followed";
  }
  if (resp.candidates_truncated()) std::cout << "; candidates truncated";
  std::cout << "\n";
  if (resp.matches().empty()) return 0;
  std::printf("%-3s %-14s %-7s %-8s %-24s %-20s %-9s %-16s %s\n", "#", "KIND", "SCORE", "LEDGER",
              "DATASET", "REGISTERED", "VERDICT", "LICENSE", "MODELS");
  int n = 0;
  for (const auto& m : resp.matches()) {
    double score = m.kind() == v1::CONTAINED        ? m.contained_share()
                   : m.kind() == v1::NEAR_DUPLICATE ? m.estimated_jaccard()
                                                    : 1.0;
    char lead[64];
    std::snprintf(lead, sizeof(lead), "%-3d %-14s %-7.3f ", ++n,
                  v1::MatchKind_Name(m.kind()).c_str(), score);
    PrintRegistrationRow(lead, m.registration());
    if (m.kind() == v1::CONTAINED && !m.spans().empty()) {
      const v1::MatchedSpan& span = m.spans(0);  // the longest; --json lists all
      std::cout << "      passage: query tokens " << span.query_token_begin() << "-"
                << span.query_token_end() << " \"" << Short(span.query_excerpt(), 100) << "\"\n";
    }
  }
  if (!resp.next_page_token().empty()) std::cout << "(more: raise --limit or use --json)\n";
  if (!args.receipt_out.empty()) {
    std::cout << "signed receipt written to " << args.receipt_out
              << " (check it with `provledger verify receipt`)\n";
  }
  return 0;
}

int DatasetLineage(const std::string& server, const std::string& dataset_id, const AsOfArgs& as_of,
                   bool json) {
  v1::GetDatasetLineageRequest req;
  req.set_dataset_id(dataset_id);
  if (!SetAsOf(as_of, req.mutable_as_of())) return 2;
  v1::GetDatasetLineageResponse resp;
  if (int rc = CallUnary(&v1::LineageService::Stub::GetDatasetLineage, server, "dataset lineage",
                         req, &resp);
      rc != 0) {
    return rc;
  }
  if (json) return PrintJson(resp);
  PrintAnchor(resp.anchor());
  auto list = [](const char* title,
                 const google::protobuf::RepeatedPtrField<v1::DatasetSummary>& datasets) {
    std::cout << title << ":" << (datasets.empty() ? " none" : "") << "\n";
    for (const auto& d : datasets) {
      std::cout << "  " << d.dataset_id() << "  " << d.name() << " " << d.version()
                << (d.sealed() ? "  sealed" : "  open") << "\n";
    }
  };
  list("ancestors", resp.ancestors());
  list("descendants", resp.descendants());
  std::cout << "derivations:" << (resp.edges().empty() ? " none" : "") << "\n";
  for (const auto& e : resp.edges()) {
    std::cout << "  " << e.parent_id() << " -> " << e.child_id() << "  " << e.transformation()
              << "  (entry " << e.ledger_index() << ", " << v1::Verdict_Name(e.verdict()) << ")\n";
  }
  std::cout << "models:" << (resp.models().empty() ? " none" : "") << "\n";
  for (const auto& m : resp.models()) {
    std::cout << "  " << m.model_name() << " " << m.model_version() << "  via " << m.dataset_id()
              << "  (run entry " << m.run_ledger_index() << ")\n";
  }
  return 0;
}

int ModelLineage(const std::string& server, const std::string& name, const std::string& version,
                 const AsOfArgs& as_of, bool json) {
  v1::GetModelLineageRequest req;
  req.set_model_name(name);
  req.set_model_version(version);
  if (!SetAsOf(as_of, req.mutable_as_of())) return 2;
  v1::GetModelLineageResponse resp;
  if (int rc = CallUnary(&v1::LineageService::Stub::GetModelLineage, server, "model lineage", req,
                         &resp);
      rc != 0) {
    return rc;
  }
  if (json) return PrintJson(resp);
  PrintAnchor(resp.anchor());
  for (const auto& r : resp.runs()) {
    std::cout << "training run (entry " << r.ledger_index() << ", " << v1::Verdict_Name(r.verdict())
              << "):";
    for (const auto& d : r.datasets()) std::cout << " " << d.dataset_id();
    std::cout << "\n";
    for (const auto& reason : r.reasons()) {
      std::cout << "  " << reason.code() << ": " << reason.message() << "\n";
    }
  }
  std::cout << "dataset versions:\n";
  for (const auto& d : resp.datasets()) {
    std::cout << "  " << d.dataset_id() << "  " << d.name() << " " << d.version() << "\n";
  }
  const v1::LineageCounts& c = resp.counts();
  std::cout << "documents: " << c.documents() << " (" << c.bytes() << " bytes)\n";
  auto counts = [](const char* title, const google::protobuf::Map<std::string, uint64_t>& m) {
    std::cout << "  by " << title << ":";
    for (const auto& [k, v] : std::map<std::string, uint64_t>(m.begin(), m.end())) {
      std::cout << " " << k << "=" << v;
    }
    std::cout << "\n";
  };
  counts("source category", c.by_source_category());
  counts("license class", c.by_license_class());
  counts("verdict", c.by_verdict());
  return 0;
}

}  // namespace provledger::cli
