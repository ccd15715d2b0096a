/* restart_block.c — restart_syscall(2) and the ERESTART_RESTARTBLOCK
 * rule (signal(7)): a nanosleep or poll with a timeout, interrupted by a
 * stop and continue (no handler runs), is resumed transparently for the
 * time that was left and returns normally; the same calls interrupted by
 * a handler fail with EINTR even with SA_RESTART, and nanosleep reports
 * the time remaining. The stopped process is a child; the interrupting
 * signal comes after a handshake. */
#include "conf.h"
#include <poll.h>

static volatile int calls;
static void h(int s, siginfo_t *si, void *uc) { calls++; }

static long ms_since(struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

/* child sleeps 300 ms in call k; the parent stops and continues it. */
static int child(int k, int ready)
{
	struct timespec a, req = {0, 300000000}, rem = {0, 0};
	clock_gettime(CLOCK_MONOTONIC, &a);
	hs_send(ready);
	long r;
	if (k == 0)
		r = nanosleep(&req, &rem);
	else
		r = poll(NULL, 0, 300);
	return (r == 0) | (ms_since(&a) >= 290) << 1;
}

int main(void)
{
	const char *names[2] = {"nanosleep", "poll"};
	for (int k = 0; k < 2; k++) {
		int p[2];
		pipe(p);
		pid_t c = fork();
		if (c == 0)
			_exit(child(k, p[1]));
		hs_wait(p[0]);
		wait_sleeping(c, c);
		kill(c, SIGSTOP);
		int st;
		waitpid(c, &st, WUNTRACED);
		kill(c, SIGCONT);
		waitpid(c, &st, 0);
		EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 3, "%s across SIGSTOP/SIGCONT: returned 0 %s, slept the full time %s", names[k], yes(WEXITSTATUS(st) & 1), yes(WEXITSTATUS(st) & 2));
	}

	/* A handler, even with SA_RESTART: EINTR, and nanosleep's remainder. */
	install(SIGUSR1, h, SA_RESTART);
	pid_t me = gettid_();
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	for (int k = 0; k < 2; k++) {
		pid_t c = fork();
		if (c == 0) {
			/* Until the parent kills it: a retry covers a
			 * wait_sleeping that saw it asleep before the call. */
			wait_sleeping(getppid(), me);
			for (;;) {
				kill(getppid(), SIGUSR1);
				nanosleep(&(struct timespec){0, 5000000}, NULL);
			}
		}
		struct timespec req = {20, 0}, rem = {0, 0};
		long r;
		errno = 0;
		if (k == 0)
			r = nanosleep(&req, &rem);
		else
			r = poll(NULL, 0, 20000);
		int e = errno;
		pthread_sigmask(SIG_BLOCK, &m, NULL); /* no more deliveries */
		kill(c, SIGKILL);
		waitpid(c, NULL, 0);
		EXPECT(r == -1 && e == EINTR && calls >= 1, "%s interrupted by a SA_RESTART handler: %s", names[k], conf_ret(r, e));
		sigtimedwait(&m, NULL, &(struct timespec){0, 0});
		pthread_sigmask(SIG_UNBLOCK, &m, NULL);
		if (k == 0)
			EXPECT(rem.tv_sec > 0 && rem.tv_sec <= 20, "nanosleep remainder between 0 and 20 s: %s", yes(rem.tv_sec > 0 && rem.tv_sec <= 20));
	}
	return conf_exit();
}
