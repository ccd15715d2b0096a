/* nocldstop.c — SA_NOCLDSTOP on SIGCHLD: no SIGCHLD when a child stops or
 * continues, only when it terminates (sigaction(2)); waitpid still
 * reports the stop. Without the flag, a stop sends one. */
#include "conf.h"

static volatile int calls, code;
static void h(int s, siginfo_t *si, void *uc)
{
	calls++;
	code = si->si_code;
}

static int run(int flags)
{
	install(SIGCHLD, h, flags);
	calls = 0;
	block1(SIGCHLD);
	pid_t c = fork();
	if (c == 0) {
		raise(SIGSTOP);
		_exit(3);
	}
	int st;
	waitpid(c, &st, WUNTRACED);
	int stopped = WIFSTOPPED(st);
	int pend_stop = is_pending(SIGCHLD);
	unblock1(SIGCHLD);
	int after_stop = calls;
	block1(SIGCHLD);
	kill(c, SIGCONT);
	waitpid(c, &st, 0);
	int pend_exit = is_pending(SIGCHLD);
	unblock1(SIGCHLD);
	printf("%s: stopped %s, SIGCHLD on stop %s (handler %d), on exit %s, handler calls %d, last si_code CLD_EXITED %s\n",
	       flags ? "SA_NOCLDSTOP" : "no flag", yes(stopped), yes(pend_stop), after_stop, yes(pend_exit), calls, yes(code == CLD_EXITED));
	return flags ? !pend_stop && pend_exit && calls == 1 : pend_stop && pend_exit && calls == 2;
}

int main(void)
{
	EXPECT(run(SA_NOCLDSTOP), "SA_NOCLDSTOP behaves: %s", yes(1));
	EXPECT(run(0), "without it: %s", yes(1));
	return conf_exit();
}
