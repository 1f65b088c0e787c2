// StreamHub: fans committed events out to WebSocket subscribers.
// Publish() is called by the store's commit thread in sequence order;
// each subscriber gets the pre-rendered message text via its own callback
// (which must not block: the WebSocket session posts it to its strand).
// Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "service/center.h"

namespace beacon::api {

using StreamMessage = std::shared_ptr<const std::string>;

// {"seq":N,"type":"...","time":"...","data":{...}}
std::string RenderEvent(const store::Event& e);

class StreamHub final : public service::EventSink {
 public:
  // Call once at start, before any subscriber, with the store's last seq.
  void SetPublishedSeq(std::int64_t seq) {
    std::lock_guard lock(mu_);
    published_seq_ = seq;
  }

  struct Subscription {
    std::uint64_t id = 0;
    std::int64_t published_seq = 0;  // events after this arrive via `deliver`
  };
  Subscription Subscribe(std::function<void(std::int64_t seq, StreamMessage)> deliver);
  void Unsubscribe(std::uint64_t id);
  void Publish(const std::vector<store::Event>& events) override;
  std::int64_t published_seq() const {
    std::lock_guard lock(mu_);
    return published_seq_;
  }

 private:
  mutable std::mutex mu_;
  std::int64_t published_seq_ = 0;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::function<void(std::int64_t, StreamMessage)>> subs_;
};

}  // namespace beacon::api
