// `provledger fingerprint`: computes fingerprints on a pipeline worker, with
// every core, so raw text never has to leave it. Output: one JSON object per
// document, or one length-delimited provledger.v1.FingerprintRecord, in input
// order (docs/fingerprints.md, "Worker output").
#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "commands.h"
#include "inputs.h"
#include "provledger/encoding.h"
#include "provledger/fingerprint.h"
#include "provledger/sha256.h"
#include "provledger/v1/fingerprint.pb.h"
#include "source_args.h"

namespace provledger::cli {
namespace {

namespace fp = provledger::fingerprint;

struct Item {
  std::string ref;
  std::string content;
  std::optional<policy::SourceRecord> source;  // a JSONL record's "source"
};

// The record of one document: what the server would compute from it.
v1::FingerprintRecord Compute(const Item& item) {
  v1::FingerprintRecord r;
  r.set_ref(item.ref);
  if (item.source.has_value()) *r.mutable_source() = ToProto(*item.source);
  v1::ClientFingerprints* f = r.mutable_fingerprints();
  f->set_content_id(Sha256(item.content));
  f->set_size_bytes(item.content.size());
  f->set_media_type(fp::SniffMediaType(item.content));
  if (!fp::IsTextMediaType(f->media_type())) return r;
  auto text = fp::FingerprintText(item.content);
  if (!text.ok()) {
    r.set_error(std::string(text.status().message()));
    return r;
  }
  v1::TextFingerprints* t = f->mutable_text();
  t->set_normalization_version(fp::kNormalizationVersion);
  t->set_minhash_version(fp::kMinHashVersion);
  t->set_winnow_version(fp::kWinnowVersion);
  t->set_normalized_hash(text->normalized_hash);
  for (uint32_t v : text->minhash) t->add_minhash(v);
  for (const auto& w : text->winnows) {
    t->add_winnow_hashes(w.hash);
    t->add_winnow_token_indices(w.token_index);
  }
  t->set_token_count(text->token_count);
  return r;
}

std::string ToJsonLine(const v1::FingerprintRecord& r) {
  const v1::ClientFingerprints& f = r.fingerprints();
  nlohmann::json j;
  j["ref"] = r.ref();
  j["content_id"] = ToHex(f.content_id());
  j["size_bytes"] = f.size_bytes();
  j["media_type"] = f.media_type();
  if (!r.error().empty()) j["error"] = r.error();
  if (f.has_text()) {
    const v1::TextFingerprints& t = f.text();
    nlohmann::json tj;
    tj["version"] = "text-v2";
    tj["normalized_hash"] = ToHex(t.normalized_hash());
    std::string sig;
    for (uint32_t v : t.minhash()) AppendU32BE(&sig, v);
    tj["minhash"] = Base64Encode(sig);
    std::array<uint32_t, fp::kMinHashSize> values{};
    std::copy(t.minhash().begin(), t.minhash().end(), values.begin());
    std::vector<std::string> bands;
    for (uint64_t b : fp::LshBands(values)) bands.push_back(ToHex(U64BE(b)));
    tj["lsh_bands"] = bands;
    nlohmann::json winnow = nlohmann::json::array();
    for (int i = 0; i < t.winnow_hashes_size() && i < t.winnow_token_indices_size(); ++i) {
      winnow.push_back({ToHex(U64BE(t.winnow_hashes(i))), t.winnow_token_indices(i)});
    }
    tj["winnow"] = winnow;
    tj["token_count"] = t.token_count();
    j["text"] = tj;
  }
  return j.dump() + "\n";
}

// A varint length, then the record: protobuf's delimited format
// (parseDelimitedFrom in Java, ParseDelimitedFromZeroCopyStream in C++).
std::string ToDelimited(const v1::FingerprintRecord& r) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.WriteVarint32(static_cast<uint32_t>(r.ByteSizeLong()));
    r.SerializeWithCachedSizes(&coded);
  }
  return out;
}

// Fingerprints a chunk on `threads` threads; outputs keep the input order.
void ProcessChunk(const std::vector<Item>& items, int threads, bool pb, std::ostream& out) {
  std::vector<std::string> lines(items.size());
  std::vector<std::thread> pool;
  int n = std::max(1, std::min<int>(threads, static_cast<int>(items.size())));
  pool.reserve(n);
  for (int t = 0; t < n; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = t; i < items.size(); i += n) {
        v1::FingerprintRecord r = Compute(items[i]);
        lines[i] = pb ? ToDelimited(r) : ToJsonLine(r);
      }
    });
  }
  for (auto& th : pool) th.join();
  for (const auto& l : lines) out << l;
}

}  // namespace

int Fingerprint(const FingerprintArgs& args) {
  std::ofstream file;
  if (!args.out.empty() && args.out != "-") {
    file.open(args.out, std::ios::trunc | std::ios::binary);
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
      ProcessChunk(chunk, threads, args.format == "pb", out);
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
      for (LineRead got; (got = ReadJsonlLine(f, &line)) != LineRead::kEnd;) {
        ++line_no;
        if (got == LineRead::kTooLong) {
          std::cerr << "provledger: " << file.path.string() << ":" << line_no
                    << ": line longer than " << kMaxJsonlLineBytes << " bytes\n";
          return 1;
        }
        auto record = ParseJsonlLine(line, file, line_no);
        if (!record.ok()) {
          std::cerr << "provledger: " << record.status().message() << "\n";
          return 1;
        }
        if (record->has_value()) {
          add(Item{(*record)->ref, std::move((*record)->text), std::move((*record)->source)});
        }
      }
    } else {
      std::error_code ec;
      const auto size = std::filesystem::file_size(file.path, ec);
      if (!ec && size > kMaxJsonlLineBytes) {
        std::cerr << "provledger: " << file.path.string() << " is larger than "
                  << kMaxJsonlLineBytes << " bytes, more than a document may hold\n";
        return 1;
      }
      add(Item{file.ref, std::string(std::istreambuf_iterator<char>(f), {}), std::nullopt});
    }
  }
  if (!chunk.empty()) {
    ProcessChunk(chunk, threads, args.format == "pb", out);
    total += chunk.size();
  }
  out.flush();
  std::cerr << "fingerprinted " << total << " documents on " << threads << " threads\n";
  return out ? 0 : 1;
}

}  // namespace provledger::cli
