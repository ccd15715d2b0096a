/* conf.h — shared helpers for the conformance scenarios.
 *
 * Every scenario prints what it observes (deterministic lines only: no
 * pids, addresses, times or fd numbers), checks it against what Linux is
 * documented to do, and exits 0 if every check held, 1 otherwise. The test
 * runs each one natively and under the emulator and requires identical
 * stdout and exit status, so a printed line is a claim about the kernel
 * the emulator must reproduce.
 *
 * Ordering between threads and processes is by handshakes (pipes,
 * blocked signals, wait_sleeping below), never by sleeping. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31) /* linux/signal.h; glibc does not define it */
#endif

static __attribute__((unused)) int conf_failed;

/* stdout unbuffered: lines from forked children and their parent appear
 * in the order the handshakes impose, and nothing is written twice by a
 * fork. */
__attribute__((constructor)) static void conf_init(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
}

/* EXPECT prints the observation and whether it matched Linux. */
#define EXPECT(cond, ...)                                    \
	do {                                                 \
		int ok_ = (cond);                            \
		printf(__VA_ARGS__);                         \
		printf("%s\n", ok_ ? "" : "   <-- FAIL");   \
		if (!ok_)                                    \
			conf_failed = 1;                     \
	} while (0)

/* RET formats a libc-style result: "0", "-1 EINVAL". */
static __attribute__((unused)) const char *conf_ret(long r, int e)
{
	static __thread char buf[4][64];
	static __thread int n;
	char *b = buf[n++ % 4];
	if (r == -1)
		snprintf(b, 64, "-1 %s", strerrorname_np(e) ? strerrorname_np(e) : "E?");
	else
		snprintf(b, 64, "%ld", r);
	return b;
}
#define RET(call) ({ errno = 0; long r_ = (long)(call); conf_ret(r_, errno); })

static __attribute__((unused)) const char *sig(int s)
{
	static __thread char buf[4][32];
	static __thread int n;
	char *b = buf[n++ % 4];
	if (s >= SIGRTMIN && s <= SIGRTMAX)
		snprintf(b, 32, "SIGRTMIN+%d", s - SIGRTMIN);
	else if (s > 0 && sigabbrev_np(s))
		snprintf(b, 32, "SIG%s", sigabbrev_np(s));
	else
		snprintf(b, 32, "sig%d", s);
	return b;
}

static __attribute__((unused)) const char *yes(int b) { return b ? "yes" : "no"; }

static __attribute__((unused)) pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }

/* install sets a handler (SA_SIGINFO if the handler takes three args is
 * the caller's flag) with an empty sa_mask. */
static __attribute__((unused)) void install(int s, void (*h)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h;
	sa.sa_flags = flags | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(s, &sa, NULL)) {
		perror("sigaction");
		exit(2);
	}
}

static __attribute__((unused)) void set_disp(int s, void (*h)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h;
	sigemptyset(&sa.sa_mask);
	sigaction(s, &sa, NULL);
}

static __attribute__((unused)) void block1(int s)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, s);
	pthread_sigmask(SIG_BLOCK, &m, NULL);
}

static __attribute__((unused)) void unblock1(int s)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, s);
	pthread_sigmask(SIG_UNBLOCK, &m, NULL);
}

static __attribute__((unused)) int is_blocked(int s)
{
	sigset_t m;
	pthread_sigmask(SIG_BLOCK, NULL, &m);
	return sigismember(&m, s);
}

static __attribute__((unused)) int is_pending(int s)
{
	sigset_t m;
	sigpending(&m);
	return sigismember(&m, s);
}

/* wait_sleeping returns once thread tid of process pid is asleep ('S' in
 * /proc): the handshake that says "it is blocked in the call it was about
 * to make" — the call is the only thing left for it to do, and it sleeps
 * only there (natively in the kernel, or emulated in the shim's wait). */
static __attribute__((unused)) void wait_sleeping(pid_t pid, pid_t tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, tid);
	for (;;) {
		int fd = open(path, O_RDONLY);
		if (fd < 0) {
			perror(path);
			exit(2);
		}
		ssize_t n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			char *p = strrchr(buf, ')');
			if (p && p[1] == ' ' && (p[2] == 'S' || p[2] == 't' || p[2] == 'T'))
				return;
		}
		struct timespec ts = {0, 200000};
		nanosleep(&ts, NULL);
	}
}

/* A one-byte handshake over a pipe. */
static __attribute__((unused)) void hs_send(int fd) { char c = 1; if (write(fd, &c, 1) != 1) { perror("hs_send"); exit(2); } }
static __attribute__((unused)) void hs_wait(int fd)
{
	char c;
	ssize_t n;
	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1) {
		fprintf(stderr, "hs_wait: %zd %s\n", n, strerror(errno));
		exit(2);
	}
}

/* no_core keeps a scenario that dies by a core-dumping signal from
 * writing a core file, so the core flag is the same everywhere. */
static __attribute__((unused)) void no_core(void)
{
	struct rlimit rl = {0, 0};
	setrlimit(RLIMIT_CORE, &rl);
}

static __attribute__((unused)) int conf_exit(void)
{
	printf("%s\n", conf_failed ? "FAILED" : "ok");
	return conf_failed;
}
