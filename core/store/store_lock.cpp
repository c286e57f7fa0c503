#include "store/store_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace stockrelay::store {

namespace {

// The pid the holder wrote, or "" while it has not written it yet.
std::string read_holder(int fd) {
  char buf[32] = {};
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  std::string s(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Result<StoreLock> StoreLock::acquire(const std::string& store_path) {
  const std::string lock_path = store_path + ".lock";
  // The file is never deleted: unlinking it while another process waits on
  // the old inode would let two hubs each hold "the" lock.
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Error{"store " + store_path, "cannot create lock file " + lock_path + ": " + std::strerror(errno),
                 "check that the directory exists and is writable"};
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string holder = err == EWOULDBLOCK ? read_holder(fd) : "";
    ::close(fd);
    if (err != EWOULDBLOCK) {
      return Error{"store " + store_path, "cannot lock " + lock_path + ": " + std::strerror(err), ""};
    }
    return Error{"", "store " + store_path + " is in use by another stockrelay process (pid " +
                         (holder.empty() ? "unknown" : holder) + ")",
                 "stop that process, or point store.path at another file"};
  }
  // Best effort: the pid only improves the message a refused hub prints.
  const std::string pid = std::to_string(getpid()) + "\n";
  [[maybe_unused]] bool written =
      ftruncate(fd, 0) == 0 && pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
  return StoreLock(fd);
}

StoreLock::~StoreLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace stockrelay::store
