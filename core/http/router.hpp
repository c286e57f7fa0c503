// Which handler answers a request: plain data, no sockets.
//
// A route is (method, path prefix). The longest prefix that matches the path
// owns it; among that prefix's routes the one for the request's method (or
// "*") answers. If the owning prefix has no route for the method the answer
// is 405 with Allow; if no prefix matches, 404. A prefix matches whole path
// segments: "/metrics" matches "/metrics" and "/metrics/x", not "/metricsx";
// a prefix ending in "/" ("/webhooks/") matches everything below it.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace stockrelay::http {

template <class Handler>
class Router {
 public:
  struct Match {
    const Handler* handler = nullptr;  // set when status == 200
    int status = 404;                  // 200, 404 or 405
    std::string allow;                 // for 405: "GET, POST"
  };

  // A later route with the same method and prefix replaces the earlier one.
  void add(std::string method, std::string prefix, Handler handler) {
    for (auto& r : routes_) {
      if (r.method == method && r.prefix == prefix) {
        r.handler = std::move(handler);
        return;
      }
    }
    routes_.push_back({std::move(method), std::move(prefix), std::move(handler)});
  }

  Match find(std::string_view method, std::string_view path) const {
    const std::string* owner = nullptr;
    for (const auto& r : routes_) {
      if (covers(r.prefix, path) && (!owner || r.prefix.size() > owner->size())) owner = &r.prefix;
    }
    Match m;
    if (!owner) return m;
    m.status = 405;
    for (const auto& r : routes_) {
      if (r.prefix != *owner) continue;
      if (r.method == method || r.method == "*") {
        m.status = 200;
        m.handler = &r.handler;
        if (r.method == method) return m;  // an exact method beats "*"
      }
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += r.method;
    }
    return m;
  }

  static bool covers(std::string_view prefix, std::string_view path) {
    if (!path.starts_with(prefix)) return false;
    return path.size() == prefix.size() || prefix.ends_with('/') || path[prefix.size()] == '/';
  }

 private:
  struct Route {
    std::string method;
    std::string prefix;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace stockrelay::http
