/* The yardstick for cloison's TCP prober (bench/reachability/run): the smallest reasonable
 * connect scanner. Non-blocking connect() + one epoll loop, a window of in-flight attempts, one
 * deadline per attempt (a list ordered by start time, all attempts sharing the same timeout),
 * retries for timeouts only. IPv4 only. Not a test.
 * Usage: epoll_connect ADDRS PORT_LO PORT_HI TIMEOUT_MS RETRIES CONCURRENCY OUT */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { V_FILTERED, V_OPEN, V_REFUSED, V_UNREACHABLE };
static const char* names[] = {"filtered", "open", "refused", "unreachable"};

struct slot {
  int fd;
  size_t idx;
  int64_t start;
  int prev, next; /* in-flight list, oldest first; -1 ends */
};

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static struct slot* slots;
static int head = -1, tail = -1;
static uint32_t* addrs;
static size_t naddrs, nports, npairs, next_pair;
static int port_lo, retries, ep;
static int64_t timeout_ns;
static unsigned char *verdict, *attempts;

static void link_slot(int s) {
  slots[s].prev = tail;
  slots[s].next = -1;
  if (tail >= 0)
    slots[tail].next = s;
  else
    head = s;
  tail = s;
}

static void unlink_slot(int s) {
  if (slots[s].prev >= 0)
    slots[slots[s].prev].next = slots[s].next;
  else
    head = slots[s].next;
  if (slots[s].next >= 0)
    slots[slots[s].next].prev = slots[s].prev;
  else
    tail = slots[s].prev;
}

static void finish(size_t idx, int err) {
  verdict[idx] = err == 0              ? V_OPEN
                 : err == ECONNREFUSED ? V_REFUSED
                 : err == ETIMEDOUT    ? V_FILTERED
                                       : V_UNREACHABLE;
}

/* Starts an attempt for slots[s].idx; on an immediate answer, records it and moves on. */
static void start(int s) {
  for (;;) {
    size_t idx = slots[s].idx;
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = addrs[idx / nports];
    sa.sin_port = htons((uint16_t)(port_lo + (int)(idx % nports)));
    attempts[idx]++;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      perror("socket");
      exit(1);
    }
    slots[s].start = now_ns();
    if (connect(fd, (struct sockaddr*)&sa, sizeof sa) == 0 || errno != EINPROGRESS) {
      finish(idx, errno == EINPROGRESS ? 0 : errno);
      close(fd);
    } else {
      struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = (uint32_t)s};
      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
      slots[s].fd = fd;
      link_slot(s);
      return;
    }
    if (next_pair >= npairs) {
      slots[s].fd = -1;
      return;
    }
    slots[s].idx = next_pair++;
  }
}

static void next(int s) {
  if (next_pair < npairs) {
    slots[s].idx = next_pair++;
    start(s);
  } else {
    slots[s].fd = -1;
  }
}

int main(int argc, char** argv) {
  if (argc != 8) {
    fprintf(stderr,
            "usage: epoll_connect ADDRS PORT_LO PORT_HI TIMEOUT_MS RETRIES CONCURRENCY OUT\n");
    return 2;
  }
  char* list = strdup(argv[1]);
  addrs = calloc(strlen(list) / 7 + 1, sizeof *addrs);
  for (char* tok = strtok(list, ","); tok; tok = strtok(NULL, ","))
    if (inet_pton(AF_INET, tok, &addrs[naddrs++]) != 1) {
      fprintf(stderr, "not an IPv4 address: %s\n", tok);
      return 2;
    }
  port_lo = atoi(argv[2]);
  nports = (size_t)(atoi(argv[3]) - port_lo + 1);
  npairs = naddrs * nports;
  timeout_ns = (int64_t)atoi(argv[4]) * 1000000;
  retries = atoi(argv[5]);
  size_t window = (size_t)atol(argv[6]);
  if (window == 0 || window > npairs)
    window = npairs;
  verdict = calloc(npairs, 1);
  attempts = calloc(npairs, 1);
  slots = calloc(window, sizeof *slots);
  ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event events[1024];

  int64_t t0 = now_ns();
  for (size_t s = 0; s < window; ++s)
    next((int)s);
  while (head >= 0) {
    int64_t wait = slots[head].start + timeout_ns - now_ns();
    int ms = wait <= 0 ? 0 : (int)((wait + 999999) / 1000000);
    int n = epoll_wait(ep, events, 1024, ms);
    for (int i = 0; i < n; ++i) {
      int s = (int)events[i].data.u32;
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(slots[s].fd, SOL_SOCKET, SO_ERROR, &err, &len);
      close(slots[s].fd); /* also removes it from the epoll set */
      unlink_slot(s);
      finish(slots[s].idx, err);
      next(s);
    }
    int64_t now = now_ns();
    while (head >= 0 && slots[head].start + timeout_ns <= now) {
      int s = head;
      close(slots[s].fd);
      unlink_slot(s);
      verdict[slots[s].idx] = V_FILTERED;
      if (attempts[slots[s].idx] <= retries)
        start(s);
      else
        next(s);
    }
  }
  double seconds = (double)(now_ns() - t0) / 1e9;

  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  size_t counts[4] = {0};
  FILE* out = fopen(argv[7], "w");
  for (size_t i = 0; i < npairs; ++i) {
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addrs[i / nports], text, sizeof text);
    fprintf(out, "%s %d %s %d\n", text, port_lo + (int)(i % nports), names[verdict[i]],
            attempts[i]);
    counts[verdict[i]]++;
  }
  fclose(out);
  printf("pairs %zu seconds %.3f pairs_per_s %.0f window %zu peak_rss_kib %ld", npairs, seconds,
         (double)npairs / seconds, window, ru.ru_maxrss);
  for (int v = 0; v < 4; ++v)
    if (counts[v])
      printf(" %s %zu", names[v], counts[v]);
  printf("\n");
  return 0;
}
