// Status and Result<T>: how Beacon reports expected failures.
//
// Shaped like std::expected (C++23) so call sites read the same once we can
// use it everywhere (clang-14, used for fuzzing, cannot compile libstdc++'s
// <expected>). Values are cheap to move; not thread-safe to share mutably.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace beacon {

// The kinds of expected failure. Only api/ maps these to HTTP status codes.
enum class Code {
  kOk,
  kMalformed,         // not parseable / wrong JSON type (HTTP 400)
  kInvalid,           // well-formed but semantically invalid (HTTP 422)
  kUnauthenticated,   // 401
  kPermissionDenied,  // 403
  kNotFound,          // 404
  kConflict,          // 409
  kTooLarge,          // 413
  kUnavailable,       // 503: storage failed or shutting down
  kInternal,          // 500: a bug; never from outside input
};

// Machine-readable code string used in JSON error bodies ("invalid", ...).
const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // The offending input field as a JSON path ("location.lat"), or empty.
  const std::string& field() const { return field_; }

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string field_;
};

inline Status Malformed(std::string msg, std::string field = {}) {
  return {Code::kMalformed, std::move(msg), std::move(field)};
}
inline Status Invalid(std::string msg, std::string field = {}) {
  return {Code::kInvalid, std::move(msg), std::move(field)};
}
inline Status NotFound(std::string msg, std::string field = {}) {
  return {Code::kNotFound, std::move(msg), std::move(field)};
}
inline Status Conflict(std::string msg, std::string field = {}) {
  return {Code::kConflict, std::move(msg), std::move(field)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
  }

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Status& error() const { return std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace beacon

#define BEACON_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::beacon::Status beacon_status_ = (expr);        \
    if (!beacon_status_.ok()) return beacon_status_; \
  } while (0)
