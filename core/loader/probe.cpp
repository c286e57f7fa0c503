#include "loader/probe.hpp"

#include <filesystem>

#include "loader/child_process.hpp"
#include "loader/load.hpp"

namespace stockrelay::loader {
namespace {

// The last non-empty line: plugin code may have printed to stdout before the
// answer.
std::string last_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

std::string tail(const std::string& text, std::size_t n = 500) {
  return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

}  // namespace

nlohmann::json probe(const std::string& path) {
  auto plugin = load(path);
  if (!plugin) {
    const Error& e = plugin.error();
    return {{"ok", false}, {"path", path}, {"error", e.message()}, {"what", e.what}, {"hint", e.hint}};
  }
  const Plugin& p = **plugin;
  return {{"ok", true},
          {"path", p.path},
          {"abi", p.abi()},
          {"capabilities", p.description.capabilities},
          {"describe", nlohmann::json::parse(p.describe_json)}};  // valid: load() checked it
}

Result<nlohmann::json> probe_in_child(const std::string& path, const std::string& self_exe,
                                      std::chrono::milliseconds timeout) {
  const std::string file = std::filesystem::absolute(path).string();
  auto child = run_child({self_exe, "plugins", "probe", file}, timeout);
  if (!child) return Error{file, "cannot probe the library: " + child.error().message(), ""};

  const ChildOutcome& c = *child;
  if (c.timed_out)
    return Error{file, "the connector did not finish loading within " + std::to_string(timeout.count()) +
                           " ms and was stopped", "the library hangs in its entry function or describe()"};
  if (c.signal != 0)
    return Error{file, "the connector crashed while loading (" + describe_signal(c.signal) + ")",
                 "the library is faulty; do not install it"};

  auto answer = nlohmann::json::parse(last_line(c.out), nullptr, false);
  if (!answer.is_object() || !answer.contains("ok"))
    return Error{file, "the probe gave no answer (exit status " + std::to_string(c.exit_code) + ")" +
                           (c.err.empty() ? std::string() : ": " + tail(c.err)),
                 "is " + self_exe + " a stockrelay executable with `plugins probe`?"};
  if (answer.value("ok", false) != true)
    return Error{file, answer.value("what", std::string("refused")), answer.value("hint", std::string())};
  return answer;
}

}  // namespace stockrelay::loader
