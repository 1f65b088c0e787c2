#include "api/router.h"

#include "common/log.h"

namespace beacon::api {

using nlohmann::json;

namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool MatchPattern(std::string_view pattern, std::string_view path,
                  std::vector<std::string>& params) {
  auto ps = Segments(pattern);
  auto xs = Segments(path);
  if (ps.size() != xs.size()) return false;
  params.clear();
  for (size_t i = 0; i < ps.size(); ++i) {
    size_t close = ps[i].find('}');
    if (ps[i].size() > 2 && ps[i].front() == '{' && close != std::string_view::npos) {
      // "{id}" or "{id}.xml": a parameter, then an optional literal suffix.
      std::string_view suffix = ps[i].substr(close + 1);
      std::string_view x = xs[i];
      if (x.size() <= suffix.size() || x.substr(x.size() - suffix.size()) != suffix) return false;
      std::string v;
      if (!PercentDecode(x.substr(0, x.size() - suffix.size()), v)) return false;
      params.push_back(std::move(v));
    } else if (ps[i] != xs[i]) {
      return false;
    }
  }
  return true;
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool PercentDecode(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      int h = Hex(in[i + 1]), l = Hex(in[i + 2]);
      if (h < 0 || l < 0) return false;
      out.push_back(static_cast<char>(h * 16 + l));
      i += 2;
    } else if (in[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(in[i]);
    }
  }
  return true;
}

bool ParseQuery(std::string_view q, std::map<std::string, std::string>& out) {
  size_t i = 0;
  while (i < q.size()) {
    size_t amp = q.find('&', i);
    if (amp == std::string_view::npos) amp = q.size();
    auto part = q.substr(i, amp - i);
    if (!part.empty()) {
      auto eq = part.find('=');
      std::string k, v;
      if (!PercentDecode(part.substr(0, eq), k)) return false;
      if (eq != std::string_view::npos && !PercentDecode(part.substr(eq + 1), v)) return false;
      out[k] = v;
    }
    i = amp + 1;
  }
  return true;
}

int HttpStatus(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kMalformed:
      return 400;
    case Code::kInvalid:
      return 422;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kConflict:
      return 409;
    case Code::kTooLarge:
      return 413;
    case Code::kUnavailable:
      return 503;
    case Code::kInternal:
      return 500;
  }
  return 500;
}

Response JsonResponse(int status, const json& body) {
  Response r;
  r.status = status;
  // Invalid UTF-8 cannot reach here from requests (the parser refuses it),
  // but replace rather than throw if it ever does.
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

Response ErrorResponse(int status, std::string_view code, const std::string& message) {
  return JsonResponse(status, {{"error", {{"code", code}, {"message", message}}}});
}

Response ErrorResponse(const Status& s) {
  json err = {{"code", CodeName(s.code())}, {"message", s.message()}};
  if (!s.field().empty()) err["field"] = s.field();
  Response r = JsonResponse(HttpStatus(s.code()), {{"error", std::move(err)}});
  if (s.code() == Code::kUnauthenticated) r.headers.push_back({"WWW-Authenticate", "Bearer"});
  return r;
}

void Router::Add(std::string method, std::string pattern,
                 std::optional<model::Permission> permission, Handler handler) {
  std::string label = pattern;
  routes_.push_back(
      {std::move(method), std::move(pattern), permission, std::move(handler), std::move(label)});
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  std::vector<std::string> params;
  for (const auto& r : routes_) {
    if (!MatchPattern(r.pattern, path, params)) continue;
    if (r.method == method) {
      m.route = &r;
      m.params = std::move(params);
      m.status = 200;
      return m;
    }
    m.status = 405;
    m.allow += (m.allow.empty() ? "" : ", ") + r.method;
  }
  return m;
}

void Router::Dispatch(std::shared_ptr<const Request> req, Reply reply, std::string* label) const {
  auto m = Find(req->method, req->path);
  if (!m.route) {
    if (label) *label = m.status == 405 ? "method_not_allowed" : "not_found";
    if (m.status == 405) {
      auto r =
          ErrorResponse(405, "method_not_allowed",
                        req->method + " is not allowed on " + req->path + "; allowed: " + m.allow);
      r.headers.push_back({"Allow", m.allow});
      return reply(std::move(r));
    }
    return reply(ErrorResponse(NotFound("no route " + req->method + " " + req->path)));
  }
  if (label) *label = m.route->label;
  Context ctx{req, std::move(m.params), {}};
  if (m.route->permission) {
    auto actor = auth_.Authenticate(*req);
    if (!actor) return reply(ErrorResponse(actor.error()));
    if (!model::Allowed(actor->role, *m.route->permission)) {
      return reply(
          ErrorResponse({Code::kPermissionDenied,
                         "role " + std::string(model::ToString(actor->role)) + " may not " +
                             std::string(model::ToString(*m.route->permission))}));
    }
    ctx.actor = std::move(*actor);
    ctx.actor.reason = req->reason.substr(0, 500);
  }
  // Handlers report failures as Status; an exception here is a bug. Answer
  // 500 and keep serving rather than take the centre down.
  try {
    m.route->handler(ctx, reply);
  } catch (const std::exception& e) {
    Log(Level::kError, "http.handler_exception", {{"route", m.route->label}, {"what", e.what()}});
    reply(ErrorResponse({Code::kInternal, "internal error; see the server log"}));
  }
}

}  // namespace beacon::api
