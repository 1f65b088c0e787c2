#include "audit/audit_chain.h"

#include <sodium.h>

namespace beacon::audit {
namespace {

std::string Hex(const unsigned char* p, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();
  return out;
}

// Length-prefixed fields so that no two different entries hash the same
// bytes ("ab"+"c" vs "a"+"bc").
void Absorb(crypto_generichash_state& st, const std::string& s) {
  std::uint64_t n = s.size();
  unsigned char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
  crypto_generichash_update(&st, len, sizeof len);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

std::string Finish(crypto_generichash_state& st) {
  unsigned char out[32];
  crypto_generichash_final(&st, out, sizeof out);
  return Hex(out, sizeof out);
}

crypto_generichash_state Start(const Key& key) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size(), 32);
  return st;
}

}  // namespace

bool Init() { return sodium_init() >= 0; }

Key NewKey() {
  Key k(kKeyBytes, '\0');
  randombytes_buf(k.data(), k.size());
  return k;
}

std::string EntryHash(const Key& key, std::int64_t seq, const Record& r,
                      const std::string& prev_hash) {
  auto st = Start(key);
  Absorb(st, "beacon-audit-v1");
  Absorb(st, std::to_string(seq));
  Absorb(st, std::to_string(r.time));
  Absorb(st, r.user);
  Absorb(st, r.role);
  Absorb(st, r.action);
  Absorb(st, r.object);
  Absorb(st, r.reason);
  Absorb(st, prev_hash);
  return Finish(st);
}

Head SealHead(const Key& key, std::int64_t seq, const std::string& hash) {
  auto st = Start(key);
  Absorb(st, "beacon-audit-head-v1");
  Absorb(st, std::to_string(seq));
  Absorb(st, hash);
  return {seq, hash, Finish(st)};
}

std::vector<Entry> Chain(const Key& key, std::optional<Head>& head,
                         std::span<const Record> records) {
  std::vector<Entry> out;
  out.reserve(records.size());
  std::int64_t seq = head ? head->seq : 0;
  std::string prev = head ? head->hash : kGenesis;
  for (const auto& r : records) {
    ++seq;
    Entry e{seq, r, prev, EntryHash(key, seq, r, prev)};
    prev = e.hash;
    out.push_back(std::move(e));
  }
  if (!records.empty()) head = SealHead(key, seq, prev);
  return out;
}

VerifyReport Verify(const Key& key, std::span<const Entry> entries,
                    const std::optional<Head>& head) {
  VerifyReport rep;
  std::string prev = kGenesis;
  std::int64_t expected = 1;
  for (const auto& e : entries) {
    auto fail = [&](std::string what) {
      rep.first_bad_seq = e.seq;
      rep.problem = std::move(what);
      return rep;
    };
    if (e.seq != expected) {
      return fail("entry " + std::to_string(e.seq) + " found where entry " +
                  std::to_string(expected) +
                  " was expected (an entry was deleted, inserted or reordered)");
    }
    if (e.prev_hash != prev) {
      return fail("entry " + std::to_string(e.seq) +
                  " does not link to the entry before it (deleted, inserted or reordered)");
    }
    if (EntryHash(key, e.seq, e.record, e.prev_hash) != e.hash) {
      return fail("entry " + std::to_string(e.seq) + " was modified (hash mismatch)");
    }
    prev = e.hash;
    ++expected;
    ++rep.entries;
  }
  std::int64_t last = expected - 1;
  if (!head) {
    if (last != 0) {
      rep.first_bad_seq = last;
      rep.problem = "the head record sealing the log is missing";
      return rep;
    }
  } else {
    if (SealHead(key, head->seq, head->hash).seal != head->seal) {
      rep.first_bad_seq = head->seq;
      rep.problem = "the head record was modified (seal mismatch)";
      return rep;
    }
    if (head->seq != last || head->hash != prev) {
      rep.first_bad_seq = std::min(head->seq, last + 1);
      rep.problem = "the log ends at entry " + std::to_string(last) +
                    " but its sealed head is entry " + std::to_string(head->seq) +
                    " (entries were truncated or appended without the key)";
      return rep;
    }
  }
  rep.ok = true;
  return rep;
}

}  // namespace beacon::audit
