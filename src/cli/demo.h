// The demo city and its traffic: stations and units laid out over a
// generated city, and a background generator that takes calls at a
// realistic, varying rate and plays the dispatcher and crews (assign the
// recommendation, move through statuses, close), all through the Center
// like real users would. Owns its thread; Stop() joins it.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "service/center.h"

namespace beacon::cli {

// Creates the demo stations, units and cameras (idempotent: existing ids
// and camera names are kept).
Status SeedDemoCity(service::Center& center);

class DemoTraffic {
 public:
  // `pace` scales every wait of the simulated users (1: as documented).
  DemoTraffic(service::Center& center, std::uint64_t seed, double calls_per_min, double pace = 1);
  ~DemoTraffic();
  void Start();
  void Stop();

 private:
  void Run();
  service::Center& center_;
  std::uint64_t seed_;
  double calls_per_min_;
  double pace_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace beacon::cli
