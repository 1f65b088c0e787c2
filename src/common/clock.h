// Time source behind an interface so tests and replays can inject time.
// Implementations must be thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace beacon {

// Milliseconds since the Unix epoch, UTC. All stored times use this.
using TimeMs = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimeMs Now() const override;
};

// A clock tests move by hand. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start) : now_(start) {}
  TimeMs Now() const override { return now_; }
  void Advance(TimeMs ms) { now_ += ms; }
  void Set(TimeMs ms) { now_ = ms; }

 private:
  std::atomic<TimeMs> now_;
};

// RFC 3339 "2024-05-01T12:00:00Z" / "...+02:00" / fractional seconds.
// Returns nullopt for anything else, including impossible dates.
std::optional<TimeMs> ParseRfc3339(std::string_view text);
// Formats as UTC with millisecond precision: "2024-05-01T12:00:00.000Z".
std::string FormatRfc3339(TimeMs t);

}  // namespace beacon
