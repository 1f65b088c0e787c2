// The /api/v1 routes: parse the request with intake/, call the Center, map
// the result to a response. docs/openapi.yaml describes exactly these
// routes (tests/unit/openapi_test.cc checks it).
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "api/auth.h"
#include "api/metrics.h"
#include "api/router.h"
#include "cap/mapping.h"
#include "geocode/geocoder.h"
#include "planning/planner.h"
#include "routing/road_network.h"
#include "service/center.h"
#include "service/scam_desk.h"

namespace beacon::api {

struct RouteDeps {
  service::Center& center;
  Auth& auth;
  Metrics& metrics;
  store::Store& store;
  // Slow, blocking work (password hashing) runs here, not on I/O threads.
  boost::asio::thread_pool& blocking;
  // Road routing; null when the server runs without --graph.
  const routing::RoadNetwork* network = nullptr;
  // Coverage, move-ups and demand counts (routes_planning.cc); null: those
  // routes answer as without a graph and count nothing.
  planning::Planner* planner = nullptr;
  // Who this centre is in the EIDOs it writes (serve --agency).
  eido::Identity eido_self = {};
  // CAP 1.2 (routes_cap.cc): how received alerts become calls (null: the
  // built-in config/cap_mapping.json must be given by the caller), and the
  // <sender> of the alerts Beacon issues.
  const cap::CallMapping* cap_mapping = nullptr;
  std::string cap_sender = "beacon@localhost";
  // The anti-scam desk (routes_scam.cc); null: its routes answer 503.
  service::ScamDesk* scam = nullptr;
  // Geocoding (routes_geocode.cc); null: those routes answer 404.
  const geocode::Geocoder* geocoder = nullptr;
};

void RegisterRoutes(Router& router, RouteDeps deps);
void RegisterPlanningRoutes(Router& router, const RouteDeps& deps);
// GET /api/v1/map/roads.geojson (routes_map.cc).
void RegisterMapRoutes(Router& router, const RouteDeps& deps);
// EIDO, GeoJSON and camera routes (routes_exchange.cc).
void RegisterExchangeRoutes(Router& router, const RouteDeps& deps);
// POST /cap, POST /alerts, GET /alerts/{id}.xml, GET /alerts/feed.atom.
void RegisterCapRoutes(Router& router, const RouteDeps& deps);
// Notes, PATCH of incidents and calls, GET /duplicates (routes_floor.cc).
void RegisterFloorRoutes(Router& router, const RouteDeps& deps);
// The anti-scam desk under /scam (routes_scam.cc; docs/scam.md).
void RegisterScamRoutes(Router& router, const RouteDeps& deps);
// GET /geocode, GET /reverse (routes_geocode.cc).
void RegisterGeocodeRoutes(Router& router, const RouteDeps& deps);

// GET /stats/intervals (routes_stats.cc).
void RegisterStatsRoutes(Router& router, const RouteDeps& deps);

// The OpenAPI document compiled into the binary.
std::string_view OpenApiSpec();

}  // namespace beacon::api
