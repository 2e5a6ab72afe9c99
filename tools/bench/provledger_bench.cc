// provledger_bench: durable registration throughput over gRPC and
// inclusion-proof latency at scale, each with a baseline measured in the same
// run on the same disk.
//
//   provledger_bench [--docs 200000] [--runs 3] [--clients 4] [--doc-bytes 1024]
//                    [--proof-entries 1000000] [--proof-samples 20000] [--dir /tmp]
//                    [--client-fingerprints] [--batch 1] [--no-near-duplicate-index]
//
// 1. Throughput: for each run, a fresh provledgerd (in-process, RocksDB in a
//    fresh directory, loopback gRPC) and `clients` concurrent streams of
//    unique English-prose documents (fingerprinted as text by the server);
//    docs/s counts only receipts, i.e. durable documents. Each run also
//    prints its CPU per document by thread name (committer, gRPC handlers,
//    posting reader / writer / merger, RocksDB's flushes and compactions),
//    sampled from /proc: a component's cost with less noise than the rate.
// 2. Baseline: RocksDB's own synced batch writes (1,000 x doc-bytes values
//    per WriteBatch, WAL fsync per batch) and synced single writes, through
//    the same Storage layer on the same disk.
// 3. Proofs: a ledger filled to proof-entries entries, restarted (timed),
//    then GetInclusionProof for random indices over gRPC from one client;
//    p50/p99 latency, plus the storage-level proof time.
#include <grpcpp/grpcpp.h>
#include <sys/resource.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "provledger/encoding.h"
#include "provledger/entry.h"
#include "provledger/fingerprint.h"
#include "provledger/server.h"
#include "provledger/sha256.h"
#include "provledger/storage.h"
#include "provledger/v1/ledger.grpc.pb.h"
#include "provledger/v1/registry.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(std::llround(p * static_cast<double>(v.size() - 1)));
  return v[std::min(i, v.size() - 1)];
}

std::string FreshDir(const std::string& base, const std::string& name) {
  std::string dir = base + "/provledger-bench-" + name + "-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

bool g_index_near_duplicates = true;
bool g_client_fingerprints = false;
uint64_t g_batch = 1;  // documents per message
size_t g_index_threads = provledger::PostingIndexOptions{}.sort_threads;
size_t g_run_postings = provledger::PostingIndexOptions{}.max_run_postings;
size_t g_merge_width = provledger::PostingIndexOptions{}.merge_width;
int64_t g_run_delay_ms = provledger::PostingIndexOptions{}.max_delay.count();
size_t g_max_batch_entries = provledger::ServerConfig{}.max_batch_entries;

std::unique_ptr<provledger::Server> StartServer(const std::string& dir) {
  provledger::ServerConfig config;
  config.index_near_duplicates = g_index_near_duplicates;
  config.postings.sort_threads = g_index_threads;
  config.postings.max_run_postings = g_run_postings;
  config.postings.merge_width = g_merge_width;
  config.postings.max_delay = std::chrono::milliseconds(g_run_delay_ms);
  config.max_batch_entries = g_max_batch_entries;
  config.data_dir = dir;
  config.listen = "127.0.0.1:0";
  config.origin = "bench.example/provledger";
  auto server = provledger::Server::Start(config);
  if (!server.ok()) {
    fprintf(stderr, "cannot start server: %s\n", std::string(server.status().message()).c_str());
    std::exit(1);
  }
  return *std::move(server);
}

std::shared_ptr<grpc::Channel> Channel(int port) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one connection per client
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                   grpc::InsecureChannelCredentials(), args);
}

// Real English prose (the license texts every Debian system has), so
// documents are fingerprinted as text the way pipeline data would be.
const std::string& Prose() {
  static const std::string text = [] {
    std::string all;
    for (const auto& e : std::filesystem::directory_iterator("/usr/share/common-licenses")) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path());
      all.append(std::istreambuf_iterator<char>(in), {});
    }
    std::string ascii;  // keep whole UTF-8 sequences simple: ASCII only
    for (char c : all) {
      if (static_cast<unsigned char>(c) < 0x80) ascii.push_back(c);
    }
    return ascii;
  }();
  return text;
}

// Storage per registered document, by column family, after a run (table
// files on disk, compressed as RocksDB stores them), and the projection to
// 100 million documents of the same size.
void ReportBytesPerDocument(const std::string& db_dir, uint64_t docs, size_t doc_bytes) {
  auto db = provledger::OpenRocksDbStorage(db_dir, {});
  if (!db.ok()) {
    fprintf(stderr, "cannot reopen %s: %s\n", db_dir.c_str(),
            std::string(db.status().message()).c_str());
    std::exit(1);
  }
  double total = 0;
  printf("  bytes per document (%zu B documents):", doc_bytes);
  for (auto [column, name] : {std::pair{provledger::Column::kEntries, "entries"},
                              std::pair{provledger::Column::kTree, "tree"},
                              std::pair{provledger::Column::kIndex, "index"},
                              std::pair{provledger::Column::kPostings, "postings"}}) {
    auto bytes = (*db)->ApproximateBytes(column);
    if (!bytes.ok()) {
      fprintf(stderr, "%s\n", std::string(bytes.status().message()).c_str());
      std::exit(1);
    }
    double per_doc = static_cast<double>(*bytes) / static_cast<double>(docs);
    total += per_doc;
    printf(" %s %.0f", name, per_doc);
  }
  printf(" total %.0f -> 100M documents: %.1f GB\n", total, total * 1e8 / 1e9);
}

struct RunRate {
  double acked = 0;    // documents/s until the last receipt
  double indexed = 0;  // documents/s until their postings were readable too
  double cpu_us = 0;   // process CPU (server and clients) per document
  double cores = 0;    // CPU seconds per second until indexed
  // Documents/s until RocksDB's flushes and compactions had caught up too,
  // with the process CPU per document to then, and the compaction debt (MB
  // RocksDB still estimated to rewrite) when the documents were indexed.
  double settled = 0;
  double settled_cpu_us = 0;
  double debt_mb = 0;
  double catch_up_secs = 0;   // from the last document indexed to caught up
  std::string cpu_by_thread;  // to caught up, µs a document (CpuByThread)
  std::string merges;         // the posting index's runs and merges
};

// CPU seconds (user + system) the whole process has used so far.
double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

// CPU seconds (user + system) of each live thread of the process, by
// thread id, with its name (/proc/self/task/*/stat).
struct ThreadCpu {
  std::string name;
  double secs = 0;
};
std::map<long, ThreadCpu> ThreadCpuNow() {  // NOLINT(google-runtime-int): pid_t
  std::map<long, ThreadCpu> out;            // NOLINT(google-runtime-int)
  const auto tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream in(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // "tid (name) state f4 ... f13 utime stime ...": the name may hold spaces.
    const size_t open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) continue;
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::strtod(field.c_str(), nullptr);
      if (i == 15) stime = std::strtod(field.c_str(), nullptr);
    }
    out[std::strtol(stat.c_str(), nullptr, 10)] = {stat.substr(open + 1, close - open - 1),
                                                   (utime + stime) / tick};
  }
  return out;
}

// Where a run's CPU went, by thread name, without a profiler: samples every
// thread's CPU time every 100 ms from construction to Stop(), so a thread
// that exits meanwhile (gRPC's handler threads come and go) loses at most
// its last 100 ms.
class ThreadCpuSampler {
 public:
  ThreadCpuSampler() : first_(ThreadCpuNow()), last_(first_) {
    sampler_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mu_);
      while (!cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stop_; })) {
        lock.unlock();
        auto now = ThreadCpuNow();
        lock.lock();
        for (auto& [tid, t] : now) last_[tid] = std::move(t);
      }
    });
  }
  ~ThreadCpuSampler() { Join(); }
  // CPU seconds used since construction, summed by thread name.
  std::map<std::string, double> Stop() {
    Join();
    for (auto& [tid, t] : ThreadCpuNow()) last_[tid] = std::move(t);
    std::map<std::string, double> used;
    for (const auto& [tid, t] : last_) {
      auto it = first_.find(tid);
      used[t.name] += t.secs - (it == first_.end() ? 0 : it->second.secs);
    }
    return used;
  }

 private:
  void Join() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (sampler_.joinable()) sampler_.join();
  }
  std::map<long, ThreadCpu> first_, last_;  // NOLINT(google-runtime-int)
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread sampler_;
};

// "name µs/doc, ..." for the thread names that used at least 1 µs a
// document, largest first.
std::string CpuByThread(const std::map<std::string, double>& used, uint64_t docs) {
  std::vector<std::pair<double, std::string>> rows;
  rows.reserve(used.size());
  for (const auto& [name, secs] : used) {
    rows.emplace_back(secs * 1e6 / static_cast<double>(docs), name);
  }
  std::sort(rows.rbegin(), rows.rend());
  std::string out;
  char buf[96];
  for (const auto& [us, name] : rows) {
    if (us < 1) continue;
    snprintf(buf, sizeof buf, "%s%s %.1f", out.empty() ? "" : ", ", name.c_str(), us);
    out += buf;
  }
  return out;
}

// One registration run.
RunRate ThroughputRun(const std::string& base, int run, uint64_t docs, int clients,
                      size_t doc_bytes) {
  std::string dir = FreshDir(base, "run" + std::to_string(run));
  auto server = StartServer(dir);
  auto registry = provledger::v1::RegistryService::NewStub(Channel(server->port()));
  grpc::ClientContext c;
  provledger::v1::CreateDatasetRequest creq;
  creq.set_name("bench");
  creq.set_version(std::to_string(run));
  // A default source record with complete evidence: every document is judged
  // by the default policy (and accepted).
  auto* src = creq.mutable_default_source();
  src->set_category(provledger::v1::OPEN_SOURCE_DATASET);
  src->set_dataset_name("common-licenses");
  src->set_dataset_url("file:///usr/share/common-licenses");
  src->set_license("CC-BY-4.0");
  src->set_personal_info(provledger::v1::PERSONAL_INFO_NONE);
  provledger::v1::CreateDatasetResponse cresp;
  if (!registry->CreateDataset(&c, creq, &cresp).ok()) std::exit(1);

  // Every request is built before the clock starts: content documents, or
  // (with --client-fingerprints) the fingerprints a pipeline worker would
  // have computed, so only the server's work is timed.
  std::vector<std::vector<provledger::v1::RegisterDocumentsRequest>> requests(clients);
  for (int t = 0; t < clients; ++t) {
    const std::string& prose = Prose();
    std::mt19937_64 rng(t);
    uint64_t mine = docs / clients + (static_cast<uint64_t>(t) < docs % clients ? 1 : 0);
    requests[t].reserve(mine / g_batch + 1);
    for (uint64_t i = 0; i < mine; ++i) {
      // Unique content: an id, then doc_bytes of prose from a random offset.
      std::string id = std::to_string(t) + ":" + std::to_string(i) + " ";
      std::string body =
          id + prose.substr(rng() % (prose.size() - doc_bytes), doc_bytes - id.size());
      // One document per message, or g_batch per message in `documents`.
      if (i % g_batch == 0) {
        requests[t].emplace_back();
        requests[t].back().set_dataset_id(cresp.dataset_id());
      }
      provledger::v1::RegisterDocumentsRequest& req = requests[t].back();
      provledger::v1::DocumentPart* part =
          g_batch == 1 ? req.mutable_document() : req.add_documents();
      part->set_client_ref(id);
      part->mutable_source()->set_url("https://bench.example/" + id);
      if (g_client_fingerprints) {
        auto* f = part->mutable_fingerprints();
        f->set_content_id(provledger::Sha256(body));
        f->set_size_bytes(body.size());
        f->set_media_type("text/plain; charset=utf-8");
        auto fp = provledger::fingerprint::FingerprintText(body);
        if (!fp.ok()) std::exit(1);
        auto* tf = f->mutable_text();
        tf->set_normalization_version(provledger::fingerprint::kNormalizationVersion);
        tf->set_minhash_version(provledger::fingerprint::kMinHashVersion);
        tf->set_winnow_version(provledger::fingerprint::kWinnowVersion);
        tf->set_normalized_hash(fp->normalized_hash);
        for (uint32_t v : fp->minhash) tf->add_minhash(v);
        for (const auto& w : fp->winnows) {
          tf->add_winnow_hashes(w.hash);
          tf->add_winnow_token_indices(w.token_index);
        }
        tf->set_token_count(fp->token_count);
      } else {
        part->set_content(std::move(body));
      }
    }
  }

  std::atomic<uint64_t> acked{0};
  std::vector<std::thread> threads;
  threads.reserve(clients);
  printf("  run %d: requests built, timing\n", run + 1);  // a mark to attach a profiler at
  fflush(stdout);
  Clock::time_point start = Clock::now();
  double cpu_start = ProcessCpuSeconds();
  ThreadCpuSampler thread_cpu;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      auto stub = provledger::v1::RegistryService::NewStub(Channel(server->port()));
      grpc::ClientContext ctx;
      // A connection attempt that fails (seen once: "failed to connect to
      // all addresses" to the in-process server) is retried, not a failed run.
      ctx.set_wait_for_ready(true);
      auto stream = stub->RegisterDocuments(&ctx);
      std::thread writer([&] {
        for (const auto& req : requests[t]) {
          if (!stream->Write(req)) break;
        }
        stream->WritesDone();
      });
      provledger::v1::RegisterDocumentsResponse resp;
      while (stream->Read(&resp)) acked += resp.receipts_size();
      writer.join();
      grpc::Status s = stream->Finish();
      if (!s.ok()) fprintf(stderr, "stream failed: %s\n", s.error_message().c_str());
    });
  }
  for (auto& th : threads) th.join();
  double secs = Seconds(start, Clock::now());
  // The postings are built after the acknowledgement (posting_index.h); the
  // run ends for the index when they cover every registered document.
  double indexed_secs = secs;
  if (provledger::PostingIndex* postings = server->postings(); postings != nullptr) {
    absl::Status s = postings->WaitIndexed(server->ledger()->Latest()->size,
                                           Clock::now() + std::chrono::minutes(30));
    if (!s.ok()) {
      fprintf(stderr, "postings: %s\n", std::string(s.message()).c_str());
      std::exit(1);
    }
    indexed_secs = Seconds(start, Clock::now());
  }
  double cpu = ProcessCpuSeconds() - cpu_start;
  // Then until RocksDB has no flush or compaction running or due, and the
  // posting index no merge: the debt the run left is work a stream at this
  // rate would also have to pay, so the rate to this point is what it could
  // sustain (a little understated: the last merge runs alone on one core).
  // Idle twice 50 ms apart: a compaction a flush makes due is scheduled a
  // moment after the flush has finished.
  provledger::Storage::BackgroundWork left;
  double settled_secs = 0;
  int idle_polls = 0;
  for (bool first = true;; first = false) {
    auto work = server->storage()->PendingBackgroundWork();
    if (!work.ok()) {
      fprintf(stderr, "storage: %s\n", std::string(work.status().message()).c_str());
      std::exit(1);
    }
    if (first) left = *work;  // what the timed run left behind
    provledger::PostingIndex* postings = server->postings();
    if (!work->idle() || (postings != nullptr && !postings->idle())) {
      idle_polls = 0;
    } else if (++idle_polls == 1) {
      settled_secs = Seconds(start, Clock::now());
    } else {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  double settled_cpu = ProcessCpuSeconds() - cpu_start;
  const std::string by_thread = CpuByThread(thread_cpu.Stop(), docs);
  std::string merges = "no posting index";
  if (provledger::PostingIndex* postings = server->postings(); postings != nullptr) {
    const auto st = postings->write_stats();
    char buf[160];
    snprintf(buf, sizeof buf, "%llu runs of %.1f postings a document; %llu merges rewrote %.1f",
             static_cast<unsigned long long>(st.runs_written),  // NOLINT(google-runtime-int)
             static_cast<double>(st.postings_written) / static_cast<double>(docs),
             static_cast<unsigned long long>(st.merges),  // NOLINT(google-runtime-int)
             static_cast<double>(st.postings_merged) / static_cast<double>(docs));
    merges = buf;
  }
  if (acked != docs) {
    fprintf(stderr, "only %llu of %llu documents acknowledged\n",
            static_cast<unsigned long long>(acked.load()),  // NOLINT(google-runtime-int)
            static_cast<unsigned long long>(docs));         // NOLINT(google-runtime-int)
    std::exit(1);
  }
  server.reset();  // closing flushes the memtables into table files
  ReportBytesPerDocument(dir + "/db", docs, doc_bytes);
  std::filesystem::remove_all(dir);
  RunRate rate;
  rate.acked = static_cast<double>(docs) / secs;
  rate.indexed = static_cast<double>(docs) / indexed_secs;
  rate.cpu_us = cpu * 1e6 / static_cast<double>(docs);
  rate.cores = cpu / indexed_secs;
  rate.debt_mb = static_cast<double>(left.pending_compaction_bytes) / 1e6;
  rate.catch_up_secs = settled_secs - indexed_secs;
  rate.settled = static_cast<double>(docs) / settled_secs;
  rate.settled_cpu_us = settled_cpu * 1e6 / static_cast<double>(docs);
  rate.cpu_by_thread = by_thread;
  rate.merges = merges;
  return rate;
}

// RocksDB's own synced write rate through the Storage layer: values/s.
double BaselineRun(const std::string& base, uint64_t values, size_t batch, size_t value_bytes) {
  std::string dir = FreshDir(base, "baseline");
  auto db = provledger::OpenRocksDbStorage(dir, {});
  if (!db.ok()) std::exit(1);
  std::string value(value_bytes, 'x');
  Clock::time_point start = Clock::now();
  for (uint64_t i = 0; i < values;) {
    provledger::WriteBatch b;
    for (size_t k = 0; k < batch && i < values; ++k, ++i) {
      b.Put(provledger::Column::kEntries, provledger::U64BE(i), value);
    }
    if (!(*db)->Write(b, /*sync=*/true).ok()) std::exit(1);
  }
  double secs = Seconds(start, Clock::now());
  db->reset();
  std::filesystem::remove_all(dir);
  return static_cast<double>(values) / secs;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t docs = 200000, proof_entries = 1000000;
  int runs = 3, clients = 4, proof_samples = 20000;
  size_t doc_bytes = 1024;
  std::string base = std::filesystem::temp_directory_path().string();
  CLI::App app{"provledger benchmark"};
  app.add_option("--docs", docs, "Documents per throughput run")->capture_default_str();
  app.add_option("--runs", runs, "Throughput runs (the median is reported)")->capture_default_str();
  app.add_option("--clients", clients, "Concurrent client streams")->capture_default_str();
  app.add_option("--doc-bytes", doc_bytes, "Document size")->capture_default_str();
  app.add_option("--proof-entries", proof_entries, "Ledger size for proof latency (0 = skip)")
      ->capture_default_str();
  app.add_option("--proof-samples", proof_samples, "Proofs to time")->capture_default_str();
  app.add_option("--dir", base, "Directory on the disk to measure")->capture_default_str();
  bool no_near_duplicate_index = false;
  app.add_flag("--no-near-duplicate-index", no_near_duplicate_index,
               "Server skips the LSH-band and winnowing index keys");
  app.add_flag("--client-fingerprints", g_client_fingerprints,
               "Clients send precomputed fingerprints instead of content");
  app.add_option("--batch", g_batch, "Documents per message (RegisterDocumentsRequest.documents)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--index-threads", g_index_threads,
                 "Threads that sort each posting run (PostingIndexOptions)")
      ->capture_default_str()
      ->check(CLI::Range(1, 2));
  app.add_option("--run-postings", g_run_postings,
                 "Postings per ingested run (PostingIndexOptions::max_run_postings)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1000}, size_t{100000000}));
  app.add_option("--run-delay-ms", g_run_delay_ms,
                 "Longest wait of a pending posting before its run is written "
                 "(PostingIndexOptions::max_delay)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{600000}));
  app.add_option("--merge-width", g_merge_width,
                 "Posting runs merged into one (PostingIndexOptions::merge_width)")
      ->capture_default_str()
      ->check(CLI::Range(2, 64));
  app.add_option("--max-batch-entries", g_max_batch_entries,
                 "Most entries in one ledger group commit (ServerConfig::max_batch_entries)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1} << 20));
  CLI11_PARSE(app, argc, argv);
  g_index_near_duplicates = !no_near_duplicate_index;

  printf(
      "provledger_bench: %llu docs x %zu B, %d clients, %llu per message, %d runs, dir %s; %s, "
      "%s\n",
      static_cast<unsigned long long>(docs), doc_bytes, clients,     // NOLINT
      static_cast<unsigned long long>(g_batch), runs, base.c_str(),  // NOLINT
      g_client_fingerprints ? "client-computed fingerprints" : "server-side fingerprinting",
      g_index_near_duplicates ? "full index" : "no near-duplicate index");
  std::vector<double> ours, acked, settled, baseline;
  for (int r = 0; r < runs; ++r) {
    RunRate rate = ThroughputRun(base, r, docs, clients, doc_bytes);
    ours.push_back(rate.indexed);
    acked.push_back(rate.acked);
    settled.push_back(rate.settled);
    baseline.push_back(BaselineRun(base, std::min<uint64_t>(docs, 200000), 1000, doc_bytes));
    printf(
        "  run %d: provledger %.0f durable and indexed docs/s (%.0f/s acknowledged; CPU %.0f "
        "us/doc, %.2f cores busy); RocksDB synced 1000-value batches %.0f values/s\n"
        "  run %d: compactions caught up: %.0f docs/s (CPU %.0f us/doc; %.1f s after the last "
        "document was indexed, when %.0f MB of level-style compaction was owed)\n",
        r + 1, rate.indexed, rate.acked, rate.cpu_us, rate.cores, baseline.back(), r + 1,
        rate.settled, rate.settled_cpu_us, rate.catch_up_secs, rate.debt_mb);
    printf("  run %d: CPU by thread to caught up, us/doc: %s\n  run %d: postings: %s\n", r + 1,
           rate.cpu_by_thread.c_str(), r + 1, rate.merges.c_str());
    fflush(stdout);
  }
  double single = BaselineRun(base, 2000, 1, doc_bytes);
  printf(
      "throughput (median of %d): provledger %.0f durable and indexed docs/s (%.0f/s "
      "acknowledged; %.0f/s with compactions caught up)\n",
      runs, Median(ours), Median(acked), Median(settled));
  printf("baseline   (median of %d): RocksDB synced batch writes %.0f values/s -> ratio %.2f\n",
         runs, Median(baseline), Median(ours) / Median(baseline));
  printf(
      "baseline: RocksDB synced single writes %.0f values/s (%.0f us each) -> group commit x%.0f\n",
      single, 1e6 / single, Median(ours) / single);

  if (proof_entries == 0) return 0;
  std::string dir = FreshDir(base, "proofs");
  auto server = StartServer(dir);
  provledger::Ledger* ledger = server->ledger();
  Clock::time_point fill_start = Clock::now();
  for (uint64_t i = 0; i < proof_entries;) {
    std::vector<provledger::AppendRequest> batch;
    for (int k = 0; k < 10000 && i < proof_entries; ++k, ++i) {
      provledger::AppendRequest r;
      r.entry = provledger::EncodeDocumentEntry(
          {"ds_bench", std::string(32, static_cast<char>(i)), i, "doc" + std::to_string(i)}, 0);
      batch.push_back(std::move(r));
    }
    if (!ledger->Append(std::move(batch)).status.ok()) std::exit(1);
  }
  uint64_t size = ledger->Latest()->size;
  printf("proofs: filled %llu entries in %.1f s\n",
         static_cast<unsigned long long>(size),  // NOLINT
         Seconds(fill_start, Clock::now()));
  // Restart on the full ledger: start-up reads only the right edge of the
  // tree (no scan), and proofs below come from a fresh block cache.
  server.reset();
  Clock::time_point restart = Clock::now();
  server = StartServer(dir);
  ledger = server->ledger();
  printf("proofs: restart at %llu entries took %.1f ms\n",
         static_cast<unsigned long long>(size),  // NOLINT(google-runtime-int)
         Seconds(restart, Clock::now()) * 1e3);
  auto stub = provledger::v1::LedgerService::NewStub(Channel(server->port()));
  std::mt19937_64 rng(42);
  std::vector<double> grpc_ms, storage_ms;
  for (int i = 0; i < proof_samples; ++i) {
    uint64_t index = rng() % size;
    Clock::time_point t0 = Clock::now();
    grpc::ClientContext ctx;
    provledger::v1::GetInclusionProofRequest req;
    req.set_index(index);
    provledger::v1::GetInclusionProofResponse resp;
    if (!stub->GetInclusionProof(&ctx, req, &resp).ok()) std::exit(1);
    Clock::time_point t1 = Clock::now();
    if (!ledger->InclusionProof(rng() % size, size).ok()) std::exit(1);
    Clock::time_point t2 = Clock::now();
    grpc_ms.push_back(Seconds(t0, t1) * 1e3);
    storage_ms.push_back(Seconds(t1, t2) * 1e3);
  }
  printf("inclusion proof at %llu entries over gRPC: p50 %.3f ms, p99 %.3f ms (%d samples)\n",
         static_cast<unsigned long long>(size), Percentile(grpc_ms, 0.5),  // NOLINT
         Percentile(grpc_ms, 0.99), proof_samples);
  printf("inclusion proof, storage only:           p50 %.3f ms, p99 %.3f ms\n",
         Percentile(storage_ms, 0.5), Percentile(storage_ms, 0.99));
  server.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
