#include "correlate/duplicate_detector.h"

#include <cmath>
#include <cstdio>

namespace beacon::correlate {

std::string DescribeMatch(double distance_m, double minutes, const std::string& category_a,
                          const std::string& category_b) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%.0f m from the incident, %.1f min after its last call, %s",
                distance_m, std::fabs(minutes),
                category_a == category_b
                    ? ("same category (" + category_a + ")").c_str()
                    : ("compatible categories (" + category_a + " / " + category_b + ")").c_str());
  return buf;
}

}  // namespace beacon::correlate
