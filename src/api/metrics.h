// Metrics: request counters and latency histograms in Prometheus text
// format (exposition format 0.0.4). Thread-safe.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "service/center.h"

namespace beacon::api {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    2.5};
  // `method` is counted under MethodLabel(method).
  void Observe(const std::string& route, const std::string& method, int status, double seconds);
  // The closed set of method labels: GET, POST, PUT, PATCH, DELETE, HEAD,
  // OPTIONS, and "other" for anything else (a client choosing method names
  // must not grow the metrics).
  static std::string_view MethodLabel(std::string_view method);
  void WebSocketClients(int delta);
  std::string Render(const service::CenterStats& stats) const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
  std::int64_t ws_clients_ = 0;
};

}  // namespace beacon::api
