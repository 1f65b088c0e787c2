#include "cli/demo.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <map>
#include <random>

#include "common/log.h"

namespace beacon::cli {
namespace {

using nlohmann::json;

// A generated city laid over south-central San Francisco so that the same
// coordinates work once the road graph of that area is loaded.
constexpr LatLon kCenter{37.7525, -122.4150};
constexpr double kStationSpacingDeg = 0.016;  // ~1.8 km north-south

const service::Actor kSupervisor{"demo-supervisor", model::Role::kSupervisor, "demo"};
const service::Actor kCallTaker{"demo-call-taker", model::Role::kCallTaker, "demo"};
const service::Actor kDispatcher{"demo-dispatcher", model::Role::kDispatcher, "demo"};

Result<json> Wait(const std::function<void(service::Done)>& op) {
  std::promise<Result<json>> p;
  auto f = p.get_future();
  op([&p](Result<json> r) { p.set_value(std::move(r)); });
  return f.get();
}

// Runs a simulated user's action; a refusal (a unit taken meanwhile) is
// normal in the simulation and only logged.
void Try(const std::function<void(service::Done)>& op, const char* what) {
  auto r = Wait(op);
  if (!r) Log(Level::kDebug, "demo.refused", {{"action", what}, {"message", r.error().message()}});
}

struct TypeWeight {
  const char* code;
  double weight;
};
constexpr TypeWeight kMix[] = {
    {"MEDICAL", 40},       {"MEDICAL_MINOR", 12}, {"TRAFFIC_COLLISION", 10}, {"FIRE_ALARM", 9},
    {"CARDIAC_ARREST", 3}, {"STRUCTURE_FIRE", 3}, {"VEHICLE_FIRE", 3},       {"OUTSIDE_FIRE", 3},
    {"GAS_LEAK", 3},       {"TRAFFIC_HAZARD", 5}, {"BURGLARY_ALARM", 5},     {"ELEVATOR_RESCUE", 2},
    {"PUBLIC_SERVICE", 2},
};

LatLon Offset(LatLon p, double north_m, double east_m) {
  return {p.lat + north_m / 111320.0, p.lon + east_m / (111320.0 * std::cos(p.lat * M_PI / 180))};
}

}  // namespace

Status SeedDemoCity(service::Center& center) {
  auto have_units = center.ListUnits()["units"];
  auto have_stations = center.ListStations()["stations"];
  auto exists = [](const json& arr, const char* key, const std::string& id) {
    for (const auto& x : arr) {
      if (x[key] == id) return true;
    }
    return false;
  };
  int n = 0;
  for (int row = -1; row <= 1; ++row) {
    for (int col = -1; col <= 1; ++col) {
      ++n;
      std::string sid = "S" + std::to_string(n);
      LatLon where{kCenter.lat + row * kStationSpacingDeg,
                   kCenter.lon + col * kStationSpacingDeg * 1.3};
      if (!exists(have_stations, "station_id", sid)) {
        auto r = Wait([&](service::Done d) {
          center.CreateStation(kSupervisor,
                               {StationId{sid}, "Demo Station " + std::to_string(n), where},
                               std::move(d));
        });
        if (!r) return r.error();
      }
      std::vector<std::pair<std::string, std::string>> units = {{"E" + std::to_string(n), "engine"},
                                                                {"M" + std::to_string(n), "medic"}};
      if (n % 2 == 1) units.push_back({"T" + std::to_string(n), "truck"});
      if (n % 2 == 0) units.push_back({"A" + std::to_string(n), "bls"});
      if (n == 5) units.push_back({"B1", "chief"});
      if (n == 1) units.push_back({"R1", "rescue"});
      if (n == 9) units.push_back({"HM1", "hazmat"});
      if (n == 3) units.push_back({"FB1", "boat"});
      for (auto& [uid, type] : units) {
        if (exists(have_units, "unit_id", uid)) continue;
        auto r = Wait([&](service::Done d) {
          center.CreateUnit(kSupervisor, {UnitId{uid}, type, StationId{sid}, std::nullopt},
                            std::move(d));
        });
        if (!r) return r.error();
      }
    }
  }
  for (int i = 1; i <= 6; ++i) {
    std::string uid = "P" + std::to_string(i);
    if (exists(have_units, "unit_id", uid)) continue;
    LatLon where = Offset(kCenter, (i % 3 - 1) * 1500.0, (i % 2 ? -1 : 1) * 1200.0);
    auto r = Wait([&](service::Done d) {
      center.CreateUnit(kSupervisor, {UnitId{uid}, "patrol", std::nullopt, where}, std::move(d));
    });
    if (!r) return r.error();
  }
  // Traffic cameras at real intersections of the demo area. Their stream
  // URLs are placeholders under the reserved .example domain (RFC 2606):
  // nothing answers there, and Beacon never fetches them itself.
  struct DemoCamera {
    const char* name;
    const char* slug;
    LatLon where;
  };
  constexpr DemoCamera kCameras[] = {
      {"Mission St & Cesar Chavez St", "mission-cesar-chavez", {37.74815, -122.41814}},
      {"Valencia St & 24th St", "valencia-24th", {37.75228, -122.42060}},
      {"Potrero Ave & 24th St", "potrero-24th", {37.75302, -122.40652}},
      {"Guerrero St & Cesar Chavez St", "guerrero-cesar-chavez", {37.74791, -122.42295}},
      {"Mission St & 30th St", "mission-30th", {37.74236, -122.42218}},
      {"Bayshore Blvd & Cesar Chavez St", "bayshore-cesar-chavez", {37.74937, -122.40442}},
  };
  auto have_cameras = center.ListCameras()["cameras"];
  for (const auto& cam : kCameras) {
    if (exists(have_cameras, "name", cam.name)) continue;
    auto r = Wait([&](service::Done d) {
      center.CreateCamera(
          kSupervisor,
          {cam.name, cam.where, std::string("https://cameras.example/demo/") + cam.slug + ".m3u8"},
          std::move(d));
    });
    if (!r) return r.error();
  }
  // The hospitals of the area, for the crews' transports.
  struct DemoFacility {
    const char* id;
    const char* name;
    const char* kind;
    LatLon where;
  };
  constexpr DemoFacility kFacilities[] = {
      {"SFGH",
       "Zuckerberg San Francisco General (trauma centre)",
       "trauma_centre",
       {37.75567, -122.40496}},
      {"CPMC-MB", "CPMC Mission Bernal", "hospital", {37.74934, -122.42084}},
      {"UCSF-MB", "UCSF Medical Center at Mission Bay", "hospital", {37.76802, -122.38935}},
  };
  const json have_facilities = center.ListFacilities();
  for (const auto& f : kFacilities) {
    if (exists(have_facilities["facilities"], "facility_id", f.id)) continue;
    intake::FacilityCreateRequest req;
    req.facility_id = FacilityId{f.id};
    req.name = f.name;
    req.kind = f.kind;
    req.location = f.where;
    auto r = Wait([&](service::Done d) { center.CreateFacility(kSupervisor, req, std::move(d)); });
    if (!r) return r.error();
  }
  // Two premise notes a dispatcher would want to see (invented, at real
  // corners of the area).
  auto notes = Wait([&](service::Done d) { center.ListPremises(kSupervisor, {}, std::move(d)); });
  if (!notes) return notes.error();
  if ((*notes)["premises"].empty()) {
    intake::PremiseCreateRequest tanks;
    tanks.location = LatLon{37.75228, -122.42060};
    tanks.text = "Propane cylinders stored in the rear yard (demo note)";
    tanks.hazard = true;
    tanks.review_by = "2027-06-30";
    intake::PremiseCreateRequest gate;
    gate.location = LatLon{37.74815, -122.41814};
    gate.text = "Gate code 2468 for the courtyard (demo note)";
    for (auto* req : {&tanks, &gate}) {
      auto r =
          Wait([&](service::Done d) { center.CreatePremise(kSupervisor, *req, std::move(d)); });
      if (!r) return r.error();
    }
  }
  return Status::Ok();
}

DemoTraffic::DemoTraffic(service::Center& center, std::uint64_t seed, double calls_per_min,
                         double pace)
    : center_(center), seed_(seed), calls_per_min_(calls_per_min), pace_(pace) {}

DemoTraffic::~DemoTraffic() { Stop(); }

void DemoTraffic::Start() {
  thread_ = std::thread([this] { Run(); });
}

void DemoTraffic::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void DemoTraffic::Run() {
  std::mt19937_64 rng(seed_);
  std::uniform_real_distribution<double> uni(0, 1);
  std::vector<double> weights;
  for (const auto& t : kMix) weights.push_back(t.weight);
  std::discrete_distribution<size_t> pick_type(weights.begin(), weights.end());
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  double next_call = 1.0;
  std::int64_t calls_made = 0;
  // Per-unit: when the simulated crew makes its next move.
  std::map<std::string, double> next_move;
  std::map<std::int64_t, double> first_seen;
  // A few crews are slow to turn out, so the dispatched timer fires in the
  // demo too (in real seconds: the thresholds are the plans' own).
  const auto& status_s = center_.plans().timers().status_s;
  auto dispatched_timer = status_s.find("dispatched");
  double next_timer_look = 0;

  while (!stop_) {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::max(10, static_cast<int>(250 * pace_))));
    double now = seconds();

    // Calls: a Poisson process whose rate swings +-60% over a 10-minute cycle.
    while (now >= next_call && !stop_) {
      double rate_per_s = calls_per_min_ / 60.0 * (1 + 0.6 * std::sin(2 * M_PI * now / 600));
      next_call += -std::log(1 - uni(rng)) / std::max(rate_per_s, 1e-3);
      model::CallInput in;
      in.channel = uni(rng) < 0.85
                       ? model::Channel::kPhone
                       : (uni(rng) < 0.5 ? model::Channel::kAlarm : model::Channel::kText);
      in.incident_type = kMix[pick_type(rng)].code;
      LatLon where = Offset(kCenter, (uni(rng) - 0.5) * 4500, (uni(rng) - 0.5) * 5000);
      auto open = center_.ListIncidents("open");
      // About one call in six repeats an open incident (a second caller).
      if (open && !(*open)["incidents"].empty() && uni(rng) < 0.17) {
        const auto& arr = (*open)["incidents"];
        const auto& inc = arr[static_cast<size_t>(uni(rng) * arr.size()) % arr.size()];
        if (inc.contains("location")) {
          where = Offset({inc["location"]["lat"], inc["location"]["lon"]}, (uni(rng) - 0.5) * 120,
                         (uni(rng) - 0.5) * 120);
          in.incident_type = inc["incident_type"];
          // The simulated call-taker recognises the incident and confirms
          // the link (duplicates are only suggested otherwise).
          in.link_to = IncidentId{inc["incident_id"].get<std::int64_t>()};
        }
      }
      in.location = where;
      in.accuracy_m = 10 + uni(rng) * 40;
      in.narrative = "Demo call (generated)";
      // A fresh number per call: the same callback number links for certain.
      ++calls_made;
      in.caller =
          model::Caller{"Demo Caller", "+1 415 555 " + std::to_string(1000 + calls_made % 9000)};
      Try([&](service::Done d) { center_.CreateCall(kCallTaker, std::move(in), std::move(d)); },
          "call");
    }

    // Dispatcher: send the recommendation a few seconds after an incident opens.
    auto open = center_.ListIncidents("open");
    if (!open) continue;
    for (const auto& inc : (*open)["incidents"]) {
      std::int64_t id = inc["incident_id"];
      auto [it, fresh] = first_seen.emplace(id, now);
      bool has_units = !inc["assigned_units"].empty();
      bool ever_assigned = !inc["assignments"].empty();
      if (!has_units && !ever_assigned && now - it->second > 4 * pace_) {
        auto rec = center_.Recommend(IncidentId{id});
        if (!rec) continue;
        for (const auto& u : (*rec)["units"]) {
          if (u.contains("divert_from")) continue;  // the demo never diverts
          Try(
              [&](service::Done d) {
                center_.Assign(kDispatcher, IncidentId{id}, UnitId{u["unit_id"].get<std::string>()},
                               std::move(d));
              },
              "assign");
        }
      } else if (!has_units && ever_assigned) {
        Try(
            [&](service::Done d) {
              center_.Close(kSupervisor, IncidentId{id}, "resolved (demo)", std::move(d));
            },
            "close");
        first_seen.erase(id);
      } else if (!has_units && now - it->second > 120 * pace_) {
        // Nothing could be sent (no unit of the needed type free): give up.
        Try(
            [&](service::Done d) {
              center_.Close(kSupervisor, IncidentId{id}, "no units available (demo)", std::move(d));
            },
            "close");
        first_seen.erase(id);
      }
    }

    // Dispatcher: acknowledge raised timers now and then.
    if (now >= next_timer_look) {
      next_timer_look = now + 2 * pace_;
      const json timers = center_.ListTimers();
      for (const auto& t : timers["timers"]) {
        if (t["state"] != "raised" || uni(rng) < 0.5) continue;
        std::string id = t["timer_id"];
        Try([&](service::Done d) { center_.AcknowledgeTimer(kDispatcher, id, std::move(d)); },
            "acknowledge");
      }
    }

    // Crews: walk each committed unit through its statuses.
    // Bind the list first: a range-for over a member of a temporary dangles
    // before C++23 (the crews once stopped moving because of it).
    const json units = center_.ListUnits();
    for (const auto& u : units["units"]) {
      std::string uid = u["unit_id"];
      std::string status = u["status"];
      if (status == "available" || status == "out_of_service") {
        next_move.erase(uid);
        continue;
      }
      double first_wait = (3 + uni(rng) * 5) * pace_;
      if (status == "dispatched" && dispatched_timer != status_s.end() && uni(rng) < 0.08) {
        first_wait = dispatched_timer->second * 1.3;
      }
      auto [it, fresh] = next_move.emplace(uid, now + first_wait);
      if (now < it->second) continue;
      std::string next;
      double wait = 5;
      if (status == "dispatched")
        next = "en_route", wait = 10 + uni(rng) * 20;
      else if (status == "en_route")
        next = "on_scene", wait = 20 + uni(rng) * 40;
      else if (status == "on_scene")
        next = (u["unit_type"] == "medic" && uni(rng) < 0.6) ? "transporting" : "available",
        wait = 15 + uni(rng) * 15;
      else if (status == "transporting")
        next = "at_hospital", wait = 10 + uni(rng) * 10;
      else
        next = "available";
      intake::UnitStatusRequest req;
      req.status = *model::ParseUnitStatus(next);
      if (req.status == model::UnitStatus::kTransporting) {
        // The open hospital the crew is sent to (one on diversion is passed over).
        const json facilities = center_.ListFacilities();
        std::vector<std::string> open_ids;
        for (const auto& f : facilities["facilities"]) {
          if (f["status"] == "open") open_ids.push_back(f["facility_id"]);
        }
        if (!open_ids.empty()) {
          req.destination = FacilityId{
              open_ids[static_cast<size_t>(uni(rng) * open_ids.size()) % open_ids.size()]};
        }
      }
      Try(
          [&](service::Done d) {
            center_.SetUnitStatus(kDispatcher, UnitId{uid}, req, std::move(d));
          },
          "status");
      it->second = now + wait * pace_;
    }
  }
}

}  // namespace beacon::cli
