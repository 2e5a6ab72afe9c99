// lineage_bench: LookupContent and MatchContent latency on a large ledger
// (issue 5). Fills a ledger with N distinct 4 KB English-like documents
// (registered in process through the registry, fingerprinted by the server
// code, postings built), restarts provledgerd on it, then times the queries
// over loopback gRPC.
//
//   lineage_bench --docs 1000000 [--dir /tmp] [--lookups 20000] [--matches 2000]
//                 [--large-matches 200] [--clients 4] [--keep]
//
// Documents come from a first-order word Markov chain trained on the license
// texts every Debian system has (/usr/share/common-licenses), with 30% of the
// words drawn from the whole vocabulary instead: English-shaped text with
// common phrases (so some winnowing fingerprints are frequent, as in real
// corpora) but no two documents alike. Document i is generated from seed i,
// so queries regenerate the text they need.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include "provledger/ledger.h"
#include "provledger/posting_index.h"
#include "provledger/registry.h"
#include "provledger/server.h"
#include "provledger/sha256.h"
#include "provledger/storage.h"
#include "provledger/v1/lineage.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<size_t>(std::llround(p * static_cast<double>(v.size() - 1)));
  return v[std::min(i, v.size() - 1)];
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "lineage_bench: %s\n", what.c_str());
  std::exit(1);
}

// The word chain.
class Prose {
 public:
  Prose() {
    std::unordered_map<std::string, uint32_t> ids;
    uint32_t prev = UINT32_MAX;
    for (const auto& e : std::filesystem::directory_iterator("/usr/share/common-licenses")) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path());
      std::string word;
      while (in >> word) {
        std::string w;
        for (char c : word) {
          if (std::isalnum(static_cast<unsigned char>(c))) w.push_back(c);
        }
        if (w.empty()) continue;
        auto [it, added] = ids.emplace(w, static_cast<uint32_t>(words_.size()));
        if (added) {
          words_.push_back(w);
          next_.emplace_back();
        }
        if (prev != UINT32_MAX) next_[prev].push_back(it->second);
        prev = it->second;
      }
    }
    if (words_.size() < 1000) Die("/usr/share/common-licenses is too small to generate text");
  }
  size_t vocabulary() const { return words_.size(); }

  // About `bytes` bytes of text for seed `seed`.
  std::string Document(uint64_t seed, size_t bytes) const {
    std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ull + 1);
    std::string out;
    out.reserve(bytes + 32);
    uint32_t w = static_cast<uint32_t>(rng() % words_.size());
    size_t sentence = 0;
    while (out.size() < bytes) {
      out += words_[w];
      out += (++sentence % 14 == 0) ? ". " : " ";
      const auto& n = next_[w];
      w = (n.empty() || rng() % 10 < 3) ? static_cast<uint32_t>(rng() % words_.size())
                                        : n[rng() % n.size()];
    }
    return out;
  }

 private:
  std::vector<std::string> words_;
  std::vector<std::vector<uint32_t>> next_;
};

// Fills `dir` with `docs` documents (in process); returns seconds taken.
double Fill(const std::string& dir, uint64_t docs, size_t doc_bytes, const Prose& prose) {
  auto storage = provledger::OpenRocksDbStorage(dir + "/db", {});
  if (!storage.ok()) Die(std::string(storage.status().message()));
  auto key = provledger::LoadOrCreateSigningKey(dir + "/keys/signing-key.pem", true);
  if (!key.ok()) Die(std::string(key.status().message()));
  provledger::LedgerOptions lo;
  lo.origin = "bench.example/provledger";
  lo.signers.push_back(std::make_shared<provledger::NoteSigner>(lo.origin, *std::move(key)));
  auto ledger = provledger::Ledger::Open(storage->get(), lo);
  if (!ledger.ok()) Die(std::string(ledger.status().message()));
  auto postings = provledger::PostingIndex::Open(ledger->get(), storage->get());
  if (!postings.ok()) Die(std::string(postings.status().message()));
  provledger::Registry registry(ledger->get(), provledger::SystemClock(), {});
  auto ds = registry.CreateDataset("bench-corpus", "1", "lineage_bench");
  if (!ds.ok()) Die(std::string(ds.status().message()));

  Clock::time_point start = Clock::now();
  std::atomic<uint64_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    constexpr uint64_t kBatch = 500;
    while (!failed) {
      uint64_t first = next.fetch_add(kBatch);
      if (first >= docs) break;
      std::vector<provledger::DocumentRegistration> batch;
      for (uint64_t i = first; i < std::min(docs, first + kBatch); ++i) {
        provledger::DocumentAssembler a(&registry);
        auto d = a.AddPart(ds->dataset_id, std::to_string(i), prose.Document(i, doc_bytes), false);
        if (!d.ok() || !d->has_value()) {
          failed = true;
          return;
        }
        batch.push_back(**std::move(d));
      }
      provledger::RegisterOutcome out = registry.Register(std::move(batch));
      if (!out.status.ok()) {
        std::fprintf(stderr, "%s\n", std::string(out.status.message()).c_str());
        failed = true;
        return;
      }
      uint64_t n = done.fetch_add(out.receipts.size()) + out.receipts.size();
      if (n / 100000 != (n - out.receipts.size()) / 100000) {
        std::printf("  %" PRIu64 " documents registered (%.0f s)\n", n,
                    Seconds(start, Clock::now()));
        std::fflush(stdout);
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < std::max(2u, std::thread::hardware_concurrency()); ++t) {
    threads.emplace_back(worker);
  }
  for (auto& t : threads) t.join();
  if (failed) Die("registration failed");
  absl::Status s =
      (*postings)->WaitIndexed((*ledger)->Latest()->size, Clock::now() + std::chrono::hours(1));
  if (!s.ok()) Die(std::string(s.message()));
  return Seconds(start, Clock::now());
}

struct Stats {
  std::vector<double> ms;
  uint64_t matches = 0, skipped = 0, checked = 0;
};

void Report(const char* what, const Stats& s, double target_p99_ms) {
  std::printf("%-34s n=%zu  p50 %.2f ms  p99 %.2f ms  max %.2f ms  (target p99 <= %.0f ms)%s\n",
              what, s.ms.size(), Percentile(s.ms, 0.5), Percentile(s.ms, 0.99),
              Percentile(s.ms, 1.0), target_p99_ms,
              Percentile(s.ms, 0.99) <= target_p99_ms ? "" : "  MISSED");
  if (s.matches > 0 || s.skipped > 0) {
    double n = static_cast<double>(s.ms.size());
    std::printf(
        "%-34s mean matches %.1f, documents checked %.1f, common fingerprints skipped %.2f\n", "",
        static_cast<double>(s.matches) / n, static_cast<double>(s.checked) / n,
        static_cast<double>(s.skipped) / n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t docs = 1000000;
  size_t doc_bytes = 4096, lookups = 20000, matches = 2000, large = 200;
  int clients = 4;
  bool keep = false;
  std::string base = std::filesystem::temp_directory_path().string(), reuse;
  CLI::App app{"lineage_bench: lookup and match latency on a large ledger"};
  app.add_option("--docs", docs, "Documents in the ledger")->capture_default_str();
  app.add_option("--doc-bytes", doc_bytes, "Document size")->capture_default_str();
  app.add_option("--lookups", lookups, "LookupContent calls timed")->capture_default_str();
  app.add_option("--matches", matches, "2 KB MatchContent calls timed")->capture_default_str();
  app.add_option("--large-matches", large, "100 KB MatchContent calls timed")
      ->capture_default_str();
  app.add_option("--clients", clients, "Concurrent callers for the throughput run")
      ->capture_default_str();
  app.add_option("--dir", base, "Directory on the disk to measure")->capture_default_str();
  app.add_option("--reuse", reuse, "A data directory a previous --keep run filled");
  app.add_flag("--keep", keep, "Keep the data directory");
  CLI11_PARSE(app, argc, argv);

  Prose prose;
  std::string dir = reuse;
  if (dir.empty()) {
    dir = base + "/provledger-lineage-bench-" + std::to_string(getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::printf("lineage_bench: filling %s with %" PRIu64 " documents of %zu B (vocabulary %zu)\n",
                dir.c_str(), docs, doc_bytes, prose.vocabulary());
    double secs = Fill(dir, docs, doc_bytes, prose);
    std::printf("filled and indexed in %.0f s (%.0f documents/s, in process)\n", secs,
                static_cast<double>(docs) / secs);
  }

  provledger::ServerConfig config;
  config.data_dir = dir;
  config.listen = "127.0.0.1:0";
  auto server = provledger::Server::Start(config);
  if (!server.ok()) Die(std::string(server.status().message()));
  uint64_t size = (*server)->ledger()->Latest()->size;
  std::printf("%s\n", (*server)->StartupLine().c_str());
  if (provledger::PostingIndex* postings = (*server)->postings();
      postings != nullptr && postings->indexed_size() < size) {
    // A reused directory whose postings predate the current layout.
    Clock::time_point t0 = Clock::now();
    absl::Status s = postings->WaitIndexed(size, Clock::now() + std::chrono::hours(1));
    if (!s.ok()) Die(std::string(s.message()));
    std::printf("postings rebuilt from the entries in %.0f s\n", Seconds(t0, Clock::now()));
  }
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto connect = [&] {
    return provledger::v1::LineageService::NewStub(
        grpc::CreateCustomChannel("127.0.0.1:" + std::to_string((*server)->port()),
                                  grpc::InsecureChannelCredentials(), args));
  };
  auto stub = connect();
  std::mt19937_64 rng(7);
  uint64_t n_docs = size - 1;  // entry 0 is the dataset; document i is entry i + 1

  auto lookup = [&](provledger::v1::LineageService::Stub* s, uint64_t doc, Stats* st) {
    provledger::v1::LookupContentRequest req;
    req.set_content_id(provledger::Sha256(prose.Document(doc, doc_bytes)));
    provledger::v1::LookupContentResponse resp;
    grpc::ClientContext ctx;
    Clock::time_point t0 = Clock::now();
    grpc::Status status = s->LookupContent(&ctx, req, &resp);
    double ms = Seconds(t0, Clock::now()) * 1e3;
    if (!status.ok() || resp.registrations_size() != 1) Die("lookup: " + status.error_message());
    st->ms.push_back(ms);
  };
  // A query built from registered text: an excerpt (2 KB) or a patchwork of
  // excerpts of 25 documents (100 KB).
  auto query = [&](size_t bytes, std::mt19937_64& r) {
    std::string q;
    while (q.size() < bytes) {
      std::string d = prose.Document(r() % n_docs, doc_bytes);
      size_t take = std::min(bytes - q.size(), std::min<size_t>(d.size(), 4000));
      size_t from = d.size() > take ? r() % (d.size() - take) : 0;
      from = d.find(' ', from) + 1;
      q += d.substr(from, take) + "\n\n";
    }
    return q;
  };
  auto match = [&](provledger::v1::LineageService::Stub* s, const std::string& q, Stats* st) {
    provledger::v1::MatchContentResponse resp;
    grpc::ClientContext ctx;
    Clock::time_point t0 = Clock::now();
    auto w = s->MatchContent(&ctx, &resp);
    provledger::v1::MatchContentRequest req;
    req.set_content(q);
    w->Write(req);
    w->WritesDone();
    grpc::Status status = w->Finish();
    double ms = Seconds(t0, Clock::now()) * 1e3;
    if (!status.ok()) Die("match: " + status.error_message());
    st->ms.push_back(ms);
    st->matches += resp.total_matches();
    st->skipped += resp.common_fingerprints_skipped();
    st->checked += resp.candidates_checked();
  };

  // Warm up (a fresh block cache after the restart), then measure.
  {
    Stats warm;
    for (int i = 0; i < 200; ++i) lookup(stub.get(), rng() % n_docs, &warm);
    for (int i = 0; i < 50; ++i) match(stub.get(), query(2048, rng), &warm);
    std::printf("warm-up: 200 lookups, 50 matches; first lookup %.2f ms\n", warm.ms[0]);
  }
  Stats lk, m2, m100;
  for (size_t i = 0; i < lookups; ++i) lookup(stub.get(), rng() % n_docs, &lk);
  Report("LookupContent (1 registration)", lk, 2);
  std::vector<std::string> q2, q100;
  for (size_t i = 0; i < matches; ++i) q2.push_back(query(2048, rng));
  for (size_t i = 0; i < large; ++i) q100.push_back(query(size_t{100} * 1024, rng));
  for (const auto& q : q2) match(stub.get(), q, &m2);
  Report("MatchContent, 2 KB query", m2, 25);
  for (const auto& q : q100) match(stub.get(), q, &m100);
  Report("MatchContent, 100 KB query", m100, 250);

  // Throughput with concurrent callers (2 KB matches).
  std::atomic<size_t> next{0};
  std::vector<Stats> per(clients);
  Clock::time_point t0 = Clock::now();
  std::vector<std::thread> threads;
  threads.reserve(clients);
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto s = connect();
      for (size_t i; (i = next.fetch_add(1)) < q2.size();) match(s.get(), q2[i], &per[c]);
    });
  }
  for (auto& t : threads) t.join();
  double secs = Seconds(t0, Clock::now());
  Stats all;
  for (const Stats& s : per) all.ms.insert(all.ms.end(), s.ms.begin(), s.ms.end());
  std::printf(
      "MatchContent 2 KB, %d concurrent callers: %.0f queries/s, p50 %.2f ms, p99 %.2f ms\n",
      clients, static_cast<double>(q2.size()) / secs, Percentile(all.ms, 0.5),
      Percentile(all.ms, 0.99));
  threads.clear();
  next = 0;
  std::vector<uint64_t> targets;
  for (size_t i = 0; i < lookups; ++i) targets.push_back(rng() % n_docs);
  std::vector<Stats> lper(clients);
  t0 = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto s = connect();
      for (size_t i; (i = next.fetch_add(1)) < targets.size();) {
        lookup(s.get(), targets[i], &lper[c]);
      }
    });
  }
  for (auto& t : threads) t.join();
  secs = Seconds(t0, Clock::now());
  std::printf("LookupContent, %d concurrent callers: %.0f lookups/s\n", clients,
              static_cast<double>(targets.size()) / secs);

  server->reset();
  auto storage = provledger::OpenRocksDbStorage(dir + "/db", {});
  if (storage.ok()) {
    double total = 0;
    std::printf("bytes per document:");
    for (auto [c, name] : {std::pair{provledger::Column::kEntries, "entries"},
                           std::pair{provledger::Column::kTree, "tree"},
                           std::pair{provledger::Column::kIndex, "index"},
                           std::pair{provledger::Column::kPostings, "postings"}}) {
      auto b = (*storage)->ApproximateBytes(c);
      double per_doc = b.ok() ? static_cast<double>(*b) / static_cast<double>(n_docs) : 0;
      total += per_doc;
      std::printf(" %s %.0f", name, per_doc);
    }
    std::printf(" total %.0f (%.2f GB for %" PRIu64 " documents)\n", total,
                total * static_cast<double>(n_docs) / 1e9, n_docs);
  }
  storage = absl::UnavailableError("closed");
  if (!keep && reuse.empty()) std::filesystem::remove_all(dir);
  return 0;
}
