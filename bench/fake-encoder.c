/*
 * A tiny fake ffmpeg for the overhead benchmark (bench/overhead.ts): about 1 MB of RSS where the
 * node fake (test/fixtures/fake-ffmpeg.mjs) needs ~40 MB, so 1,000 of them fit on a small box.
 *
 *   -version             "ffmpeg version 0.0-bench …" on stdout, exit 0
 *   -h / -help / --help  an `ffmpeg -h long`-style option list (with -stats_period), exit 0
 *   -progress pipe:N     a key=value block with advancing counters and `progress=continue` on
 *                        fd N every -stats_period seconds (default 1); without -progress it
 *                        just sleeps
 *   SIGINT / SIGTERM     a final `progress=end` block, "Exiting normally…", exit 255 (like ffmpeg)
 *
 * Compiled at bench time with `cc -O2` into bench/.build/ (git-ignored).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FPS 25
#define BYTES_PER_SECOND 125000L /* 1 Mbit/s */

static volatile sig_atomic_t received = 0;

static void on_signal(int sig) { received = sig; }

static void write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return; /* reader gone: carry on like ffmpeg */
    }
    buf += n;
    len -= (size_t)n;
  }
}

static void say(const char *text) { write_all(2, text, strlen(text)); }

static const char HELP[] =
    "Hyper fast Audio and Video encoder\n"
    "usage: ffmpeg [options] [[infile options] -i infile]... {[outfile options] outfile}...\n"
    "\n"
    "Print help / information / capabilities:\n"
    "-L                  show license\n"
    "-h topic            show help\n"
    "-version            show version\n"
    "\n"
    "Global options (affect whole program instead of just one file):\n"
    "-loglevel loglevel  set logging level\n"
    "-y                  overwrite output files\n"
    "-n                  never overwrite output files\n"
    "-stats              print progress report during encoding\n"
    "-nostats            do not print progress report during encoding\n"
    "-progress url       write program-readable progress information\n"
    "-stats_period time  set the period at which ffmpeg updates stats and -progress output\n"
    "-nostdin            disable console interaction\n"
    "-hide_banner        do not show program banner\n"
    "\n"
    "Per-file main options:\n"
    "-f fmt              force format\n"
    "-i url              input file name\n"
    "-t duration         record or transcode \"duration\" seconds of audio/video\n"
    "-re                 read input at native frame rate\n";

static double parse_seconds(const char *value, double fallback) {
  if (value == NULL) return fallback;
  char *end = NULL;
  double n = strtod(value, &end);
  if (end == value || !(n > 0)) return fallback;
  if (strcmp(end, "ms") == 0) return n / 1e3;
  if (strcmp(end, "us") == 0) return n / 1e6;
  return n;
}

static double since(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void progress_block(int fd, double elapsed, const char *state) {
  long frame = (long)(elapsed * FPS);
  long long out_us = (long long)frame * (1000000LL / FPS);
  long long size = frame == 0 ? 0 : 48 + (long long)(elapsed * BYTES_PER_SECOND);
  double kbps = out_us > 0 ? (double)size * 8.0 / ((double)out_us / 1e6) / 1000.0 : 0.0;
  double speed = elapsed > 0 ? ((double)out_us / 1e6) / elapsed : 0.0;
  long long secs = out_us / 1000000LL;
  char buf[640];
  int n = snprintf(buf, sizeof buf,
                   "frame=%ld\nfps=%.2f\nstream_0_0_q=28.0\nbitrate=%.1fkbits/s\ntotal_size=%lld\n"
                   "out_time_us=%lld\nout_time_ms=%lld\nout_time=%02lld:%02lld:%02lld.%06lld\n"
                   "dup_frames=0\ndrop_frames=0\nspeed=%.3gx\nprogress=%s\n",
                   frame, elapsed > 0 ? (double)frame / elapsed : 0.0, kbps, size, out_us, out_us,
                   secs / 3600, (secs / 60) % 60, secs % 60, out_us % 1000000LL, speed, state);
  if (n > 0) write_all(fd, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

int main(int argc, char **argv) {
  const char *progress = NULL;
  const char *period_arg = NULL;
  const char *input = "testsrc2";
  int banner = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-version") == 0) {
      printf("ffmpeg version 0.0-bench Copyright (c) 2000-2024 the FFmpeg developers\n"
             "built with cc (bench/fake-encoder.c)\n");
      return 0;
    }
    if (strcmp(a, "-h") == 0 || strcmp(a, "-help") == 0 || strcmp(a, "--help") == 0) {
      fputs(HELP, stdout);
      return 0;
    }
    if (strcmp(a, "-hide_banner") == 0) banner = 0;
    if (i + 1 < argc) {
      if (strcmp(a, "-progress") == 0) progress = argv[i + 1];
      else if (strcmp(a, "-stats_period") == 0) period_arg = argv[i + 1];
      else if (strcmp(a, "-i") == 0) input = argv[i + 1];
    }
  }

  int fd = -1;
  if (progress != NULL && strncmp(progress, "pipe:", 5) == 0) {
    char *end = NULL;
    long n = strtol(progress + 5, &end, 10);
    if (end != progress + 5 && *end == '\0' && n >= 1 && n < 1024) fd = (int)n;
  }
  double period = parse_seconds(period_arg, 1.0);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: the sleep below returns EINTR */
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  if (banner) say("ffmpeg version 0.0-bench Copyright (c) 2000-2024 the FFmpeg developers\n");
  char line[512];
  snprintf(line, sizeof line,
           "Input #0, lavfi, from '%s':\n  Duration: N/A, start: 0.000000, bitrate: N/A\n"
           "Output #0, null, to 'pipe:':\n",
           input);
  say(line);

  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  long long period_ns = (long long)(period * 1e9);
  if (period_ns < 1000000) period_ns = 1000000;
  long long tick = 0;
  while (!received) {
    tick++;
    long long at = (long long)start.tv_sec * 1000000000LL + start.tv_nsec + tick * period_ns;
    struct timespec deadline = {.tv_sec = (time_t)(at / 1000000000LL), .tv_nsec = (long)(at % 1000000000LL)};
    int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
    if (received) break;
    if (rc == EINTR) {
      tick--; /* woken early by some other signal: sleep to the same deadline again */
      continue;
    }
    if (fd >= 0) progress_block(fd, since(&start), "continue");
  }

  if (fd >= 0) progress_block(fd, since(&start), "end");
  snprintf(line, sizeof line, "Exiting normally, received signal %d.\n", (int)received);
  say(line);
  return 255;
}
