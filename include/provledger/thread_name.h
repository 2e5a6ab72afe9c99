// Names the calling thread, so `top -H`, `perf` and debuggers tell the
// server's threads apart (the ledger's committer and syncer, the posting
// index's reader, writer and merger).
//
// Linux keeps 15 bytes of a name; a longer one is cut there. Best effort:
// a platform without thread names leaves the thread unnamed.
#ifndef PROVLEDGER_THREAD_NAME_H_
#define PROVLEDGER_THREAD_NAME_H_

#include <string_view>

namespace provledger {

void NameThisThread(std::string_view name);

}  // namespace provledger

#endif  // PROVLEDGER_THREAD_NAME_H_
