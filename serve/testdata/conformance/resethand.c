/* resethand.c — SA_RESETHAND (sigaction(2)): the action is reset to
 * SIG_DFL on entry to the handler (get_signal(): only sa_handler is
 * reset, the flags stay and are reported back), and — unlike POSIX's
 * permission — Linux still blocks the signal while the handler runs unless
 * SA_NODEFER is also given. A second raise takes the default action (Term),
 * in a child. */
#include "conf.h"

static volatile int calls, blocked_inside, dfl_inside;

static void h(int s, siginfo_t *si, void *uc)
{
	struct sigaction cur;
	calls++;
	blocked_inside = is_blocked(SIGUSR1);
	sigaction(SIGUSR1, NULL, &cur);
	dfl_inside = cur.sa_handler == SIG_DFL;
}

int main(void)
{
	install(SIGUSR1, h, SA_RESETHAND);
	raise(SIGUSR1);
	EXPECT(calls == 1, "first raise: handler calls %d", calls);
	EXPECT(blocked_inside, "inside: SIGUSR1 blocked %s", yes(blocked_inside));
	EXPECT(dfl_inside, "inside: action already SIG_DFL %s", yes(dfl_inside));
	struct sigaction cur;
	sigaction(SIGUSR1, NULL, &cur);
	EXPECT(cur.sa_handler == SIG_DFL && (cur.sa_flags & SA_RESETHAND), "after: SIG_DFL %s, SA_RESETHAND flag %s", yes(cur.sa_handler == SIG_DFL), yes(cur.sa_flags & SA_RESETHAND));

	install(SIGUSR1, h, SA_RESETHAND | SA_NODEFER);
	raise(SIGUSR1);
	EXPECT(!blocked_inside, "with SA_NODEFER: blocked inside %s", yes(blocked_inside));

	pid_t c = fork();
	if (c == 0) {
		install(SIGUSR1, h, SA_RESETHAND);
		raise(SIGUSR1);
		raise(SIGUSR1);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1, "child raising twice: killed by %s", WIFSIGNALED(st) ? sig(WTERMSIG(st)) : "nothing");
	return conf_exit();
}
