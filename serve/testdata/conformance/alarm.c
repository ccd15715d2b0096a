/* alarm.c — alarm(2): returns the seconds left on the previous alarm
 * (rounded to the nearest second, never 0 for a pending one), alarm(0)
 * cancels, and a 1-second alarm delivers SIGALRM (si_code SI_KERNEL) to a
 * sigsuspend; the default action of SIGALRM kills (in a child). */
#include "conf.h"

static volatile int calls, code;
static void h(int s, siginfo_t *si, void *uc)
{
	calls++;
	code = si->si_code;
}

int main(void)
{
	install(SIGALRM, h, 0);
	EXPECT(alarm(100) == 0, "alarm(100): 0 (none before)");
	EXPECT(alarm(5) == 100, "alarm(5): 100 left");
	EXPECT(alarm(0) == 5, "alarm(0): 5 left");
	EXPECT(alarm(0) == 0, "alarm(0) again: 0");
	block1(SIGALRM);
	alarm(1);
	sigset_t empty;
	sigemptyset(&empty);
	sigsuspend(&empty);
	EXPECT(calls == 1 && code == SI_KERNEL, "SIGALRM after 1 s: calls %d, si_code SI_KERNEL %s", calls, yes(code == SI_KERNEL));
	EXPECT(alarm(0) == 0, "after it fired: 0 left");

	pid_t c = fork();
	if (c == 0) {
		set_disp(SIGALRM, SIG_DFL);
		unblock1(SIGALRM);
		EXPECT(alarm(0) == 0, "child: the parent's alarm is not inherited");
		raise(SIGALRM);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM, "child killed by %s", WIFSIGNALED(st) ? sig(WTERMSIG(st)) : "nothing");
	return conf_exit();
}
