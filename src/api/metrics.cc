#include "api/metrics.h"

#include <fmt/format.h>

namespace beacon::api {

std::string_view Metrics::MethodLabel(std::string_view method) {
  for (std::string_view m : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
    if (method == m) return m;
  }
  return "other";
}

void Metrics::Observe(const std::string& route, const std::string& method, int status,
                      double seconds) {
  std::string label(MethodLabel(method));
  std::lock_guard lock(mu_);
  ++requests_[{route, label, status}];
  auto& h = latency_[{route, label}];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::WebSocketClients(int delta) {
  std::lock_guard lock(mu_);
  ws_clients_ += delta;
}

std::string Metrics::Render(const service::CenterStats& stats) const {
  std::string out;
  std::lock_guard lock(mu_);
  out += "# HELP beacon_http_requests_total HTTP requests by route, method and status.\n";
  out += "# TYPE beacon_http_requests_total counter\n";
  for (const auto& [k, n] : requests_) {
    out +=
        fmt::format("beacon_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                    std::get<0>(k), std::get<1>(k), std::get<2>(k), n);
  }
  out += "# HELP beacon_http_request_duration_seconds Time from request read to response queued.\n";
  out += "# TYPE beacon_http_request_duration_seconds histogram\n";
  for (const auto& [k, h] : latency_) {
    std::string labels = fmt::format("route=\"{}\",method=\"{}\"", k.first, k.second);
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += fmt::format("beacon_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels,
                         kBuckets[i], h.buckets[i]);
    }
    out += fmt::format("beacon_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels,
                       h.count);
    out += fmt::format("beacon_http_request_duration_seconds_sum{{{}}} {}\n", labels, h.sum);
    out += fmt::format("beacon_http_request_duration_seconds_count{{{}}} {}\n", labels, h.count);
  }
  out += "# HELP beacon_calls_total Calls taken since the data directory was created.\n";
  out += "# TYPE beacon_calls_total counter\n";
  out += fmt::format("beacon_calls_total {}\n", stats.calls);
  out += "# HELP beacon_open_incidents Incidents currently open.\n";
  out += "# TYPE beacon_open_incidents gauge\n";
  out += fmt::format("beacon_open_incidents {}\n", stats.open_incidents);
  out += "# HELP beacon_units Units known.\n# TYPE beacon_units gauge\n";
  out += fmt::format("beacon_units {}\n", stats.units);
  out += "# HELP beacon_event_seq Last event sequence number.\n# TYPE beacon_event_seq gauge\n";
  out += fmt::format("beacon_event_seq {}\n", stats.last_seq);
  out += "# HELP beacon_websocket_clients Connected stream clients.\n";
  out += "# TYPE beacon_websocket_clients gauge\n";
  out += fmt::format("beacon_websocket_clients {}\n", ws_clients_);
  return out;
}

}  // namespace beacon::api
