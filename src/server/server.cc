#include "provledger/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "data_dir.h"
#include "ledger_service.h"
#include "lineage_service.h"
#include "provledger/encoding.h"
#include "provledger/high_water_mark.h"
#include "provledger/status_macros.h"
#include "provledger/storage.h"
#include "registry_service.h"
#include "report_service.h"

namespace provledger {

struct Server::Impl {
  ServerConfig config;
  std::unique_ptr<server_internal::DataDirLock> lock;  // released last
  std::unique_ptr<HighWaterMarkStore> high_water_mark;
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

  // The write watchdog: reports the registry NOT_SERVING while the ledger
  // refuses appends and resumes it once the storage takes writes again.
  std::thread watchdog;
  std::mutex watchdog_mu;
  std::condition_variable watchdog_cv;
  bool watchdog_stop = false;
  void WatchWrites();
};

namespace {
constexpr char kRegistryServiceName[] = "provledger.v1.RegistryService";
}  // namespace

void Server::Impl::WatchWrites() {
  auto* health = grpc_server->GetHealthCheckService();
  bool serving = true;
  std::string last_refusal;  // logged once, not at every retry
  std::unique_lock<std::mutex> lock(watchdog_mu);
  while (
      !watchdog_cv.wait_for(lock, config.write_retry_interval, [this] { return watchdog_stop; })) {
    lock.unlock();
    if (config.min_free_disk_bytes > 0) {
      // Refuse appends while the disk is nearly full, before RocksDB fails
      // a write on a full one.
      struct statvfs fs;
      if (statvfs(config.data_dir.c_str(), &fs) == 0) {
        const uint64_t free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
        ledger->PauseAppends(
            free >= config.min_free_disk_bytes
                ? absl::OkStatus()
                : absl::UnavailableError("the disk holding " + config.data_dir +
                                         " is nearly full (" + std::to_string(free >> 20) +
                                         " MiB free, below the reserve of " +
                                         std::to_string(config.min_free_disk_bytes >> 20) +
                                         " MiB); appends resume when space is freed"));
      }
    }
    if (!ledger->WriteStatus().ok()) {
      absl::Status resumed = ledger->Resume();
      if (!resumed.ok() && resumed.message() != last_refusal) {
        last_refusal = std::string(resumed.message());
        std::fprintf(stderr, "provledgerd: storage still refuses writes: %s\n",
                     last_refusal.c_str());
      }
    }
    const absl::Status status = ledger->WriteStatus();
    if (!status.ok() && serving) {
      health->SetServingStatus(kRegistryServiceName, false);
      std::fprintf(stderr, "provledgerd: appends refused, registry NOT_SERVING: %s\n",
                   std::string(status.message()).c_str());
      serving = false;
    } else if (status.ok() && !serving) {
      health->SetServingStatus(kRegistryServiceName, true);
      std::fprintf(stderr,
                   "provledgerd: appends accepted again, registry SERVING (tree_size=%llu)\n",
                   static_cast<unsigned long long>(ledger->Latest()->size));
      serving = true;
      last_refusal.clear();
    }
    lock.lock();
  }
}

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
  if (config.registry.max_document_bytes == 0 ||
      config.registry.max_document_bytes > kMaxDocumentBytesLimit) {
    return absl::InvalidArgumentError("max_document_bytes must be between 1 and " +
                                      std::to_string(kMaxDocumentBytesLimit));
  }
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return absl::UnavailableError("creating data directory " + config.data_dir + ": " +
                                  ec.message());
  }
  PL_ASSIGN_OR_RETURN(impl->lock, server_internal::DataDirLock::Acquire(config.data_dir));
  PL_ASSIGN_OR_RETURN(impl->high_water_mark,
                      OpenHighWaterMarkFile(config.high_water_mark_file.empty()
                                                ? config.data_dir + "/high-water-mark"
                                                : config.high_water_mark_file));
  RocksDbOptions db_options;
  db_options.block_cache_bytes = config.block_cache_bytes;
  auto storage = OpenRocksDbStorage(config.data_dir + "/db", db_options);
  if (absl::IsDataLoss(storage.status())) {
    return absl::DataLossError(
        std::string(storage.status().message()) +
        "; the database is damaged (a write-ahead log record or a table file fails its "
        "checksum). Refusing to start rather than recover to a point before the damage, which "
        "would drop acknowledged entries (recovery: docs/ledger-format.md, section 4a)");
  }
  if (!storage.ok()) return storage.status();
  impl->storage = *std::move(storage);

  PL_ASSIGN_OR_RETURN(auto stored_origin, Ledger::StoredOrigin(impl->storage.get()));
  LedgerOptions lo;
  lo.origin = !config.origin.empty()      ? config.origin
              : stored_origin.has_value() ? *stored_origin
                                          : DefaultOrigin();
  lo.max_batch_entries = config.max_batch_entries;
  lo.high_water_mark = impl->high_water_mark.get();
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
    std::string vk;
    for (const auto& k : impl->ledger->VerifierKeys()) vk += k + "\n";
    PL_RETURN_IF_ERROR(
        server_internal::ReplaceFile(config.data_dir + "/verifier-key.txt", vk, 0644));
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
  service::RegistrationLimits limits;
  limits.max_assembling_bytes = config.max_assembling_bytes;
  limits.partial_document_timeout = config.partial_document_timeout;
  impl->registry_service =
      std::make_unique<service::RegistryServiceImpl>(impl->registry.get(), limits);
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
  // gRPC sets SO_REUSEPORT by default: a second server on the same port
  // would start and take half the connections. Binding must fail instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(config.listen, grpc::InsecureServerCredentials(), &impl->port);
  // One document part is at most 1 MiB of content plus framing.
  builder.SetMaxReceiveMessageSize(4 << 20);
  // Bounded concurrency: streams a connection may hold open, and threads the
  // synchronous server may run (one per call; a call beyond it is answered
  // RESOURCE_EXHAUSTED instead of growing the process).
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             static_cast<int>(config.max_streams_per_connection));
  grpc::ResourceQuota quota("provledgerd");
  quota.SetMaxThreads(static_cast<int>(config.max_threads));
  builder.SetResourceQuota(quota);
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
  impl->grpc_server->GetHealthCheckService()->SetServingStatus(kRegistryServiceName, true);
  impl->watchdog = std::thread([i = impl.get()] { i->WatchWrites(); });
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
  if (impl_->watchdog.joinable()) {
    {
      std::lock_guard<std::mutex> lock(impl_->watchdog_mu);
      impl_->watchdog_stop = true;
    }
    impl_->watchdog_cv.notify_all();
    impl_->watchdog.join();
  }
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
  impl_->high_water_mark.reset();
  impl_->lock.reset();
}

void Server::Wait() {
  if (impl_->grpc_server) impl_->grpc_server->Wait();
}

}  // namespace provledger
