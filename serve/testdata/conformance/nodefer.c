/* nodefer.c — without SA_NODEFER the signal is blocked in its handler, so
 * a raise inside it pends and runs after the handler returns (depth 1);
 * with SA_NODEFER it nests (depth 2). sa_mask adds to the blocked set only
 * while the handler runs (sigaction(2)). */
#include "conf.h"

static volatile int depth, maxdepth, calls;
static char order[64];
static volatile int olen;

static void h(int s, siginfo_t *si, void *uc)
{
	depth++;
	if (depth > maxdepth)
		maxdepth = depth;
	order[olen++] = '0' + depth;
	if (calls++ == 0)
		raise(s);
	order[olen++] = ')';
	depth--;
}

static volatile int usr2_seen_in_usr1;
static volatile int usr1_done;
static void h2(int s, siginfo_t *si, void *uc) { usr2_seen_in_usr1 = !usr1_done; }
static void h1(int s, siginfo_t *si, void *uc)
{
	raise(SIGUSR2);
	usr1_done = 1;
}

int main(void)
{
	install(SIGUSR1, h, 0);
	raise(SIGUSR1);
	order[olen] = 0;
	EXPECT(maxdepth == 1 && calls == 2, "default: calls %d, max depth %d, order %s", calls, maxdepth, order);

	calls = maxdepth = olen = 0;
	install(SIGUSR1, h, SA_NODEFER);
	raise(SIGUSR1);
	order[olen] = 0;
	EXPECT(maxdepth == 2 && calls == 2, "SA_NODEFER: calls %d, max depth %d, order %s", calls, maxdepth, order);

	/* sa_mask {USR2}: USR2 raised inside the USR1 handler waits. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h1;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	install(SIGUSR2, h2, 0);
	raise(SIGUSR1);
	EXPECT(!usr2_seen_in_usr1, "sa_mask: SIGUSR2 ran inside SIGUSR1's handler %s", yes(usr2_seen_in_usr1));
	/* Without sa_mask it nests. */
	usr1_done = 0;
	install(SIGUSR1, h1, 0);
	raise(SIGUSR1);
	EXPECT(usr2_seen_in_usr1, "no sa_mask: SIGUSR2 ran inside SIGUSR1's handler %s", yes(usr2_seen_in_usr1));
	return conf_exit();
}
