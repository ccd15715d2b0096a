/* nocldwait.c — SA_NOCLDWAIT, or SIGCHLD set to SIG_IGN: terminated
 * children are reaped automatically, so wait(2) blocks until they are all
 * gone and then fails with ECHILD (wait(2), sigaction(2)). With
 * SA_NOCLDWAIT and a handler, SIGCHLD is still sent; with SIG_IGN it is
 * not. */
#include "conf.h"

static volatile int calls;
static void h(int s, siginfo_t *si, void *uc) { calls++; }

static void two_children(void)
{
	for (int i = 0; i < 2; i++)
		if (fork() == 0)
			_exit(i);
}

int main(void)
{
	block1(SIGCHLD);
	install(SIGCHLD, h, SA_NOCLDWAIT);
	two_children();
	EXPECT(!strcmp(RET(wait(NULL)), "-1 ECHILD"), "SA_NOCLDWAIT: wait %s", RET(wait(NULL)));
	EXPECT(is_pending(SIGCHLD), "SA_NOCLDWAIT with a handler: SIGCHLD sent %s", yes(is_pending(SIGCHLD)));
	unblock1(SIGCHLD);
	EXPECT(calls == 1, "handler ran %d time(s) (two exits coalesced)", calls);

	block1(SIGCHLD);
	set_disp(SIGCHLD, SIG_IGN);
	two_children();
	EXPECT(!strcmp(RET(wait(NULL)), "-1 ECHILD"), "SIG_IGN: wait %s", RET(wait(NULL)));
	EXPECT(!is_pending(SIGCHLD), "SIG_IGN: SIGCHLD pending %s", yes(is_pending(SIGCHLD)));

	/* Back to SIG_DFL: children are zombies again. */
	set_disp(SIGCHLD, SIG_DFL);
	pid_t c = fork();
	if (c == 0)
		_exit(4);
	int st;
	EXPECT(waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 4, "SIG_DFL: waitpid reaps it, status %d", WEXITSTATUS(st));
	return conf_exit();
}
