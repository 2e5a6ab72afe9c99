// `provledger fingerprint`: computes fingerprints on a pipeline worker, with
// every core, so raw text never has to leave it. Output: one JSON object per
// document, in input order (docs/fingerprints.md, "Worker output").
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "inputs.h"
#include "provledger/encoding.h"
#include "provledger/fingerprint.h"
#include "provledger/sha256.h"

namespace provledger::cli {
namespace {

namespace fp = provledger::fingerprint;

struct Item {
  std::string ref;
  std::string content;
};

nlohmann::json FingerprintItem(const Item& item) {
  nlohmann::json j;
  j["ref"] = item.ref;
  j["content_id"] = ToHex(Sha256(item.content));
  j["size_bytes"] = item.content.size();
  std::string media = fp::SniffMediaType(item.content);
  j["media_type"] = media;
  if (!fp::IsTextMediaType(media)) return j;
  auto f = fp::FingerprintText(item.content);
  if (!f.ok()) {
    j["error"] = std::string(f.status().message());
    return j;
  }
  nlohmann::json t;
  t["version"] = "text-v2";
  t["normalized_hash"] = ToHex(f->normalized_hash);
  std::string sig;
  for (uint32_t v : f->minhash) AppendU32BE(&sig, v);
  t["minhash"] = Base64Encode(sig);
  std::vector<std::string> bands;
  for (uint64_t b : f->lsh_bands) bands.push_back(ToHex(U64BE(b)));
  t["lsh_bands"] = bands;
  nlohmann::json winnow = nlohmann::json::array();
  for (const auto& w : f->winnows) winnow.push_back({ToHex(U64BE(w.hash)), w.token_index});
  t["winnow"] = winnow;
  t["token_count"] = f->token_count;
  j["text"] = t;
  return j;
}

// Fingerprints a chunk on `threads` threads; outputs keep the input order.
void ProcessChunk(const std::vector<Item>& items, int threads, std::ostream& out) {
  std::vector<std::string> lines(items.size());
  std::vector<std::thread> pool;
  int n = std::max(1, std::min<int>(threads, static_cast<int>(items.size())));
  pool.reserve(n);
  for (int t = 0; t < n; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = t; i < items.size(); i += n) lines[i] = FingerprintItem(items[i]).dump();
    });
  }
  for (auto& th : pool) th.join();
  for (const auto& l : lines) out << l << "\n";
}

}  // namespace

int Fingerprint(const FingerprintArgs& args) {
  std::ofstream file;
  if (!args.out.empty() && args.out != "-") {
    file.open(args.out, std::ios::trunc);
    if (!file) {
      std::cerr << "provledger: cannot write " << args.out << "\n";
      return 1;
    }
  }
  std::ostream& out = file.is_open() ? file : std::cout;
  int threads = args.threads > 0
                    ? args.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  constexpr size_t kChunkItems = 4096, kChunkBytes = 64u << 20;
  std::vector<Item> chunk;
  size_t chunk_bytes = 0;
  uint64_t total = 0;
  auto add = [&](Item item) {
    chunk_bytes += item.content.size();
    chunk.push_back(std::move(item));
    if (chunk.size() >= kChunkItems || chunk_bytes >= kChunkBytes) {
      ProcessChunk(chunk, threads, out);
      total += chunk.size();
      chunk.clear();
      chunk_bytes = 0;
    }
  };

  auto files = ExpandInputs(args.inputs, args.jsonl);
  if (!files.ok()) {
    std::cerr << "provledger: " << files.status().message() << "\n";
    return 2;
  }
  for (const InputFile& file : *files) {
    std::ifstream f(file.path, std::ios::binary);
    if (!f) {
      std::cerr << "provledger: cannot read " << file.path << "\n";
      return 1;
    }
    if (file.jsonl) {
      std::string line;
      uint64_t line_no = 0;
      while (std::getline(f, line)) {
        auto record = ParseJsonlLine(line, file, ++line_no);
        if (!record.ok()) {
          std::cerr << "provledger: " << record.status().message() << "\n";
          return 1;
        }
        if (record->has_value()) add(Item{(*record)->ref, std::move((*record)->text)});
      }
    } else {
      add(Item{file.ref, std::string(std::istreambuf_iterator<char>(f), {})});
    }
  }
  if (!chunk.empty()) {
    ProcessChunk(chunk, threads, out);
    total += chunk.size();
  }
  out.flush();
  std::cerr << "fingerprinted " << total << " documents on " << threads << " threads\n";
  return out ? 0 : 1;
}

}  // namespace provledger::cli
