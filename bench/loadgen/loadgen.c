/*
 * loadgen: a lean load generator for redis-home's benchmark (bench/matrix.ts
 * compiles it with `cc -O2` into a scratch directory at run time).
 *
 * One thread, epoll, N connections. Each connection sends a batch of P
 * requests, waits for all P replies, and sends the next batch. Requests come
 * from one command template; every `__rand_int__` in it is replaced by a
 * 12-digit random number below --keyspace (as redis-benchmark -r does), or
 * left as it is for a single key. Replies are counted in place, never decoded.
 *
 *   loadgen --port P [--proto resp|native|inline] [--conns 50] [--pipeline 1]
 *           [--keyspace 0] [--seconds S --warmup W | --requests N]
 *           [--server-pid PID] [--server-core C] [--seed N] -- ARG...
 *
 * Prints one JSON object: replies received in the measured window, seconds,
 * ops_per_sec, percentiles (µs) of the latency of the batches sent in it
 * (write to last reply), error replies, and the CPU seconds the server (from
 * /proc/PID/stat) and the generator itself used in the measured window. With
 * --server-core it also reports the busy seconds of that core (/proc/stat):
 * beyond the server's own, another process ran there and took the server's
 * turn. Pinned to one core itself, it reports that core's busy seconds too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

enum proto { RESP, NATIVE, INLINE };

#define MAX_RAND 64
#define RAND_LEN 12
#define HIST_FINE 100000  /* 1 µs buckets up to 100 ms */
#define HIST_COARSE 60000 /* then 1 ms buckets up to 60 s */

struct options {
    const char *host;
    int port;
    enum proto proto;
    int conns;
    int pipeline;
    long keyspace;
    double seconds;
    double warmup;
    long requests;
    int server_pid;
    int server_core;
    uint64_t seed;
    char **argv;
    int argc;
};

/* The encoded request and where its __rand_int__ placeholders are. */
struct template {
    char *bytes;
    size_t len;
    size_t rand_at[MAX_RAND];
    int nrand;
};

struct conn {
    int fd;
    char *out;
    size_t out_len, out_sent, out_cap;
    char *in;
    size_t in_start, in_end, in_cap;
    int pending; /* replies still due for the current batch */
    double sent_at;
    int writable_wait;
};

static struct {
    uint64_t hist[HIST_FINE + HIST_COARSE + 1];
    long counted;
    long errors;
    char first_error[256];
    int measuring;
    long sent_total;
} stats;

static uint64_t rng_state;

static void die(const char *what) {
    fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void fail(const char *message) {
    fprintf(stderr, "loadgen: %s\n", message);
    exit(2);
}

static double now_sec(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double own_cpu_sec(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* utime + stime of a process in seconds, or -1 when it cannot be read. */
static double proc_cpu_sec(int pid) {
    if (pid <= 0) return -1;
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    unsigned long utime = 0, stime = 0;
    /* After ") ": state is field 3; utime and stime are fields 14 and 15. */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
        return -1;
    return (double)(utime + stime) / sysconf(_SC_CLK_TCK);
}

/* Busy (not idle or iowait) seconds of one core from /proc/stat, or -1. */
static double core_busy_sec(int core) {
    if (core < 0) return -1;
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return -1;
    char line[512], name[16];
    snprintf(name, sizeof name, "cpu%d ", core);
    double busy = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, name, strlen(name)) != 0) continue;
        unsigned long long v[8] = {0};
        if (sscanf(line + strlen(name), "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
                   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
            /* user nice system idle iowait irq softirq steal */
            busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / sysconf(_SC_CLK_TCK);
        }
        break;
    }
    fclose(f);
    return busy;
}

/* The one core this process is pinned to, or -1 when it may run on several. */
static int own_core(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0 || CPU_COUNT(&set) != 1) return -1;
    for (int core = 0; core < CPU_SETSIZE; core++) {
        if (CPU_ISSET(core, &set)) return core;
    }
    return -1;
}

static uint64_t next_rand(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void put_u32le(char *p, uint32_t v) {
    p[0] = v & 0xff;
    p[1] = (v >> 8) & 0xff;
    p[2] = (v >> 16) & 0xff;
    p[3] = (v >> 24) & 0xff;
}

static uint32_t get_u32le(const char *p) {
    const unsigned char *u = (const unsigned char *)p;
    return u[0] | (u[1] << 8) | (u[2] << 16) | ((uint32_t)u[3] << 24);
}

static void mark_placeholders(struct template *t, size_t from, size_t to) {
    for (size_t i = from; i + RAND_LEN <= to; i++) {
        if (memcmp(t->bytes + i, "__rand_int__", RAND_LEN) != 0) continue;
        if (t->nrand == MAX_RAND) fail("too many __rand_int__ placeholders");
        t->rand_at[t->nrand++] = i;
        i += RAND_LEN - 1;
    }
}

static void build_template(struct template *t, const struct options *o) {
    size_t cap = 64;
    for (int i = 0; i < o->argc; i++) cap += strlen(o->argv[i]) + 32;
    t->bytes = malloc(cap);
    t->nrand = 0;
    char *p = t->bytes;
    if (o->proto == INLINE) {
        for (int i = 0; i < o->argc; i++) p += sprintf(p, i ? " %s" : "%s", o->argv[i]);
        p += sprintf(p, "\r\n");
    } else if (o->proto == RESP) {
        p += sprintf(p, "*%d\r\n", o->argc);
        for (int i = 0; i < o->argc; i++)
            p += sprintf(p, "$%zu\r\n%s\r\n", strlen(o->argv[i]), o->argv[i]);
    } else {
        p += 4;
        put_u32le(p, (uint32_t)o->argc);
        p += 4;
        for (int i = 0; i < o->argc; i++) {
            size_t len = strlen(o->argv[i]);
            put_u32le(p, (uint32_t)len);
            memcpy(p + 4, o->argv[i], len);
            p += 4 + len;
        }
        put_u32le(t->bytes, (uint32_t)(p - t->bytes - 4));
    }
    t->len = p - t->bytes;
    if (o->keyspace > 0) mark_placeholders(t, 0, t->len);
}

/* Appends one request to the connection's output, with fresh random numbers. */
static void append_request(struct conn *c, const struct template *t, long keyspace) {
    if (c->out_len + t->len > c->out_cap) {
        c->out_cap = (c->out_len + t->len) * 2;
        c->out = realloc(c->out, c->out_cap);
    }
    char *dst = c->out + c->out_len;
    memcpy(dst, t->bytes, t->len);
    for (int i = 0; i < t->nrand; i++) {
        uint64_t v = next_rand() % (uint64_t)keyspace;
        char *digits = dst + t->rand_at[i];
        for (int d = RAND_LEN - 1; d >= 0; d--) {
            digits[d] = '0' + v % 10;
            v /= 10;
        }
    }
    c->out_len += t->len;
}

/*
 * Length of the RESP reply at buf[0, len), 0 when incomplete. Errors are
 * counted by the caller from the first byte; nested arrays recurse.
 */
static size_t resp_reply_len(const char *buf, size_t len) {
    const char *cr = memchr(buf, '\r', len);
    if (!cr || (size_t)(cr - buf) + 2 > len) return 0;
    size_t line = cr - buf + 2;
    long n = strtol(buf + 1, NULL, 10);
    switch (buf[0]) {
    case '$':
    case '=':
    case '!':
        if (n < 0) return line;
        return len >= line + n + 2 ? line + n + 2 : 0;
    case '*':
    case '~':
    case '>':
    case '%': {
        if (buf[0] == '%') n *= 2;
        size_t at = line;
        for (long i = 0; i < n; i++) {
            if (at >= len) return 0;
            size_t inner = resp_reply_len(buf + at, len - at);
            if (inner == 0) return 0;
            at += inner;
        }
        return at;
    }
    default:
        return line;
    }
}

static void note_error(const char *text, size_t len) {
    stats.errors++;
    if (stats.first_error[0]) return;
    if (len >= sizeof stats.first_error) len = sizeof stats.first_error - 1;
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        stats.first_error[i] = (ch == '"' || ch == '\\' || (unsigned char)ch < 32) ? '?' : ch;
    }
    stats.first_error[len] = 0;
}

/* Consumes complete replies from the connection's input; returns how many. */
static int consume_replies(struct conn *c, enum proto proto) {
    int replies = 0;
    while (c->pending - replies > 0 && c->in_start < c->in_end) {
        const char *buf = c->in + c->in_start;
        size_t avail = c->in_end - c->in_start, size;
        if (proto == NATIVE) {
            if (avail < 4) break;
            size = 4 + (size_t)get_u32le(buf);
            if (avail < size) break;
            if (size >= 13 && buf[4] == 1) note_error(buf + 13, size - 13);
        } else {
            size = resp_reply_len(buf, avail);
            if (size == 0) break;
            if (buf[0] == '-' || buf[0] == '!') note_error(buf + 1, size - 3);
        }
        c->in_start += size;
        replies++;
    }
    if (c->in_start == c->in_end) c->in_start = c->in_end = 0;
    return replies;
}

static void record_latency(double seconds) {
    long us = (long)(seconds * 1e6);
    long bucket = us < HIST_FINE ? us : HIST_FINE + (us - HIST_FINE) / 1000;
    if (bucket > HIST_FINE + HIST_COARSE) bucket = HIST_FINE + HIST_COARSE;
    stats.hist[bucket]++;
}

static double percentile_us(double q) {
    uint64_t total = 0, seen = 0;
    for (long i = 0; i <= HIST_FINE + HIST_COARSE; i++) total += stats.hist[i];
    if (total == 0) return 0;
    uint64_t rank = (uint64_t)(q * total);
    if (rank >= total) rank = total - 1;
    for (long i = 0; i <= HIST_FINE + HIST_COARSE; i++) {
        seen += stats.hist[i];
        if (seen > rank) return i < HIST_FINE ? i : HIST_FINE + (i - HIST_FINE) * 1000.0;
    }
    return 0;
}

static int open_conn(const struct options *o) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(o->port);
    if (inet_pton(AF_INET, o->host, &addr.sin_addr) != 1) fail("--host must be an IPv4 address");
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Writes what is left of the batch; waits for EPOLLOUT when the socket is full. */
static void flush_out(int ep, struct conn *c) {
    while (c->out_sent < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN) break;
            if (errno == EINTR) continue;
            die("send");
        }
        c->out_sent += n;
    }
    int want = c->out_sent < c->out_len;
    if (want != c->writable_wait) {
        struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl");
        c->writable_wait = want;
    }
}

/* Starts the connection's next batch; returns 0 when the request budget is spent. */
static int send_batch(int ep, struct conn *c, const struct template *t, const struct options *o) {
    int size = o->pipeline;
    if (o->requests > 0) {
        long left = o->requests - stats.sent_total;
        if (left <= 0) return 0;
        if (left < size) size = (int)left;
    }
    c->out_len = c->out_sent = 0;
    for (int i = 0; i < size; i++) append_request(c, t, o->keyspace);
    stats.sent_total += size;
    c->pending = size;
    c->sent_at = now_sec();
    flush_out(ep, c);
    return 1;
}

/* Reads what arrived; returns the replies that completed. */
static int read_in(struct conn *c, enum proto proto) {
    if (c->in_cap - c->in_end < 16 * 1024) {
        if (c->in_start > 0) {
            memmove(c->in, c->in + c->in_start, c->in_end - c->in_start);
            c->in_end -= c->in_start;
            c->in_start = 0;
        }
        if (c->in_cap - c->in_end < 16 * 1024) {
            c->in_cap *= 2;
            c->in = realloc(c->in, c->in_cap);
        }
    }
    ssize_t n = recv(c->fd, c->in + c->in_end, c->in_cap - c->in_end, 0);
    if (n == 0) fail("the server closed a connection");
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) return 0;
        die("recv");
    }
    c->in_end += n;
    return consume_replies(c, proto);
}

static void usage(void) {
    fail("usage: loadgen --port P [--host H] [--proto resp|native|inline] [--conns N] "
         "[--pipeline P] [--keyspace K] [--seconds S] [--warmup W] [--requests N] "
         "[--server-pid PID] [--server-core C] [--seed N] -- ARG...");
}

static void parse_options(int argc, char **argv, struct options *o) {
    *o = (struct options){.host = "127.0.0.1", .proto = RESP, .conns = 50, .pipeline = 1,
                          .seconds = 1, .warmup = 0.3, .server_core = -1,
                          .seed = 0x9e3779b97f4a7c15ULL};
    int i = 1;
    for (; i < argc; i++) {
        const char *name = argv[i];
        if (strcmp(name, "--") == 0) {
            i++;
            break;
        }
        if (i + 1 >= argc) usage();
        const char *value = argv[++i];
        if (strcmp(name, "--host") == 0) o->host = value;
        else if (strcmp(name, "--port") == 0) o->port = atoi(value);
        else if (strcmp(name, "--conns") == 0) o->conns = atoi(value);
        else if (strcmp(name, "--pipeline") == 0) o->pipeline = atoi(value);
        else if (strcmp(name, "--keyspace") == 0) o->keyspace = atol(value);
        else if (strcmp(name, "--seconds") == 0) o->seconds = atof(value);
        else if (strcmp(name, "--warmup") == 0) o->warmup = atof(value);
        else if (strcmp(name, "--requests") == 0) o->requests = atol(value);
        else if (strcmp(name, "--server-pid") == 0) o->server_pid = atoi(value);
        else if (strcmp(name, "--server-core") == 0) o->server_core = atoi(value);
        else if (strcmp(name, "--seed") == 0) o->seed = strtoull(value, NULL, 10) | 1;
        else if (strcmp(name, "--proto") == 0) {
            if (strcmp(value, "resp") == 0) o->proto = RESP;
            else if (strcmp(value, "native") == 0) o->proto = NATIVE;
            else if (strcmp(value, "inline") == 0) o->proto = INLINE;
            else usage();
        } else usage();
    }
    o->argv = argv + i;
    o->argc = argc - i;
    if (o->port <= 0 || o->conns <= 0 || o->pipeline <= 0 || o->argc == 0) usage();
    if (o->requests > 0) o->warmup = 0;
}

int main(int argc, char **argv) {
    struct options o;
    parse_options(argc, argv, &o);
    rng_state = o.seed;
    struct template t;
    build_template(&t, &o);
    int ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    struct conn *conns = calloc(o.conns, sizeof *conns);
    for (int i = 0; i < o.conns; i++) {
        struct conn *c = &conns[i];
        c->fd = open_conn(&o);
        c->in_cap = 64 * 1024;
        c->in = malloc(c->in_cap);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) die("epoll_ctl");
    }
    double started = now_sec();
    double measure_from = started + o.warmup;
    double measure_to = measure_from + o.seconds;
    double server_cpu0 = proc_cpu_sec(o.server_pid), own_cpu0 = own_cpu_sec();
    int client_core = own_core();
    double core_busy0 = core_busy_sec(o.server_core), client_busy0 = core_busy_sec(client_core);
    double measured_from = started;
    stats.measuring = o.warmup <= 0;
    int active = 0;
    for (int i = 0; i < o.conns; i++) active += send_batch(ep, &conns[i], &t, &o);
    struct epoll_event events[256];
    double now = started;
    while (active > 0) {
        int n = epoll_wait(ep, events, 256, 100);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        now = now_sec();
        if (!stats.measuring && now >= measure_from) {
            stats.measuring = 1;
            measured_from = now;
            server_cpu0 = proc_cpu_sec(o.server_pid);
            own_cpu0 = own_cpu_sec();
            core_busy0 = core_busy_sec(o.server_core);
            client_busy0 = core_busy_sec(client_core);
        }
        if (o.requests == 0 && now >= measure_to) break;
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (events[i].events & EPOLLOUT) flush_out(ep, c);
            if (!(events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
            int replies = read_in(c, o.proto);
            c->pending -= replies;
            if (stats.measuring) stats.counted += replies;
            if (c->pending > 0) continue;
            if (stats.measuring && c->sent_at >= measured_from) record_latency(now - c->sent_at);
            if (!send_batch(ep, c, &t, &o)) active--;
        }
    }
    double seconds = now - measured_from;
    double server_cpu = proc_cpu_sec(o.server_pid);
    double own_cpu = own_cpu_sec() - own_cpu0;
    double core_busy = core_busy_sec(o.server_core), client_busy = core_busy_sec(client_core);
    printf("{\"requests\":%ld,\"seconds\":%.6f,\"ops_per_sec\":%.1f,\"p50_us\":%.0f,"
           "\"p99_us\":%.0f,\"p999_us\":%.0f,\"errors\":%ld,\"first_error\":\"%s\","
           "\"server_cpu_sec\":%.3f,\"client_cpu_sec\":%.3f,\"server_core_busy_sec\":%.3f,"
           "\"client_core_busy_sec\":%.3f}\n",
           stats.counted, seconds, seconds > 0 ? stats.counted / seconds : 0,
           percentile_us(0.5), percentile_us(0.99), percentile_us(0.999), stats.errors,
           stats.first_error,
           server_cpu0 < 0 || server_cpu < 0 ? -1.0 : server_cpu - server_cpu0, own_cpu,
           core_busy0 < 0 || core_busy < 0 ? -1.0 : core_busy - core_busy0,
           client_busy0 < 0 || client_busy < 0 ? -1.0 : client_busy - client_busy0);
    return 0;
}
