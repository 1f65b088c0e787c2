// Auth: users, password checks and bearer-token sessions.
// Passwords are stored as libsodium crypto_pwhash_str (Argon2id) strings;
// tokens are 256-bit random values handed to the client once and stored
// only as a BLAKE2b hash. Sessions survive restarts (persisted in the
// store). Thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "api/router.h"
#include "common/clock.h"
#include "store/store.h"

namespace beacon::api {

constexpr TimeMs kSessionLifetimeMs = 12LL * 3600 * 1000;

// Hashes a password for storage (slow by design: ~0.1 s, 64 MiB).
Result<std::string> HashPassword(const std::string& password);

class Auth final : public Authenticator {
 public:
  Auth(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Restores persisted sessions from a store snapshot.
  void Restore(const std::vector<store::Session>& sessions);
  // Checks the password (blocking, slow) and on success persists a new
  // session and an audit entry; calls `done` with {token, role, expires_at}.
  void Login(const std::string& username, const std::string& password,
             std::function<void(Result<nlohmann::json>)> done);
  Result<service::Actor> Authenticate(const Request& req) const override;
  // Resolves a raw token (WebSocket ?token= form).
  Result<service::Actor> FromToken(std::string_view token) const;

 private:
  store::Store& store_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, store::Session> sessions_;  // by token hash
};

std::string TokenHash(std::string_view token);

}  // namespace beacon::api
