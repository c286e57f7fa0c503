#include "engine/sku_audit.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <utility>

namespace stockrelay::engine {
namespace {

// One UTF-8 sequence at `i`: {code point, length}; {-1, 1} for a byte that
// does not start a valid sequence (SKUs are bytes; we never reject them).
std::pair<long, std::size_t> decode(std::string_view s, std::size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) return {b, 1};
  std::size_t len = b >= 0xF0 && b < 0xF8 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0;
  if (len == 0 || i + len > s.size()) return {-1, 1};
  long cp = len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (std::size_t k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return {-1, 1};
    cp = (cp << 6) | (c & 0x3F);
  }
  return {cp, len};
}

struct Named {
  long cp;
  char latin;        // what it passes for (0: see `kind`)
  const char* name;
  const char* kind;  // dash | space | zero-width | homoglyph
};

// The characters that pass for something else in a SKU.
constexpr Named kConfusables[] = {
    {0x2010, '-', "HYPHEN", "dash"},
    {0x2011, '-', "NON-BREAKING HYPHEN", "dash"},
    {0x2012, '-', "FIGURE DASH", "dash"},
    {0x2013, '-', "EN DASH", "dash"},
    {0x2014, '-', "EM DASH", "dash"},
    {0x2015, '-', "HORIZONTAL BAR", "dash"},
    {0x2212, '-', "MINUS SIGN", "dash"},
    {0xFE63, '-', "SMALL HYPHEN-MINUS", "dash"},
    {0xFF0D, '-', "FULLWIDTH HYPHEN-MINUS", "dash"},
    {0x00A0, ' ', "NO-BREAK SPACE", "space"},
    {0x2007, ' ', "FIGURE SPACE", "space"},
    {0x2009, ' ', "THIN SPACE", "space"},
    {0x200A, ' ', "HAIR SPACE", "space"},
    {0x202F, ' ', "NARROW NO-BREAK SPACE", "space"},
    {0x3000, ' ', "IDEOGRAPHIC SPACE", "space"},
    {0x200B, 0, "ZERO WIDTH SPACE", "zero-width"},
    {0x200C, 0, "ZERO WIDTH NON-JOINER", "zero-width"},
    {0x200D, 0, "ZERO WIDTH JOINER", "zero-width"},
    {0xFEFF, 0, "ZERO WIDTH NO-BREAK SPACE", "zero-width"},
    {0x00AD, 0, "SOFT HYPHEN", "zero-width"},
    // Cyrillic letters drawn like Latin ones.
    {0x0405, 'S', "CYRILLIC CAPITAL LETTER DZE", "homoglyph"},
    {0x0406, 'I', "CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I", "homoglyph"},
    {0x0408, 'J', "CYRILLIC CAPITAL LETTER JE", "homoglyph"},
    {0x0410, 'A', "CYRILLIC CAPITAL LETTER A", "homoglyph"},
    {0x0412, 'B', "CYRILLIC CAPITAL LETTER VE", "homoglyph"},
    {0x0415, 'E', "CYRILLIC CAPITAL LETTER IE", "homoglyph"},
    {0x041A, 'K', "CYRILLIC CAPITAL LETTER KA", "homoglyph"},
    {0x041C, 'M', "CYRILLIC CAPITAL LETTER EM", "homoglyph"},
    {0x041D, 'H', "CYRILLIC CAPITAL LETTER EN", "homoglyph"},
    {0x041E, 'O', "CYRILLIC CAPITAL LETTER O", "homoglyph"},
    {0x0420, 'P', "CYRILLIC CAPITAL LETTER ER", "homoglyph"},
    {0x0421, 'C', "CYRILLIC CAPITAL LETTER ES", "homoglyph"},
    {0x0422, 'T', "CYRILLIC CAPITAL LETTER TE", "homoglyph"},
    {0x0423, 'Y', "CYRILLIC CAPITAL LETTER U", "homoglyph"},
    {0x0425, 'X', "CYRILLIC CAPITAL LETTER HA", "homoglyph"},
    {0x0430, 'a', "CYRILLIC SMALL LETTER A", "homoglyph"},
    {0x0435, 'e', "CYRILLIC SMALL LETTER IE", "homoglyph"},
    {0x043E, 'o', "CYRILLIC SMALL LETTER O", "homoglyph"},
    {0x0440, 'p', "CYRILLIC SMALL LETTER ER", "homoglyph"},
    {0x0441, 'c', "CYRILLIC SMALL LETTER ES", "homoglyph"},
    {0x0443, 'y', "CYRILLIC SMALL LETTER U", "homoglyph"},
    {0x0445, 'x', "CYRILLIC SMALL LETTER HA", "homoglyph"},
    {0x0455, 's', "CYRILLIC SMALL LETTER DZE", "homoglyph"},
    {0x0456, 'i', "CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I", "homoglyph"},
    {0x0458, 'j', "CYRILLIC SMALL LETTER JE", "homoglyph"},
    // Greek capitals drawn like Latin ones.
    {0x0391, 'A', "GREEK CAPITAL LETTER ALPHA", "homoglyph"},
    {0x0392, 'B', "GREEK CAPITAL LETTER BETA", "homoglyph"},
    {0x0395, 'E', "GREEK CAPITAL LETTER EPSILON", "homoglyph"},
    {0x0397, 'H', "GREEK CAPITAL LETTER ETA", "homoglyph"},
    {0x0399, 'I', "GREEK CAPITAL LETTER IOTA", "homoglyph"},
    {0x039A, 'K', "GREEK CAPITAL LETTER KAPPA", "homoglyph"},
    {0x039C, 'M', "GREEK CAPITAL LETTER MU", "homoglyph"},
    {0x039D, 'N', "GREEK CAPITAL LETTER NU", "homoglyph"},
    {0x039F, 'O', "GREEK CAPITAL LETTER OMICRON", "homoglyph"},
    {0x03A1, 'P', "GREEK CAPITAL LETTER RHO", "homoglyph"},
    {0x03A4, 'T', "GREEK CAPITAL LETTER TAU", "homoglyph"},
    {0x03A5, 'Y', "GREEK CAPITAL LETTER UPSILON", "homoglyph"},
    {0x03A7, 'X', "GREEK CAPITAL LETTER CHI", "homoglyph"},
    {0x03BF, 'o', "GREEK SMALL LETTER OMICRON", "homoglyph"},
};

const Named* confusable(long cp) {
  for (const auto& n : kConfusables)
    if (n.cp == cp) return &n;
  return nullptr;
}

bool is_space(long cp) {
  if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') return true;
  const Named* n = confusable(cp);
  return n && (std::string_view(n->kind) == "space" || std::string_view(n->kind) == "zero-width");
}

// What kinds of difference a spelling carries compared with its plain form.
std::set<std::string> kinds_in(std::string_view sku) {
  std::set<std::string> out;
  for (std::size_t i = 0; i < sku.size();) {
    auto [cp, len] = decode(sku, i);
    if (const Named* n = confusable(cp)) out.insert(n->kind);
    i += len;
  }
  if (!sku.empty() && (is_space(decode(sku, 0).first) || sku.back() == ' ' || sku.back() == '\t'))
    out.insert("leading/trailing space");
  return out;
}

std::string hex_cp(long cp) {
  char buf[24];  // "U+" and up to 16 hex digits of a long
  std::snprintf(buf, sizeof buf, "U+%04lX", cp);
  return buf;
}

}  // namespace

const char* to_string(SkuFinding::Kind k) {
  switch (k) {
    case SkuFinding::Kind::Duplicate: return "duplicate";
    case SkuFinding::Kind::Unmanaged: return "unmanaged";
    case SkuFinding::Kind::LookAlike: return "look-alike";
  }
  return "unknown";
}

SkuSighting sighting_of(const store::Product& p) {
  std::string where = p.remote_variation_id.empty() ? "product " + p.remote_id
                                                    : "variation " + p.remote_id + "/" + p.remote_variation_id;
  return SkuSighting{p.connection, p.sku, std::move(where), p.managed, p.active};
}

std::string lookalike_key(std::string_view sku) {
  std::string out;
  out.reserve(sku.size());
  for (std::size_t i = 0; i < sku.size();) {
    auto [cp, len] = decode(sku, i);
    if (const Named* n = confusable(cp)) {
      if (n->latin) out += n->latin;
    } else if (cp >= 0 && cp < 0x80) {
      out += static_cast<char>(cp == '\t' ? ' ' : cp);
    } else {
      out.append(sku.substr(i, len));
    }
    i += len;
  }
  auto first = out.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  out = out.substr(first, out.find_last_not_of(' ') - first + 1);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string visible_sku(std::string_view sku) {
  std::string out;
  std::size_t lead = 0;
  while (lead < sku.size() && sku[lead] == ' ') ++lead;
  std::size_t trail = sku.size();
  while (trail > lead && sku[trail - 1] == ' ') --trail;
  for (std::size_t i = 0; i < sku.size();) {
    auto [cp, len] = decode(sku, i);
    if (cp < 0) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "<0x%02X>", static_cast<unsigned char>(sku[i]));
      out += buf;
    } else if (cp == ' ' && (i < lead || i >= trail)) {
      out += "<space>";
    } else if (cp < 0x20 || cp == 0x7F) {
      out += "<" + hex_cp(cp) + ">";
    } else if (cp >= 0x80) {
      const Named* n = confusable(cp);
      out += "<" + hex_cp(cp) + (n ? std::string(" ") + n->name : std::string()) + ">";
    } else {
      out += static_cast<char>(cp);
    }
    i += len;
  }
  return out;
}

std::vector<SkuFinding> audit_skus(const std::vector<SkuSighting>& sightings) {
  std::vector<SkuFinding> duplicates, lookalikes, unmanaged;

  std::map<std::pair<std::string, std::string>, std::vector<const SkuSighting*>> by_conn_sku;
  std::map<std::string, std::map<std::string, std::vector<const SkuSighting*>>> by_key;  // key -> spelling -> where
  for (const auto& s : sightings) {
    if (!s.active || s.sku.empty()) continue;
    by_conn_sku[{s.connection, s.sku}].push_back(&s);
    by_key[lookalike_key(s.sku)][s.sku].push_back(&s);
  }
  auto place = [](const SkuSighting& s) { return s.connection + " " + s.where + " '" + visible_sku(s.sku) + "'"; };

  for (const auto& [key, list] : by_conn_sku) {
    if (list.size() < 2) continue;
    SkuFinding f;
    f.kind = SkuFinding::Kind::Duplicate;
    f.spellings = {key.second};
    for (const auto* s : list) f.places.push_back(place(*s));
    f.why = "the same SKU on " + std::to_string(list.size()) + " products in " + key.first +
            ": excluded from sync there until only one remains";
    duplicates.push_back(std::move(f));
  }

  for (const auto& [key, spellings] : by_key) {
    if (spellings.size() < 2) continue;
    SkuFinding f;
    f.kind = SkuFinding::Kind::LookAlike;
    std::set<std::string> kinds;
    std::set<std::string> cases;  // spellings that differ only in case from another
    for (const auto& [spelling, where] : spellings) {
      f.spellings.push_back(spelling);
      for (const auto* s : where) f.places.push_back(place(*s));
      auto k = kinds_in(spelling);
      kinds.insert(k.begin(), k.end());
    }
    // Case differences: equal keys, but the case-preserving forms differ.
    std::set<std::string> folded_forms;
    for (const auto& [spelling, where] : spellings) {
      std::string form;
      for (std::size_t i = 0; i < spelling.size();) {
        auto [cp, len] = decode(spelling, i);
        const Named* n = confusable(cp);
        if (n && n->latin) form += n->latin;
        else if (!n) form.append(spelling.substr(i, len));
        i += len;
      }
      folded_forms.insert(form);
    }
    auto lower = [](std::string v) {
      for (auto& c : v)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      return v;
    };
    std::set<std::string> lowered;
    for (const auto& form : folded_forms) lowered.insert(lower(form));
    bool case_only = lowered.size() < folded_forms.size();
    if (case_only) kinds.insert("letter case");
    std::string why;
    for (const auto& k : kinds) why += (why.empty() ? "" : ", ") + k;
    f.why = "differ only by " + (why.empty() ? std::string("invisible characters") : why) +
            ": these are different SKUs to stockrelay and are not synced with each other";
    lookalikes.push_back(std::move(f));
  }

  std::map<std::string, std::vector<const SkuSighting*>> unmanaged_by_sku;
  for (const auto& s : sightings)
    if (s.active && !s.managed && !s.sku.empty()) unmanaged_by_sku[s.sku].push_back(&s);
  for (const auto& [sku, list] : unmanaged_by_sku) {
    SkuFinding f;
    f.kind = SkuFinding::Kind::Unmanaged;
    f.spellings = {sku};
    for (const auto* s : list) f.places.push_back(place(*s));
    f.why = "stock is not managed there: never written";
    unmanaged.push_back(std::move(f));
  }

  std::vector<SkuFinding> out;
  for (auto* v : {&duplicates, &lookalikes, &unmanaged})
    for (auto& f : *v) out.push_back(std::move(f));
  return out;
}

std::string describe(const SkuFinding& f) {
  std::string s = std::string(to_string(f.kind)) + ": ";
  for (std::size_t i = 0; i < f.spellings.size(); ++i)
    s += (i ? " vs '" : "'") + visible_sku(f.spellings[i]) + "'";
  s += " — " + f.why + " (";
  for (std::size_t i = 0; i < f.places.size(); ++i) s += (i ? "; " : "") + f.places[i];
  return s + ")";
}

}  // namespace stockrelay::engine
