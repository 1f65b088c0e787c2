#include "scam/identifiers.h"

#include <libpsl.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <unordered_map>

#include "scam/checksums.h"

namespace beacon::scam {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr size_t kMaxValue = 2048;  // bytes of one identifier as given

bool IsAsciiAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(s[i]) != prefix[i]) return false;
  }
  return true;
}

// Control characters and spaces never belong in an identifier.
bool HasControlOrSpace(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x21 || u == 0x7f;
  });
}

bool ValidIpv4(std::string_view h) {
  int parts = 0;
  size_t i = 0;
  while (i <= h.size()) {
    size_t j = h.find('.', i);
    if (j == std::string_view::npos) j = h.size();
    std::string_view p = h.substr(i, j - i);
    if (p.empty() || p.size() > 3) return false;
    int v = 0;
    for (char c : p) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
      v = v * 10 + (c - '0');
    }
    if (v > 255) return false;
    ++parts;
    i = j + 1;
    if (j == h.size()) break;
  }
  return parts == 4;
}

// A host name: labels of letters, digits, '-', '_' or UTF-8 (IDN), 1-63
// bytes each, at most 253 in all, at least two labels. Already lower case.
bool ValidHostName(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  int labels = 0;
  size_t i = 0;
  for (;;) {
    size_t j = h.find('.', i);
    if (j == std::string_view::npos) j = h.size();
    std::string_view l = h.substr(i, j - i);
    if (l.empty() || l.size() > 63 || l.front() == '-' || l.back() == '-') return false;
    for (char c : l) {
      auto u = static_cast<unsigned char>(c);
      if (!(u >= 0x80 || std::isalnum(u) || c == '-' || c == '_')) return false;
    }
    ++labels;
    if (j == h.size()) break;
    i = j + 1;
  }
  return labels >= 2;
}

// Tokens separated by spaces or tabs on one line.
std::vector<std::string> Words(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) out.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

std::string_view ToString(Kind k) {
  switch (k) {
    case Kind::kPhone:
      return "phone";
    case Kind::kUrl:
      return "url";
    case Kind::kDomain:
      return "domain";
    case Kind::kEmail:
      return "email";
    case Kind::kWallet:
      return "wallet";
    case Kind::kIban:
      return "iban";
    case Kind::kAccount:
      return "account";
  }
  return "phone";
}

std::optional<Kind> ParseKind(std::string_view text) {
  for (int i = 0; i < kKindCount; ++i) {
    if (ToString(static_cast<Kind>(i)) == text) return static_cast<Kind>(i);
  }
  return std::nullopt;
}

std::string Identifier::Key() const {
  std::string k(ToString(kind));
  k += ':';
  k += value;
  return k;
}

Result<std::vector<SharedHost>> ParseSharedHosts(std::string_view text) {
  std::vector<SharedHost> out;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    auto w = Words(line);
    if (!w.empty()) {
      std::string where = "shared hosts line " + std::to_string(line_no);
      SharedHost h;
      h.host = w[0];
      for (auto& c : h.host) c = Lower(c);
      std::string bare = h.host.rfind("*.", 0) == 0 ? h.host.substr(2) : h.host;
      if (!ValidHostName(bare)) return Invalid(where + ": \"" + w[0] + "\" is not a host name");
      if (w.size() == 2 && w[1] == "host") {
        h.whole_host = true;
      } else if ((w.size() == 3 || w.size() == 5) && w[1] == "path") {
        if (w[2].size() != 1 || w[2][0] < '0' || w[2][0] > '9') {
          return Invalid(where + ": path takes a number of segments from 0 to 9");
        }
        h.path_segments = w[2][0] - '0';
        if (w.size() == 5) {
          if (w[3] != "query") return Invalid(where + ": expected \"query KEY,...\" after path N");
          size_t i = 0;
          while (i <= w[4].size()) {
            size_t j = w[4].find(',', i);
            if (j == std::string::npos) j = w[4].size();
            if (j > i) h.query_keys.push_back(w[4].substr(i, j - i));
            i = j + 1;
          }
        }
      } else {
        return Invalid(where + ": expected \"HOST host\" or \"HOST path N [query KEY,...]\"");
      }
      out.push_back(std::move(h));
    }
    if (end == text.size()) break;
  }
  return out;
}

Result<std::vector<WalletFormat>> ParseWalletFormats(std::string_view json_text) {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("wallets") || !j["wallets"].is_array()) {
    return Invalid("wallet formats: expected {\"wallets\": [...]}");
  }
  std::vector<WalletFormat> out;
  const auto& arr = j["wallets"];
  for (size_t i = 0; i < arr.size(); ++i) {
    const auto& w = arr[i];
    std::string where = "wallets[" + std::to_string(i) + "]";
    if (!w.is_object() || !w.contains("name") || !w["name"].is_string()) {
      return Invalid(where + ": needs a \"name\"");
    }
    WalletFormat f;
    f.name = w["name"].get<std::string>();
    try {
      if (w.contains("base58check_versions")) {
        f.base58_versions = w["base58check_versions"].get<std::vector<int>>();
      }
      f.base58_alphabet = w.value("base58_alphabet", std::string());
      f.base58_payload = w.value("base58_payload_bytes", 21);
      f.segwit_hrp = w.value("segwit_hrp", std::string());
      f.hex20 = w.value("hex20", false);
      f.pattern = w.value("pattern", std::string());
    } catch (const nlohmann::json::exception& e) {
      return Invalid(where + ": " + e.what());
    }
    if (!f.base58_alphabet.empty() && f.base58_alphabet.size() != 58) {
      return Invalid(where + ": base58_alphabet must have 58 characters");
    }
    if (f.base58_versions.empty() && f.segwit_hrp.empty() && !f.hex20 && f.pattern.empty()) {
      return Invalid(where + ": give base58check_versions, segwit_hrp, hex20 or pattern");
    }
    out.push_back(std::move(f));
  }
  return out;
}

struct Normaliser::Impl {
  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  // psl_latest() loads the list into a context the caller owns (psl_free
  // leaves the built-in one alone).
  ~Impl() { psl_free(const_cast<psl_ctx_t*>(psl)); }
  const psl_ctx_t* psl = nullptr;
  std::vector<std::optional<std::regex>> patterns;  // per wallet format
  // libphonenumber takes tens of microseconds per number (ICU regular
  // expressions); the same numbers come back in report after report, so
  // its answers are remembered: text -> E.164, or "" when not valid.
  std::mutex mu;
  std::unordered_map<std::string, std::string> e164;
  static constexpr size_t kCacheEntries = 200000;
};

std::optional<std::string> Normaliser::E164(std::string_view text) const {
  std::string key(text);
  {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->e164.find(key);
    if (it != impl_->e164.end()) {
      if (it->second.empty()) return std::nullopt;
      return it->second;
    }
  }
  auto* util = PhoneNumberUtil::GetInstance();
  PhoneNumber n;
  std::string out;
  if (util->Parse(key, config_.default_region, &n) == PhoneNumberUtil::NO_PARSING_ERROR &&
      util->IsValidNumber(n)) {
    util->Format(n, PhoneNumberUtil::E164, &out);
  }
  std::lock_guard lock(impl_->mu);
  if (impl_->e164.size() >= Impl::kCacheEntries) impl_->e164.clear();
  impl_->e164.emplace(std::move(key), out);
  if (out.empty()) return std::nullopt;
  return out;
}

Normaliser::~Normaliser() = default;

Result<std::shared_ptr<const Normaliser>> Normaliser::Create(NormaliserConfig config) {
  auto* util = PhoneNumberUtil::GetInstance();
  std::set<std::string> regions;
  util->GetSupportedRegions(&regions);
  if (!regions.count(config.default_region)) {
    return Invalid("default_region \"" + config.default_region +
                       "\" is not an ISO 3166 region libphonenumber knows (e.g. US, GB, DE)",
                   "default_region");
  }
  std::shared_ptr<Normaliser> n(new Normaliser());
  n->impl_ = std::make_unique<Impl>();
  n->impl_->psl = psl_latest(nullptr);
  if (!n->impl_->psl) n->impl_->psl = psl_builtin();
  if (!n->impl_->psl) return Status(Code::kInternal, "libpsl has no public suffix list");
  for (const auto& w : config.wallets) {
    if (w.pattern.empty()) {
      n->impl_->patterns.emplace_back();
      continue;
    }
    try {
      n->impl_->patterns.emplace_back(std::regex(w.pattern, std::regex::ECMAScript));
    } catch (const std::regex_error& e) {
      return Invalid("wallet " + w.name + ": pattern does not compile: " + e.what());
    }
  }
  n->config_ = std::move(config);
  return std::shared_ptr<const Normaliser>(std::move(n));
}

Result<std::vector<Identifier>> Normaliser::Normalise(Kind kind, std::string_view raw,
                                                      const std::string& field) const {
  auto one = [](Result<Identifier> r) -> Result<std::vector<Identifier>> {
    if (!r) return r.error();
    return std::vector<Identifier>{std::move(*r)};
  };
  switch (kind) {
    case Kind::kPhone:
      return one(Phone(raw, field));
    case Kind::kUrl:
      return Url(raw, field);
    case Kind::kDomain:
      return one(Domain(raw, field));
    case Kind::kEmail:
      return one(Email(raw, field));
    case Kind::kWallet:
      return one(Wallet(raw, field));
    case Kind::kIban:
      return one(Iban(raw, field));
    case Kind::kAccount:
      return one(Account(raw, field));
  }
  return Invalid("unknown kind", field);
}

Result<Identifier> Normaliser::Phone(std::string_view raw, const std::string& field) const {
  std::string_view s = Trim(raw);
  if (s.size() > 64) return Invalid("a phone number has at most 64 characters", field);
  if (StartsWithNoCase(s, "tel:")) s.remove_prefix(4);
  if (std::any_of(s.begin(), s.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return Invalid("a phone number must not contain control characters", field);
  }
  std::string digits;
  bool plus = false, plain = true;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits += c;
    } else if (c == '+' && digits.empty()) {
      plus = true;
    } else if (!(c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' ||
                 std::isalpha(static_cast<unsigned char>(c)))) {
      plain = false;  // "8005078317;222", "781558****", "88497185??"
    }
  }
  if (digits.size() < 3) return Invalid("a phone number needs at least 3 digits", field);
  Identifier id;
  id.kind = Kind::kPhone;
  if (plain) {
    if (auto e164 = E164(s)) {
      id.value = std::move(*e164);
      return id;
    }
  }
  // Kept as written (the digits; the text when it holds more than a
  // number's characters), flagged: a wrong guess would link reports that
  // have nothing in common.
  id.value = plain ? (plus ? "+" : "") + digits : std::string(s);
  id.valid = false;
  id.note = plain ? "not a valid number in region " + config_.default_region
                  : "not a phone number as written";
  return id;
}

std::optional<Identifier> Normaliser::ValidPhone(std::string_view text) const {
  auto e164 = E164(text);
  if (!e164) return std::nullopt;
  Identifier id;
  id.kind = Kind::kPhone;
  id.value = std::move(*e164);
  return id;
}

const SharedHost* Normaliser::FindShared(std::string_view host) const {
  for (const auto& h : config_.shared_hosts) {
    if (h.host.rfind("*.", 0) == 0) {
      std::string_view suffix = std::string_view(h.host).substr(1);  // ".codesandbox.io"
      if (host.size() > suffix.size() && host.substr(host.size() - suffix.size()) == suffix) {
        return &h;
      }
    } else if (host == h.host) {
      return &h;
    }
  }
  return nullptr;
}

std::string Normaliser::Registrable(const std::string& host) const {
  if (ValidIpv4(host) || host.front() == '[') return host;
  const char* r = psl_registrable_domain(impl_->psl, host.c_str());
  return r ? std::string(r) : host;
}

bool Normaliser::KnownSuffix(std::string_view host) const {
  size_t dot = host.rfind('.');
  if (dot == std::string_view::npos || dot + 1 >= host.size()) return false;
  std::string tld(host.substr(dot + 1));
  for (auto& c : tld) c = Lower(c);
  if (!std::all_of(tld.begin(), tld.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    return false;
  }
  return psl_is_public_suffix2(impl_->psl, tld.c_str(), PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

Result<std::vector<Identifier>> Normaliser::Url(std::string_view raw,
                                                const std::string& field) const {
  std::string_view s = Trim(raw);
  if (s.empty()) return Invalid("url must not be empty", field);
  if (s.size() > kMaxValue) {
    return Invalid("url has more than " + std::to_string(kMaxValue) + " bytes", field);
  }
  // Spaces occur in real phishing URLs' paths (PhishTank has them); the
  // host part is checked on its own below.
  if (std::any_of(s.begin(), s.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return Invalid("url must not contain control bytes", field);
  }
  // Scheme: http(s), the defanged hxxp(s) that warnings use, or none.
  if (size_t colon = s.find("://"); colon != std::string_view::npos) {
    std::string scheme;
    for (char c : s.substr(0, colon)) scheme += Lower(c);
    if (scheme != "http" && scheme != "https" && scheme != "hxxp" && scheme != "hxxps") {
      return Invalid("url scheme must be http or https (got \"" + scheme.substr(0, 16) + "\")",
                     field);
    }
    s.remove_prefix(colon + 3);
  } else {
    size_t colon1 = s.find(':');
    size_t slash = s.find('/');
    if (colon1 != std::string_view::npos && (slash == std::string_view::npos || colon1 < slash)) {
      // "javascript:...", "data:...", "mailto:..." (but host:port is fine).
      std::string_view after = s.substr(colon1 + 1);
      size_t d = 0;
      while (d < after.size() && std::isdigit(static_cast<unsigned char>(after[d]))) ++d;
      if (d == 0 || (d < after.size() && after[d] != '/' && after[d] != '?' && after[d] != '#')) {
        return Invalid("url must be http(s)://host/... or host/...", field);
      }
    }
  }
  size_t auth_end = s.find_first_of("/?#");
  std::string_view authority = s.substr(0, auth_end);
  if (authority.find(' ') != std::string_view::npos) {
    return Invalid("url host must not contain spaces", field);
  }
  std::string_view rest = auth_end == std::string_view::npos ? "" : s.substr(auth_end);
  // user:password@ is dropped: the host is what follows the last '@'.
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string host;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Invalid("url has an unclosed [IPv6] host", field);
    for (char c : authority.substr(0, close + 1)) {
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.' || c == '[' ||
            c == ']')) {
        return Invalid("url has an invalid IPv6 host", field);
      }
      host += Lower(c);
    }
    authority.remove_prefix(close + 1);
  } else {
    size_t colon = authority.find(':');
    for (char c : authority.substr(0, colon)) host += Lower(c);
    authority = colon == std::string_view::npos ? "" : authority.substr(colon);
    // Defanged "example[.]com" and a trailing root dot.
    for (size_t p; (p = host.find("[.]")) != std::string::npos;) host.replace(p, 3, ".");
    while (!host.empty() && host.back() == '.') host.pop_back();
    if (!ValidIpv4(host) && !ValidHostName(host)) {
      return Invalid("url host \"" + host.substr(0, 64) + "\" is not a host name", field);
    }
  }
  if (!authority.empty()) {  // ":port"
    std::string_view port = authority.substr(1);
    if (authority.front() != ':' || port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
        std::stoi(std::string(port)) > 65535) {
      return Invalid("url port must be a number up to 65535", field);
    }
  }
  if (host.empty()) return Invalid("url has no host", field);
  std::string_view path = rest.substr(0, rest.find_first_of("?#"));
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    query = query.substr(0, query.find('#'));
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);

  std::vector<Identifier> out;
  Identifier url;
  url.kind = Kind::kUrl;
  const SharedHost* shared = FindShared(host);
  if (shared && !shared->whole_host) {
    // The host and the first N path segments (and named query keys) name
    // one site: sites.google.com/view/x, 1drv.ms/u/s!abc.
    url.value = host;
    size_t i = 0;
    for (int seg = 0; seg < shared->path_segments; ++seg) {
      while (i < path.size() && path[i] == '/') ++i;
      if (i >= path.size()) break;
      size_t j = path.find('/', i);
      if (j == std::string_view::npos) j = path.size();
      url.value += '/';
      url.value += path.substr(i, j - i);
      i = j;
    }
    std::string q;
    for (const auto& key : shared->query_keys) {
      size_t p = 0;
      while (p < query.size()) {
        size_t amp = query.find('&', p);
        if (amp == std::string_view::npos) amp = query.size();
        std::string_view kv = query.substr(p, amp - p);
        if (kv.size() > key.size() && kv.substr(0, key.size()) == key && kv[key.size()] == '=') {
          q += (q.empty() ? "?" : "&") + std::string(kv);
          break;
        }
        p = amp + 1;
      }
    }
    url.value += q;
    url.note = "shared host";
    out.push_back(std::move(url));
    return out;
  }
  url.value = host;
  for (char c : path) {
    if (c == ' ') {
      url.value += "%20";
    } else {
      url.value += c;
    }
  }
  out.push_back(url);
  Identifier domain;
  domain.kind = Kind::kDomain;
  domain.value = shared ? host : Registrable(host);
  if (shared) domain.note = "shared host";
  out.push_back(std::move(domain));
  return out;
}

Result<Identifier> Normaliser::Domain(std::string_view raw, const std::string& field) const {
  std::string_view s = Trim(raw);
  if (s.size() > 253) return Invalid("domain has more than 253 bytes", field);
  std::string host;
  for (char c : s) host += Lower(c);
  for (size_t p; (p = host.find("[.]")) != std::string::npos;) host.replace(p, 3, ".");
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (host.rfind("www.", 0) == 0 && host.size() > 4) host.erase(0, 4);
  if (!ValidIpv4(host) && !ValidHostName(host)) {
    return Invalid("domain \"" + host.substr(0, 64) + "\" is not a host name (example.com)", field);
  }
  Identifier id;
  id.kind = Kind::kDomain;
  const SharedHost* shared = FindShared(host);
  id.value = shared ? host : Registrable(host);
  if (shared) id.note = "shared host";
  return id;
}

Result<Identifier> Normaliser::Email(std::string_view raw, const std::string& field) const {
  std::string_view s = Trim(raw);
  if (StartsWithNoCase(s, "mailto:")) s.remove_prefix(7);
  if (!s.empty() && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
  if (s.size() > 254) return Invalid("an e-mail address has at most 254 bytes", field);
  size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || HasControlOrSpace(s)) {
    return Invalid("email must be an address like name@example.com", field);
  }
  std::string local, host;
  for (char c : s.substr(0, at)) {
    if (c == '@' || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' ||
        c == '"' || c == '\\') {
      return Invalid("email must be an address like name@example.com", field);
    }
    local += Lower(c);
  }
  for (char c : s.substr(at + 1)) host += Lower(c);
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (!ValidHostName(host)) {
    return Invalid("email domain \"" + host.substr(0, 64) + "\" is not a host name", field);
  }
  Identifier id;
  id.kind = Kind::kEmail;
  id.value = local + "@" + host;
  return id;
}

std::optional<Identifier> Normaliser::CheckedWallet(std::string_view token) const {
  if (token.size() < 20 || token.size() > 100) return std::nullopt;
  Identifier id;
  id.kind = Kind::kWallet;
  for (const auto& w : config_.wallets) {
    if (!w.segwit_hrp.empty()) {
      if (auto a = CheckSegwit(token, w.segwit_hrp)) {
        id.value = *a;
        id.note = w.name;
        return id;
      }
    }
    if (w.hex20 && token.size() == 42 && token[0] == '0' && (token[1] == 'x' || token[1] == 'X') &&
        std::all_of(token.begin() + 2, token.end(),
                    [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
      id.value = "0x";
      for (char c : token.substr(2)) id.value += Lower(c);
      id.note = w.name;
      return id;
    }
    if (!w.base58_versions.empty() && token.size() >= 25 && token.size() <= 35) {
      std::string converted(token);
      if (!w.base58_alphabet.empty()) {
        // Map the format's alphabet onto Bitcoin's, then decode.
        static constexpr std::string_view kBitcoin =
            "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        for (char& c : converted) {
          size_t p = w.base58_alphabet.find(c);
          if (p == std::string::npos) {
            converted.clear();
            break;
          }
          c = kBitcoin[p];
        }
      }
      auto payload = DecodeBase58Check(converted);
      if (payload && static_cast<int>(payload->size()) == w.base58_payload &&
          std::find(w.base58_versions.begin(), w.base58_versions.end(), (*payload)[0]) !=
              w.base58_versions.end()) {
        id.value = std::string(token);
        id.note = w.name;
        return id;
      }
    }
  }
  return std::nullopt;
}

Result<Identifier> Normaliser::Wallet(std::string_view raw, const std::string& field) const {
  std::string_view s = Trim(raw);
  if (s.size() > 128) return Invalid("a wallet address has at most 128 characters", field);
  if (size_t colon = s.find(':'); colon != std::string_view::npos && colon < 16) {
    s.remove_prefix(colon + 1);  // "bitcoin:1A1z..." URIs
    s = s.substr(0, s.find('?'));
  }
  if (auto id = CheckedWallet(s)) return *id;
  for (size_t i = 0; i < config_.wallets.size(); ++i) {
    const auto& re = impl_->patterns[i];
    if (re && std::regex_match(s.begin(), s.end(), *re)) {
      Identifier id;
      id.kind = Kind::kWallet;
      id.value = std::string(s);
      id.note = config_.wallets[i].name;
      return id;
    }
  }
  std::string names;
  for (const auto& w : config_.wallets) names += (names.empty() ? "" : ", ") + w.name;
  return Invalid(
      "wallet is not a valid address (checksum or format) of any known network (" + names + ")",
      field);
}

Result<Identifier> Normaliser::Iban(std::string_view raw, const std::string& field) const {
  auto r = CheckIban(Trim(raw));
  if (!r.error.empty()) return Invalid("iban: " + r.error, field);
  Identifier id;
  id.kind = Kind::kIban;
  id.value = r.iban;
  return id;
}

Result<Identifier> Normaliser::Account(std::string_view raw, const std::string& field) const {
  std::string v;
  for (char c : Trim(raw)) {
    if (c == ' ' || c == '-') continue;
    if (!(IsAsciiAlnum(c) || c == '/')) {
      return Invalid("account holds letters, digits, spaces, - and / only", field);
    }
    v += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (v.size() < 4 || v.size() > 40) {
    return Invalid("account must have 4 to 40 letters and digits", field);
  }
  Identifier id;
  id.kind = Kind::kAccount;
  id.value = v;
  return id;
}

}  // namespace beacon::scam
