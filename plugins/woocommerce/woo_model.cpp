// simdjson (DOM, error codes only) -> the records of woo_model.hpp. Fields are
// read defensively: WooCommerce versions and plugins send numbers as strings
// and strings as numbers, and null where a value is unset.
#include "woo_model.hpp"

#include <cmath>
#include <cstdio>

namespace woo {
namespace {

using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

bool member(object o, std::string_view key, element& out) { return o.at_key(key).get(out) == SUCCESS; }

std::string number_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  std::string s(buf);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string text_of(element e) {
  switch (e.type()) {
    case element_type::STRING: {
      std::string_view s;
      if (e.get_string().get(s) == SUCCESS) return std::string(s);
      return {};
    }
    case element_type::INT64: {
      std::int64_t v = 0;
      if (e.get_int64().get(v) == SUCCESS) return std::to_string(v);
      return {};
    }
    case element_type::UINT64: {
      std::uint64_t v = 0;
      if (e.get_uint64().get(v) == SUCCESS) return std::to_string(v);
      return {};
    }
    case element_type::DOUBLE: {
      double v = 0;
      if (e.get_double().get(v) == SUCCESS) return number_text(v);
      return {};
    }
    case element_type::BOOL: {
      bool v = false;
      if (e.get_bool().get(v) == SUCCESS) return v ? "true" : "false";
      return {};
    }
    default:
      return {};
  }
}

std::string text(object o, std::string_view key) {
  element e;
  return member(o, key, e) ? text_of(e) : std::string();
}

std::int64_t integer_of(element e, std::int64_t fallback = 0) {
  switch (e.type()) {
    case element_type::INT64: {
      std::int64_t v = 0;
      return e.get_int64().get(v) == SUCCESS ? v : fallback;
    }
    case element_type::UINT64: {
      std::uint64_t v = 0;
      return e.get_uint64().get(v) == SUCCESS && v <= static_cast<std::uint64_t>(INT64_MAX)
                 ? static_cast<std::int64_t>(v)
                 : fallback;
    }
    case element_type::DOUBLE: {
      double v = 0;
      return e.get_double().get(v) == SUCCESS && std::isfinite(v) && std::fabs(v) < 9e18
                 ? static_cast<std::int64_t>(v)
                 : fallback;
    }
    case element_type::STRING: {
      std::string_view s;
      if (e.get_string().get(s) != SUCCESS || s.empty()) return fallback;
      std::int64_t v = 0;
      for (char c : s) {
        if (c < '0' || c > '9' || v > (INT64_MAX - 9) / 10) return fallback;
        v = v * 10 + (c - '0');
      }
      return v;
    }
    default:
      return fallback;
  }
}

std::int64_t integer(object o, std::string_view key, std::int64_t fallback = 0) {
  element e;
  return member(o, key, e) ? integer_of(e, fallback) : fallback;
}

std::optional<sr::Quantity> quantity_of(element e) {
  switch (e.type()) {
    case element_type::INT64:
    case element_type::UINT64:
      return sr::Quantity::units(integer_of(e));
    case element_type::DOUBLE: {
      double v = 0;
      if (e.get_double().get(v) != SUCCESS || !std::isfinite(v) || std::fabs(v) > 9e12) return std::nullopt;
      return sr::Quantity::from_milli(static_cast<std::int64_t>(std::llround(v * 1000.0)));
    }
    case element_type::STRING: {
      std::string_view s;
      if (e.get_string().get(s) != SUCCESS) return std::nullopt;
      return sr::Quantity::parse(s);
    }
    default:
      return std::nullopt;
  }
}

// The text of meta entry `key` (a string or a number), or "".
std::string meta_text(object o, std::string_view key) {
  element e;
  array meta;
  if (key.empty() || !member(o, "meta_data", e) || e.get_array().get(meta) != SUCCESS) return {};
  for (element m : meta) {
    object mo;
    element value;
    if (m.get_object().get(mo) != SUCCESS || text(mo, "key") != key || !member(mo, "value", value)) continue;
    if (value.type() == element_type::STRING) return text_of(value);
    if (value.type() == element_type::INT64 || value.type() == element_type::UINT64) return std::to_string(integer_of(value));
  }
  return {};
}

bool read_product(object o, Product& p, std::string_view id_meta_key) {
  p.id = integer(o, "id");
  if (p.id <= 0) return false;
  p.parent_id = integer(o, "parent_id");
  p.type = text(o, "type");
  p.sku = text(o, "sku");
  p.name = text(o, "name");
  p.status = text(o, "status");
  element e;
  if (member(o, "manage_stock", e)) {
    if (e.type() == element_type::BOOL) {
      bool v = false;
      p.manage_stock = e.get_bool().get(v) == SUCCESS && v;
    } else if (e.type() == element_type::STRING) {
      std::string t = text_of(e);
      p.manage_parent = t == "parent";
      p.manage_stock = p.manage_parent || t == "true" || t == "yes" || t == "1";
    }
  }
  if (member(o, "stock_quantity", e)) p.stock_quantity = quantity_of(e);
  p.date_modified_gmt = text(o, "date_modified_gmt");
  p.regular_price = text(o, "regular_price");
  p.ean = text(o, "global_unique_id");
  p.id_meta = meta_text(o, id_meta_key);
  array vars;
  if (member(o, "variations", e) && e.get_array().get(vars) == SUCCESS)
    for (element v : vars) {
      std::int64_t id = integer_of(v);
      if (id > 0) p.variations.push_back(id);
    }
  return true;
}

bool read_order(object o, OrderRecord& r) {
  r.id = integer(o, "id");
  if (r.id <= 0) return false;
  r.number = text(o, "number");
  r.status = text(o, "status");
  r.currency = text(o, "currency");
  r.total = text(o, "total");
  r.date_created_gmt = text(o, "date_created_gmt");
  r.date_modified_gmt = text(o, "date_modified_gmt");
  r.date_paid_gmt = text(o, "date_paid_gmt");
  r.payment_method = text(o, "payment_method");
  r.payment_method_title = text(o, "payment_method_title");
  r.created_via = text(o, "created_via");
  element e;
  object billing;
  if (member(o, "billing", e) && e.get_object().get(billing) == SUCCESS) {
    std::string first = text(billing, "first_name"), last = text(billing, "last_name");
    r.customer_name = first.empty() ? last : (last.empty() ? first : first + " " + last);
    r.customer_email = text(billing, "email");
  }
  array items;
  if (member(o, "line_items", e) && e.get_array().get(items) == SUCCESS) {
    for (element item : items) {
      object li;
      if (item.get_object().get(li) != SUCCESS) continue;
      OrderLineRecord l;
      l.id = integer(li, "id");
      l.product_id = integer(li, "product_id");
      l.variation_id = integer(li, "variation_id");
      l.name = text(li, "name");
      l.sku = text(li, "sku");
      element q;
      if (member(li, "quantity", q)) l.quantity = quantity_of(q).value_or(sr::Quantity());
      l.price = text(li, "price");
      array meta;
      if (member(li, "meta_data", q) && q.get_array().get(meta) == SUCCESS) {
        for (element m : meta) {
          object mo;
          element value;
          if (m.get_object().get(mo) != SUCCESS || text(mo, "key") != "_reduced_stock") continue;
          if (member(mo, "value", value)) l.reduced_stock = quantity_of(value);
        }
      }
      r.lines.push_back(std::move(l));
    }
  }
  return true;
}

bool read_webhook(object o, WebhookRecord& w) {
  w.id = integer(o, "id");
  if (w.id <= 0) return false;
  w.name = text(o, "name");
  w.topic = text(o, "topic");
  w.delivery_url = text(o, "delivery_url");
  w.status = text(o, "status");
  return true;
}

bool read_note(object o, NoteRecord& n) {
  n.id = integer(o, "id");
  if (n.id <= 0) return false;
  n.note = text(o, "note");
  return true;
}

template <class Record, class Read>
bool read_list(element root, std::vector<Record>& out, std::string& error, Read read, const char* what) {
  array items;
  if (root.get_array().get(items) != SUCCESS) {
    error = std::string("expected a JSON array of ") + what;
    return false;
  }
  for (element item : items) {
    object o;
    Record r;
    if (item.get_object().get(o) != SUCCESS || !read(o, r)) {
      error = std::string("an element of the ") + what + " list is not a " + what + " object with an id";
      return false;
    }
    out.push_back(std::move(r));
  }
  return true;
}

template <class Record, class Read>
bool read_one(element root, Record& out, std::string& error, Read read, const char* what) {
  object o;
  if (root.get_object().get(o) != SUCCESS || !read(o, out)) {
    error = std::string("expected a ") + what + " object with an id";
    return false;
  }
  return true;
}

}  // namespace

bool Parser::parse(std::string_view body, element& root, std::string& error) {
  auto err = parser_.parse(body.data(), body.size(), true).get(root);
  if (err != SUCCESS) {
    error = std::string("not valid JSON (") + simdjson::error_message(err) + ")";
    return false;
  }
  return true;
}

bool Parser::products(std::string_view body, std::vector<Product>& out, std::string& error) {
  element root;
  auto read = [this](object o, Product& p) { return read_product(o, p, id_meta_key_); };
  return parse(body, root, error) && read_list(root, out, error, read, "product");
}

bool Parser::product(std::string_view body, Product& out, std::string& error) {
  element root;
  auto read = [this](object o, Product& p) { return read_product(o, p, id_meta_key_); };
  return parse(body, root, error) && read_one(root, out, error, read, "product");
}

bool Parser::orders(std::string_view body, std::vector<OrderRecord>& out, std::string& error) {
  element root;
  return parse(body, root, error) && read_list(root, out, error, read_order, "order");
}

bool Parser::order(std::string_view body, OrderRecord& out, std::string& error) {
  element root;
  return parse(body, root, error) && read_one(root, out, error, read_order, "order");
}

bool Parser::webhooks(std::string_view body, std::vector<WebhookRecord>& out, std::string& error) {
  element root;
  return parse(body, root, error) && read_list(root, out, error, read_webhook, "webhook");
}

bool Parser::webhook(std::string_view body, WebhookRecord& out, std::string& error) {
  element root;
  return parse(body, root, error) && read_one(root, out, error, read_webhook, "webhook");
}

bool Parser::notes(std::string_view body, std::vector<NoteRecord>& out, std::string& error) {
  element root;
  return parse(body, root, error) && read_list(root, out, error, read_note, "order note");
}

bool Parser::batch(std::string_view body, const char* key, std::vector<BatchItem>& out, std::string& error) {
  element root;
  if (!parse(body, root, error)) return false;
  object o;
  element e;
  array items;
  if (root.get_object().get(o) != SUCCESS) {
    error = "a batch answer must be a JSON object";
    return false;
  }
  if (!member(o, key, e)) return true;  // keys without input are absent
  if (e.get_array().get(items) != SUCCESS) {
    error = std::string("'") + key + "' of a batch answer must be an array";
    return false;
  }
  for (element item : items) {
    BatchItem b;
    object io;
    if (item.get_object().get(io) != SUCCESS) {
      error = "an element of a batch answer is not an object";
      return false;
    }
    element err;
    object eo;
    if (member(io, "error", err) && err.get_object().get(eo) == SUCCESS) {
      b.failed = true;
      b.id = integer(io, "id");
      b.code = text(eo, "code");
      b.message = text(eo, "message");
    } else if (!read_product(io, b.product, id_meta_key_)) {
      b.failed = true;
      b.id = integer(io, "id");
      b.message = "the answer has no object for this item";
    } else {
      b.id = b.product.id;
    }
    out.push_back(std::move(b));
  }
  return true;
}

bool Parser::api_error(std::string_view body, ApiError& out) {
  element root;
  std::string ignored;
  object o;
  if (!parse(body, root, ignored) || root.get_object().get(o) != SUCCESS) return false;
  out.code = text(o, "code");
  out.message = text(o, "message");
  return !out.code.empty() || !out.message.empty();
}

bool Parser::object_id(std::string_view body, std::int64_t& out, std::string& error) {
  element root;
  object o;
  if (!parse(body, root, error)) return false;
  if (root.get_object().get(o) != SUCCESS || (out = integer(o, "id")) <= 0) {
    error = "expected an object with an id";
    return false;
  }
  return true;
}

// ---- stock notes ----------------------------------------------------------------

namespace {

// An optionally signed integer at `pos`; advances `pos` past it.
bool integer_at(std::string_view s, std::size_t& pos, std::int64_t& out) {
  std::size_t p = pos;
  bool neg = p < s.size() && s[p] == '-';
  if (neg) ++p;
  std::size_t start = p;
  std::int64_t v = 0;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9' && p - start < 15) v = v * 10 + (s[p++] - '0');
  if (p == start) return false;
  out = neg ? -v : v;
  pos = p;
  return true;
}

// "a→b" (the arrow as UTF-8, as the HTML entity WooCommerce stores, or "->").
bool arrow_pair(std::string_view s, std::size_t pos, std::int64_t& from, std::int64_t& to) {
  if (!integer_at(s, pos, from)) return false;
  for (std::string_view arrow : {std::string_view("\xE2\x86\x92"), std::string_view("&rarr;"), std::string_view("->")}) {
    if (s.substr(pos, arrow.size()) == arrow) {
      pos += arrow.size();
      return integer_at(s, pos, to);
    }
  }
  return false;
}

}  // namespace

std::optional<StockNote> latest_stock_note(const std::vector<NoteRecord>& notes, const std::string& sku,
                                           std::int64_t product_id) {
  std::optional<StockNote> best;
  auto consider = [&](std::int64_t id, std::int64_t from, std::int64_t to) {
    if (!best || id > best->note_id) best = StockNote{id, from, to};
  };
  const std::string named = "(" + sku + ") ";
  const std::string item = product_id > 0 ? "Item #" + std::to_string(product_id) + " stock " : std::string();
  for (const auto& n : notes) {
    std::string_view t = n.note;
    if (!sku.empty() && (t.rfind("Stock levels reduced:", 0) == 0 || t.rfind("Stock levels increased:", 0) == 0)) {
      // "Name (SKU) a→b, Name2 (SKU2) c→d": a name may hold anything, so the
      // SKU counts only where a level pair follows it.
      for (std::size_t at = t.find(named); at != std::string_view::npos; at = t.find(named, at + 1)) {
        std::int64_t from = 0, to = 0;
        if (arrow_pair(t, at + named.size(), from, to)) {
          consider(n.id, from, to);
          break;
        }
      }
    } else if (!item.empty() && t.rfind(item, 0) == 0) {
      // "Item #55 stock increased from 6 to 7." (or "reduced")
      std::size_t pos = t.find(" from ", item.size());
      std::int64_t from = 0, to = 0;
      if (pos == std::string_view::npos) continue;
      pos += 6;
      if (!integer_at(t, pos, from) || t.substr(pos, 4) != " to ") continue;
      pos += 4;
      if (integer_at(t, pos, to)) consider(n.id, from, to);
    }
  }
  return best;
}

// ---- dates --------------------------------------------------------------------

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::optional<std::int64_t> to_unix(int y, int mo, int d, int h, int mi, int s) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + s;
}

}  // namespace

std::optional<std::int64_t> parse_gmt(std::string_view t) {
  int y, mo, d, h, mi, s;
  if (t.size() < 19 || !digits(t, 0, 4, y) || t[4] != '-' || !digits(t, 5, 2, mo) || t[7] != '-' ||
      !digits(t, 8, 2, d) || (t[10] != 'T' && t[10] != ' ') || !digits(t, 11, 2, h) || t[13] != ':' ||
      !digits(t, 14, 2, mi) || t[16] != ':' || !digits(t, 17, 2, s))
    return std::nullopt;
  std::string_view rest = t.substr(19);
  if (!rest.empty() && rest != "Z" && rest[0] != '.') return std::nullopt;
  return to_unix(y, mo, d, h, mi, s);
}

std::string format_gmt(std::int64_t secs) {
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  std::int64_t rem = secs - days * 86400;
  // civil_from_days (H. Hinnant)
  std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(y), m, d,
                static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60));
  return buf;
}

std::optional<std::int64_t> parse_http_date(std::string_view t) {
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto comma = t.find(", ");
  if (comma == std::string_view::npos) return std::nullopt;
  t = t.substr(comma + 2);
  int d, y, h, mi, s;
  if (t.size() < 20 || !digits(t, 0, 2, d) || t[2] != ' ' || t[6] != ' ' || !digits(t, 7, 4, y) || t[11] != ' ' ||
      !digits(t, 12, 2, h) || t[14] != ':' || !digits(t, 15, 2, mi) || t[17] != ':' || !digits(t, 18, 2, s))
    return std::nullopt;
  int mo = 0;
  for (int i = 0; i < 12; ++i)
    if (t.substr(3, 3) == months[i]) mo = i + 1;
  if (mo == 0) return std::nullopt;
  return to_unix(y, mo, d, h, mi, s);
}

std::int64_t gmt_ms(std::string_view text) {
  auto s = parse_gmt(text);
  return s ? *s * 1000 : 0;
}

}  // namespace woo
