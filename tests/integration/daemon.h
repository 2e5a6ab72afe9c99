// provledgerd as a child process for the integration tests: started on a
// loopback port with its stderr in a log file, polled until it serves.
#ifndef PROVLEDGER_TESTS_INTEGRATION_DAEMON_H_
#define PROVLEDGER_TESTS_INTEGRATION_DAEMON_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "grpc_test_util.h"

namespace provledger::testing {

inline int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// A provledgerd child process (PROVLEDGERD_PATH).
class Daemon {
 public:
  Daemon(const std::string& data_dir, const std::string& log_file)
      : data_dir_(data_dir), log_file_(log_file) {}
  // Extra provledgerd flags for the next Start().
  void set_extra_flag(const std::string& flag) { extra_flags_ = {flag}; }
  void set_extra_flags(std::vector<std::string> flags) { extra_flags_ = std::move(flags); }
  // Listen on `port` (default: a free one picked at each Start).
  void set_port(int port) { fixed_port_ = port; }
  int port() const { return port_; }
  ~Daemon() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // Starts the daemon; returns false if it exited instead of serving.
  bool Start() {
    port_ = fixed_port_ > 0 ? fixed_port_ : FreePort();
    addr_ = "127.0.0.1:" + std::to_string(port_);
    std::vector<std::string> argv_text = {"provledgerd", "--data-dir", data_dir_, "--listen",
                                          addr_};
    argv_text.insert(argv_text.end(), extra_flags_.begin(), extra_flags_.end());
    pid_ = fork();
    if (pid_ == 0) {
      FILE* log = fopen(log_file_.c_str(), "a");
      if (log) dup2(fileno(log), STDERR_FILENO);
      std::vector<char*> argv;
      for (auto& a : argv_text) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(PROVLEDGERD_PATH, argv.data());
      _exit(127);
    }
    // A private subchannel with short reconnect backoff, so polling a port
    // that is not listening yet does not back off for seconds.
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 100);
    auto stub = v1::LedgerService::NewStub(
        grpc::CreateCustomChannel(addr_, grpc::InsecureChannelCredentials(), args));
    for (int i = 0; i < 300; ++i) {
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_status_ = status;
        pid_ = -1;
        return false;
      }
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(100));
      v1::GetCheckpointResponse resp;
      if (stub->GetCheckpoint(&ctx, v1::GetCheckpointRequest(), &resp).ok()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // Whether the process exited within `timeout` (its status then in
  // exit_status()).
  bool ExitsWithin(std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (pid_ > 0 && std::chrono::steady_clock::now() < until) {
      if (waitpid(pid_, &exit_status_, WNOHANG) == pid_) {
        pid_ = -1;
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return pid_ <= 0;
  }

  void Kill(int sig) {
    kill(pid_, sig);
    waitpid(pid_, &exit_status_, 0);
    pid_ = -1;
  }
  int exit_status() const { return exit_status_; }
  pid_t pid() const { return pid_; }
  // The process's resident set size in kB (VmRSS), or -1.
  long RssKb() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
  }
  const std::string& addr() const { return addr_; }
  std::string Log() const {
    std::ifstream in(log_file_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::string data_dir_, log_file_, addr_;
  std::vector<std::string> extra_flags_;
  int port_ = 0;
  int fixed_port_ = 0;
  pid_t pid_ = -1;
  int exit_status_ = 0;
};

}  // namespace provledger::testing

#endif  // PROVLEDGER_TESTS_INTEGRATION_DAEMON_H_
