// The SKU audit: what `stockrelay check` and a pool join report about the
// SKUs the connections have. SKUs always match byte for byte (sku.hpp); the
// audit only *reports* what a merchant probably meant to be one SKU, so a
// human decides. Nothing here merges anything.
//
//  - duplicate:  one connection has the same SKU on two active products; it
//                is ambiguous there and excluded from sync in that connection.
//  - unmanaged:  the product does not track stock; it is never written.
//  - look-alike: two spellings that differ only by a dash (hyphen, en/em
//                dash, minus sign), spaces (leading, trailing, non-breaking,
//                zero-width), letter case, or Latin/Cyrillic/Greek homoglyphs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace stockrelay::engine {

struct SkuSighting {
  std::string connection;
  std::string sku;
  std::string where;       // "product 12", "variation 12/31"
  bool managed = true;
  bool active = true;
};

struct SkuFinding {
  enum class Kind { Duplicate, Unmanaged, LookAlike };
  Kind kind = Kind::Duplicate;
  std::vector<std::string> spellings;  // exact SKUs (look-alike: two or more)
  std::vector<std::string> places;     // "shop-a product 12 'ABC-1'"
  std::string why;                     // "en dash U+2013 vs hyphen"
};

const char* to_string(SkuFinding::Kind);

// What the store knows of a product, as the audit sees it ("product 12",
// "variation 12/31").
SkuSighting sighting_of(const store::Product&);

// Pure: the findings for these sightings, in a stable order (duplicates,
// look-alikes, unmanaged; each sorted by SKU).
std::vector<SkuFinding> audit_skus(const std::vector<SkuSighting>& sightings);

// The comparison key for look-alikes: dashes -> '-', Unicode spaces -> ' ',
// zero-width characters dropped, trimmed, homoglyphs -> Latin, ASCII
// lower-case. Two SKUs are look-alikes when their keys are equal and their
// bytes are not.
std::string lookalike_key(std::string_view sku);

// The SKU with every byte a reader could misread made explicit, for logs and
// reports: non-ASCII characters as <U+2013 EN DASH>, leading/trailing spaces
// as <space>, invalid UTF-8 as <0xNN>. Plain ASCII SKUs come back unchanged.
std::string visible_sku(std::string_view sku);

// One line per finding, for the CLI and the log.
std::string describe(const SkuFinding&);

}  // namespace stockrelay::engine
