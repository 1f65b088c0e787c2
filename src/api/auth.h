// Auth: users, password checks and bearer-token sessions.
// Passwords are stored as libsodium crypto_pwhash_str (Argon2id) strings;
// tokens are 256-bit random values handed to the client once and stored
// only as a BLAKE2b hash. Sessions survive restarts (persisted in the
// store) unless ended: logout, revocation by an admin, the user disabled
// or removed from the store (re-checked against the store every
// kUserRecheckMs, and at restart). Every such event is audited.
// Thread-safe.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "api/router.h"
#include "common/clock.h"
#include "store/store.h"

namespace beacon::api {

constexpr TimeMs kSessionLifetimeMs = 12LL * 3600 * 1000;
// How often a live session checks that its user still exists and is enabled.
constexpr TimeMs kUserRecheckMs = 5000;

// Hashes a password for storage (slow by design: ~0.1 s, 64 MiB).
Result<std::string> HashPassword(const std::string& password);

class Auth final : public Authenticator {
 public:
  Auth(store::Store& store, const Clock& clock, TimeMs session_lifetime_ms = kSessionLifetimeMs)
      : store_(store), clock_(clock), session_lifetime_ms_(session_lifetime_ms) {}

  // Restores persisted sessions from a store snapshot.
  void Restore(const std::vector<store::Session>& sessions);
  // Checks the password (blocking, slow) and on success persists a new
  // session and an audit entry; calls `done` with {token, role, expires_at}.
  void Login(const std::string& username, const std::string& password,
             std::function<void(Result<nlohmann::json>)> done);
  Result<service::Actor> Authenticate(const Request& req) const override;
  // Resolves a raw token (WebSocket ?token= form).
  Result<service::Actor> FromToken(std::string_view token) const;
  // The same by token hash: live streams re-check their session with it.
  Result<service::Actor> FromTokenHash(const std::string& token_hash) const;

  // Ends the session of `token` (the caller's own; an unknown token is not
  // an error); audited as `logout`. `done` runs once it is durable.
  void Logout(const service::Actor& actor, std::string_view token,
              std::function<void(const Status&)> done);
  // Sets (true) or clears a user's disabled flag; disabling also ends every
  // session of the user. kNotFound for an unknown user. Audited as
  // `user.disable` / `user.enable`. Answers {"username", "disabled"}.
  void SetDisabled(const service::Actor& actor, const std::string& name, bool disabled,
                   std::function<void(Result<nlohmann::json>)> done);
  // Ends every session of `name` (who may no longer exist); audited as
  // `sessions.revoke`. Answers {"username", "revoked": sessions ended}.
  void RevokeSessions(const service::Actor& actor, const std::string& name,
                      std::function<void(Result<nlohmann::json>)> done);

 private:
  struct Live {
    store::Session session;
    TimeMs checked_at = 0;  // when the user was last seen enabled in the store
  };
  // Drops every in-memory session of `user`; returns how many.
  size_t DropUser(const std::string& user);

  store::Store& store_;
  const Clock& clock_;
  const TimeMs session_lifetime_ms_;
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, Live> sessions_;  // by token hash
};

// The token of an "Authorization: Bearer <token>" header; empty if none.
std::string_view BearerToken(std::string_view authorization);

std::string TokenHash(std::string_view token);

}  // namespace beacon::api
