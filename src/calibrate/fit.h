// The travel-time fit of `beacon calibrate` (docs/calibration.md): from
// responses whose origin and real travel time are known, a fixed time plus
// one speed factor per road class,
//
//   travel_s = fixed_s + sum over classes c of factor_c * profile_s_c
//
// (profile_s_c: the seconds the routing profile gives the route on roads of
// class c), fitted by least absolute deviations (iteratively reweighted
// least squares), each class factor shrunk towards the one global factor,
// bounded, and left at the global factor where a class has too little
// support. Pure functions of their inputs; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/quantile.h"

namespace beacon::calibrate {

// One response: where the route went and how long it really took.
struct Sample {
  std::vector<double> class_s;  // profile seconds per road class of the graph
  double actual_s = 0;          // en route -> on scene
  TimeMs at = 0;                // dispatch time (orders the folds)
  std::int64_t line = 0;        // first row of the response in the export
  std::string unit_id;
  std::string origin;  // "station" or "previous_call"
  double ProfileS() const;
};

struct FitOptions {
  double factor_min = 0.5;  // bounds of every factor
  double factor_max = 3.0;
  double fixed_max_s = 300;    // the fixed term is in [0, fixed_max_s]
  int min_samples = 30;        // fewer: the profile as it is (factors 1, fixed 0)
  int min_class_support = 30;  // samples spending >= class_min_s on a class to fit it
  double class_min_s = 20;
  double prior_samples = 5;  // shrinkage of class factors towards the global one
  int iterations = 60;       // IRLS iterations
};

struct ClassFactor {
  double factor = 1;
  std::int64_t support = 0;  // samples with >= class_min_s on the class
  bool fitted = false;       // false: the global factor (too little support)
};

struct FitResult {
  double fixed_s = 0;
  double global_factor = 1;          // the one-factor fit, used for thin classes
  std::vector<ClassFactor> classes;  // per road class
  std::int64_t samples = 0;
  bool profile_only = false;  // too few samples: factors 1, fixed 0
  double Predict(const Sample& s) const;
};

FitResult Fit(const std::vector<Sample>& samples, size_t classes, const FitOptions& options = {});

// Error figures of predictions against actual times (error = predicted -
// actual; negative: optimistic). Quantiles interpolate linearly.
struct ErrorStats {
  std::int64_t count = 0;
  double median_abs_s = 0;
  double p90_abs_s = 0;
  double bias_median_s = 0;
  double bias_mean_s = 0;
};
ErrorStats Errors(const std::vector<double>& predicted, const std::vector<double>& actual);

// K-fold cross-validation over `samples` in time order (fold j holds the
// j-th contiguous block, so a fold is never predicted from responses of the
// same hours): `before` is the profile, `after` the fit on the other folds.
struct CrossValidation {
  int folds = 0;
  ErrorStats before, after;
};
CrossValidation CrossValidate(std::vector<Sample> samples, size_t classes, int folds,
                              const FitOptions& options = {});

}  // namespace beacon::calibrate
