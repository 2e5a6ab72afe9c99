// provledgerd: flags, signals and the Server. Nothing else lives here.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <thread>

#include "provledger/server.h"

int main(int argc, char** argv) {
  provledger::ServerConfig config;
  std::string config_file;
  CLI::App app{"provledgerd: the provledger training-data provenance ledger server"};
  app.add_option("--config", config_file, "JSON config file (flags override it)");
  auto* data_dir =
      app.add_option("--data-dir", config.data_dir, "Data directory")->capture_default_str();
  auto* listen = app.add_option("--listen", config.listen, "HOST:PORT to serve gRPC on")
                     ->capture_default_str();
  auto* origin = app.add_option("--origin", config.origin,
                                "Log origin for a new ledger (default: <hostname>/provledger)");
  auto* keys = app.add_option("--signing-key", config.signing_key_files,
                              "Ed25519 PEM key file; repeat to sign with several (key rotation)");
  auto* max_doc = app.add_option("--max-document-bytes", config.registry.max_document_bytes,
                                 "Largest document accepted (at most 1 GiB)")
                      ->check(CLI::Range(uint64_t{1}, provledger::kMaxDocumentBytesLimit))
                      ->capture_default_str();
  auto* policy_file = app.add_option("--policy", config.policy_file,
                                     "Policy file (JSON, docs/policy.md); default: built in");
  bool no_near_duplicate_index = false;
  app.add_flag("--no-near-duplicate-index", no_near_duplicate_index,
               "Do not build the LSH-band and winnowing postings (no near-duplicate or "
               "excerpt matching); turned on again, they catch up from the ledger");
  app.add_flag("--check-full", config.check_full,
               "Verify every table file's checksums and recompute every leaf and the root "
               "from storage before serving");
  uint64_t min_free_mb = config.min_free_disk_bytes >> 20;
  auto* min_free = app.add_option("--min-free-disk-mb", min_free_mb,
                                  "Refuse appends while the data disk has less free space (MiB; "
                                  "0: off)")
                       ->capture_default_str();
  auto* mark_file = app.add_option("--high-water-mark", config.high_water_mark_file,
                                   "High-water mark file (default: DATA_DIR/high-water-mark; "
                                   "docs/ledger-format.md section 4a)");
  CLI11_PARSE(app, argc, argv);

  if (!config_file.empty()) {
    // The file gives the base; flags given on the command line win.
    provledger::ServerConfig from_file;
    absl::Status s = provledger::LoadServerConfigFile(config_file, &from_file);
    if (!s.ok()) {
      std::cerr << "provledgerd: " << s.message() << "\n";
      return 2;
    }
    if (data_dir->count() == 0) config.data_dir = from_file.data_dir;
    if (listen->count() == 0) config.listen = from_file.listen;
    if (origin->count() == 0) config.origin = from_file.origin;
    if (keys->count() == 0) config.signing_key_files = from_file.signing_key_files;
    if (policy_file->count() == 0) config.policy_file = from_file.policy_file;
    if (mark_file->count() == 0) config.high_water_mark_file = from_file.high_water_mark_file;
    if (max_doc->count() == 0) {
      config.registry.max_document_bytes = from_file.registry.max_document_bytes;
    }
    config.index_near_duplicates = from_file.index_near_duplicates;
    config.max_batch_entries = from_file.max_batch_entries;
    config.block_cache_bytes = from_file.block_cache_bytes;
    config.check_full = config.check_full || from_file.check_full;
  }

  if (no_near_duplicate_index) config.index_near_duplicates = false;
  if (min_free->count() > 0) config.min_free_disk_bytes = min_free_mb << 20;

  // Handle SIGTERM/SIGINT on one thread: block them everywhere first.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = provledger::Server::Start(config);
  if (!server.ok()) {
    std::cerr << "provledgerd: not starting: " << server.status().message() << "\n";
    return 1;
  }
  std::cerr << (*server)->StartupLine() << std::endl;

  std::thread waiter([&signals, &server] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::cerr << "provledgerd: signal " << sig << ", shutting down" << std::endl;
    (*server)->Shutdown();
  });
  (*server)->Wait();
  waiter.join();
  server->reset();
  std::cerr << "provledgerd: stopped cleanly" << std::endl;
  return 0;
}
