#include "probes/transport/local_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace cloison {

namespace {

struct pipe_pair {
  int fds[2] = {-1, -1};
  ~pipe_pair() {
    for (int fd : fds) {
      if (fd >= 0)
        close(fd);
    }
  }
};

void drain(int fd, std::string& into, std::size_t cap, bool& truncated, bool& open) {
  std::array<char, 65536> buf;
  const ssize_t n = read(fd, buf.data(), buf.size());
  if (n <= 0) {
    open = n < 0 && (errno == EINTR || errno == EAGAIN);
    return;
  }
  const std::size_t room = cap > into.size() ? cap - into.size() : 0;
  const std::size_t keep = std::min(room, static_cast<std::size_t>(n));
  into.append(buf.data(), keep);
  truncated = truncated || keep < static_cast<std::size_t>(n);
}

}  // namespace

command_result local_runner::run(const std::vector<std::string>& argv, deadline until,
                                 std::size_t cap) const {
  command_result result;
  if (argv.empty()) {
    result.outcome = outcome::error;
    result.failure = "empty command";
    return result;
  }
  pipe_pair out, err, status;
  if (pipe2(out.fds, O_CLOEXEC) || pipe2(err.fds, O_CLOEXEC) || pipe2(status.fds, O_CLOEXEC)) {
    result.outcome = outcome::error;
    result.failure = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) {
    result.outcome = outcome::error;
    result.failure = std::string("fork: ") + std::strerror(errno);
    return result;
  }
  if (pid == 0) {
    sigset_t none;  // the command gets no blocked signal of ours (cloison drill blocks some)
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    setpgid(0, 0);
    const int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(out.fds[1], 1);
    dup2(err.fds[1], 2);
    setenv("LC_ALL", "C", 1);
    setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
    execvp(args[0], args.data());
    const int e = errno;
    (void)!write(status.fds[1], &e, sizeof e);
    _exit(127);
  }
  setpgid(pid, pid);  // also in the parent, so that the group exists before any kill below
  close(out.fds[1]);
  close(err.fds[1]);
  close(status.fds[1]);
  out.fds[1] = err.fds[1] = status.fds[1] = -1;

  bool out_open = true, err_open = true, timed_out = false;
  while (out_open || err_open) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    std::array<pollfd, 2> fds{
        {{out_open ? out.fds[0] : -1, POLLIN, 0}, {err_open ? err.fds[0] : -1, POLLIN, 0}}};
    const int ready =
        poll(fds.data(), fds.size(), static_cast<int>(std::min<long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR)
      break;
    if (fds[0].revents)
      drain(out.fds[0], result.out, cap, result.truncated, out_open);
    if (fds[1].revents)
      drain(err.fds[0], result.err, cap, result.truncated, err_open);
  }
  if (timed_out)
    if (kill(-pid, SIGKILL) != 0)
      kill(pid, SIGKILL);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  int exec_errno = 0;
  if (read(status.fds[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno) {
    result.outcome = outcome::error;
    result.failure = argv[0] + ": " + std::strerror(exec_errno);
    result.program_missing = exec_errno == ENOENT;
    return result;
  }
  if (timed_out) {
    result.outcome = outcome::timeout;
    result.failure = argv[0] + ": no answer before the deadline (killed)";
    return result;
  }
  result.exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  return result;
}

}  // namespace cloison
