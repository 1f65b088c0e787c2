#include "store/store.h"

#include <future>

namespace beacon::store {

Status Store::Commit(Batch batch) {
  std::promise<Status> p;
  auto f = p.get_future();
  Submit(std::move(batch), [&p](const Status& s) { p.set_value(s); });
  return f.get();
}

}  // namespace beacon::store
