#include "calibrate/fit.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace beacon::calibrate {
namespace {

// Solves A x = b (n x n, row-major) by Gaussian elimination with partial
// pivoting. A near-singular pivot gets a tiny ridge instead of failing: the
// callers' systems are normal equations, symmetric and positive
// semi-definite.
std::vector<double> Solve(std::vector<double> a, std::vector<double> b) {
  const size_t n = b.size();
  for (size_t i = 0; i < n; ++i) a[i * n + i] += 1e-9 * (1 + std::abs(a[i * n + i]));
  for (size_t col = 0; col < n; ++col) {
    size_t pivot = col;
    for (size_t r = col + 1; r < n; ++r) {
      if (std::abs(a[r * n + col]) > std::abs(a[pivot * n + col])) pivot = r;
    }
    if (pivot != col) {
      for (size_t k = 0; k < n; ++k) std::swap(a[col * n + k], a[pivot * n + k]);
      std::swap(b[col], b[pivot]);
    }
    double p = a[col * n + col];
    if (std::abs(p) < 1e-12) p = a[col * n + col] = 1e-12;
    for (size_t r = col + 1; r < n; ++r) {
      double f = a[r * n + col] / p;
      if (f == 0) continue;
      for (size_t k = col; k < n; ++k) a[r * n + k] -= f * a[col * n + k];
      b[r] -= f * b[col];
    }
  }
  std::vector<double> x(n, 0);
  for (size_t i = n; i-- > 0;) {
    double s = b[i];
    for (size_t k = i + 1; k < n; ++k) s -= a[i * n + k] * x[k];
    x[i] = s / a[i * n + i];
  }
  return x;
}

// A bounded, weighted, least-absolute-deviations regression
//   y_i ~ offset_i + sum_j theta_j x_ij,  lo_j <= theta_j <= hi_j,
// with an optional quadratic prior lambda_j (theta_j - prior_j)^2 whose
// strength is prior_samples average samples. IRLS: weights 1/max(|r|, 1 s).
struct Problem {
  std::vector<std::vector<double>> x;  // per sample, per parameter
  std::vector<double> y;
  std::vector<double> lo, hi, prior;
  std::vector<bool> has_prior;
  double prior_samples = 0;
  int iterations = 60;
};

std::vector<double> SolveBounded(const Problem& p, const std::vector<double>& w) {
  const size_t n = p.lo.size(), m = p.y.size();
  // Active set: parameters fixed at a bound, the others solved for.
  std::vector<int> fixed(n, 0);  // 0 free, -1 at lo, +1 at hi
  std::vector<double> theta(n, 0);
  for (size_t round = 0; round <= n; ++round) {
    std::vector<size_t> free;
    for (size_t j = 0; j < n; ++j) {
      if (fixed[j] == 0)
        free.push_back(j);
      else
        theta[j] = fixed[j] < 0 ? p.lo[j] : p.hi[j];
    }
    const size_t k = free.size();
    std::vector<double> a(k * k, 0), b(k, 0), xx_mean(k, 0);
    double wsum = 0;
    for (size_t i = 0; i < m; ++i) {
      double r = p.y[i];
      for (size_t j = 0; j < n; ++j) {
        if (fixed[j] != 0) r -= theta[j] * p.x[i][j];
      }
      for (size_t u = 0; u < k; ++u) {
        const double xu = p.x[i][free[u]];
        if (xu == 0) continue;
        b[u] += w[i] * xu * r;
        xx_mean[u] += w[i] * xu * xu;
        for (size_t v = 0; v < k; ++v) a[u * k + v] += w[i] * xu * p.x[i][free[v]];
      }
      wsum += w[i];
    }
    for (size_t u = 0; u < k; ++u) {
      if (!p.has_prior[free[u]] || wsum <= 0) continue;
      double lambda = p.prior_samples * xx_mean[u] / static_cast<double>(m);
      a[u * k + u] += lambda;
      b[u] += lambda * p.prior[free[u]];
    }
    std::vector<double> sol = k ? Solve(a, b) : std::vector<double>();
    // Fix the worst violation at its bound and solve again.
    double worst = 0;
    size_t worst_j = n;
    for (size_t u = 0; u < k; ++u) {
      const size_t j = free[u];
      theta[j] = sol[u];
      double over = std::max(p.lo[j] - sol[u], sol[u] - p.hi[j]);
      if (over > worst) worst = over, worst_j = j;
    }
    if (worst_j == n) break;
    fixed[worst_j] = theta[worst_j] < p.lo[worst_j] ? -1 : 1;
  }
  for (size_t j = 0; j < n; ++j) theta[j] = std::clamp(theta[j], p.lo[j], p.hi[j]);
  return theta;
}

std::vector<double> SolveL1(const Problem& p) {
  const size_t m = p.y.size();
  std::vector<double> w(m, 1.0);
  std::vector<double> theta = SolveBounded(p, w);
  for (int it = 0; it < p.iterations; ++it) {
    for (size_t i = 0; i < m; ++i) {
      double pred = 0;
      for (size_t j = 0; j < theta.size(); ++j) pred += theta[j] * p.x[i][j];
      w[i] = 1.0 / std::max(std::abs(p.y[i] - pred), 1.0);
    }
    std::vector<double> next = SolveBounded(p, w);
    double change = 0;
    for (size_t j = 0; j < theta.size(); ++j)
      change = std::max(change, std::abs(next[j] - theta[j]));
    theta = std::move(next);
    if (change < 1e-6) break;
  }
  return theta;
}

}  // namespace

double Sample::ProfileS() const { return std::accumulate(class_s.begin(), class_s.end(), 0.0); }

double FitResult::Predict(const Sample& s) const {
  double t = fixed_s;
  for (size_t c = 0; c < s.class_s.size(); ++c) {
    double f = c < classes.size() ? classes[c].factor : global_factor;
    t += f * s.class_s[c];
  }
  return t;
}

FitResult Fit(const std::vector<Sample>& samples, size_t classes, const FitOptions& o) {
  FitResult r;
  r.samples = static_cast<std::int64_t>(samples.size());
  r.classes.assign(classes, ClassFactor{});
  for (const auto& s : samples) {
    for (size_t c = 0; c < classes && c < s.class_s.size(); ++c) {
      if (s.class_s[c] >= o.class_min_s) ++r.classes[c].support;
    }
  }
  if (samples.size() < static_cast<size_t>(std::max(o.min_samples, 2))) {
    r.profile_only = true;
    return r;
  }
  // The one-factor fit: travel = fixed + g * profile.
  Problem global;
  global.lo = {0, o.factor_min};
  global.hi = {o.fixed_max_s, o.factor_max};
  global.prior = {0, 1};
  global.has_prior = {false, false};
  global.iterations = o.iterations;
  for (const auto& s : samples) {
    global.x.push_back({1.0, s.ProfileS()});
    global.y.push_back(s.actual_s);
  }
  auto g = SolveL1(global);
  r.fixed_s = g[0];
  r.global_factor = g[1];
  for (auto& c : r.classes) c.factor = r.global_factor;

  // Classes with enough support get their own factor; the others keep the
  // global one (an offset in the per-class fit).
  std::vector<size_t> fit;
  for (size_t c = 0; c < classes; ++c) {
    if (r.classes[c].support >= o.min_class_support) fit.push_back(c);
  }
  if (fit.empty()) return r;
  Problem p;
  p.lo.push_back(0);
  p.hi.push_back(o.fixed_max_s);
  p.prior.push_back(0);
  p.has_prior.push_back(false);
  for (size_t k = 0; k < fit.size(); ++k) {
    p.lo.push_back(o.factor_min);
    p.hi.push_back(o.factor_max);
    p.prior.push_back(r.global_factor);
    p.has_prior.push_back(true);
  }
  p.prior_samples = o.prior_samples;
  p.iterations = o.iterations;
  for (const auto& s : samples) {
    std::vector<double> x(fit.size() + 1, 0.0);
    x[0] = 1;
    double offset = 0;
    std::vector<bool> in_fit(classes, false);
    for (size_t k = 0; k < fit.size(); ++k) {
      in_fit[fit[k]] = true;
      if (fit[k] < s.class_s.size()) x[k + 1] = s.class_s[fit[k]];
    }
    for (size_t c = 0; c < s.class_s.size(); ++c) {
      if (c >= classes || !in_fit[c]) offset += r.global_factor * s.class_s[c];
    }
    p.x.push_back(std::move(x));
    p.y.push_back(s.actual_s - offset);
  }
  auto theta = SolveL1(p);
  r.fixed_s = theta[0];
  for (size_t k = 0; k < fit.size(); ++k) {
    r.classes[fit[k]].factor = theta[k + 1];
    r.classes[fit[k]].fitted = true;
  }
  return r;
}

ErrorStats Errors(const std::vector<double>& predicted, const std::vector<double>& actual) {
  ErrorStats e;
  std::vector<double> err, abs_err;
  for (size_t i = 0; i < predicted.size() && i < actual.size(); ++i) {
    err.push_back(predicted[i] - actual[i]);
    abs_err.push_back(std::abs(predicted[i] - actual[i]));
  }
  e.count = static_cast<std::int64_t>(err.size());
  e.median_abs_s = Quantile(abs_err, 0.5);
  e.p90_abs_s = Quantile(abs_err, 0.9);
  e.bias_median_s = Quantile(err, 0.5);
  e.bias_mean_s =
      err.empty() ? std::nan("")
                  : std::accumulate(err.begin(), err.end(), 0.0) / static_cast<double>(err.size());
  return e;
}

CrossValidation CrossValidate(std::vector<Sample> samples, size_t classes, int folds,
                              const FitOptions& options) {
  CrossValidation cv;
  std::stable_sort(samples.begin(), samples.end(),
                   [](const Sample& a, const Sample& b) { return a.at < b.at; });
  const size_t n = samples.size();
  cv.folds = static_cast<int>(
      std::clamp<size_t>(static_cast<size_t>(std::max(folds, 2)), 2, std::max<size_t>(n, 2)));
  std::vector<double> before, after, actual;
  for (int f = 0; f < cv.folds && n > 0; ++f) {
    const size_t begin = n * static_cast<size_t>(f) / static_cast<size_t>(cv.folds);
    const size_t end = n * static_cast<size_t>(f + 1) / static_cast<size_t>(cv.folds);
    std::vector<Sample> train;
    train.reserve(n - (end - begin));
    for (size_t i = 0; i < n; ++i) {
      if (i < begin || i >= end) train.push_back(samples[i]);
    }
    FitResult fit = Fit(train, classes, options);
    for (size_t i = begin; i < end; ++i) {
      before.push_back(samples[i].ProfileS());
      after.push_back(fit.Predict(samples[i]));
      actual.push_back(samples[i].actual_s);
    }
  }
  cv.before = Errors(before, actual);
  cv.after = Errors(after, actual);
  return cv;
}

}  // namespace beacon::calibrate
