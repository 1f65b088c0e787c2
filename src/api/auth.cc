#include "api/auth.h"

#include <sodium.h>

#include <cctype>

#include "common/log.h"

namespace beacon::api {

Result<std::string> HashPassword(const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status(Code::kUnavailable, "out of memory while hashing the password");
  }
  return std::string(out);
}

std::string TokenHash(std::string_view token) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return hex;
}

void Auth::Restore(const std::vector<store::Session>& sessions) {
  std::lock_guard lock(mu_);
  TimeMs now = clock_.Now();
  for (const auto& s : sessions) {
    if (s.expires_at > now) sessions_[s.token_hash] = {s, now};
  }
}

void Auth::Login(const std::string& username, const std::string& password,
                 std::function<void(Result<nlohmann::json>)> done) {
  auto user = store_.FindUser(username);
  if (!user) return done(user.error());
  TimeMs now = clock_.Now();
  bool ok = *user && crypto_pwhash_str_verify((*user)->password_hash.c_str(), password.data(),
                                              password.size()) == 0;
  if (!ok || (*user)->disabled) {
    // Failed attempts are audited too; the answer does not say which part
    // was wrong, nor that the account is disabled (the audit entry does).
    store::Batch b;
    b.audit.push_back(
        {now, username, "", ok ? "login.disabled" : "login.failed", "user/" + username, ""});
    store_.Submit(std::move(b), [done = std::move(done)](const Status&) {
      done(Status(Code::kUnauthenticated, "invalid username or password"));
    });
    return;
  }
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char token[65];
  sodium_bin2hex(token, sizeof token, raw, sizeof raw);
  store::Session s{TokenHash(token), (*user)->name, (*user)->role, now + session_lifetime_ms_};
  store::Batch b;
  b.sessions.push_back(s);
  b.audit.push_back(
      {now, s.user, std::string(model::ToString(s.role)), "login", "user/" + s.user, ""});
  nlohmann::json body = {{"token", token},
                         {"role", model::ToString(s.role)},
                         {"username", s.user},
                         {"expires_at", FormatRfc3339(s.expires_at)}};
  store_.Submit(std::move(b), [this, s, now, body = std::move(body),
                               done = std::move(done)](const Status& st) mutable {
    if (!st.ok()) return done(st);
    {
      std::lock_guard lock(mu_);
      sessions_[s.token_hash] = {s, now};
    }
    done(std::move(body));
  });
}

Result<service::Actor> Auth::FromToken(std::string_view token) const {
  if (token.empty()) {
    return Status(Code::kUnauthenticated,
                  "missing bearer token; log in at POST /api/v1/auth/login");
  }
  return FromTokenHash(TokenHash(token));
}

Result<service::Actor> Auth::FromTokenHash(const std::string& token_hash) const {
  const Status invalid(Code::kUnauthenticated, "invalid or expired token; log in again");
  std::lock_guard lock(mu_);
  auto it = sessions_.find(token_hash);
  TimeMs now = clock_.Now();
  if (it == sessions_.end()) return invalid;
  if (it->second.session.expires_at <= now) {
    sessions_.erase(it);
    return invalid;
  }
  if (now - it->second.checked_at >= kUserRecheckMs) {
    // A user removed from the store (or disabled behind our back, by
    // another process) loses its sessions within kUserRecheckMs. A store
    // that cannot answer keeps the session: an outage is not a revocation.
    auto user = store_.FindUser(it->second.session.user);
    if (user && (!*user || (*user)->disabled)) {
      Log(Level::kWarn, "auth.session_dropped",
          {{"user", it->second.session.user}, {"why", *user ? "disabled" : "user removed"}});
      sessions_.erase(it);
      return invalid;
    }
    if (user) it->second.checked_at = now;
  }
  return service::Actor{it->second.session.user, it->second.session.role, ""};
}

std::string_view BearerToken(std::string_view h) {
  // The scheme name is case-insensitive (RFC 7235 section 2.1).
  constexpr std::string_view kBearer = "bearer ";
  bool bearer = h.size() > kBearer.size();
  for (size_t i = 0; bearer && i < kBearer.size(); ++i) {
    bearer = std::tolower(static_cast<unsigned char>(h[i])) == kBearer[i];
  }
  return bearer ? h.substr(kBearer.size()) : std::string_view();
}

Result<service::Actor> Auth::Authenticate(const Request& req) const {
  std::string_view token = BearerToken(req.authorization);
  if (token.empty()) {
    return Status(Code::kUnauthenticated,
                  "missing or malformed Authorization header; expected 'Bearer <token>'");
  }
  return FromToken(token);
}

size_t Auth::DropUser(const std::string& user) {
  std::lock_guard lock(mu_);
  return std::erase_if(sessions_, [&](const auto& kv) { return kv.second.session.user == user; });
}

void Auth::Logout(const service::Actor& actor, std::string_view token,
                  std::function<void(const Status&)> done) {
  std::string hash = TokenHash(token);
  {
    // Ended at once; the store follows.
    std::lock_guard lock(mu_);
    sessions_.erase(hash);
  }
  store::Batch b;
  b.revoked_sessions.push_back(hash);
  b.audit.push_back({clock_.Now(), actor.user, std::string(model::ToString(actor.role)), "logout",
                     "user/" + actor.user, actor.reason});
  store_.Submit(std::move(b), std::move(done));
}

void Auth::SetDisabled(const service::Actor& actor, const std::string& name, bool disabled,
                       std::function<void(Result<nlohmann::json>)> done) {
  auto user = store_.FindUser(name);
  if (!user) return done(user.error());
  if (!*user) return done(NotFound("no user named " + name));
  if (disabled) DropUser(name);
  store::Batch b;
  b.user_disabled.push_back({name, disabled});
  if (disabled) b.revoked_users.push_back(name);
  b.audit.push_back({clock_.Now(), actor.user, std::string(model::ToString(actor.role)),
                     disabled ? "user.disable" : "user.enable", "user/" + name, actor.reason});
  nlohmann::json body = {{"username", name}, {"disabled", disabled}};
  store_.Submit(std::move(b), [this, name, disabled, body = std::move(body),
                               done = std::move(done)](const Status& st) {
    if (!st.ok()) return done(st);
    // A login that checked the user just before the flag was set.
    if (disabled) DropUser(name);
    done(body);
  });
}

void Auth::RevokeSessions(const service::Actor& actor, const std::string& name,
                          std::function<void(Result<nlohmann::json>)> done) {
  size_t n = DropUser(name);
  store::Batch b;
  b.revoked_users.push_back(name);
  b.audit.push_back({clock_.Now(), actor.user, std::string(model::ToString(actor.role)),
                     "sessions.revoke", "user/" + name, actor.reason});
  store_.Submit(std::move(b), [name, n, done = std::move(done)](const Status& st) {
    if (!st.ok()) return done(st);
    done(nlohmann::json{{"username", name}, {"revoked", n}});
  });
}

}  // namespace beacon::api
