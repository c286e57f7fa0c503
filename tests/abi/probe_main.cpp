// sr_probe_test_exe: stands in for the stockrelay CLI in tests. Answers
// `plugins probe FILE` exactly as the CLI must: one line of JSON from
// loader::probe() on stdout; exit status 0 when the library was accepted.
#include <cstring>
#include <iostream>

#include "loader/probe.hpp"

int main(int argc, char** argv) {
  if (argc != 4 || std::strcmp(argv[1], "plugins") != 0 || std::strcmp(argv[2], "probe") != 0) {
    std::cerr << "usage: " << argv[0] << " plugins probe FILE\n";
    return 2;
  }
  nlohmann::json answer = stockrelay::loader::probe(argv[3]);
  std::cout << answer.dump() << std::endl;
  return answer.value("ok", false) ? 0 : 1;
}
