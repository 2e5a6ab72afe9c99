// Time seam: production code asks a Clock, tests pass a fake.
#ifndef PROVLEDGER_CLOCK_H_
#define PROVLEDGER_CLOCK_H_

#include <cstdint>

namespace provledger {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch (UTC). Thread-safe.
  virtual int64_t NowMicros() const = 0;
};

// The system's real-time clock. A process-wide singleton; never freed.
const Clock* SystemClock();

}  // namespace provledger

#endif  // PROVLEDGER_CLOCK_H_
