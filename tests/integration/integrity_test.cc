// provledgerd as a real process against damage and misuse of its data
// directory and port: a flipped byte in the write-ahead log, a lost log
// file, a second server on the same port or data directory, a full disk.
// None may make the log roll back, fork or acknowledge what is not durable.
#include <sys/mount.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "daemon.h"
#include "grpc_test_util.h"
#include "provledger/note.h"
#include "test_util.h"

namespace provledger {
namespace {

using testing::Daemon;
using testing::TempDir;
using testing::ValueOrDie;

// The newest write-ahead log of the RocksDB database in `db`.
std::string NewestWal(const std::string& db) {
  std::string newest;
  for (const auto& e : std::filesystem::directory_iterator(db)) {
    std::string name = e.path().filename().string();
    if (e.path().extension() == ".log" && name != "LOG" && e.path().string() > newest &&
        std::filesystem::file_size(e.path()) > 0) {
      newest = e.path().string();
    }
  }
  return newest;
}

void FlipByteAt(const std::string& path, uint64_t at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x01);
  f.seekp(static_cast<std::streamoff>(at));
  f.write(&c, 1);
}

// Registers `n` documents of ~1 KB in messages of 50; returns the receipts.
std::vector<v1::DocumentReceipt> Register(const std::string& addr, const std::string& ds,
                                          const std::string& tag, int n) {
  auto reg = v1::RegistryService::NewStub(testing::Channel(addr));
  std::vector<testing::TestDoc> docs;
  for (int i = 0; i < n; ++i) {
    docs.push_back({ds, tag + std::to_string(i),
                    tag + " document " + std::to_string(i) + " " + std::string(1000, 'x')});
  }
  std::vector<v1::DocumentReceipt> receipts;
  grpc::Status s = testing::RegisterAll(reg.get(), docs, &receipts);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return receipts;
}

uint64_t TreeSize(const std::string& addr) {
  auto ledger = v1::LedgerService::NewStub(testing::Channel(addr));
  grpc::ClientContext ctx;
  v1::GetCheckpointResponse cp;
  EXPECT_TRUE(ledger->GetCheckpoint(&ctx, v1::GetCheckpointRequest(), &cp).ok());
  return ValueOrDie(ParseCheckpointText(ValueOrDie(ParseNote(cp.note())).text)).size;
}

// grpc.health.v1 Check for one service: 1 SERVING, 2 NOT_SERVING, -1 error.
int Health(const std::string& addr, const std::string& service) {
  std::string req = "\x0a" + std::string(1, static_cast<char>(service.size())) + service;
  std::string resp;
  auto channel = testing::Channel(addr);
  grpc::Status s = testing::RawUnary(channel.get(), "/grpc.health.v1.Health/Check", req, &resp);
  if (!s.ok()) return -1;
  return resp.size() == 2 && resp[0] == '\x08' ? resp[1] : 0;
}

// Polls the registry's health until it is `want` (1 SERVING, 2
// NOT_SERVING), for up to `tries` tenths of a second.
bool RegistryHealthBecomes(const std::string& addr, int want, int tries) {
  for (int i = 0; i < tries; ++i) {
    if (Health(addr, "provledger.v1.RegistryService") == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// A tmpfs of `size` mounted at `path` for the life of the object (the
// test's small disk); mounted() is false where mounting is not allowed.
class SmallDisk {
 public:
  SmallDisk(const std::string& path, const char* size) : path_(path) {
    std::filesystem::create_directories(path_);
    mounted_ = mount("tmpfs", path_.c_str(), "tmpfs", 0, size) == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~SmallDisk() {
    if (mounted_) umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string path_;
  bool mounted_ = false;
  std::string error_;
};

class IntegrityTest : public ::testing::Test {
 protected:
  // A server with `n` acknowledged documents, then killed with SIGKILL:
  // everything is in the write-ahead log, nothing flushed to tables.
  void RegisterAndKill(int n) {
    ASSERT_TRUE(d_.Start()) << d_.Log();
    auto reg = v1::RegistryService::NewStub(testing::Channel(d_.addr()));
    std::string ds = testing::CreateDataset(reg.get(), "integrity");
    ASSERT_FALSE(ds.empty());
    for (int round = 0; round < 4; ++round) {
      auto r = Register(d_.addr(), ds, "r" + std::to_string(round) + "-", n / 4);
      acked_ += r.size();
    }
    acked_size_ = TreeSize(d_.addr());
    ASSERT_GE(acked_size_, acked_);
    d_.Kill(SIGKILL);
  }
  std::string Db() const { return dir_.Sub("data/db"); }

  TempDir dir_;
  Daemon d_{dir_.Sub("data"), dir_.Sub("log")};
  size_t acked_ = 0;
  uint64_t acked_size_ = 0;
};

// The first failure: RocksDB's default recovery dropped everything
// after a damaged WAL record and the server signed a fork. Now the damage
// refuses the start, changes nothing, and the undamaged log comes back whole.
TEST_F(IntegrityTest, AFlippedByteInTheWalRefusesTheStartAndLosesNothing) {
  RegisterAndKill(2000);
  std::string wal = NewestWal(Db());
  ASSERT_FALSE(wal.empty());
  uint64_t size = std::filesystem::file_size(wal);
  ASSERT_GT(size, 1u << 20);
  FlipByteAt(wal, size / 2);
  EXPECT_FALSE(d_.Start());
  ASSERT_TRUE(WIFEXITED(d_.exit_status()));
  EXPECT_EQ(WEXITSTATUS(d_.exit_status()), 1);
  std::string log = d_.Log();
  EXPECT_NE(log.find("the database is damaged"), std::string::npos) << log;
  EXPECT_NE(log.find("Refusing to start"), std::string::npos) << log;
  EXPECT_NE(log.find("section 4a"), std::string::npos) << log;
  // The refused start wrote nothing: with the byte restored, every
  // acknowledged entry is back, at the same tree size.
  EXPECT_EQ(std::filesystem::file_size(wal), size);
  FlipByteAt(wal, size / 2);
  ASSERT_TRUE(d_.Start()) << d_.Log();
  EXPECT_EQ(TreeSize(d_.addr()), acked_size_);
}

// A database that lost its newest log file opens fine as far as RocksDB can
// tell, at an older size: only the high-water mark outside it knows better.
TEST_F(IntegrityTest, ALostWalIsRefusedByTheHighWaterMark) {
  RegisterAndKill(2000);
  std::string wal = NewestWal(Db());
  ASSERT_FALSE(wal.empty());
  std::string aside = dir_.Sub("wal-aside");
  std::filesystem::rename(wal, aside);
  EXPECT_FALSE(d_.Start());
  ASSERT_TRUE(WIFEXITED(d_.exit_status()));
  EXPECT_EQ(WEXITSTATUS(d_.exit_status()), 1);
  std::string log = d_.Log();
  EXPECT_NE(
      log.find("already published a signed checkpoint of size " + std::to_string(acked_size_)),
      std::string::npos)
      << log;
  EXPECT_NE(log.find("acknowledged entries are missing"), std::string::npos) << log;
  // Put back (the operator's restore), the log serves at its size again.
  std::filesystem::rename(aside, wal);
  ASSERT_TRUE(d_.Start()) << d_.Log();
  EXPECT_EQ(TreeSize(d_.addr()), acked_size_);
}

// Damage inside a table file (tree nodes, index keys, postings, stored
// checkpoints) used to surface only later, as DATA_LOSS on some query:
// --check-full verifies every block's checksum before serving.
TEST_F(IntegrityTest, CheckFullFindsAFlippedByteInATableFile) {
  ASSERT_TRUE(d_.Start()) << d_.Log();
  auto reg = v1::RegistryService::NewStub(testing::Channel(d_.addr()));
  std::string ds = testing::CreateDataset(reg.get(), "tables");
  ASSERT_FALSE(ds.empty());
  Register(d_.addr(), ds, "t", 2000);
  d_.Kill(SIGTERM);  // a clean stop flushes everything into table files
  ASSERT_TRUE(WIFEXITED(d_.exit_status())) << d_.Log();
  std::string largest;
  uintmax_t largest_size = 0;
  for (const auto& e : std::filesystem::directory_iterator(Db())) {
    if (e.path().extension() == ".sst" && e.file_size() > largest_size) {
      largest = e.path().string();
      largest_size = e.file_size();
    }
  }
  ASSERT_FALSE(largest.empty());
  FlipByteAt(largest, largest_size / 3);
  d_.set_extra_flag("--check-full");
  EXPECT_FALSE(d_.Start());
  ASSERT_TRUE(WIFEXITED(d_.exit_status()));
  EXPECT_EQ(WEXITSTATUS(d_.exit_status()), 1);
  std::string log = d_.Log();
  EXPECT_NE(log.find("verifying the checksums of every table file"), std::string::npos) << log;
  EXPECT_NE(log.find(std::filesystem::path(largest).filename().string()), std::string::npos) << log;
}

TEST_F(IntegrityTest, ASecondServerOnTheSamePortOrDataDirectoryDoesNotStart) {
  ASSERT_TRUE(d_.Start()) << d_.Log();
  // Same port, its own data directory: the bind fails (no SO_REUSEPORT).
  // (Start may see the first server answer on the port; the second must
  // exit all the same.)
  Daemon same_port(dir_.Sub("other"), dir_.Sub("other-log"));
  same_port.set_port(d_.port());
  same_port.Start();
  ASSERT_TRUE(same_port.ExitsWithin(std::chrono::seconds(20))) << same_port.Log();
  ASSERT_TRUE(WIFEXITED(same_port.exit_status()));
  EXPECT_EQ(WEXITSTATUS(same_port.exit_status()), 1);
  EXPECT_NE(same_port.Log().find("cannot listen on"), std::string::npos) << same_port.Log();
  // Same data directory, another port: the lock refuses it, naming the pid.
  Daemon same_dir(dir_.Sub("data"), dir_.Sub("same-dir-log"));
  EXPECT_FALSE(same_dir.Start());
  ASSERT_TRUE(WIFEXITED(same_dir.exit_status()));
  EXPECT_EQ(WEXITSTATUS(same_dir.exit_status()), 1);
  EXPECT_NE(same_dir.Log().find("is in use by another process (pid "), std::string::npos)
      << same_dir.Log();
  // The first server was not disturbed.
  EXPECT_EQ(TreeSize(d_.addr()), 0u);
}

// A client that keeps sending documents and never reads its receipts is
// held to the stream's bound: the server stops reading it, its memory stays
// flat, and another client's stream goes on.
TEST_F(IntegrityTest, AClientThatNeverReadsCannotGrowTheServer) {
  ASSERT_TRUE(d_.Start()) << d_.Log();
  auto reg = v1::RegistryService::NewStub(testing::Channel(d_.addr()));
  std::string ds = testing::CreateDataset(reg.get(), "flood");
  ASSERT_FALSE(ds.empty());
  Register(d_.addr(), ds, "warm", 2000);  // caches and arenas warmed first
  const long rss_before = d_.RssKb();
  ASSERT_GT(rss_before, 0);

  // Its own channel: a connection of its own, as a misbehaving client has.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto flood_stub = v1::RegistryService::NewStub(
      grpc::CreateCustomChannel(d_.addr(), grpc::InsecureChannelCredentials(), args));
  grpc::ClientContext flood_ctx;
  auto flood = flood_stub->RegisterDocuments(&flood_ctx);
  std::atomic<int> sent{0};
  std::thread flooder([&] {
    v1::RegisterDocumentsRequest req;
    for (int i = 0; i < 10000000; ++i) {
      req.Clear();
      req.set_dataset_id(ds);
      for (int j = 0; j < 100; ++j) {
        auto* doc = req.add_documents();
        doc->set_client_ref("flood-" + std::to_string(i) + "-" + std::to_string(j));
        doc->set_content("flood " + std::to_string(i) + " " + std::to_string(j) + " " +
                         std::string(300, 'f'));
      }
      if (!flood->Write(req)) break;
      sent += 100;
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(8));
  const long rss_flooded = d_.RssKb();
  const int sent_then = sent.load();
  // A well-behaved client on its own connection still registers.
  auto receipts = Register(d_.addr(), ds, "meanwhile", 200);
  EXPECT_EQ(receipts.size(), 200u);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const long rss_after = d_.RssKb();
  flood_ctx.TryCancel();
  flooder.join();
  // The server took at most its bound of documents, plus what the
  // connection's windows hold, then stopped reading.
  EXPECT_LT(sent_then, 100000) << "the server kept reading a client that never reads";
  EXPECT_LT(rss_flooded - rss_before, 150 * 1024) << "kB: " << rss_before << " -> " << rss_flooded;
  EXPECT_LT(rss_after - rss_before, 150 * 1024) << "kB: " << rss_before << " -> " << rss_after;
}

// The second failure, through the CLI: a folder holding a file
// whose name is not UTF-8 was reported "sent 3, durable 1" with exit 0.
TEST_F(IntegrityTest, TheCliFailsWhenADocumentGetsNoReceipt) {
  ASSERT_TRUE(d_.Start()) << d_.Log();
  auto reg = v1::RegistryService::NewStub(testing::Channel(d_.addr()));
  std::string ds = testing::CreateDataset(reg.get(), "cli");
  ASSERT_FALSE(ds.empty());
  const std::string folder = dir_.Sub("corpus");
  std::filesystem::create_directories(folder);
  std::ofstream(folder + "/a.txt") << "the first file";
  std::ofstream(folder + "/b-\xff\xfe.txt") << "a file whose name is not UTF-8";
  std::ofstream(folder + "/c.txt") << "the third file";
  const std::string cmd = std::string(PROVLEDGER_CLI_PATH) + " --server " + d_.addr() +
                          " register --dataset-id " + ds + " " + folder + " > " +
                          dir_.Sub("cli-out") + " 2>&1";
  int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 0);
  std::ifstream out(dir_.Sub("cli-out"));
  std::string text((std::istreambuf_iterator<char>(out)), {});
  EXPECT_NE(text.find("client_ref is not valid UTF-8"), std::string::npos) << text;
}

// A full disk: appends are refused (never acknowledged), the registry
// reports NOT_SERVING, and once space is freed the server resumes by itself.
TEST(FullDiskTest, AppendsStopWhileTheDiskIsFullAndResumeWhenFreed) {
  TempDir dir;
  const std::string mnt = dir.Sub("small");
  // RocksDB resumes once the free space exceeds its largest memtable
  // (128 MB), as on a real disk: a 400 MB disk with 320 MB of ballast.
  SmallDisk disk(mnt, "size=400m");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << disk.error();
  // Ballast the test deletes to free the disk again.
  {
    std::ofstream ballast(mnt + "/ballast", std::ios::binary);
    std::string mb(1 << 20, 'b');
    for (int i = 0; i < 320; ++i) ballast << mb;
  }
  Daemon d(mnt + "/data", dir.Sub("log"));
  // No free-space reserve: this is the last line, RocksDB failing a write.
  d.set_extra_flags({"--no-near-duplicate-index", "--min-free-disk-mb", "0"});
  ASSERT_TRUE(d.Start()) << d.Log();
  auto reg = v1::RegistryService::NewStub(testing::Channel(d.addr()));
  std::string ds = testing::CreateDataset(reg.get(), "full");
  ASSERT_FALSE(ds.empty());
  EXPECT_EQ(Health(d.addr(), "provledger.v1.RegistryService"), 1);

  // Register until the disk is full and a stream fails. Varied words, so
  // each entry carries its ~4 KB of fingerprints.
  std::vector<v1::DocumentReceipt> acked;
  grpc::Status failed;
  uint64_t rng = 42;
  for (int round = 0; round < 200 && failed.ok(); ++round) {
    std::vector<testing::TestDoc> docs;
    for (int i = 0; i < 200; ++i) {
      std::string text;
      while (text.size() < 8000) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        text += "w" + std::to_string(rng >> 44) + " ";
      }
      docs.push_back({ds, "f" + std::to_string(round) + "-" + std::to_string(i), text});
    }
    failed = testing::RegisterAll(reg.get(), docs, &acked);
  }
  ASSERT_FALSE(failed.ok()) << "the disk never filled";
  EXPECT_EQ(failed.error_code(), grpc::StatusCode::UNAVAILABLE) << failed.error_message();
  // Refused while full: reported by health, and no receipt for what failed.
  const bool not_serving = RegistryHealthBecomes(d.addr(), 2, 50);
  EXPECT_TRUE(not_serving) << d.Log();
  EXPECT_EQ(Health(d.addr(), ""), 1);  // the server itself still answers reads
  const uint64_t size_full = TreeSize(d.addr());
  EXPECT_GE(size_full, acked.size() + 1);

  // Space comes back: the server resumes without a restart.
  std::filesystem::remove(mnt + "/ballast");
  const bool serving = RegistryHealthBecomes(d.addr(), 1, 300);
  ASSERT_TRUE(serving) << d.Log();
  std::vector<v1::DocumentReceipt> after;
  std::vector<testing::TestDoc> docs = {{ds, "after", "written after the disk was freed"}};
  grpc::Status s = testing::RegisterAll(reg.get(), docs, &after);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_GE(after[0].ledger_index(), size_full);

  // Everything acknowledged survives a crash and a restart with the checks.
  d.Kill(SIGKILL);
  d.set_extra_flags({"--no-near-duplicate-index", "--min-free-disk-mb", "0", "--check-full"});
  ASSERT_TRUE(d.Start()) << d.Log();
  auto ledger = v1::LedgerService::NewStub(testing::Channel(d.addr()));
  acked.push_back(after[0]);
  for (size_t i = 0; i < acked.size(); i += std::max<size_t>(1, acked.size() / 50)) {
    grpc::ClientContext ctx;
    v1::GetEntriesRequest req;
    req.set_start(acked[i].ledger_index());
    req.set_count(1);
    v1::GetEntriesResponse resp;
    ASSERT_TRUE(ledger->GetEntries(&ctx, req, &resp).ok());
    ASSERT_EQ(resp.entries_size(), 1);
    EXPECT_EQ(resp.entries(0).leaf_hash(), acked[i].leaf_hash());
  }
  EXPECT_GE(TreeSize(d.addr()), after[0].ledger_index() + 1);
}

// Before the disk is full: below the free-space reserve appends are
// refused (UNAVAILABLE, the registry NOT_SERVING) and accepted again once
// space is freed, without RocksDB ever failing a write.
TEST(FullDiskTest, AppendsPauseBelowTheFreeSpaceReserve) {
  TempDir dir;
  const std::string mnt = dir.Sub("small");
  SmallDisk disk(mnt, "size=96m");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << disk.error();
  Daemon d(mnt + "/data", dir.Sub("log"));
  d.set_extra_flags({"--no-near-duplicate-index", "--min-free-disk-mb", "48"});
  ASSERT_TRUE(d.Start()) << d.Log();
  auto reg = v1::RegistryService::NewStub(testing::Channel(d.addr()));
  std::string ds = testing::CreateDataset(reg.get(), "reserve");
  ASSERT_FALSE(ds.empty());
  EXPECT_EQ(Health(d.addr(), "provledger.v1.RegistryService"), 1);
  {
    std::ofstream ballast(mnt + "/ballast", std::ios::binary);
    std::string mb(1 << 20, 'b');
    for (int i = 0; i < 60; ++i) ballast << mb;
  }
  const bool not_serving = RegistryHealthBecomes(d.addr(), 2, 50);
  ASSERT_TRUE(not_serving) << d.Log();
  std::vector<v1::DocumentReceipt> r;
  grpc::Status s = testing::RegisterAll(reg.get(), {{ds, "paused", "while the disk is low"}}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(s.error_message().find("nearly full"), std::string::npos) << s.error_message();
  EXPECT_TRUE(r.empty());
  std::filesystem::remove(mnt + "/ballast");
  const bool serving = RegistryHealthBecomes(d.addr(), 1, 50);
  ASSERT_TRUE(serving) << d.Log();
  s = testing::RegisterAll(reg.get(), {{ds, "after", "once space was freed"}}, &r);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(r.size(), 1u);
  EXPECT_EQ(d.Log().find("storage still refuses"), std::string::npos) << d.Log();
}

}  // namespace
}  // namespace provledger
