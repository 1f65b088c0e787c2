// Local civil time -> UTC for a time zone given as a POSIX TZ rule, the form
// a TZif file carries in its footer ("PST8PDT,M3.2.0,M11.1.0" for
// America/Los_Angeles since 2007). Pure; thread-safe after construction.
//
// Supported: std name + offset, optional DST name + offset (default one
// hour ahead) and "Mm.w.d[/time]" start/end rules (time default 02:00).
// Ambiguous local times (the repeated hour when DST ends) resolve to the
// first occurrence (daylight time); times in the skipped hour when DST
// starts are read with the standard offset (so 02:30 becomes 03:30 daylight
// time). See docs/replay.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace beacon::history {

// Seconds since 1970-01-01 of a civil date-time read as if it were UTC.
std::int64_t CivilSeconds(int year, int month, int day, int hour, int minute, int second);
// Days since 1970-01-01 of a civil date (proleptic Gregorian).
std::int64_t DaysFromCivil(int year, int month, int day);

class TimeZoneRule {
 public:
  static Result<TimeZoneRule> Parse(std::string_view posix_tz);
  // UTC milliseconds of a local wall-clock time given as CivilSeconds.
  TimeMs ToUtc(std::int64_t local_civil_s) const;
  // Offset from UTC (seconds, e.g. -25200 for PDT) in force at a UTC time.
  std::int32_t OffsetAt(TimeMs utc) const;
  const std::string& text() const { return text_; }

 private:
  struct Rule {
    int month = 0, week = 0, weekday = 0;  // Mm.w.d
    std::int32_t time_s = 7200;
  };
  // Local wall-clock seconds (CivilSeconds) of the rule's moment in `year`.
  std::int64_t RuleLocal(const Rule& r, int year) const;
  bool DstAtLocal(std::int64_t local_civil_s, int year) const;

  std::string text_;
  std::int32_t std_offset_s_ = 0;  // added to UTC to get local standard time
  std::int32_t dst_offset_s_ = 0;
  bool has_dst_ = false;
  Rule start_, end_;
};

}  // namespace beacon::history
