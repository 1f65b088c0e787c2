#include "api/stream_hub.h"

namespace beacon::api {

std::string RenderEvent(const store::Event& e) {
  // The data is JSON we rendered ourselves; splice it instead of re-parsing.
  std::string out = R"({"seq":)" + std::to_string(e.seq) + R"(,"type":)" +
                    nlohmann::json(e.type).dump() + R"(,"time":")" + FormatRfc3339(e.time) +
                    R"(","data":)";
  out += e.data;
  out += '}';
  return out;
}

StreamHub::Subscription StreamHub::Subscribe(
    std::function<void(std::int64_t, StreamMessage)> deliver) {
  std::lock_guard lock(mu_);
  std::uint64_t id = next_id_++;
  subs_.emplace(id, std::move(deliver));
  return {id, published_seq_};
}

void StreamHub::Unsubscribe(std::uint64_t id) {
  std::lock_guard lock(mu_);
  subs_.erase(id);
}

void StreamHub::Publish(const std::vector<store::Event>& events) {
  {
    // Nobody listening: only the sequence number moves on.
    std::lock_guard lock(mu_);
    if (subs_.empty()) {
      if (!events.empty()) published_seq_ = events.back().seq;
      return;
    }
  }
  std::vector<std::pair<std::int64_t, StreamMessage>> msgs;
  msgs.reserve(events.size());
  for (const auto& e : events)
    msgs.emplace_back(e.seq, std::make_shared<std::string>(RenderEvent(e)));
  std::lock_guard lock(mu_);
  for (const auto& [seq, m] : msgs) {
    for (auto& [id, deliver] : subs_) deliver(seq, m);
    published_seq_ = seq;
  }
}

}  // namespace beacon::api
