#include "provledger/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>

#include "ledger_service.h"
#include "lineage_service.h"
#include "provledger/encoding.h"
#include "provledger/status_macros.h"
#include "provledger/storage.h"
#include "registry_service.h"
#include "report_service.h"

namespace provledger {

struct Server::Impl {
  ServerConfig config;
  std::unique_ptr<Storage> storage;
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<PostingIndex> postings;  // null when index_near_duplicates is off
  std::optional<policy::Policy> policy;    // from config.policy_file
  std::unique_ptr<Registry> registry;
  std::unique_ptr<LineageQueries> lineage;
  std::unique_ptr<service::LedgerServiceImpl> ledger_service;
  std::unique_ptr<service::RegistryServiceImpl> registry_service;
  std::unique_ptr<service::LineageServiceImpl> lineage_service;
  std::unique_ptr<report::ReportBuilder> reports;
  std::unique_ptr<service::ReportServiceImpl> report_service;
  std::unique_ptr<grpc::Server> grpc_server;
  int port = 0;
  std::mutex shutdown_mu;
  bool shut_down = false;
};

namespace {

std::string DefaultOrigin() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') {
    return "localhost/provledger";
  }
  return std::string(host) + "/provledger";
}

}  // namespace

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Shutdown(); }

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerConfig& config) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return absl::UnavailableError("creating data directory " + config.data_dir + ": " +
                                  ec.message());
  }
  RocksDbOptions db_options;
  db_options.block_cache_bytes = config.block_cache_bytes;
  PL_ASSIGN_OR_RETURN(impl->storage, OpenRocksDbStorage(config.data_dir + "/db", db_options));

  PL_ASSIGN_OR_RETURN(auto stored_origin, Ledger::StoredOrigin(impl->storage.get()));
  LedgerOptions lo;
  lo.origin = !config.origin.empty()      ? config.origin
              : stored_origin.has_value() ? *stored_origin
                                          : DefaultOrigin();
  lo.max_batch_entries = config.max_batch_entries;
  std::vector<std::string> key_files = config.signing_key_files;
  bool create = key_files.empty();
  if (create) key_files.push_back(config.data_dir + "/keys/signing-key.pem");
  for (const auto& f : key_files) {
    PL_ASSIGN_OR_RETURN(Ed25519PrivateKey key, LoadOrCreateSigningKey(f, create));
    lo.signers.push_back(std::make_shared<NoteSigner>(lo.origin, std::move(key)));
  }
  PL_ASSIGN_OR_RETURN(impl->ledger, Ledger::Open(impl->storage.get(), std::move(lo)));
  if (config.check_full) PL_RETURN_IF_ERROR(impl->ledger->VerifyFull());

  {
    std::ofstream vk(config.data_dir + "/verifier-key.txt", std::ios::trunc);
    for (const auto& k : impl->ledger->VerifierKeys()) vk << k << "\n";
  }

  if (config.index_near_duplicates) {
    PL_ASSIGN_OR_RETURN(impl->postings, PostingIndex::Open(impl->ledger.get(), impl->storage.get(),
                                                           config.postings));
  }

  RegistryOptions registry_options = config.registry;
  if (!config.policy_file.empty()) {
    std::ifstream in(config.policy_file, std::ios::binary);
    if (!in) {
      return absl::NotFoundError("cannot read policy file " + config.policy_file);
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    auto parsed = policy::Policy::Parse(bytes);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(config.policy_file + ": " +
                                        std::string(parsed.status().message()));
    }
    impl->policy = *std::move(parsed);
    registry_options.policy = &*impl->policy;
  }
  impl->registry = std::make_unique<Registry>(impl->ledger.get(), SystemClock(), registry_options);
  impl->ledger_service = std::make_unique<service::LedgerServiceImpl>(impl->ledger.get());
  impl->registry_service = std::make_unique<service::RegistryServiceImpl>(impl->registry.get());
  impl->lineage = std::make_unique<LineageQueries>(impl->ledger.get(), impl->postings.get());
  impl->lineage_service = std::make_unique<service::LineageServiceImpl>(
      impl->lineage.get(), config.registry.max_document_bytes,
      config.registry.max_fingerprint_bytes);
  impl->reports = std::make_unique<report::ReportBuilder>(impl->ledger.get(), impl->lineage.get());
  impl->report_service = std::make_unique<service::ReportServiceImpl>(
      impl->reports.get(), impl->registry.get(), SystemClock());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, grpc::InsecureServerCredentials(), &impl->port);
  // One document part is at most 1 MiB of content plus framing.
  builder.SetMaxReceiveMessageSize(4 << 20);
  builder.RegisterService(impl->ledger_service.get());
  builder.RegisterService(impl->registry_service.get());
  builder.RegisterService(impl->lineage_service.get());
  builder.RegisterService(impl->report_service.get());
  impl->grpc_server = builder.BuildAndStart();
  if (impl->grpc_server == nullptr || impl->port == 0) {
    return absl::UnavailableError("cannot listen on " + config.listen +
                                  " (address in use or invalid?)");
  }
  impl->grpc_server->GetHealthCheckService()->SetServingStatus(true);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

int Server::port() const { return impl_->port; }

Ledger* Server::ledger() { return impl_->ledger.get(); }

PostingIndex* Server::postings() { return impl_->postings.get(); }

Storage* Server::storage() { return impl_->storage.get(); }

std::string Server::StartupLine() const {
  auto cp = impl_->ledger->Latest();
  std::string host = impl_->config.listen.substr(0, impl_->config.listen.rfind(':'));
  std::string line =
      "provledgerd serving on " + host + ":" + std::to_string(impl_->port) +
      " data_dir=" + impl_->config.data_dir + " tree_size=" + std::to_string(cp->size) +
      " root=" + Base64Encode(cp->root_hash) +
      " policy_sha256=" + ToHex(impl_->registry->policy().sha256()) + " postings_indexed=" +
      (impl_->postings ? std::to_string(impl_->postings->indexed_size()) : "off") +
      " verifier_key=";
  auto keys = impl_->ledger->VerifierKeys();
  for (size_t i = 0; i < keys.size(); ++i) line += (i ? "," : "") + keys[i];
  return line;
}

void Server::Shutdown() {
  std::lock_guard<std::mutex> lock(impl_->shutdown_mu);
  if (impl_->shut_down) return;
  impl_->shut_down = true;
  if (impl_->grpc_server) {
    impl_->grpc_server->GetHealthCheckService()->SetServingStatus(false);
    impl_->grpc_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(10));
    impl_->grpc_server->Wait();
  }
  // Writes pending postings; then the ledger drains queued appends (their
  // postings are built on the next start), then RocksDB closes.
  impl_->postings.reset();
  impl_->ledger.reset();
  impl_->storage.reset();
}

void Server::Wait() {
  if (impl_->grpc_server) impl_->grpc_server->Wait();
}

}  // namespace provledger
