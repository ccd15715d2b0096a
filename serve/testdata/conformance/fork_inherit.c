/* fork_inherit.c — fork(2): the child inherits the actions (handler,
 * flags, mask), the blocked mask and the alternate stack, but its pending
 * set starts empty (signal(7)); the parent's pending signals stay with
 * the parent. A child of a multithreaded process inherits only the forking
 * thread's mask. */
#include "conf.h"

static volatile int calls;
static void h(int s, siginfo_t *si, void *uc) { calls++; }

static pid_t gc = -1;
static void *fork_from_thread(void *a)
{
	block1(SIGTERM);
	gc = fork();
	if (gc == 0)
		_exit(is_blocked(SIGTERM) && is_blocked(SIGUSR2) ? 5 : 6);
	return NULL;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaction(SIGUSR1, &sa, NULL);
	set_disp(SIGINT, SIG_IGN);
	block1(SIGUSR2);
	raise(SIGUSR2);
	kill(getpid(), SIGUSR2);
	static char alt[65536];
	stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
	sigaltstack(&ss, NULL);

	pid_t c = fork();
	if (c == 0) {
		struct sigaction cur;
		sigaction(SIGUSR1, NULL, &cur);
		EXPECT(cur.sa_sigaction == h && (cur.sa_flags & (SA_SIGINFO | SA_RESTART)) == (SA_SIGINFO | SA_RESTART) && sigismember(&cur.sa_mask, SIGHUP),
		       "child: SIGUSR1 handler, flags and sa_mask inherited %s", yes(cur.sa_sigaction == h));
		sigaction(SIGINT, NULL, &cur);
		EXPECT(cur.sa_handler == SIG_IGN, "child: SIGINT still ignored %s", yes(cur.sa_handler == SIG_IGN));
		EXPECT(is_blocked(SIGUSR2), "child: SIGUSR2 still blocked %s", yes(is_blocked(SIGUSR2)));
		EXPECT(!is_pending(SIGUSR2), "child: SIGUSR2 pending %s", yes(is_pending(SIGUSR2)));
		stack_t q;
		sigaltstack(NULL, &q);
		EXPECT(q.ss_sp == alt && q.ss_flags == 0, "child: alternate stack inherited %s", yes(q.ss_sp == alt));
		raise(SIGUSR1);
		EXPECT(calls == 1, "child: handler runs, calls %d", calls);
		_exit(conf_failed ? 1 : 42);
	}
	int st;
	waitpid(c, &st, 0);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 42, "parent: child exited %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	EXPECT(is_pending(SIGUSR2), "parent: SIGUSR2 still pending %s", yes(is_pending(SIGUSR2)));
	EXPECT(calls == 0, "parent: handler calls %d", calls);

	/* Fork from a thread with its own mask. */
	pthread_t t;
	pthread_create(&t, NULL, fork_from_thread, NULL);
	pthread_join(t, NULL);
	waitpid(gc, &st, 0);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 5, "child of a thread has that thread's mask: %s", yes(WEXITSTATUS(st) == 5));
	EXPECT(!is_blocked(SIGTERM), "main thread's mask untouched: %s", yes(!is_blocked(SIGTERM)));
	sigset_t w;
	sigemptyset(&w);
	sigaddset(&w, SIGUSR2);
	sigtimedwait(&w, NULL, &(struct timespec){0, 0});
	sigtimedwait(&w, NULL, &(struct timespec){0, 0});
	return conf_exit();
}
