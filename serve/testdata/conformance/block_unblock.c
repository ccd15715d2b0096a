/* block_unblock.c — a blocked signal stays pending (sigprocmask(2),
 * sigpending(2)) and is delivered as the unblocking sigprocmask returns;
 * the handler runs with the signal blocked, and the old mask comes back. */
#include "conf.h"

static volatile int calls, blocked_inside, usr2_inside;

static void h(int s, siginfo_t *si, void *uc)
{
	calls++;
	blocked_inside = is_blocked(SIGUSR1);
	usr2_inside = is_blocked(SIGUSR2);
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);

	block1(SIGUSR1);
	raise(SIGUSR1);
	EXPECT(calls == 0, "blocked: handler calls %d", calls);
	EXPECT(is_pending(SIGUSR1), "blocked: pending %s", yes(is_pending(SIGUSR1)));
	unblock1(SIGUSR1);
	EXPECT(calls == 1, "unblocked: handler calls %d", calls);
	EXPECT(!is_pending(SIGUSR1), "unblocked: pending %s", yes(is_pending(SIGUSR1)));
	EXPECT(blocked_inside && usr2_inside, "inside handler: SIGUSR1 blocked %s, sa_mask SIGUSR2 blocked %s", yes(blocked_inside), yes(usr2_inside));
	EXPECT(!is_blocked(SIGUSR1) && !is_blocked(SIGUSR2), "after handler: SIGUSR1 blocked %s, SIGUSR2 blocked %s", yes(is_blocked(SIGUSR1)), yes(is_blocked(SIGUSR2)));

	/* Blocked in a thread's mask only: the other thread's mask is its own. */
	block1(SIGUSR1);
	raise(SIGUSR1);
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigprocmask(SIG_SETMASK, &m, NULL);
	EXPECT(calls == 1, "SIG_SETMASK keeping it blocked: calls %d", calls);
	sigemptyset(&m);
	sigprocmask(SIG_SETMASK, &m, NULL);
	EXPECT(calls == 2, "SIG_SETMASK empty: calls %d", calls);
	return conf_exit();
}
