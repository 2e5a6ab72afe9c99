// report_bench: a filing report on a model trained on N registered documents
// (issue 6: 10 million in minutes, bounded memory). Fills a ledger in
// process through the registry -- four dataset versions (a web crawl over
// 100,000 domains, licensed books, open datasets, synthetic text), every
// document judged by the default policy and carrying fingerprint-sized
// entries -- seals them and records a training run; then, in a fresh
// process, times ReportBuilder::Generate beside a same-run baseline (one raw
// scan of the entries column: the floor for reading every document once)
// and reports the peak resident memory of the generation alone.
//
//   report_bench --docs 10000000 [--dir /tmp] [--runs 3] [--sample-size 4000] [--keep]
//   report_bench --reuse DIR [--runs 3] [--out report.json]
//   report_bench --docs 10000000 --runs 0 --keep    # fill only
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "provledger/clock.h"
#include "provledger/encoding.h"
#include "provledger/ledger.h"
#include "provledger/lineage.h"
#include "provledger/registry.h"
#include "provledger/report_builder.h"
#include "provledger/server.h"
#include "provledger/sha256.h"
#include "provledger/storage.h"

namespace {

using Clock = std::chrono::steady_clock;
using provledger::policy::SourceCategory;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "report_bench: %s\n", what.c_str());
  std::exit(1);
}

// Resident memory from /proc/self/status: "VmRSS" now, "VmHWM" the peak.
uint64_t StatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stoull(line.substr(std::strlen(field) + 1));
  }
  return 0;
}

// Resets the peak (VmHWM) to the current RSS (Linux >= 4.0).
void ResetPeak() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
}

struct Opened {
  std::unique_ptr<provledger::Storage> storage;
  std::unique_ptr<provledger::Ledger> ledger;
};

Opened Open(const std::string& dir, bool create) {
  Opened o;
  auto storage = provledger::OpenRocksDbStorage(dir + "/db", {});
  if (!storage.ok()) Die(std::string(storage.status().message()));
  o.storage = *std::move(storage);
  auto key = provledger::LoadOrCreateSigningKey(dir + "/keys/signing-key.pem", create);
  if (!key.ok()) Die(std::string(key.status().message()));
  provledger::LedgerOptions lo;
  lo.origin = "bench.example/provledger";
  lo.signers.push_back(std::make_shared<provledger::NoteSigner>(lo.origin, *std::move(key)));
  auto ledger = provledger::Ledger::Open(o.storage.get(), lo);
  if (!ledger.ok()) Die(std::string(ledger.status().message()));
  o.ledger = *std::move(ledger);
  return o;
}

struct DatasetPlan {
  const char* name;
  SourceCategory category;
  unsigned share;  // of 100
};
constexpr DatasetPlan kPlan[] = {{"web-crawl", SourceCategory::kSelfCollected, 60},
                                 {"licensed-books", SourceCategory::kCommercialLicensed, 20},
                                 {"open-corpora", SourceCategory::kOpenSourceDataset, 15},
                                 {"synthetic", SourceCategory::kSynthetic, 5}};

// Document i of a dataset: its own source fields, a 4 KB-text-sized entry
// (MinHash and ~60 winnowing fingerprints, as the server would record).
provledger::DocumentRegistration Document(const std::string& dataset_id, SourceCategory cat,
                                          uint64_t i) {
  std::mt19937_64 rng(i * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(cat));
  provledger::DocumentRegistration d;
  d.dataset_id = dataset_id;
  d.client_ref = std::to_string(i);
  d.content_id = provledger::Sha256(dataset_id + "/" + std::to_string(i));
  d.size_bytes = 2048 + rng() % 4096;
  d.media_type = "text/plain; charset=utf-8";
  d.origin = provledger::FingerprintOrigin::kClient;
  provledger::fingerprint::TextFingerprints t;
  t.normalized_hash = d.content_id.substr(0, 16);
  for (auto& v : t.minhash) v = static_cast<uint32_t>(rng());
  t.token_count = 700;
  for (uint32_t k = 0; k < 60; ++k) t.winnows.push_back({rng(), k * 11});
  d.text = std::move(t);
  provledger::policy::SourceRecord& s = d.source;
  const uint64_t r = rng() % 1000;
  switch (cat) {
    case SourceCategory::kSelfCollected: {
      // Domains: a skewed mix over 100,000 hosts.
      uint64_t host = (r < 500) ? rng() % 100 : rng() % 100000;
      s.url = "https://site" + std::to_string(host) + ".example/page/" + std::to_string(i);
      s.collected_at_micros = 1780000000000000 + static_cast<int64_t>(i % 86400) * 1000000;
      if (r < 10) s.signals.tdm_reservation = provledger::policy::Signal::kForbidden;
      if (r >= 10 && r < 40) s.license = "CC-BY-NC-4.0";
      if (r >= 40 && r < 60) s.language = "de";
      break;
    }
    case SourceCategory::kOpenSourceDataset:
      s.dataset_name = "corpus-" + std::to_string(r % 7);
      s.dataset_url = "https://data.example/corpus-" + std::to_string(r % 7);
      s.license = r % 3 == 0 ? "CC0-1.0" : r % 3 == 1 ? "ODC-By-1.0" : "Apache-2.0 OR MIT";
      break;
    default:
      break;
  }
  return d;
}

provledger::policy::SourceRecord Defaults(SourceCategory cat) {
  provledger::policy::SourceRecord s;
  s.category = cat;
  s.personal_info = provledger::policy::PersonalInfo::kNone;
  s.language = "en";
  switch (cat) {
    case SourceCategory::kSelfCollected:
      s.crawler_agent = "benchbot/2.1";
      s.license = "CC-BY-4.0";
      s.signals.robots_txt = provledger::policy::Signal::kAllowed;
      s.signals.robots_txt_sha256 = provledger::Sha256("robots.txt");
      break;
    case SourceCategory::kCommercialLicensed:
      s.counterparty = "Example Publishing";
      s.contract_ref = "EP-2026-001";
      s.licensed_scope = "model training";
      s.contract_start_micros = 1700000000000000;
      s.contract_end_micros = 1900000000000000;
      s.license = "LicenseRef-ExamplePublishing";
      break;
    case SourceCategory::kOpenSourceDataset:
      s.dataset_version = "1.0";
      break;
    case SourceCategory::kSynthetic:
      s.generator_model = "teacher-70b";
      s.generator_provenance_ref = "provledger:model/teacher-70b/3";
      s.license = "CC0-1.0";
      break;
    default:
      break;
  }
  return s;
}

void Fill(const std::string& dir, uint64_t docs) {
  Opened o = Open(dir, true);
  provledger::Registry registry(o.ledger.get(), provledger::SystemClock(), {});
  std::vector<std::string> ids;
  for (const DatasetPlan& p : kPlan) {
    provledger::DatasetSpec spec{p.name,      "2026-11",    "report_bench",
                                 "data team", "commercial", Defaults(p.category)};
    auto ds = registry.CreateDataset(spec);
    if (!ds.ok()) Die(std::string(ds.status().message()));
    ids.push_back(ds->dataset_id);
  }
  Clock::time_point start = Clock::now();
  std::atomic<uint64_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    constexpr uint64_t kBatch = 1000;
    while (!failed) {
      uint64_t first = next.fetch_add(kBatch);
      if (first >= docs) break;
      std::vector<provledger::DocumentRegistration> batch;
      for (uint64_t i = first; i < std::min(docs, first + kBatch); ++i) {
        unsigned slot = static_cast<unsigned>(i % 100), k = 0;
        for (unsigned acc = kPlan[0].share; slot >= acc; acc += kPlan[++k].share) {
        }
        batch.push_back(Document(ids[k], kPlan[k].category, i));
      }
      provledger::RegisterOutcome out = registry.Register(std::move(batch));
      if (!out.status.ok()) {
        std::fprintf(stderr, "%s\n", std::string(out.status.message()).c_str());
        failed = true;
        return;
      }
      uint64_t n = done.fetch_add(out.receipts.size()) + out.receipts.size();
      if (n / 1000000 != (n - out.receipts.size()) / 1000000) {
        std::printf("  %" PRIu64 " documents registered (%.0f s)\n", n,
                    Seconds(start, Clock::now()));
        std::fflush(stdout);
      }
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (failed) Die("registration failed");
  std::printf("filled %" PRIu64 " documents in %.0f s\n", docs, Seconds(start, Clock::now()));
  Clock::time_point seal_start = Clock::now();
  for (const std::string& id : ids) {
    auto s = registry.SealDataset(id);
    if (!s.ok()) Die(std::string(s.status().message()));
  }
  std::printf("sealed 4 dataset versions in %.0f s\n", Seconds(seal_start, Clock::now()));
  provledger::TrainingRunSpec run;
  run.model_name = "bench-lm";
  run.model_version = "1";
  run.dataset_ids = ids;
  run.commercial = true;
  run.public_eu = true;
  auto r = registry.RegisterTrainingRun(run);
  if (!r.ok()) Die(std::string(r.status().message()));
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t docs = 10000000, sample_size = provledger::report::kDefaultSampleSize;
  int runs = 3;
  bool keep = false;
  std::string base = std::filesystem::temp_directory_path().string(), reuse, out;
  CLI::App app{"report_bench: a filing report on N documents"};
  app.add_option("--docs", docs, "Documents to register")->capture_default_str();
  app.add_option("--dir", base, "Where to create the data directory")->capture_default_str();
  app.add_option("--runs", runs, "Reports to generate (median reported)")->capture_default_str();
  app.add_option("--sample-size", sample_size, "Audit sample size")->capture_default_str();
  app.add_option("--reuse", reuse, "A data directory a previous --keep run filled");
  app.add_flag("--keep", keep, "Keep the data directory");
  app.add_option("--out", out, "Write the last signed report here (with --reuse)");
  CLI11_PARSE(app, argc, argv);

  if (reuse.empty()) {
    std::string dir = base + "/report_bench." + std::to_string(getpid());
    std::filesystem::create_directories(dir);
    std::printf("filling %s with %" PRIu64 " documents\n", dir.c_str(), docs);
    std::fflush(stdout);
    Fill(dir, docs);
    if (runs == 0) {  // --runs 0 --keep: fill only, measure later with --reuse
      std::printf("kept %s\n", dir.c_str());
      return 0;
    }
    // The report in a fresh process, so its peak memory is its own.
    std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    std::string runs_arg = std::to_string(runs), sample_arg = std::to_string(sample_size);
    std::fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      execl(self.c_str(), self.c_str(), "--reuse", dir.c_str(), "--runs", runs_arg.c_str(),
            "--sample-size", sample_arg.c_str(), static_cast<char*>(nullptr));
      Die("exec failed");
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!keep) std::filesystem::remove_all(dir);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  }

  Opened o = Open(reuse, false);
  provledger::LineageQueries lineage(o.ledger.get(), nullptr);
  provledger::report::ReportBuilder builder(o.ledger.get(), &lineage);
  const uint64_t tree_size = o.ledger->Latest()->size;
  std::printf("ledger: %" PRIu64 " entries; RSS after open %.0f MB\n", tree_size,
              static_cast<double>(StatusKb("VmRSS:")) / 1024);

  std::vector<double> scan_s, report_s;
  uint64_t peak_kb = 0, base_kb = 0, report_bytes = 0, documents = 0;
  for (int i = 0; i < runs; ++i) {
    // Baseline: every entry read once, nothing decoded.
    Clock::time_point t0 = Clock::now();
    uint64_t bytes = 0;
    absl::Status s = o.storage->Scan(provledger::Column::kEntries, "", "",
                                     [&](std::string_view, std::string_view v) {
                                       bytes += v.size();
                                       return true;
                                     });
    if (!s.ok()) Die(std::string(s.message()));
    scan_s.push_back(Seconds(t0, Clock::now()));

    base_kb = StatusKb("VmRSS:");
    ResetPeak();
    provledger::report::ReportSpec spec;
    spec.model_name = "bench-lm";
    spec.model_version = "1";
    spec.sample_size = sample_size;
    t0 = Clock::now();
    auto report = builder.Generate(spec, provledger::SystemClock()->NowMicros());
    if (!report.ok()) Die(std::string(report.status().message()));
    report_s.push_back(Seconds(t0, Clock::now()));
    peak_kb = std::max(peak_kb, StatusKb("VmHWM:") - std::min(StatusKb("VmHWM:"), base_kb));
    report_bytes = report->signed_report.size();
    if (!out.empty()) std::ofstream(out, std::ios::binary) << report->signed_report;
    documents = report->documents;
    std::printf(
        "run %d: raw entry scan %.1f s (%.2f GB); report %.1f s, %" PRIu64 " documents, %" PRIu64
        " sampled, %.1f MB; peak RSS above the open ledger %.0f MB\n",
        i + 1, scan_s.back(), static_cast<double>(bytes) / 1e9, report_s.back(), documents,
        report->sampled, static_cast<double>(report_bytes) / 1e6,
        static_cast<double>(StatusKb("VmHWM:") - std::min(StatusKb("VmHWM:"), base_kb)) / 1024);
    std::fflush(stdout);
  }
  std::sort(scan_s.begin(), scan_s.end());
  std::sort(report_s.begin(), report_s.end());
  double scan = scan_s[scan_s.size() / 2], rep = report_s[report_s.size() / 2];
  std::printf(
      "median of %d: report %.1f s (%.0f documents/s), raw entry scan %.1f s, ratio %.2f; "
      "peak RSS above the open ledger %.0f MB (process peak %.0f MB)\n",
      runs, rep, static_cast<double>(documents) / rep, scan, rep / scan,
      static_cast<double>(peak_kb) / 1024, static_cast<double>(StatusKb("VmHWM:")) / 1024);
  return 0;
}
