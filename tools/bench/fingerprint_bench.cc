// Fingerprinting throughput per core (Google Benchmark), beside SHA-256 of
// the same bytes measured in the same run.
//
//   build/tools/bench/fingerprint_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one command)
//
// English: the license texts in /usr/share/common-licenses (real prose,
// present on every Debian system), cut into 4 KiB documents. Chinese: a
// synthetic text from a fixed seed over 2,500 common Han characters with
// full-width punctuation (no Chinese corpus ships in the base system).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "provledger/fingerprint.h"
#include "provledger/sha256.h"

namespace {

namespace fp = provledger::fingerprint;

std::vector<std::string> SplitDocs(const std::string& text, size_t doc_bytes) {
  std::vector<std::string> docs;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = std::min(text.size(), pos + doc_bytes);
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) ++end;
    docs.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return docs;
}

const std::vector<std::string>& English() {
  static const std::vector<std::string> docs = [] {
    std::string all;
    for (const auto& e : std::filesystem::directory_iterator("/usr/share/common-licenses")) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path());
      std::stringstream ss;
      ss << in.rdbuf();
      all += ss.str();
    }
    return SplitDocs(all, 4096);
  }();
  return docs;
}

const std::vector<std::string>& Chinese() {
  static const std::vector<std::string> docs = [] {
    std::mt19937 rng(2026);
    std::string all;
    const char* punct[] = {"，", "。", "、", "；", "：", "“", "”"};
    while (all.size() < (1u << 20)) {
      for (int i = 0; i < 18; ++i) {
        uint32_t cp = 0x4e00 + rng() % 2500;  // common CJK block
        all += static_cast<char>(0xe0 | (cp >> 12));
        all += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        all += static_cast<char>(0x80 | (cp & 0x3f));
      }
      all += punct[rng() % 7];
      if (rng() % 8 == 0) all += "\n";
    }
    return SplitDocs(all, 4096);
  }();
  return docs;
}

template <typename F>
void RunOver(benchmark::State& state, const std::vector<std::string>& docs, F f) {
  size_t bytes = 0;
  size_t i = 0;
  for (auto _ : state) {
    const std::string& d = docs[i++ % docs.size()];
    f(d);
    bytes += d.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_Sha256(benchmark::State& state, const std::vector<std::string>& (*docs)()) {
  RunOver(state, docs(),
          [](const std::string& d) { benchmark::DoNotOptimize(provledger::Sha256(d)); });
}

void BM_Normalize(benchmark::State& state, const std::vector<std::string>& (*docs)()) {
  RunOver(state, docs(), [](const std::string& d) {
    auto t = fp::AnalyzeText(d);
    benchmark::DoNotOptimize(t);
  });
}

// f(analysis) of every document, computed before timing, and the documents'
// mean size in bytes.
template <typename F>
auto PerDocument(const std::vector<std::string>& docs, F f, size_t* mean_bytes) {
  std::vector<decltype(f(std::declval<const fp::TextAnalysis&>()))> out;
  size_t bytes = 0;
  for (const std::string& d : docs) {
    auto t = fp::AnalyzeText(d);
    if (!t.ok()) std::abort();
    out.push_back(f(*t));
    bytes += d.size();
  }
  *mean_bytes = bytes / docs.size();
  return out;
}

// MinHash alone (the 128 functions over a document's shingles), the largest
// part of FullFingerprint.
void BM_MinHash(benchmark::State& state, const std::vector<std::string>& (*docs)()) {
  size_t mean_bytes = 0;
  const auto shingles = PerDocument(
      docs(), [](const fp::TextAnalysis& t) { return fp::MinHashShingles(t.token_hashes); },
      &mean_bytes);
  size_t i = 0;
  for (auto _ : state) {
    auto sig = fp::ComputeMinHash(shingles[i++ % shingles.size()]);
    benchmark::DoNotOptimize(sig);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * mean_bytes));
}

// The shingle hashes alone, both lengths (winnowing and MinHash).
void BM_Shingles(benchmark::State& state, const std::vector<std::string>& (*docs)()) {
  size_t mean_bytes = 0;
  const auto tokens = PerDocument(
      docs(), [](const fp::TextAnalysis& t) { return t.token_hashes; }, &mean_bytes);
  size_t i = 0;
  for (auto _ : state) {
    const std::vector<uint64_t>& t = tokens[i++ % tokens.size()];
    auto winnowing = fp::ShingleHashes(t);
    auto minhash = fp::MinHashShingles(t);
    benchmark::DoNotOptimize(winnowing);
    benchmark::DoNotOptimize(minhash);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * mean_bytes));
}

void BM_FullFingerprint(benchmark::State& state, const std::vector<std::string>& (*docs)()) {
  RunOver(state, docs(), [](const std::string& d) {
    auto f = fp::FingerprintText(d);
    if (!f.ok()) std::abort();
    benchmark::DoNotOptimize(f);
  });
}

BENCHMARK_CAPTURE(BM_Sha256, english, &English);
BENCHMARK_CAPTURE(BM_Normalize, english, &English);
BENCHMARK_CAPTURE(BM_Shingles, english, &English);
BENCHMARK_CAPTURE(BM_MinHash, english, &English);
BENCHMARK_CAPTURE(BM_FullFingerprint, english, &English);
BENCHMARK_CAPTURE(BM_Sha256, chinese, &Chinese);
BENCHMARK_CAPTURE(BM_Normalize, chinese, &Chinese);
BENCHMARK_CAPTURE(BM_Shingles, chinese, &Chinese);
BENCHMARK_CAPTURE(BM_MinHash, chinese, &Chinese);
BENCHMARK_CAPTURE(BM_FullFingerprint, chinese, &Chinese);

}  // namespace

BENCHMARK_MAIN();
