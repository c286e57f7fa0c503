// One accepted connection: reads requests one at a time (HTTP/1.1
// keep-alive), hands each to its route and writes the answer back. Every step
// runs on the connection's strand; answers arriving from other threads are
// posted onto it. Internal to the server.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "http/server_state.hpp"

namespace stockrelay::http {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerState> state);

  void start();
  // Thread-safe: closes the connection on its strand (Server::stop()).
  void close();
  // Thread-safe: writes the answer to the current request on the strand.
  void deliver(ServerResponse response);

 private:
  void read();
  void on_read(boost::beast::error_code ec);
  void dispatch();
  void write(ServerResponse response);
  void on_write(bool keep_alive, boost::beast::error_code ec);
  void fail_request(int status, const std::string& message);
  void linger();
  void drain();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<ServerState> state_;
  std::string remote_;
  // The request being answered, for keep-alive and the access log.
  bool keep_alive_ = false;
  std::string method_;
  std::string target_;
  std::chrono::steady_clock::time_point started_;
  std::array<char, 4096> drain_{};
};

}  // namespace stockrelay::http
