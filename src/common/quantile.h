// Quantiles of a sample, linearly interpolated between order statistics
// (the "type 7" definition of R and NumPy's default). Pure; thread-safe.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace beacon {

// q in [0, 1]; NaN when `v` is empty.
inline double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  double pos = q * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

}  // namespace beacon
