#include "history/time_zone.h"

#include <cctype>

namespace beacon::history {

std::int64_t DaysFromCivil(int year, int month, int day) {
  // Howard Hinnant's days_from_civil.
  std::int64_t y = year - (month <= 2 ? 1 : 0);
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  std::int64_t yoe = y - era * 400;
  std::int64_t mp = (month + 9) % 12;
  std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::int64_t CivilSeconds(int year, int month, int day, int hour, int minute, int second) {
  return DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

namespace {

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Year of a CivilSeconds value.
int YearOf(std::int64_t civil_s) {
  std::int64_t z = (civil_s >= 0 ? civil_s : civil_s - 86399) / 86400 + 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool Eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  bool Name() {
    if (Eat('<')) {
      while (!done() && peek() != '>') ++i_;
      return Eat('>');
    }
    std::size_t start = i_;
    while (!done() && std::isalpha(static_cast<unsigned char>(peek()))) ++i_;
    return i_ - start >= 3;
  }
  bool Number(int& out, int max) {
    if (!std::isdigit(static_cast<unsigned char>(peek()))) return false;
    out = 0;
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      out = out * 10 + (s_[i_++] - '0');
      if (out > max) return false;
    }
    return true;
  }
  // [+-]hh[:mm[:ss]] in seconds.
  bool Offset(std::int32_t& out) {
    int sign = 1;
    if (Eat('-'))
      sign = -1;
    else
      Eat('+');
    int h = 0, m = 0, sec = 0;
    if (!Number(h, 167)) return false;
    if (Eat(':') && !Number(m, 59)) return false;
    if (Eat(':') && !Number(sec, 59)) return false;
    out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

Result<TimeZoneRule> TimeZoneRule::Parse(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Invalid("time zone rule \"" + std::string(text) + "\": " + why +
                       " (expected a POSIX TZ rule like \"PST8PDT,M3.2.0,M11.1.0\")",
                   "tz_rule");
  };
  TimeZoneRule z;
  z.text_ = std::string(text);
  Scanner s(text);
  if (!s.Name()) return bad("no standard time name of 3+ letters");
  std::int32_t off = 0;
  if (!s.Offset(off)) return bad("no UTC offset after the standard name");
  z.std_offset_s_ = -off;  // POSIX offsets are west-positive
  if (s.done()) return z;
  if (!s.Name()) return bad("bad daylight time name");
  z.has_dst_ = true;
  z.dst_offset_s_ = z.std_offset_s_ + 3600;
  if (s.peek() != ',') {
    if (!s.Offset(off)) return bad("bad daylight time offset");
    z.dst_offset_s_ = -off;
  }
  auto rule = [&](Rule& r) {
    if (!s.Eat(',') || !s.Eat('M')) return false;
    if (!s.Number(r.month, 12) || r.month < 1) return false;
    if (!s.Eat('.') || !s.Number(r.week, 5) || r.week < 1) return false;
    if (!s.Eat('.') || !s.Number(r.weekday, 6)) return false;
    if (s.Eat('/')) {
      std::int32_t t = 0;
      if (!s.Offset(t)) return false;
      r.time_s = t;
    }
    return true;
  };
  if (!rule(z.start_)) return bad("bad or missing start rule (only Mm.w.d[/time] is supported)");
  if (!rule(z.end_)) return bad("bad or missing end rule (only Mm.w.d[/time] is supported)");
  if (!s.done()) return bad("unexpected text at the end");
  return z;
}

std::int64_t TimeZoneRule::RuleLocal(const Rule& r, int year) const {
  // Day d (0 = Sunday) of week w (5 = last) of month m.
  std::int64_t first = DaysFromCivil(year, r.month, 1);
  int first_wday = static_cast<int>(((first % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  int day = 1 + (r.weekday - first_wday + 7) % 7 + (r.week - 1) * 7;
  while (day > DaysInMonth(year, r.month)) day -= 7;
  return (first + day - 1) * 86400 + r.time_s;
}

bool TimeZoneRule::DstAtLocal(std::int64_t local, int year) const {
  // The start rule is in standard wall time, the end rule in daylight wall
  // time. Daylight wall times run from start + save to end.
  std::int64_t save = dst_offset_s_ - std_offset_s_;
  std::int64_t start = RuleLocal(start_, year) + save;
  std::int64_t end = RuleLocal(end_, year);
  if (start < end) return local >= start && local < end;
  return local < end || local >= start;  // southern hemisphere
}

TimeMs TimeZoneRule::ToUtc(std::int64_t local) const {
  std::int32_t off = std_offset_s_;
  if (has_dst_ && DstAtLocal(local, YearOf(local))) off = dst_offset_s_;
  return (local - off) * 1000;
}

std::int32_t TimeZoneRule::OffsetAt(TimeMs utc) const {
  if (!has_dst_) return std_offset_s_;
  std::int64_t s = utc >= 0 ? utc / 1000 : (utc - 999) / 1000;
  // Daylight time when the moment, read in daylight wall time, falls in the
  // daylight range (the repeated hour then reads as its first, daylight, pass).
  std::int64_t as_dst = s + dst_offset_s_;
  std::int64_t save = dst_offset_s_ - std_offset_s_;
  int year = YearOf(as_dst);
  std::int64_t start = RuleLocal(start_, year) + save;
  std::int64_t end = RuleLocal(end_, year);
  bool dst = start < end ? (as_dst >= start && as_dst < end) : (as_dst < end || as_dst >= start);
  return dst ? dst_offset_s_ : std_offset_s_;
}

}  // namespace beacon::history
