// Thread names as the kernel reports them: set, and cut at 15 bytes.
#include "provledger/thread_name.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace provledger {
namespace {

std::string NameOf(std::thread& t) {
  char name[64] = {};
  EXPECT_EQ(pthread_getname_np(t.native_handle(), name, sizeof name), 0);
  return name;
}

TEST(ThreadNameTest, NamesTheCallingThreadAndCutsLongNames) {
  for (const std::string& want :
       {std::string("pl-test"), std::string("pl-a-name-longer-than-15")}) {
    bool named = false;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::thread t([&] {
      NameThisThread(want);
      std::unique_lock<std::mutex> lock(mu);
      named = true;
      cv.notify_all();
      cv.wait(lock, [&] { return done; });
    });
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return named; });
    }
    EXPECT_EQ(NameOf(t), want.substr(0, 15));
    {
      std::lock_guard<std::mutex> lock(mu);
      done = true;
    }
    cv.notify_all();
    t.join();
  }
}

}  // namespace
}  // namespace provledger
