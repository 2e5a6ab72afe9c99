// The provledgerd server: opens the data directory, checks the ledger, and
// serves the gRPC API. provledgerd's main() is flags and this; tests start it
// in-process on a loopback port.
//
//   ServerConfig config;                 // defaults: ./provledger-data, 127.0.0.1:7600
//   PL_ASSIGN_OR_RETURN(auto server, Server::Start(config));
//   std::cerr << server->StartupLine() << "\n";
//   server->Wait();                      // until Shutdown() from another thread
//
// Data directory layout: LOCK (held while a server runs), high-water-mark
// (docs/ledger-format.md §4a), db/ (RocksDB), keys/signing-key.pem (created
// with mode 0600 on first start unless signing keys are configured) and
// verifier-key.txt (the public verifier keys, one per line).
#ifndef PROVLEDGER_SERVER_H_
#define PROVLEDGER_SERVER_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "provledger/ledger.h"
#include "provledger/posting_index.h"
#include "provledger/registry.h"

namespace provledger {

// The largest max_document_bytes a server accepts (a document is assembled
// in memory before it is fingerprinted).
inline constexpr uint64_t kMaxDocumentBytesLimit = uint64_t{1} << 30;

struct ServerConfig {
  std::string data_dir = "./provledger-data";
  std::string listen = "127.0.0.1:7600";
  // The log's origin; defaults to the stored one, or "<hostname>/provledger"
  // for a new ledger.
  std::string origin;
  // PKCS#8 PEM Ed25519 keys; all sign every checkpoint (list two to rotate).
  // Empty: <data_dir>/keys/signing-key.pem, created on first start.
  std::vector<std::string> signing_key_files;
  RegistryOptions registry;
  // Build the LSH-band and winnowing postings that near-duplicate and
  // containment matching read (posting_index.h). A ledger-only deployment
  // that never answers match queries may turn it off; turned on again, the
  // postings catch up from the entries.
  bool index_near_duplicates = true;
  // How the posting indexer batches and builds its runs (when on).
  PostingIndexOptions postings;
  size_t max_batch_entries = 16384;
  size_t block_cache_bytes = 256u << 20;
  // Verify every table file's checksums and recompute every leaf and the
  // root on start (O(n)) before serving.
  bool check_full = false;
  // Where the high-water mark is kept; empty: <data_dir>/high-water-mark.
  // Best on another volume than db/, and never restored with it.
  std::string high_water_mark_file;
  // Concurrent calls (streams) one client connection may hold open, and
  // threads serving calls in all (beyond them a call is refused with
  // RESOURCE_EXHAUSTED). A registration stream holds one thread and one for
  // its receipts.
  size_t max_streams_per_connection = 64;
  size_t max_threads = 256;
  // Bytes of partly sent documents all registration streams together may
  // hold (beyond: RESOURCE_EXHAUSTED), and how long a stream may leave a
  // document half sent before it is ended.
  uint64_t max_assembling_bytes = uint64_t{1} << 30;
  std::chrono::milliseconds partial_document_timeout{60000};
  // Appends are refused (registry NOT_SERVING) while the data directory's
  // disk has less free space than this, and accepted again above it; 0: off
  // (then only a failed write stops them). Checked every write_retry_interval.
  uint64_t min_free_disk_bytes = uint64_t{256} << 20;
  // How often, while the ledger refuses appends (a full disk), the server
  // asks the storage to resume.
  std::chrono::milliseconds write_retry_interval{1000};
  // The policy file documents are judged by (docs/policy.md); empty = the
  // built-in default (deploy/policy/default-policy.json).
  std::string policy_file;
};

// Reads a JSON config file into `config` (keys: data_dir, listen, origin,
// signing_keys, max_document_bytes (at most kMaxDocumentBytesLimit),
// max_batch_entries, block_cache_bytes, check_full, index_near_duplicates,
// policy_file, high_water_mark_file). InvalidArgument naming the key on a bad value or
// unknown key.
absl::Status LoadServerConfigFile(const std::string& path, ServerConfig* config);

// Loads a PEM key file, or with `create` makes a new key there (mode 0600,
// parent directory 0700) if the file does not exist.
absl::StatusOr<Ed25519PrivateKey> LoadOrCreateSigningKey(const std::string& path, bool create);

class Server {
 public:
  // Opens storage, loads keys, opens and checks the ledger, binds `listen`.
  // FailedPrecondition if the ledger check fails (the message says why), a
  // signing key is readable by others or another process holds the data
  // directory; Unavailable if the address cannot be bound (also when another
  // server listens on it: port reuse is off).
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerConfig& config);
  ~Server();  // Shuts down if still running.

  // The bound port (useful with listen "127.0.0.1:0").
  int port() const;
  // "provledgerd serving on ... tree_size=... root=... verifier_key=..."
  std::string StartupLine() const;
  Ledger* ledger();
  // nullptr when index_near_duplicates is off.
  PostingIndex* postings();
  // The open database (for its background-work figures).
  Storage* storage();

  // Stops accepting calls, lets running calls finish (up to 10 s), and
  // flushes the ledger. Idempotent; thread-safe.
  void Shutdown();
  // Blocks until Shutdown() completes.
  void Wait();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace provledger

#endif  // PROVLEDGER_SERVER_H_
