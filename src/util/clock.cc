#include "provledger/clock.h"

#include <chrono>

namespace provledger {
namespace {

class RealClock final : public Clock {
 public:
  int64_t NowMicros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

const Clock* SystemClock() {
  static const RealClock* clock = new RealClock();
  return clock;
}

}  // namespace provledger
