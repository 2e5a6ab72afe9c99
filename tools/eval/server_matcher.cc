#include "server_matcher.h"

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "provledger/sha256.h"

namespace provledger::eval {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "fingerprint_eval: end-to-end: %s\n", what.c_str());
  std::exit(2);
}

}  // namespace

ServerMatcher::ServerMatcher() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/provledger-eval-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) Die("cannot create a temporary directory");
  dir_ = tmpl;
  ServerConfig config;
  config.data_dir = dir_;
  config.listen = "127.0.0.1:0";
  config.origin = "eval.example/provledger";
  auto server = Server::Start(config);
  if (!server.ok()) Die(std::string(server.status().message()));
  server_ = *std::move(server);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(server_->port()),
                                           grpc::InsecureChannelCredentials(), args);
  registry_ = v1::RegistryService::NewStub(channel);
  lineage_ = v1::LineageService::NewStub(channel);
}

ServerMatcher::~ServerMatcher() {
  server_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void ServerMatcher::Register(const std::vector<std::string>& texts) {
  grpc::ClientContext c;
  v1::CreateDatasetRequest creq;
  creq.set_name("eval");
  v1::CreateDatasetResponse cresp;
  grpc::Status s = registry_->CreateDataset(&c, creq, &cresp);
  if (!s.ok()) Die("CreateDataset: " + s.error_message());

  grpc::ClientContext ctx;
  auto stream = registry_->RegisterDocuments(&ctx);
  std::thread writer([&] {
    constexpr size_t kPart = 1 << 20;
    for (size_t i = 0; i < texts.size(); ++i) {
      const std::string& t = texts[i];
      size_t off = 0;
      do {
        v1::RegisterDocumentsRequest req;
        if (off == 0) {
          req.set_dataset_id(cresp.dataset_id());
          req.mutable_document()->set_client_ref(std::to_string(i));
        }
        size_t n = std::min(kPart, t.size() - off);
        req.mutable_document()->set_content(t.substr(off, n));
        off += n;
        req.mutable_document()->set_more(off < t.size());
        if (!stream->Write(req)) return;
      } while (off < t.size());
    }
    stream->WritesDone();
  });
  size_t receipts = 0;
  v1::RegisterDocumentsResponse resp;
  while (stream->Read(&resp)) receipts += resp.receipts_size();
  writer.join();
  s = stream->Finish();
  if (!s.ok() || receipts != texts.size()) {
    Die("RegisterDocuments: " + std::to_string(receipts) + " of " + std::to_string(texts.size()) +
        " receipts; " + s.error_message());
  }
  for (size_t i = 0; i < texts.size(); ++i) by_content_id_[Sha256(texts[i])].push_back(i);
}

std::vector<size_t> ServerMatcher::Match(const std::string& text, v1::MatchKind kind,
                                         double min_jaccard) {
  std::vector<size_t> out;
  std::string token;
  do {
    grpc::ClientContext ctx;
    v1::MatchContentResponse resp;
    auto writer = lineage_->MatchContent(&ctx, &resp);
    v1::MatchContentRequest req;
    req.mutable_options()->set_min_jaccard(min_jaccard);
    req.mutable_options()->add_kinds(kind);
    req.mutable_options()->set_page_size(500);
    req.mutable_options()->set_page_token(token);
    // In parts of at most 1 MiB, as the API asks (some Debian copyright
    // files in the corpus exceed the server's 4 MiB message limit).
    constexpr size_t kPart = 1 << 20;
    req.set_content(text.substr(0, kPart));
    writer->Write(req);
    for (size_t off = kPart; off < text.size(); off += kPart) {
      v1::MatchContentRequest more;
      more.set_content(text.substr(off, kPart));
      writer->Write(more);
    }
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    if (!s.ok()) Die("MatchContent: " + s.error_message());
    for (const auto& m : resp.matches()) {
      auto it = by_content_id_.find(m.registration().content_id());
      if (it == by_content_id_.end()) Die("a match names content that was not registered");
      out.insert(out.end(), it->second.begin(), it->second.end());
    }
    token = resp.next_page_token();
  } while (!token.empty());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace provledger::eval
