// `provledger register`: streams files, folders or JSONL records into a
// dataset and prints (or saves) a durable receipt for each.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "client.h"
#include "commands.h"
#include "inputs.h"
#include "provledger/encoding.h"
#include "provledger/v1/fingerprint.pb.h"
#include "provledger/v1/registry.grpc.pb.h"
#include "source_args.h"

namespace provledger::cli {
namespace {

constexpr size_t kPartBytes = 1 << 20;  // the protocol's per-message limit
constexpr int kBatchDocuments = 256;    // fingerprint records per message (at most 1,000)

using Stream =
    grpc::ClientReaderWriter<v1::RegisterDocumentsRequest, v1::RegisterDocumentsResponse>;

// Sends one document in parts of at most 1 MiB, reading `next` until empty.
template <typename NextChunk>
bool SendDocument(Stream* stream, const std::string& dataset_id, const std::string& ref,
                  const std::optional<policy::SourceRecord>& source, NextChunk next) {
  v1::RegisterDocumentsRequest req;
  req.set_dataset_id(dataset_id);
  req.mutable_document()->set_client_ref(ref);
  if (source.has_value()) *req.mutable_document()->mutable_source() = ToProto(*source);
  std::string chunk = next();
  while (true) {
    std::string following = chunk.size() == kPartBytes ? next() : std::string();
    bool more = !following.empty();
    req.mutable_document()->set_content(std::move(chunk));
    req.mutable_document()->set_more(more);
    if (!stream->Write(req)) return false;
    if (!more) return true;
    req.clear_dataset_id();
    req.mutable_document()->clear_client_ref();
    req.mutable_document()->clear_source();
    chunk = std::move(following);
  }
}

struct Progress {
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> acked{0};
  bool tty = isatty(STDERR_FILENO);
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  void Show(bool final) {
    if (!tty && !final) return;
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    uint64_t a = acked.load();
    std::cerr << "\r[" << (final ? "done" : "....") << "] sent " << sent.load() << ", durable " << a
              << " (" << static_cast<uint64_t>(secs > 0 ? static_cast<double>(a) / secs : 0)
              << " docs/s)" << (final ? "\n" : "") << std::flush;
  }
};

}  // namespace

int Register(const RegisterArgs& args) {
  if (args.dataset_id.empty()) {
    std::cerr << "provledger: --dataset-id is required\n";
    return 2;
  }
  // Expand inputs up front so a missing path fails before anything is sent.
  auto files = ExpandInputs(args.inputs, args.jsonl);
  if (!files.ok()) {
    std::cerr << "provledger: " << files.status().message() << "\n";
    return 2;
  }

  std::optional<policy::SourceRecord> file_source;
  if (!args.source_file.empty()) {
    auto source = LoadSourceFile(args.source_file);
    if (!source.ok()) {
      std::cerr << "provledger: " << source.status().message() << "\n";
      return 2;
    }
    file_source = *std::move(source);
  }

  std::ofstream receipts;
  if (!args.receipts_out.empty()) {
    receipts.open(args.receipts_out, std::ios::trunc);
    if (!receipts) {
      std::cerr << "provledger: cannot write " << args.receipts_out << "\n";
      return 1;
    }
  }

  auto stub = v1::RegistryService::NewStub(Connect(args.server));
  grpc::ClientContext ctx;
  std::unique_ptr<Stream> stream = stub->RegisterDocuments(&ctx);
  Progress progress;
  std::string send_error;

  // Fingerprint records go several per message (RegisterDocumentsRequest.
  // documents): one message each would cost more than their registration.
  v1::RegisterDocumentsRequest batch;
  batch.set_dataset_id(args.dataset_id);
  size_t batch_bytes = 0;
  auto send_batch = [&]() {
    if (batch.documents_size() == 0) return true;
    if (!stream->Write(batch)) return false;
    progress.sent += batch.documents_size();
    batch.clear_documents();
    batch_bytes = 0;
    return true;
  };

  std::thread sender([&] {
    for (const InputFile& file : *files) {
      std::ifstream in(file.path, std::ios::binary);
      if (!in) {
        send_error = "cannot read " + file.path.string();
        break;
      }
      if (args.fingerprints) {
        // Records of `provledger fingerprint --format pb`: the text stays on
        // the worker; only its fingerprints are registered.
        google::protobuf::io::IstreamInputStream raw(&in);
        google::protobuf::io::CodedInputStream coded(&raw);
        uint32_t size;
        uint64_t record_no = 0;
        while (coded.ReadVarint32(&size)) {
          ++record_no;
          auto limit = coded.PushLimit(static_cast<int>(size));
          v1::FingerprintRecord record;
          if (!record.ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage()) {
            send_error = file.path.string() + ": record " + std::to_string(record_no) +
                         " is not a FingerprintRecord";
            break;
          }
          coded.PopLimit(limit);
          if (!record.error().empty()) {
            send_error = file.path.string() + ": record " + std::to_string(record_no) + " (" +
                         record.ref() + ") could not be fingerprinted: " + record.error();
            break;
          }
          v1::DocumentPart* part = batch.add_documents();
          part->set_client_ref(record.ref());
          *part->mutable_fingerprints() = record.fingerprints();
          // The record's own source overrides the --source file field by
          // field (proto3 MergeFrom: set fields win), as for JSONL.
          v1::SourceRecord* src = part->mutable_source();
          if (file_source.has_value()) *src = ToProto(*file_source);
          src->MergeFrom(record.source());
          batch_bytes += part->ByteSizeLong();
          if ((batch.documents_size() == kBatchDocuments || batch_bytes >= kPartBytes) &&
              !send_batch()) {
            break;
          }
        }
        // The records before a bad one are sent, as they would have been
        // one by one; then the stream is cancelled.
        bool sent = send_batch();
        if (!send_error.empty() || !sent) break;
        continue;
      }
      if (file.jsonl) {
        std::string line;
        uint64_t line_no = 0;
        for (LineRead got; (got = ReadJsonlLine(in, &line)) != LineRead::kEnd;) {
          ++line_no;
          if (got == LineRead::kTooLong) {
            send_error = file.path.string() + ":" + std::to_string(line_no) +
                         ": line longer than " + std::to_string(kMaxJsonlLineBytes) + " bytes";
            break;
          }
          auto record = ParseJsonlLine(line, file, line_no);
          if (!record.ok()) {
            send_error = std::string(record.status().message());
            break;
          }
          if (!record->has_value()) continue;
          const std::string& r = (*record)->ref;
          const std::string& text = (*record)->text;
          size_t off = 0;
          bool first = true;
          auto next = [&]() {
            if (!first && off >= text.size()) return std::string();
            first = false;
            std::string c = text.substr(off, kPartBytes);
            off += c.size();
            return c;
          };
          // A record's own source overrides the --source file field by field.
          std::optional<policy::SourceRecord> source = file_source;
          if ((*record)->source.has_value()) {
            source = policy::MergeDefaults(file_source.value_or(policy::SourceRecord{}),
                                           *(*record)->source);
          }
          if (!SendDocument(stream.get(), args.dataset_id, r, source, next)) break;
          ++progress.sent;
        }
        if (!send_error.empty()) break;
      } else {
        auto next = [&]() {
          std::string c(kPartBytes, '\0');
          in.read(c.data(), static_cast<std::streamsize>(c.size()));
          c.resize(static_cast<size_t>(in.gcount()));
          return c;
        };
        if (!SendDocument(stream.get(), args.dataset_id, file.ref, file_source, next)) break;
        ++progress.sent;
      }
      if (!send_error.empty()) break;
    }
    if (!send_error.empty()) ctx.TryCancel();
    stream->WritesDone();
  });

  v1::RegisterDocumentsResponse resp;
  auto last_show = std::chrono::steady_clock::now();
  uint64_t new_docs = 0, existing = 0;
  uint64_t by_verdict[4] = {0, 0, 0, 0};
  while (stream->Read(&resp)) {
    for (const auto& r : resp.receipts()) {
      ++progress.acked;
      (r.already_registered() ? existing : new_docs)++;
      by_verdict[std::clamp(static_cast<int>(r.verdict()), 0, 3)]++;
      if (receipts.is_open() || !args.quiet) {
        nlohmann::json j;
        j["client_ref"] = r.client_ref();
        j["content_id"] = ToHex(r.content_id());
        j["ledger_index"] = r.ledger_index();
        j["leaf_hash"] = ToHex(r.leaf_hash());
        j["size_bytes"] = r.size_bytes();
        j["tree_size"] = r.tree_size();
        j["already_registered"] = r.already_registered();
        j["verdict"] = v1::Verdict_Name(r.verdict());
        nlohmann::json reasons = nlohmann::json::array();
        for (const auto& reason : r.reasons()) {
          reasons.push_back({{"code", reason.code()}, {"message", reason.message()}});
        }
        j["reasons"] = reasons;
        if (!r.license().empty()) {
          j["license"] = r.license();
          j["license_class"] = r.license_class();
        }
        if (receipts.is_open()) {
          receipts << j.dump() << "\n";
        } else {
          std::cout << j.dump() << "\n";
        }
      }
    }
    if (std::chrono::steady_clock::now() - last_show > std::chrono::milliseconds(200)) {
      progress.Show(false);
      last_show = std::chrono::steady_clock::now();
    }
  }
  sender.join();
  grpc::Status s = stream->Finish();
  progress.Show(true);
  std::cerr << new_docs << " registered, " << existing
            << " already registered; verdicts: " << by_verdict[1] << " accepted, " << by_verdict[2]
            << " flagged, " << by_verdict[3] << " rejected\n";
  if (!send_error.empty()) {
    std::cerr << "provledger: " << send_error << "\n";
    return 1;
  }
  if (!s.ok()) return Fail("register", s);
  if (progress.acked.load() < progress.sent.load()) {
    // Never report success over documents without a receipt.
    std::cerr << "provledger: register: " << (progress.sent.load() - progress.acked.load())
              << " of " << progress.sent.load() << " documents got no receipt\n";
    return 1;
  }
  return 0;
}

}  // namespace provledger::cli
