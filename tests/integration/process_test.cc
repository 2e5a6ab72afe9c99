// provledgerd as a real process: SIGKILL in the middle of a registration
// stream loses nothing acknowledged; SIGTERM stops cleanly; a tampered ledger
// is refused at start.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "daemon.h"
#include "grpc_test_util.h"
#include "provledger/encoding.h"
#include "provledger/entry.h"
#include "provledger/merkle.h"
#include "provledger/note.h"
#include "provledger/sha256.h"
#include "provledger/storage.h"
#include "test_util.h"

namespace provledger {
namespace {

using testing::Daemon;
using testing::TempDir;
using testing::ValueOrDie;

struct Acked {
  std::string ref;
  std::string content_id;
  uint64_t index;
  std::string leaf_hash;
};

// Streams documents until the server dies, recording every receipt and the
// newest checkpoint seen. SIGKILLs the server after `kill_after` receipts.
void StreamUntilKilled(Daemon* d, const std::string& ds, int round, size_t kill_after,
                       std::vector<Acked>* acked, std::string* last_note) {
  auto stub = v1::RegistryService::NewStub(testing::Channel(d->addr()));
  grpc::ClientContext ctx;
  auto stream = stub->RegisterDocuments(&ctx);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop && i < 2000000; ++i) {
      v1::RegisterDocumentsRequest req;
      req.set_dataset_id(ds);
      req.mutable_document()->set_client_ref("r" + std::to_string(round) + "-" + std::to_string(i));
      req.mutable_document()->set_content("round " + std::to_string(round) + " document " +
                                          std::to_string(i) + std::string(1000, 'x'));
      if (!stream->Write(req)) break;
    }
  });
  v1::RegisterDocumentsResponse resp;
  size_t seen = 0;
  bool killed = false;
  while (stream->Read(&resp)) {
    for (const auto& r : resp.receipts()) {
      acked->push_back({r.client_ref(), r.content_id(), r.ledger_index(), r.leaf_hash()});
    }
    *last_note = resp.checkpoint();
    seen += resp.receipts_size();
    if (!killed && seen >= kill_after) {
      d->Kill(SIGKILL);  // mid-stream: more documents are in flight
      killed = true;
    }
  }
  stop = true;
  ctx.TryCancel();
  writer.join();
  stream->Finish();
  ASSERT_TRUE(killed);
}

TEST(ProcessTest, SigkillMidStreamLosesNothingAcknowledged) {
  TempDir dir;
  Daemon d(dir.Sub("data"), dir.Sub("log"));
  ASSERT_TRUE(d.Start()) << d.Log();
  auto reg = v1::RegistryService::NewStub(testing::Channel(d.addr()));
  std::string dataset_id = testing::CreateDataset(reg.get(), "crash");
  ASSERT_FALSE(dataset_id.empty());

  std::vector<Acked> acked;
  std::string last_note;
  std::string vkey_text;
  for (int round = 0; round < 3; ++round) {
    if (round > 0) {
      ASSERT_TRUE(d.Start()) << d.Log();
    }
    StreamUntilKilled(&d, dataset_id, round, 3000 + 2000 * round, &acked, &last_note);
    ASSERT_TRUE(WIFSIGNALED(d.exit_status()));

    // Restart and check everything acknowledged so far.
    ASSERT_TRUE(d.Start()) << d.Log();
    auto ledger = v1::LedgerService::NewStub(testing::Channel(d.addr()));
    grpc::ClientContext cc;
    v1::GetCheckpointResponse cp;
    ASSERT_TRUE(ledger->GetCheckpoint(&cc, v1::GetCheckpointRequest(), &cp).ok());
    NoteVerifierKey key = ValueOrDie(ParseVerifierKey(cp.verifier_key()));
    if (round == 0) vkey_text = cp.verifier_key();
    EXPECT_EQ(cp.verifier_key(), vkey_text);
    provledger::Checkpoint now = ValueOrDie(VerifyCheckpoint(cp.note(), key));
    provledger::Checkpoint seen = ValueOrDie(VerifyCheckpoint(last_note, key));
    ASSERT_GE(now.size, seen.size);

    // No fork: the last checkpoint a client saw is a prefix of the new one.
    grpc::ClientContext pc;
    v1::GetConsistencyProofRequest preq;
    preq.set_from_size(seen.size);
    preq.set_to_size(now.size);
    v1::GetConsistencyProofResponse presp;
    ASSERT_TRUE(ledger->GetConsistencyProof(&pc, preq, &presp).ok());
    std::vector<std::string> cons(presp.hashes().begin(), presp.hashes().end());
    PL_ASSERT_OK(
        merkle::VerifyConsistency(seen.size, now.size, seen.root_hash, now.root_hash, cons));

    // Every acknowledged entry is present, unchanged, and provable.
    for (size_t i = 0; i < acked.size(); i += 1) {
      const Acked& a = acked[i];
      ASSERT_LT(a.index, now.size);
      if (i % 25 != 0 && i + 1 != acked.size()) continue;  // proofs for a sample
      grpc::ClientContext ic;
      v1::GetInclusionProofRequest ireq;
      ireq.set_index(a.index);
      ireq.set_tree_size(now.size);
      v1::GetInclusionProofResponse iresp;
      ASSERT_TRUE(ledger->GetInclusionProof(&ic, ireq, &iresp).ok());
      ASSERT_EQ(iresp.leaf_hash(), a.leaf_hash);
      std::vector<std::string> path(iresp.hashes().begin(), iresp.hashes().end());
      PL_ASSERT_OK(merkle::VerifyInclusion(a.index, now.size, a.leaf_hash, path, now.root_hash));
      DocumentEntry e = ValueOrDie(AsDocumentEntry(ValueOrDie(DecodeEntry(iresp.entry_data()))));
      ASSERT_EQ(e.client_ref, a.ref);
      ASSERT_EQ(e.content_id, a.content_id);
    }
    // And every acknowledged leaf hash, checked in pages.
    for (size_t i = 0; i < acked.size(); i += 1000) {
      grpc::ClientContext ec;
      v1::GetEntriesRequest ereq;
      ereq.set_start(acked[i].index);
      ereq.set_count(1000);
      v1::GetEntriesResponse eresp;
      ASSERT_TRUE(ledger->GetEntries(&ec, ereq, &eresp).ok());
      for (size_t j = i; j < acked.size() && j < i + 1000; ++j) {
        uint64_t off = acked[j].index - acked[i].index;
        if (off >= static_cast<uint64_t>(eresp.entries_size())) break;
        ASSERT_EQ(eresp.entries(off).leaf_hash(), acked[j].leaf_hash) << "entry " << acked[j].index;
      }
    }
    d.Kill(SIGKILL);
  }
  EXPECT_GT(acked.size(), 10000u);
}

TEST(ProcessTest, SigtermStopsCleanlyAndTamperingIsRefused) {
  TempDir dir;
  Daemon d(dir.Sub("data"), dir.Sub("log"));
  ASSERT_TRUE(d.Start()) << d.Log();
  {
    // Clients disconnect first: an idle connection held open would only
    // delay the server's graceful shutdown (bounded at 10 s).
    auto reg = v1::RegistryService::NewStub(testing::Channel(d.addr()));
    std::string dataset_id = testing::CreateDataset(reg.get(), "tamper");
    std::vector<v1::DocumentReceipt> receipts;
    std::vector<testing::TestDoc> docs;
    for (int i = 0; i < 10; ++i) {
      docs.push_back({dataset_id, std::to_string(i), "doc " + std::to_string(i)});
    }
    ASSERT_TRUE(testing::RegisterAll(reg.get(), docs, &receipts).ok());
  }
  d.Kill(SIGTERM);
  ASSERT_TRUE(WIFEXITED(d.exit_status())) << d.Log();
  EXPECT_EQ(WEXITSTATUS(d.exit_status()), 0);
  EXPECT_NE(d.Log().find("stopped cleanly"), std::string::npos);
  EXPECT_NE(d.Log().find("tree_size=0"), std::string::npos);  // the start line

  // The key file was created private.
  struct stat st;
  ASSERT_EQ(stat(dir.Sub("data/keys/signing-key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  // Forge a right-edge node (leaves 8..9 of 11) behind the server's back:
  // the root recomputed at start no longer matches the signed checkpoint.
  std::string node_key = std::string(1, '\1') + U64BE(4);
  std::string original;
  {
    auto db = ValueOrDie(OpenRocksDbStorage(dir.Sub("data/db"), {}));
    original = *ValueOrDie(db->Get(Column::kTree, node_key));
    WriteBatch b;
    b.Put(Column::kTree, node_key, merkle::HashLeaf("forged"));
    PL_ASSERT_OK(db->Write(b, true));
  }
  EXPECT_FALSE(d.Start());
  ASSERT_TRUE(WIFEXITED(d.exit_status()));
  EXPECT_EQ(WEXITSTATUS(d.exit_status()), 1);
  EXPECT_NE(d.Log().find("refusing to start"), std::string::npos) << d.Log();

  // Restore it and forge an interior leaf instead: the O(log n) start check
  // cannot see it, --check-full (every leaf recomputed) must.
  {
    auto db = ValueOrDie(OpenRocksDbStorage(dir.Sub("data/db"), {}));
    WriteBatch b;
    b.Put(Column::kTree, node_key, original);
    b.Put(Column::kEntries, U64BE(3), "forged entry");
    PL_ASSERT_OK(db->Write(b, true));
  }
  d.set_extra_flag("--check-full");
  EXPECT_FALSE(d.Start());
  ASSERT_TRUE(WIFEXITED(d.exit_status()));
  EXPECT_EQ(WEXITSTATUS(d.exit_status()), 1);
  EXPECT_NE(d.Log().find("entry 3 does not hash to its stored leaf"), std::string::npos) << d.Log();
}

}  // namespace
}  // namespace provledger
