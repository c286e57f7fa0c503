// The hub lock: one `stockrelay run` per store file.
//
// SQLite's own locking keeps concurrent writers correct, but two hubs on one
// store would both claim work and both talk to the shops. An advisory
// flock() on `<store>.lock` refuses the second hub up front, and the kernel
// drops the lock when the holder dies, so a crash never leaves it stuck.
#pragma once

#include <string>

#include "common/error.hpp"

namespace stockrelay::store {

class StoreLock {
 public:
  // Takes the lock without waiting, writing our pid into the file so the
  // refused process can say who holds it.
  static Result<StoreLock> acquire(const std::string& store_path);

  StoreLock(StoreLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  StoreLock& operator=(StoreLock&&) = delete;
  StoreLock(const StoreLock&) = delete;
  ~StoreLock();

 private:
  explicit StoreLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace stockrelay::store
