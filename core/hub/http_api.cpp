// The hub's HTTP surface: webhook ingress, /healthz, /metrics and the
// admin JSON API (bearer token).
#include <openssl/crypto.h>

#include "common/log.hpp"
#include "common/metrics.hpp"
#include "http/server.hpp"
#include "hub/hub.hpp"

namespace stockrelay::hub {
namespace {

using nlohmann::json;

http::ServerResponse json_response(int status, const json& body) {
  http::ServerResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

std::string query_param(const std::string& query, const std::string& name) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t amp = query.find('&', pos);
    std::string part = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    std::size_t eq = part.find('=');
    if (part.substr(0, eq) == name) {
      std::string v = eq == std::string::npos ? std::string() : part.substr(eq + 1);
      std::string out;
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '+') out += ' ';
        else if (v[i] == '%' && i + 2 < v.size()) {
          out += static_cast<char>(std::stoi(v.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else out += v[i];
      }
      return out;
    }
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return {};
}

std::optional<std::string> opt(const std::string& v) { return v.empty() ? std::nullopt : std::optional(v); }

json to_json(const store::OrderSync& o) {
  return {{"source", o.source}, {"order_id", o.order_id}, {"target", o.target},
          {"status", store::to_string(o.status)}, {"reason", o.reason}, {"attempts", o.attempts},
          {"remote_ref", o.remote_ref}, {"updated_at", o.updated_at}, {"delivery_ref", o.delivery_ref},
          {"cancel", o.cancel}};
}

json to_json(const store::LogEntry& e) {
  json j{{"id", e.id}, {"at", e.at}, {"level", e.level}, {"connection", e.connection}, {"sku", e.sku},
         {"order_id", e.order_id}, {"kind", e.kind}, {"cause", e.cause}, {"result", e.result},
         {"message", e.message}};
  if (e.old_quantity) j["old"] = e.old_quantity->to_string();
  if (e.new_quantity) j["new"] = e.new_quantity->to_string();
  return j;
}

json to_json(const store::OutboxItem& i) {
  return {{"id", i.id}, {"target", i.target}, {"command", i.command}, {"state", store::to_string(i.state)},
          {"attempts", i.attempts}, {"next_attempt_at", i.next_attempt_at}, {"source_ref", i.source_ref},
          {"last_error", i.last_error}, {"payload", json::parse(i.payload, nullptr, false)}};
}

}  // namespace

void Hub::install_http_routes() {
  server_->route("GET", "/healthz", [this](const http::ServerRequest&, http::Respond respond) {
    respond(json_response(200, {{"status", running_ ? "ok" : "stopping"}, {"connections", conns_.size()}}));
  });

  Metrics::global().gauge("stockrelay_outbox_depth", "Commands pending or in flight, by connection", [this] {
    std::vector<std::pair<Labels, double>> rows;
    std::lock_guard lock(store_mu_);
    for (const auto& [name, c] : conns_)
      rows.push_back({{{"connection", name}}, static_cast<double>(store_->outbox_depth(name))});
    return rows;
  });
  // How busy the store lock is: every journal write, engine step and result
  // takes it, so held seconds growing as fast as the clock means saturation.
  Metrics::global().gauge("stockrelay_store_lock_held_seconds", "Seconds the store lock was held since start", [this] {
    return std::vector<std::pair<Labels, double>>{{{}, store_mu_.held_seconds()}};
  });
  Metrics::global().gauge("stockrelay_store_lock_waited_seconds",
                          "Seconds spent waiting for the store lock since start, summed over threads", [this] {
                            return std::vector<std::pair<Labels, double>>{{{}, store_mu_.waited_seconds()}};
                          });
  server_->route("GET", "/metrics", [](const http::ServerRequest&, http::Respond respond) {
    http::ServerResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = Metrics::global().render();
    respond(std::move(r));
  });

  // Webhooks: /hooks/<connection>, handed to that connection's plugin on its strand.
  server_->route("POST", "/hooks/", [this](const http::ServerRequest& req, http::Respond respond) {
    std::string name = req.path.substr(std::string("/hooks/").size());
    auto it = conns_.find(name);
    if (it == conns_.end() || !it->second->connection->plugin().has(loader::Slot::on_webhook)) {
      Metrics::global().add("stockrelay_webhooks_total", {{"connection", "unknown"}, {"status", "404"}});
      respond(json_response(404, {{"error", "no connection '" + name + "' takes webhooks"}}));
      return;
    }
    if (!it->second->started) {
      // Its start() may be waiting for this very request (a shop pinging the
      // webhook being registered): the plugin cannot take it yet.
      Metrics::global().add("stockrelay_webhooks_total", {{"connection", name}, {"status", "503"}});
      respond(json_response(503, {{"error", "connection '" + name + "' is starting"}}));
      return;
    }
    json headers = json::object();
    for (const auto& h : req.headers) headers[h.name] = h.value;
    // received_at: the plugin's call may wait behind its other calls (a
    // delivery of ours to that shop); what the body shows is no newer than this.
    std::string envelope = json{{"method", req.method},   {"path", req.path}, {"query", req.query},
                                {"headers", headers},     {"body", req.body}, {"received_at", clock_.now_ms()}}
                               .dump(-1, ' ', false, json::error_handler_t::replace);
    Conn* c = it->second.get();
    ++busy_;
    boost::asio::post(*c->strand, [this, c, envelope = std::move(envelope), respond = std::move(respond)] {
      std::string out;
      sr_status st = running_ ? c->connection->on_webhook(envelope, out) : SR_STOPPED;
      int status = st == SR_OK ? 200 : st == SR_INVALID ? 400 : st == SR_FAILED ? 500 : 503;
      std::string body = st == SR_OK ? "{}" : json{{"error", c->connection->last_error()}}.dump();
      auto j = json::parse(out, nullptr, false);
      if (j.is_object()) {
        status = j.value("status", status);
        body = j.value("body", body);
      }
      Metrics::global().add("stockrelay_webhooks_total",
                            {{"connection", c->connection->name()}, {"status", std::to_string(status)}});
      if (status >= 400)
        log::warn({c->connection->name(), {}, {}}, "webhook answered " + std::to_string(status) + ": " + body);
      http::ServerResponse r;
      r.status = status;
      r.body = body;
      respond(std::move(r));
      --busy_;
    });
  });

  // Admin API, bearer token. No token configured: disabled. Reads are GET;
  // the only writes are pool membership changes (POST).
  auto authorized = [this](const http::ServerRequest& req, http::Respond& respond) {
    const std::string& token = cfg_.server.admin_token;
    std::string auth = req.header("authorization");
    std::string expected = "Bearer " + token;
    if (token.empty()) {
      respond(json_response(404, {{"error", "the admin API is disabled (set server.admin_token)"}}));
      return false;
    }
    if (auth.size() != expected.size() || CRYPTO_memcmp(auth.data(), expected.data(), auth.size()) != 0) {
      respond(json_response(401, {{"error", "missing or wrong bearer token"}}));
      return false;
    }
    return true;
  };

  // POST /admin/pools/<pool>/join/<connection> (runs in the background;
  // GET /admin/pools shows its progress) and .../leave/<connection>.
  server_->route("POST", "/admin/pools/", [this, authorized](const http::ServerRequest& req, http::Respond respond) {
    if (!authorized(req, respond)) return;
    std::string rest = req.path.substr(std::string("/admin/pools/").size());
    auto a = rest.find('/');
    auto b = a == std::string::npos ? std::string::npos : rest.find('/', a + 1);
    if (b == std::string::npos) {
      respond(json_response(404, {{"error", "use /admin/pools/<pool>/join/<connection> or .../leave/<connection>"}}));
      return;
    }
    std::string pool = rest.substr(0, a), action = rest.substr(a + 1, b - a - 1), conn = rest.substr(b + 1);
    if (action != "join" && action != "leave") {
      respond(json_response(404, {{"error", "unknown pool action '" + action + "' (join, leave)"}}));
      return;
    }
    if (auto st = check_membership_change(pool, conn); !st) {
      respond(json_response(400, {{"error", st.error().message()}}));
      return;
    }
    // Both wait for the engine strand, which must not be this io thread's
    // caller chain: run them on a thread of their own.
    std::lock_guard lock(jobs_mu_);
    jobs_.emplace_back([this, pool, conn, action, respond = std::move(respond)]() mutable {
      if (action == "leave") {
        auto st = leave_pool(pool, conn);
        respond(st ? json_response(200, {{"pool", pool}, {"connection", conn}, {"state", "left"}})
                   : json_response(400, {{"error", st.error().message()}}));
        return;
      }
      // 202 once the member is recorded as joining, so that GET /admin/pools
      // shows it from the moment the caller has the answer.
      bool answered = false;
      auto started = [&](const JoinProgress&) {
        if (answered) return;
        answered = true;
        respond(json_response(202, {{"pool", pool}, {"connection", conn}, {"state", "joining"},
                                    {"progress", "/admin/pools"}}));
      };
      auto r = join_pool(pool, conn, started, 3600 * 1000);
      if (!r) log::error({conn, {}, {}}, "join of pool " + pool + " failed: " + r.error().message());
      if (!answered)
        respond(json_response(r ? 200 : 409, r ? json{{"pool", pool}, {"connection", conn}, {"state", "active"}}
                                              : json{{"error", r.error().message()}}));
    });
  });

  server_->route("GET", "/admin/", [this, authorized](const http::ServerRequest& req, http::Respond respond) {
    if (!authorized(req, respond)) return;
    std::string what = req.path.substr(std::string("/admin/").size());
    std::lock_guard lock(store_mu_);
    if (what == "connections") {
      json arr = json::array();
      for (const auto& [name, c] : conns_) {
        const auto& d = c->connection->plugin().description;
        arr.push_back({{"name", name}, {"plugin", d.id}, {"version", d.version}, {"capabilities", d.capabilities},
                       {"outbox_depth", store_->outbox_depth(name)}});
      }
      respond(json_response(200, arr));
    } else if (what == "outbox") {
      json arr = json::array();
      for (const auto& i : store_->outbox(opt(query_param(req.query, "connection")), false, 500)) arr.push_back(to_json(i));
      respond(json_response(200, arr));
    } else if (what == "orders") {
      store::OrderQuery q;
      q.failed_only = query_param(req.query, "failed") == "1" || query_param(req.query, "failed") == "true";
      q.source = opt(query_param(req.query, "source"));
      json arr = json::array();
      for (const auto& o : store_->orders(q)) arr.push_back(to_json(o));
      respond(json_response(200, arr));
    } else if (what == "log") {
      store::LogQuery q;
      q.connection = opt(query_param(req.query, "connection"));
      q.sku = opt(query_param(req.query, "sku"));
      q.order_id = opt(query_param(req.query, "order"));
      std::string after = query_param(req.query, "after");
      if (!after.empty()) q.after_id = std::strtoll(after.c_str(), nullptr, 10);
      json arr = json::array();
      for (const auto& e : store_->log(q)) arr.push_back(to_json(e));
      respond(json_response(200, arr));
    } else if (what == "links") {
      json arr = json::array();
      for (const auto& l : store_->links(opt(query_param(req.query, "connection"))))
        arr.push_back({{"connection", l.connection}, {"sku", l.sku}, {"remote_id", l.remote_id},
                       {"remote_variation_id", l.remote_variation_id}, {"active", l.active},
                       {"state", l.state.empty() ? (l.active ? "observed" : "inactive") : l.state}, {"via", l.via},
                       {"via_ref", l.via_ref}, {"reason", l.reason}});
      respond(json_response(200, arr));
    } else if (what == "pools") {
      json arr = json::array();
      auto rows = store_->pool_members();
      for (const auto& p : pools()) {
        json members = json::array();
        for (const auto& m : p.members) {
          json jm{{"connection", m}, {"state", "active"}};
          for (const auto& r : rows)
            if (r.pool == p.name && r.connection == m) {
              jm["state"] = store::to_string(r.state);
              jm["message"] = r.message;
            }
          if (auto j = p.joining.find(m); j != p.joining.end())
            jm["join"] = {{"phase", j->second.phase}, {"read", j->second.read}, {"done", j->second.done},
                          {"total", j->second.total}, {"since", j->second.since}};
          members.push_back(std::move(jm));
        }
        for (const auto& r : rows)
          if (r.pool == p.name && r.state == store::MemberState::Left)
            members.push_back({{"connection", r.connection}, {"state", "left"}, {"message", r.message}});
        arr.push_back({{"name", p.name}, {"members", std::move(members)}});
      }
      respond(json_response(200, arr));
    } else {
      respond(json_response(404, {{"error", "unknown admin resource '" + what + "'"},
                                  {"resources", {"connections", "outbox", "orders", "log", "links", "pools"}}}));
    }
  });
}

}  // namespace stockrelay::hub
