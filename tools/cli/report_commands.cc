// `provledger report generate|review|render` and `provledger verify report`.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "client.h"
#include "commands.h"
#include "provledger/report.h"
#include "provledger/v1/report.grpc.pb.h"

namespace provledger::cli {
namespace {

int Usage(const std::string& message) {
  std::cerr << "provledger: " << message << "\n";
  return 2;
}

// The report's body, verified with `vkey` when given (a warning otherwise).
absl::StatusOr<std::string> LoadReport(const std::string& file, const std::string& vkey) {
  auto text = ReadFile(file);
  if (!text.ok()) return text.status();
  if (vkey.empty()) {
    std::cerr << "provledger: no --vkey: the report was not verified\n";
    return report::ReportBody(*text);
  }
  auto key = LoadVerifierKey(vkey);
  if (!key.ok()) return key.status();
  auto check = report::VerifyReport(*text, *key);
  if (!check.ok()) {
    return absl::Status(check.status().code(),
                        "report verification FAILED: " + std::string(check.status().message()));
  }
  return std::move(check->body);
}

}  // namespace

int GenerateReport(const ReportArgs& args) {
  v1::GenerateFilingReportRequest req;
  if (!args.model.empty() == !args.datasets.empty()) {
    return Usage("report generate: give --model (with --version) or --dataset, not both");
  }
  if (!args.model.empty()) {
    req.mutable_model()->set_name(args.model);
    req.mutable_model()->set_version(args.version);
  } else {
    for (const std::string& d : args.datasets) req.mutable_datasets()->add_dataset_ids(d);
  }
  if (args.as_of.tree_size != 0) req.mutable_as_of()->set_tree_size(args.as_of.tree_size);
  int64_t t = 0;
  if (!ParseTime(args.as_of.time, "--as-of-time", &t)) return 2;
  if (!args.as_of.time.empty()) req.mutable_as_of()->set_time_unix_micros(t);
  req.set_sample_tree_size(args.sample_tree_size);
  req.set_sample_size(args.sample_size);

  auto stub = v1::ReportService::NewStub(Connect(args.server));
  grpc::ClientContext ctx;
  auto reader = stub->GenerateFilingReport(&ctx, req);
  std::string report;
  v1::ReportSummary summary;
  v1::ReportChunk chunk;
  while (reader->Read(&chunk)) {
    if (chunk.has_summary()) summary = chunk.summary();
    report += chunk.data();
  }
  grpc::Status s = reader->Finish();
  if (!s.ok()) return Fail("report generate", s);
  if (report.size() != summary.report_bytes()) {
    std::cerr << "provledger: report generate: received " << report.size() << " of "
              << summary.report_bytes() << " bytes\n";
    return 1;
  }
  absl::Status written = WriteOutput(args.out, report);
  if (!written.ok()) {
    std::cerr << "provledger: " << written.message() << "\n";
    return 1;
  }
  if (!args.out.empty() && args.out != "-") {
    std::cout << "report written to " << args.out << ": " << summary.documents()
              << " documents at tree size " << summary.tree_size() << ", " << summary.sampled()
              << " sampled, " << summary.reviewed() << " reviewed (" << report.size()
              << " bytes)\n";
  }
  return 0;
}

int RecordReviews(const ReviewArgs& args) {
  std::vector<v1::RecordReviewRequest> reviews;
  if (!args.file.empty()) {
    auto text = ReadFile(args.file);
    if (!text.ok()) return Usage(std::string(text.status().message()));
    std::istringstream in(*text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty()) continue;
      auto j = nlohmann::json::parse(line, nullptr, false);
      const std::string at = args.file + ":" + std::to_string(n) + ": ";
      if (j.is_discarded() || !j.is_object() || !j.contains("document_index") ||
          !j["document_index"].is_number_unsigned() || !j.contains("result") ||
          !j["result"].is_string()) {
        return Usage(at +
                     "each line must be {\"document_index\": N, \"result\": \"pass\"|\"fail\", "
                     "\"reviewer\": ..., \"notes\": ...}");
      }
      const std::string result = j["result"].get<std::string>();
      if (result != "pass" && result != "fail") return Usage(at + "result must be pass or fail");
      v1::RecordReviewRequest r;
      r.set_document_index(j["document_index"].get<uint64_t>());
      r.set_result(result == "pass" ? v1::PASS : v1::FAIL);
      r.set_reviewer(j.value("reviewer", args.reviewer));
      r.set_notes(j.value("notes", ""));
      r.set_sample_tree_size(j.value("sample_tree_size", args.sample_tree_size));
      reviews.push_back(std::move(r));
    }
  } else {
    if (args.pass == args.fail) return Usage("report review: give exactly one of --pass, --fail");
    v1::RecordReviewRequest r;
    r.set_document_index(args.document_index);
    r.set_result(args.pass ? v1::PASS : v1::FAIL);
    r.set_reviewer(args.reviewer);
    r.set_notes(args.notes);
    r.set_sample_tree_size(args.sample_tree_size);
    reviews.push_back(std::move(r));
  }
  for (const v1::RecordReviewRequest& r : reviews) {
    v1::RecordReviewResponse resp;
    if (int rc = CallUnary(&v1::ReportService::Stub::RecordReview, args.server,
                           "review of entry " + std::to_string(r.document_index()), r, &resp);
        rc != 0) {
      return rc;
    }
    std::cout << nlohmann::json{{"document_index", r.document_index()},
                                {"result", r.result() == v1::PASS ? "pass" : "fail"},
                                {"review_index", resp.ledger_index()},
                                {"already_recorded", resp.already_recorded()}}
                     .dump()
              << "\n";
  }
  return 0;
}

int RenderReport(const std::string& file, const std::string& format, const std::string& out,
                 const std::string& vkey) {
  auto rendering = report::ParseRendering(format);
  if (!rendering.ok()) return Usage(std::string(rendering.status().message()));
  auto body = LoadReport(file, vkey);
  if (!body.ok()) {
    std::cerr << "provledger: " << body.status().message() << "\n";
    return 1;
  }
  auto rendered = report::Render(*body, *rendering);
  if (!rendered.ok()) {
    std::cerr << "provledger: render: " << rendered.status().message() << "\n";
    return 1;
  }
  absl::Status written = WriteOutput(out, *rendered);
  if (!written.ok()) {
    std::cerr << "provledger: " << written.message() << "\n";
    return 1;
  }
  return 0;
}

int ReportSample(const std::string& file, const std::string& vkey) {
  auto body = LoadReport(file, vkey);
  if (!body.ok()) {
    std::cerr << "provledger: " << body.status().message() << "\n";
    return 1;
  }
  auto r = nlohmann::json::parse(*body, nullptr, false);
  if (r.is_discarded() || !r.contains("audit_sample")) return Usage("not a report: " + file);
  const uint64_t seed = r["audit_sample"].value("seed_tree_size", uint64_t{0});
  for (const auto& d : r["audit_sample"]["documents"]) {
    if (d.value("excluded", false)) continue;
    nlohmann::json line = {{"document_index", d["document"]["index"]},
                           {"draw", d["draw"]},
                           {"dataset_id", d["dataset_id"]},
                           {"content_id", d["content_id"]},
                           {"license", d["license"]},
                           {"verdict", d["verdict"]["verdict"]},
                           {"source", d["source"]},
                           {"sample_tree_size", seed}};
    if (d.contains("review")) {
      line["reviewed"] = d["review"]["passed"].get<bool>() ? "pass" : "fail";
    }
    std::cout << line.dump() << "\n";
  }
  return 0;
}

int VerifyReportFile(const std::string& file, const std::string& vkey) {
  auto key = LoadVerifierKey(vkey);
  if (!key.ok()) return Usage("verifier key: " + std::string(key.status().message()));
  auto text = ReadFile(file);
  if (!text.ok()) return Usage(std::string(text.status().message()));
  auto check = report::VerifyReport(*text, *key);
  if (!check.ok()) {
    std::cerr << "provledger: report verification FAILED: " << check.status().message() << "\n";
    return 1;
  }
  auto r = nlohmann::json::parse(check->body);
  std::cout << nlohmann::json{{"report", "verified"},
                              {"subject", r["subject"]},
                              {"tree_size", check->anchor.size},
                              {"entries_proven", check->entries_proven},
                              {"documents", r["volume"]["total"]["documents"]},
                              {"sample_seed_tree_size", r["audit_sample"]["seed_tree_size"]},
                              {"sampled", check->sampled},
                              {"excluded_rejected", check->excluded},
                              {"reviewed", check->reviewed},
                              {"passed", check->passed},
                              {"review_status", r["reviews"]["status"]}}
                   .dump()
            << "\n";
  return 0;
}

}  // namespace provledger::cli
