#include "api/auth.h"

#include <sodium.h>

#include <cctype>

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
    if (s.expires_at > now) sessions_[s.token_hash] = s;
  }
}

void Auth::Login(const std::string& username, const std::string& password,
                 std::function<void(Result<nlohmann::json>)> done) {
  auto user = store_.FindUser(username);
  if (!user) return done(user.error());
  TimeMs now = clock_.Now();
  bool ok = *user && crypto_pwhash_str_verify((*user)->password_hash.c_str(), password.data(),
                                              password.size()) == 0;
  if (!ok) {
    // Failed attempts are audited too; the answer does not say which part was wrong.
    store::Batch b;
    b.audit.push_back({now, username, "", "login.failed", "user/" + username, ""});
    store_.Submit(std::move(b), [done = std::move(done)](const Status&) {
      done(Status(Code::kUnauthenticated, "invalid username or password"));
    });
    return;
  }
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char token[65];
  sodium_bin2hex(token, sizeof token, raw, sizeof raw);
  store::Session s{TokenHash(token), (*user)->name, (*user)->role, now + kSessionLifetimeMs};
  store::Batch b;
  b.sessions.push_back(s);
  b.audit.push_back(
      {now, s.user, std::string(model::ToString(s.role)), "login", "user/" + s.user, ""});
  nlohmann::json body = {{"token", token},
                         {"role", model::ToString(s.role)},
                         {"username", s.user},
                         {"expires_at", FormatRfc3339(s.expires_at)}};
  store_.Submit(std::move(b), [this, s, body = std::move(body),
                               done = std::move(done)](const Status& st) mutable {
    if (!st.ok()) return done(st);
    {
      std::lock_guard lock(mu_);
      sessions_[s.token_hash] = s;
    }
    done(std::move(body));
  });
}

Result<service::Actor> Auth::FromToken(std::string_view token) const {
  if (token.empty()) {
    return Status(Code::kUnauthenticated,
                  "missing bearer token; log in at POST /api/v1/auth/login");
  }
  std::lock_guard lock(mu_);
  auto it = sessions_.find(TokenHash(token));
  if (it == sessions_.end() || it->second.expires_at <= clock_.Now()) {
    return Status(Code::kUnauthenticated, "invalid or expired token; log in again");
  }
  return service::Actor{it->second.user, it->second.role, ""};
}

Result<service::Actor> Auth::Authenticate(const Request& req) const {
  std::string_view h = req.authorization;
  // The scheme name is case-insensitive (RFC 7235 section 2.1).
  constexpr std::string_view kBearer = "bearer ";
  bool bearer = h.size() > kBearer.size();
  for (size_t i = 0; bearer && i < kBearer.size(); ++i) {
    bearer = std::tolower(static_cast<unsigned char>(h[i])) == kBearer[i];
  }
  if (!bearer) {
    return Status(Code::kUnauthenticated,
                  "missing or malformed Authorization header; expected 'Bearer <token>'");
  }
  return FromToken(h.substr(kBearer.size()));
}

}  // namespace beacon::api
