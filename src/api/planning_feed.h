// PlanningFeed: keeps the planning::Planner in step with the centre. An
// EventSink placed in front of another (the stream hub): for each batch of
// committed events it applies the unit, station and call events to the
// planner, then passes the batch on unchanged. So the planner sees exactly
// what was committed, in sequence order, and before the HTTP reply of the
// command that changed it (Center publishes before answering).
// Thread-safe as the Planner is; Publish runs on the store's commit thread.
#pragma once

#include "planning/planner.h"
#include "service/center.h"

namespace beacon::api {

class PlanningFeed final : public service::EventSink {
 public:
  // Both must outlive the feed.
  PlanningFeed(planning::Planner& planner, service::EventSink& next)
      : planner_(planner), next_(next) {}
  void Publish(const std::vector<store::Event>& events) override;

 private:
  planning::Planner& planner_;
  service::EventSink& next_;
};

// Loads the planner from a store snapshot (call before serving).
Status LoadPlanner(planning::Planner& planner, const store::Snapshot& snap);

}  // namespace beacon::api
