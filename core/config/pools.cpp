// pools: which connections share stock for which SKUs.
#include <algorithm>

#include "config/sections.hpp"

namespace stockrelay::config::detail {
namespace {

// True when some SKU matches both glob patterns ('*' any run, '?' one
// character). Walks the product of the two patterns' positions: a common
// string exists exactly when both can reach their ends together.
bool globs_intersect(std::string_view a, std::string_view b) {
  std::vector<char> seen((a.size() + 1) * (b.size() + 1), 0);
  std::vector<std::pair<std::size_t, std::size_t>> todo{{0, 0}};
  auto push = [&](std::size_t i, std::size_t j) { todo.emplace_back(i, j); };
  while (!todo.empty()) {
    auto [i, j] = todo.back();
    todo.pop_back();
    char& s = seen[i * (b.size() + 1) + j];
    if (s) continue;
    s = 1;
    if (i == a.size() && j == b.size()) return true;
    bool star_a = i < a.size() && a[i] == '*', star_b = j < b.size() && b[j] == '*';
    if (star_a) push(i + 1, j);  // the star matches nothing more
    if (star_b) push(i, j + 1);
    if (i == a.size() || j == b.size()) continue;
    if (star_a && !star_b) push(i, j + 1);       // a's star takes b's next character
    else if (star_b && !star_a) push(i + 1, j);  // and the other way round
    else if (!star_a && !star_b && (a[i] == '?' || b[j] == '?' || a[i] == b[j])) push(i + 1, j + 1);
  }
  return false;
}

struct Membership {
  std::size_t pool;
  std::string member;
  Location loc;
};

std::string sku_set(const PoolConfig& p, const std::string& pattern) {
  return p.skus.empty() ? "all SKUs (no skus: list)" : "'" + pattern + "'";
}

// A connection in two pools would get two competing levels for a SKU both
// pools cover. exclude_skus is deliberately ignored: the check stays simple
// and errs on the side of refusing.
void check_overlaps(Reader& r, const std::vector<PoolConfig>& pools,
                    const std::vector<Membership>& memberships) {
  for (std::size_t j = 0; j < memberships.size(); ++j) {
    for (std::size_t i = 0; i < j; ++i) {
      const Membership &first = memberships[i], &second = memberships[j];
      if (first.member != second.member || first.pool == second.pool) continue;
      const PoolConfig &a = pools[first.pool], &b = pools[second.pool];
      std::vector<std::string> all{"*"};
      const auto& pa = a.skus.empty() ? all : a.skus;
      const auto& pb = b.skus.empty() ? all : b.skus;
      for (const auto& x : pa) {
        auto y = std::find_if(pb.begin(), pb.end(),
                              [&](const std::string& p) { return globs_intersect(x, p); });
        if (y == pb.end()) continue;
        r.fail(second.loc,
               "pools." + b.name + ".members: connection '" + second.member +
                   "' is also in pool '" + a.name + "' and their SKUs overlap: " + sku_set(a, x) +
                   " in '" + a.name + "', " + sku_set(b, *y) + " in '" + b.name + "'",
               "a connection may be in several pools only when each pool lists explicit skus: "
               "patterns (not '*') that no SKU matches twice");
        break;
      }
    }
  }
}

std::optional<std::vector<std::string>> patterns(Reader& r, const Entry& e,
                                                 const std::string& path) {
  auto list = r.strings(e, path, true, false);
  if (!list) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& s : *list) {
    if (s.value.empty()) r.fail(s.loc, path + ": a SKU pattern must not be empty");
    else out.push_back(s.value);
  }
  return out;
}

void parse_pool(Reader& r, const Entry& entry, const ConnectionNames& names, PoolConfig& p,
                std::vector<Membership>& memberships, std::size_t index) {
  std::string path = "pools." + p.name;
  auto m = r.map(entry.value, r.loc(entry), path,
                 {"members", "master", "skus", "exclude_skus", "buffer", "on_member_change"});
  if (!m) return;
  if (const Entry* e = r.require(*m, "members", p.loc, path, "add members: [connection, ...]")) {
    if (auto list = r.strings(*e, path + ".members", false, true)) {
      for (const auto& s : *list) {
        if (!names.check(r, s, path + ".members")) continue;
        if (std::find(p.members.begin(), p.members.end(), s.value) != p.members.end()) {
          r.fail(s.loc, path + ".members: " + s.shown + " is listed twice");
          continue;
        }
        p.members.push_back(s.value);
        memberships.push_back(Membership{index, s.value, s.loc});
      }
    }
  }
  if (const Entry* e = m->get("master")) {
    if (auto s = r.scalar(*e, path + ".master")) {
      if (std::find(p.members.begin(), p.members.end(), s->value) != p.members.end())
        p.master = s->value;
      else
        r.fail(s->loc, path + ".master: " + s->shown + " is not a member of the pool",
               p.members.empty() ? "add it to members" : "pick one of: " + join(p.members));
    }
  }
  if (const Entry* e = m->get("skus"))
    if (auto v = patterns(r, *e, path + ".skus")) p.skus = std::move(*v);
  if (const Entry* e = m->get("exclude_skus"))
    if (auto v = patterns(r, *e, path + ".exclude_skus")) p.exclude_skus = std::move(*v);
  if (const Entry* e = m->get("buffer"))
    if (auto q = r.quantity(*e, path + ".buffer")) p.buffer = *q;
  bool has_master = m->get("master") != nullptr;
  p.on_member_change = has_master ? MemberChange::Overwrite : MemberChange::Apply;
  if (const Entry* e = m->get("on_member_change")) {
    auto s = r.scalar(*e, path + ".on_member_change");
    if (!s) return;
    if (s->value == "apply" && has_master)
      r.fail(s->loc, path + ".on_member_change: 'apply' is for pools without a master",
             "a master's levels are the truth: use overwrite or keep, or remove master");
    else if (s->value == "apply")
      p.on_member_change = MemberChange::Apply;
    else if (s->value == "overwrite")
      p.on_member_change = MemberChange::Overwrite;
    else if (s->value == "keep")
      p.on_member_change = MemberChange::Keep;
    else
      r.fail(s->loc, path + ".on_member_change: unknown value " + s->shown,
             suggest(s->value, {"apply", "overwrite", "keep"}, "use apply, overwrite or keep"));
  }
}

}  // namespace

void parse_pools(Reader& r, const Entry& section, const ConnectionNames& names,
                 std::vector<PoolConfig>& out) {
  auto all = r.named_map(section.value, r.loc(section), "pools");
  if (!all) return;
  std::vector<Membership> memberships;
  for (const auto& entry : all->entries()) {
    PoolConfig p;
    p.name = entry.key;
    p.loc = r.loc(entry.key_node);
    if (!valid_name(p.name))
      r.fail(p.loc, "pools: invalid pool name '" + p.name + "'", std::string(kNameHint));
    parse_pool(r, entry, names, p, memberships, out.size());
    out.push_back(std::move(p));
  }
  check_overlaps(r, out, memberships);
}

}  // namespace stockrelay::config::detail
