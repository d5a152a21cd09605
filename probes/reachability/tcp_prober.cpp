#include "probes/reachability/tcp_prober.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <limits>
#include <new>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace cloison {

static_assert(sizeof(connect_result) <= 16, "1.31 million results a sweep of every port");

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

// Storage for the one asynchronous connect operation a slot has in flight, so that starting an
// attempt allocates nothing (Asio allocates operations through the handler's allocator).
struct handler_memory {
  alignas(std::max_align_t) unsigned char storage[192];  // Boost 1.74: a connect op is 128 B
  bool in_use = false;
};

template <typename T>
class slot_allocator {
 public:
  using value_type = T;
  explicit slot_allocator(handler_memory* m) noexcept : memory_(m) {}
  template <typename U>
  slot_allocator(const slot_allocator<U>& other) noexcept : memory_(other.memory_) {}

  T* allocate(std::size_t n) {
    if (!memory_->in_use && sizeof(T) * n <= sizeof memory_->storage) {
      memory_->in_use = true;
      return static_cast<T*>(static_cast<void*>(memory_->storage));
    }
    return static_cast<T*>(::operator new(sizeof(T) * n));
  }
  void deallocate(T* p, std::size_t) noexcept {
    if (static_cast<void*>(p) == static_cast<void*>(memory_->storage))
      memory_->in_use = false;
    else
      ::operator delete(p);
  }
  template <typename U>
  friend bool operator==(const slot_allocator& a, const slot_allocator<U>& b) noexcept {
    return a.memory_ == b.memory_;
  }

 private:
  template <typename>
  friend class slot_allocator;
  handler_memory* memory_;
};

// One in-flight attempt: its socket, the pair it probes, and its place in the deadline list.
struct slot {
  explicit slot(asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  handler_memory memory;
  std::size_t index = 0;  // into targets/results
  clock_type::time_point started;
  bool timed_out = false;
  bool listed = false;
  slot* prev = nullptr;  // in-flight attempts, oldest first: all share the same timeout, so
  slot* next = nullptr;  // the list is also ordered by deadline
};

// Local resource shortage: the attempt was not made and may succeed once others have finished.
bool is_transient_local(int e) {
  return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM || e == EADDRNOTAVAIL ||
         e == EAGAIN;
}

// Short names (they fit in std::string's small buffer: no allocation per unreachable pair).
const interned_text* errno_name(int e) {
  static const std::array<std::pair<int, interned_text>, 7> names{{{EHOSTUNREACH, "EHOSTUNREACH"},
                                                                   {ENETUNREACH, "ENETUNREACH"},
                                                                   {ENETDOWN, "ENETDOWN"},
                                                                   {EHOSTDOWN, "EHOSTDOWN"},
                                                                   {EACCES, "EACCES"},
                                                                   {EPERM, "EPERM"},
                                                                   {ENONET, "ENONET"}}};
  for (const auto& [number, name] : names) {
    if (number == e)
      return &name;
  }
  return nullptr;
}

tcp::endpoint to_endpoint(const connect_target& t) {
  if (t.address.v6) {
    asio::ip::address_v6::bytes_type b;
    std::copy(t.address.bytes.begin(), t.address.bytes.end(), b.begin());
    return {asio::ip::address_v6(b), t.port};
  }
  asio::ip::address_v4::bytes_type b;
  std::copy_n(t.address.bytes.begin(), 4, b.begin());
  return {asio::ip::address_v4(b), t.port};
}

std::size_t open_descriptors() {
  std::error_code ec;
  std::size_t n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++n;
  return n;
}

// One probe() call.
class probe_run {
 public:
  probe_run(const target_list& targets, const prober_settings& s, std::size_t window)
      : targets_(targets),
        timeout_(s.timeout),
        retries_(s.retries),
        io_(1),
        timer_(io_),
        results_(targets.size()),
        window_(window) {}

  std::vector<connect_result> go() {
    for (std::size_t i = 0; i < window_; ++i)
      slots_.emplace_back(io_);
    for (auto& s : slots_)
      launch(s);
    io_.run();
    return std::move(results_);
  }

 private:
  struct connect_handler {
    probe_run* self;
    slot* s;
    using allocator_type = slot_allocator<void>;
    allocator_type get_allocator() const noexcept { return allocator_type(&s->memory); }
    void operator()(const boost::system::error_code& ec) const { self->on_connect(*s, ec); }
  };

  enum class start { started, failed, deferred };

  // Gives the slot the next pair waiting (deferred ones first); leaves it idle when none is left
  // or when the pair had to be deferred (the window shrinks by one).
  void launch(slot& s) {
    while (true) {
      if (!deferred_.empty()) {
        s.index = deferred_.back();
        deferred_.pop_back();
      } else if (next_ < targets_.size()) {
        s.index = next_++;
      } else {
        return;
      }
      if (attempt(s) != start::failed)
        return;
    }
  }

  // Starts one attempt for s.index.
  start attempt(slot& s) {
    const tcp::endpoint endpoint = to_endpoint(targets_[s.index]);
    boost::system::error_code ec;
    s.socket.open(endpoint.protocol(), ec);
    if (ec)
      return local_failure(s, "socket", ec);
    ++results_[s.index].attempts;
    s.timed_out = false;
    s.started = clock_type::now();
    s.socket.async_connect(endpoint, connect_handler{this, &s});
    link(s);
    ++in_flight_;
    return start::started;
  }

  // An attempt that could not be made. Deferred when resources may come back (another attempt is
  // in flight); otherwise final, unless an earlier attempt of the pair already timed out (the
  // pair stays filtered).
  start local_failure(slot& s, const char* what, const boost::system::error_code& ec) {
    if (is_transient_local(ec.value()) && in_flight_ > 0) {
      deferred_.push_back(s.index);
      return start::deferred;
    }
    auto& r = results_[s.index];
    if (r.attempts == 0) {
      r.latency = std::chrono::microseconds{0};
      r.error = std::string("local: ") + what + ": " + ec.message();
    }
    return start::failed;
  }

  void on_connect(slot& s, const boost::system::error_code& ec) {
    unlink(s);
    --in_flight_;
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - s.started);
    boost::system::error_code ignored;
    s.socket.close(ignored);  // an open connection is closed at once
    auto& r = results_[s.index];
    const int e = ec.value();
    if (!ec) {
      r.v = verdict::open;
    } else if (e == ECONNREFUSED) {
      r.v = verdict::refused;
    } else if ((ec == asio::error::operation_aborted && s.timed_out) || e == ETIMEDOUT) {
      r.v = verdict::filtered;
      r.latency = elapsed;
      if (r.attempts > retries_ || attempt(s) == start::failed)
        launch(s);  // else retried now, or deferred (this slot then stays idle)
      settle_timer();
      return;
    } else if (is_transient_local(e)) {  // e.g. no ephemeral port left: not an attempt
      --r.attempts;
      if (local_failure(s, "connect", ec) != start::deferred)
        launch(s);
      settle_timer();
      return;
    } else {
      r.v = verdict::unreachable;
      const auto* name = errno_name(e);
      r.error = name ? *name : interned_text(ec.message());
    }
    r.latency = elapsed;
    launch(s);
    settle_timer();
  }

  // With nothing left in flight, the pending wait must not keep io_context::run() going.
  void settle_timer() {
    if (!head_ && timer_armed_) {
      timer_armed_ = false;
      ++timer_generation_;
      timer_.cancel();
    }
  }

  void link(slot& s) {
    s.prev = tail_;
    s.next = nullptr;
    if (tail_)
      tail_->next = &s;
    else
      head_ = &s;
    tail_ = &s;
    s.listed = true;
    if (!timer_armed_)
      arm_timer();
  }

  void unlink(slot& s) {
    if (!s.listed)
      return;
    (s.prev ? s.prev->next : head_) = s.next;
    (s.next ? s.next->prev : tail_) = s.prev;
    s.prev = s.next = nullptr;
    s.listed = false;
  }

  // One timer watches the oldest attempt; when it fires, every expired attempt is cancelled
  // (closing its socket completes its connect with operation_aborted).
  void arm_timer() {
    if (!head_)
      return;
    timer_armed_ = true;
    timer_.expires_at(head_->started + timeout_);
    timer_.async_wait(
        [this, generation = ++timer_generation_](const boost::system::error_code& ec) {
          if (!ec && generation == timer_generation_)
            on_timer();
        });
  }

  void on_timer() {
    timer_armed_ = false;
    const auto now = clock_type::now();
    while (head_ && head_->started + timeout_ <= now) {
      slot& s = *head_;
      unlink(s);
      s.timed_out = true;
      boost::system::error_code ignored;
      s.socket.close(ignored);
    }
    arm_timer();
  }

  const target_list& targets_;
  clock_type::duration timeout_;
  int retries_;
  asio::io_context io_;
  asio::steady_timer timer_;
  std::vector<connect_result> results_;
  std::size_t window_;
  std::deque<slot> slots_;
  std::vector<std::size_t> deferred_;
  std::size_t next_ = 0;
  std::size_t in_flight_ = 0;
  slot* head_ = nullptr;
  slot* tail_ = nullptr;
  bool timer_armed_ = false;
  std::uint64_t timer_generation_ = 0;  // a wait whose generation is stale does nothing
};

}  // namespace

std::string_view to_string(verdict v) {
  switch (v) {
    case verdict::open:
      return "open";
    case verdict::refused:
      return "refused";
    case verdict::filtered:
      return "filtered";
    case verdict::unreachable:
      return "unreachable";
  }
  return "unknown";
}

std::string_view to_string(probe_method m) {
  switch (m) {
    case probe_method::local:
      return "local";
    case probe_method::ssh_forward:
      return "ssh-forward";
    case probe_method::ssh_command:
      return "ssh-command";
  }
  return "unknown";
}

std::size_t raise_open_file_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
    return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (lim.rlim_max == RLIM_INFINITY) {
      rlim_t nr_open = 1048576;
      std::ifstream("/proc/sys/fs/nr_open") >> nr_open;
      raised.rlim_cur = nr_open;
    }
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
      lim = raised;
  }
  if (lim.rlim_cur == RLIM_INFINITY ||
      lim.rlim_cur > static_cast<rlim_t>(std::numeric_limits<std::size_t>::max()))
    return std::numeric_limits<std::size_t>::max();
  return static_cast<std::size_t>(lim.rlim_cur);
}

std::size_t effective_concurrency(std::size_t requested, std::size_t pairs) {
  std::size_t window = requested;
  if (window == 0) {
    const std::size_t limit = raise_open_file_limit();
    // Headroom: what is already open, plus 1/16 of the limit (at least 64) for the rest of the
    // process (other probes, logs) and for the io_context's own descriptors.
    const std::size_t reserve = open_descriptors() + std::max<std::size_t>(64, limit / 16);
    window = limit > reserve ? limit - reserve : 1;
  }
  return std::clamp<std::size_t>(window, 1, std::max<std::size_t>(pairs, 1));
}

namespace {

// True when `n` more descriptors can be opened now.
bool descriptors_available(int n) {
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      break;
    fds.push_back(fd);
  }
  const bool ok = static_cast<int>(fds.size()) == n;
  for (int fd : fds)
    ::close(fd);
  return ok;
}

}  // namespace

target_list::target_list(std::vector<target_range> ranges) : ranges_(std::move(ranges)) {
  starts_.reserve(ranges_.size());
  std::size_t pairs = 0;
  for (const auto& r : ranges_) {
    if (r.first > r.last)
      throw std::invalid_argument("target range: first port after the last");
    pairs += r.last - r.first + 1u;
    starts_.push_back(pairs);
  }
}

target_list::target_list(std::span<const connect_target> targets) {
  std::vector<target_range> ranges;
  for (const auto& t : targets) {
    if (!ranges.empty() && ranges.back().address == t.address && ranges.back().last + 1 == t.port)
      ranges.back().last = t.port;
    else
      ranges.push_back({t.address, t.port, t.port});
  }
  *this = target_list(std::move(ranges));
}

connect_target target_list::operator[](std::size_t i) const {
  const auto k = static_cast<std::size_t>(std::upper_bound(starts_.begin(), starts_.end(), i) -
                                          starts_.begin());
  const std::size_t first_pair = k == 0 ? 0 : starts_[k - 1];
  return {ranges_[k].address, static_cast<std::uint16_t>(ranges_[k].first + (i - first_pair))};
}

std::vector<connect_result> asio_connector::probe(const target_list& targets,
                                                  const prober_settings& s) {
  if (s.timeout.count() < 0 || s.retries < 0 ||
      s.retries >= std::numeric_limits<decltype(connect_result::attempts)>::max())
    throw std::invalid_argument("prober settings: negative timeout, or retries not in 0-65534");
  if (targets.empty())
    return {};
  // The io_context needs descriptors of its own (epoll, eventfd, timerfd). Without them its
  // constructor fails on a path that is undefined behaviour in Boost 1.74 (UBSan reports an
  // invalid vptr while the half-built service is destroyed): check before building it, and
  // then, with one more descriptor for a socket, make every pair a local failure.
  if (!descriptors_available(4)) {
    connect_result failed;
    failed.error = std::string("local: socket: ") + std::strerror(EMFILE);
    return std::vector<connect_result>(targets.size(), failed);
  }
  probe_run r(targets, s, effective_concurrency(s.concurrency, targets.size()));
  return r.go();
}

}  // namespace cloison
