// Probing a connector library: load it and report what it is, in a child
// process, so that a crashing or hostile library cannot take the CLI down.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace stockrelay::loader {

// What `stockrelay plugins probe FILE` prints (on one line, the last line of
// its stdout):
//   {"ok":true,"path":"/abs/libx.so","abi":"1.0","capabilities":[...],"describe":{...}}
//   {"ok":false,"path":"libx.so","error":"<file>: <reason> (<hint>)","what":"<reason>","hint":"<hint>"}
// Loads the library into the calling process and runs its code: call it only
// in the child that probe_in_child() starts.
nlohmann::json probe(const std::string& path);

// Runs `<self_exe> plugins probe <path>` in a child process (stdin closed,
// killed after `timeout`) and returns the printed object if the library was
// accepted. A refusal, a crash ("...crashed while loading (signal 11,
// SIGSEGV)"), a timeout or a garbled answer is an Error whose `where` is the
// library's path.
Result<nlohmann::json> probe_in_child(const std::string& path, const std::string& self_exe,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace stockrelay::loader
