/*
 * Fake Acestream engines for the engine-polling benchmark (bench/engine-polling.ts): one epoll
 * loop, two listening sockets on 127.0.0.1.
 *
 *   healthy  answers every request with a get_status JSON body, then closes the connection
 *   hang     accepts and reads requests but never answers; closes when the client does
 *
 * Both ports are printed on stdout as one JSON line, {"healthy":P,"hang":Q}; the process exits
 * when its stdin reaches EOF (the benchmark ends it by closing the pipe).
 *
 * In production the engines run on other hosts. A node:http fake costs about as much CPU per
 * request as the poller itself and, on a small box, takes the core the poller would otherwise
 * have; this one costs a few microseconds, so the figures are the poller's.
 *
 * Compiled at bench time with `cc -O2` into bench/.build/ (git-ignored).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FDS 65536
#define MAX_EVENTS 1024

enum kind { NONE = 0, HEALTHY_CONN, HANG_CONN };

static const char BODY[] = "{\"result\":{\"status\":\"idle\",\"version\":\"3.1.75\"},\"error\":null}";
static char response[512];
static size_t response_len;

/* Per connection: its kind and the last bytes seen, to find the end of the request headers. */
static unsigned char kinds[MAX_FDS];
static unsigned int tails[MAX_FDS];

static int listen_on_loopback(int *port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 4096) < 0) return -1;
  socklen_t len = sizeof addr;
  if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0) return -1;
  *port = ntohs(addr.sin_port);
  return fd;
}

static void drop(int epoll, int fd) {
  epoll_ctl(epoll, EPOLL_CTL_DEL, fd, NULL);
  kinds[fd] = NONE;
  close(fd);
}

static void accept_all(int epoll, int listener, enum kind kind) {
  for (;;) {
    int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return; /* EAGAIN, or out of descriptors: the rest wait in the backlog */
    if (fd >= MAX_FDS) {
      close(fd);
      continue;
    }
    kinds[fd] = (unsigned char)kind;
    tails[fd] = 0;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = fd};
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &ev) < 0) {
      kinds[fd] = NONE;
      close(fd);
    }
  }
}

/* Reads what the client sent; answers once the request headers are complete (healthy only). */
static void serve(int epoll, int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n == 0) {
      drop(epoll, fd);
      return;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
      drop(epoll, fd);
      return;
    }
    if (kinds[fd] == HANG_CONN) continue;
    unsigned int tail = tails[fd];
    for (ssize_t i = 0; i < n; i++) {
      tail = (tail << 8) | (unsigned char)buf[i];
      if (tail == 0x0d0a0d0a) { /* "\r\n\r\n" */
        ssize_t ignored = write(fd, response, response_len);
        (void)ignored; /* a client gone already: nothing to do */
        drop(epoll, fd);
        return;
      }
    }
    tails[fd] = tail;
  }
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max < MAX_FDS ? limit.rlim_max : MAX_FDS;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  response_len = (size_t)snprintf(response, sizeof response,
                                  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                                  "Connection: close\r\n\r\n%s",
                                  sizeof BODY - 1, BODY);
  int healthy_port, hang_port;
  int healthy = listen_on_loopback(&healthy_port);
  int hang = listen_on_loopback(&hang_port);
  int epoll = epoll_create1(EPOLL_CLOEXEC);
  if (healthy < 0 || hang < 0 || epoll < 0) {
    perror("fake-engines: setup");
    return 1;
  }
  struct epoll_event ev = {.events = EPOLLIN};
  ev.data.fd = healthy;
  epoll_ctl(epoll, EPOLL_CTL_ADD, healthy, &ev);
  ev.data.fd = hang;
  epoll_ctl(epoll, EPOLL_CTL_ADD, hang, &ev);
  ev.data.fd = 0;
  epoll_ctl(epoll, EPOLL_CTL_ADD, 0, &ev);
  printf("{\"healthy\":%d,\"hang\":%d}\n", healthy_port, hang_port);
  fflush(stdout);

  struct epoll_event events[MAX_EVENTS];
  for (;;) {
    int ready = epoll_wait(epoll, events, MAX_EVENTS, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      perror("fake-engines: epoll_wait");
      return 1;
    }
    for (int i = 0; i < ready; i++) {
      int fd = events[i].data.fd;
      if (fd == 0) {
        char buf[256];
        if (read(0, buf, sizeof buf) <= 0) return 0; /* the benchmark closed our stdin */
      } else if (fd == healthy) {
        accept_all(epoll, healthy, HEALTHY_CONN);
      } else if (fd == hang) {
        accept_all(epoll, hang, HANG_CONN);
      } else if (kinds[fd] != NONE) {
        serve(epoll, fd);
      }
    }
  }
}
