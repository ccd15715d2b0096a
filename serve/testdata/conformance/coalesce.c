/* coalesce.c — standard signals coalesce: three raises of a blocked
 * SIGUSR1 give one delivery; the thread-directed and the process-directed
 * pending sets are separate, so one raise plus one kill give two
 * (signal(7), "Queueing and delivery semantics for standard signals");
 * real-time signals queue every instance. sigpending(2) is the union of
 * both sets. */
#include "conf.h"

static volatile int calls[65];
static void h(int s, siginfo_t *si, void *uc) { calls[s]++; }

int main(void)
{
	install(SIGUSR1, h, 0);
	install(SIGRTMIN, h, 0);
	block1(SIGUSR1);
	raise(SIGUSR1);
	raise(SIGUSR1);
	raise(SIGUSR1);
	unblock1(SIGUSR1);
	EXPECT(calls[SIGUSR1] == 1, "3 raises while blocked: %d deliveries", calls[SIGUSR1]);

	calls[SIGUSR1] = 0;
	block1(SIGUSR1);
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);
	EXPECT(is_pending(SIGUSR1), "2 kills while blocked: pending %s", yes(is_pending(SIGUSR1)));
	raise(SIGUSR1);
	unblock1(SIGUSR1);
	EXPECT(calls[SIGUSR1] == 2, "2 kills + 1 raise while blocked: %d deliveries", calls[SIGUSR1]);

	block1(SIGRTMIN);
	for (int i = 0; i < 3; i++)
		raise(SIGRTMIN);
	kill(getpid(), SIGRTMIN);
	unblock1(SIGRTMIN);
	EXPECT(calls[SIGRTMIN] == 4, "SIGRTMIN: 3 raises + 1 kill while blocked: %d deliveries", calls[SIGRTMIN]);
	return conf_exit();
}
