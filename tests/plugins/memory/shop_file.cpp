#include "shop_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace memory_shop::file {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw std::runtime_error(where + ": " + what);
}

json quantity_json(sr::Quantity q) { return q.is_whole() ? json(q.whole()) : json(q.to_string()); }

sr::Quantity quantity_of(const json& j, const std::string& where) {
  if (j.is_number_integer()) return sr::Quantity::units(j.get<std::int64_t>());
  if (j.is_string())
    if (auto q = sr::Quantity::parse(j.get_ref<const std::string&>())) return *q;
  bad(where, "a quantity must be an integer or a decimal string with at most 3 decimals, not " + j.dump());
}

// Reads an optional field with a default; the wrong type is an error, not a default.
template <class T>
T field(const json& j, const char* name, T dflt, const std::string& where) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return dflt;
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    bad(where, std::string("field '") + name + "' has the wrong type: " + it->dump());
  }
}

const json& object_at(const json& j, const char* name, const std::string& where) {
  static const json empty = json::object();
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return empty;
  if (!it->is_object()) bad(where, std::string("'") + name + "' must be an object");
  return *it;
}

const json& array_at(const json& j, const char* name, const std::string& where) {
  static const json empty = json::array();
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return empty;
  if (!it->is_array()) bad(where, std::string("'") + name + "' must be an array");
  return *it;
}

Stock stock_of(const std::string& s, const std::string& where) {
  if (s == "none") return Stock::None;
  if (s == "held") return Stock::Held;
  if (s == "released") return Stock::Released;
  bad(where, "'stock' must be none, held or released, not '" + s + "'");
}

json lines_json(const std::vector<LineItem>& lines) {
  json out = json::array();
  for (const auto& l : lines) out.push_back({{"sku", l.sku}, {"quantity", quantity_json(l.quantity)}});
  return out;
}

std::vector<LineItem> lines_of(const json& j, const std::string& where) {
  std::vector<LineItem> out;
  for (const auto& l : array_at(j, "lines", where))
    out.push_back({field<std::string>(l, "sku", "", where), quantity_of(l.value("quantity", json(0)), where)});
  return out;
}

// The lock lives in a separate file: the shop file itself is replaced by
// rename, and a lock on a replaced inode would protect nothing.
class FileLock {
 public:
  FileLock(const std::string& path, int mode) {
    std::string lock_path = path + ".lock";
    fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error(lock_path + ": cannot open: " + std::strerror(errno));
    while (::flock(fd_, mode) != 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd_);
      throw std::runtime_error(lock_path + ": cannot lock: " + std::strerror(e));
    }
  }
  ~FileLock() { ::close(fd_); }  // closing releases the flock
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

State read_unlocked(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return State{};
    throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
  }
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      throw std::runtime_error(path + ": cannot read: " + std::strerror(e));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return from_text(text, path);
}

// No fsync: the file must survive the hub being killed, not the machine
// losing power, and rename() alone already makes the replacement atomic for
// every other process.
void write_unlocked(const std::string& path, const State& state) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << to_text(state);
    out.close();
    if (!out) throw std::runtime_error(tmp + ": cannot write");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error(path + ": cannot replace: " + std::strerror(errno));
}

}  // namespace

std::string to_text(const State& s) {
  json products = json::object();
  for (const auto& [sku, p] : s.products) {
    json jp{{"quantity", quantity_json(p.quantity)}, {"revision", p.revision}, {"modified_at", p.modified_at},
            {"managed", p.managed}, {"active", p.active}, {"remote_id", p.remote_id}};
    if (p.price) jp["price"] = {{"amount", p.price->amount_string()}, {"currency", p.price->currency}};
    products[sku] = std::move(jp);
  }
  json orders = json::object();
  for (const auto& [id, o] : s.orders) {
    json lines = json::array();
    for (const auto& l : o.lines)
      lines.push_back({{"id", l.id}, {"sku", l.sku}, {"quantity", quantity_json(l.quantity)},
                       {"restocked", quantity_json(l.restocked)}});
    orders[id] = {{"number", o.number}, {"status", o.status}, {"stock", to_string(o.stock)},
                  {"revision", o.revision}, {"modified_at", o.modified_at}, {"lines", std::move(lines)}};
  }
  json notes = json::array();
  for (const auto& n : s.notes)
    notes.push_back({{"order_id", n.order_id}, {"note", n.note}, {"customer_visible", n.customer_visible}});
  json created = json::array();
  for (const auto& c : s.created_orders)
    created.push_back({{"remote_ref", c.remote_ref}, {"source_connection", c.source_connection},
                       {"source_order_id", c.source_order_id}, {"lines", lines_json(c.lines)},
                       {"delivered", c.delivered}});
  json doc{{"format", kFormat},
           {"revision", s.revision},
           {"products", std::move(products)},
           {"orders", std::move(orders)},
           {"notes", std::move(notes)},
           {"created_orders", std::move(created)},
           {"faults", {{"retry_next", s.faults.retry_next}, {"fail_skus", s.faults.fail_skus}}}};
  return doc.dump(2) + "\n";
}

State from_text(const std::string& text, const std::string& where) {
  State s;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return s;
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) bad(where, "not a JSON object");
  s.revision = field<std::int64_t>(doc, "revision", 0, where);
  for (const auto& [sku, jp] : object_at(doc, "products", where).items()) {
    std::string w = where + ": product '" + sku + "'";
    Product p;
    p.sku = sku;
    p.quantity = quantity_of(jp.value("quantity", json(0)), w);
    p.revision = field<std::int64_t>(jp, "revision", 0, w);
    p.modified_at = field<std::int64_t>(jp, "modified_at", 0, w);
    p.managed = field<bool>(jp, "managed", true, w);
    p.active = field<bool>(jp, "active", true, w);
    p.remote_id = field<std::string>(jp, "remote_id", "", w);
    if (auto pr = jp.find("price"); pr != jp.end() && pr->is_object()) {
      p.price = sr::Money::parse(field<std::string>(*pr, "amount", "", w), field<std::string>(*pr, "currency", "", w));
      if (!p.price) bad(w, "'price.amount' must be a decimal string such as \"9.90\"");
    }
    s.products[sku] = std::move(p);
  }
  for (const auto& [id, jo] : object_at(doc, "orders", where).items()) {
    std::string w = where + ": order '" + id + "'";
    Order o;
    o.id = id;
    o.number = field<std::string>(jo, "number", "#" + id, w);
    o.status = field<std::string>(jo, "status", "processing", w);
    o.stock = stock_of(field<std::string>(jo, "stock", "none", w), w);
    o.revision = field<std::int64_t>(jo, "revision", 0, w);
    o.modified_at = field<std::int64_t>(jo, "modified_at", 0, w);
    for (const auto& jl : array_at(jo, "lines", w)) {
      OrderLine l;
      l.id = field<std::string>(jl, "id", std::to_string(o.lines.size() + 1), w);
      l.sku = field<std::string>(jl, "sku", "", w);
      l.quantity = quantity_of(jl.value("quantity", json(0)), w);
      l.restocked = quantity_of(jl.value("restocked", json(0)), w);
      o.lines.push_back(std::move(l));
    }
    s.orders[id] = std::move(o);
  }
  for (const auto& jn : array_at(doc, "notes", where))
    s.notes.push_back({field<std::string>(jn, "order_id", "", where), field<std::string>(jn, "note", "", where),
                       field<bool>(jn, "customer_visible", false, where)});
  for (const auto& jc : array_at(doc, "created_orders", where))
    s.created_orders.push_back({field<std::string>(jc, "remote_ref", "", where),
                                field<std::string>(jc, "source_connection", "", where),
                                field<std::string>(jc, "source_order_id", "", where), lines_of(jc, where),
                                field<bool>(jc, "delivered", false, where)});
  const json& faults = object_at(doc, "faults", where);
  s.faults.retry_next = field<int>(faults, "retry_next", 0, where);
  s.faults.fail_skus = field<std::vector<std::string>>(faults, "fail_skus", {}, where);
  return s;
}

State load(const std::string& path) {
  FileLock lock(path, LOCK_SH);
  return read_unlocked(path);
}

void update(const std::string& path, const std::function<bool(State&)>& change) {
  FileLock lock(path, LOCK_EX);
  State state = read_unlocked(path);
  if (change(state)) write_unlocked(path, state);
}

}  // namespace memory_shop::file
