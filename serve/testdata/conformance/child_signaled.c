/* child_signaled.c — a child killed by a signal: the parent's waitpid
 * reports WIFSIGNALED and the signal, for a self-sent SIGKILL, a SIGTERM
 * from the parent, a default-Term real-time signal, and a SIGQUIT
 * (default Core; the core limit is 0 so the core flag is deterministic). */
#include "conf.h"

int main(void)
{
	int sigs[] = {SIGKILL, SIGTERM, SIGRTMIN + 4, SIGQUIT, SIGUSR2};
	for (int i = 0; i < 5; i++) {
		int p[2];
		pipe(p);
		pid_t c = fork();
		if (c == 0) {
			no_core();
			if (sigs[i] == SIGKILL)
				kill(getpid(), SIGKILL);
			hs_wait(p[0]);
			_exit(0);
		}
		if (sigs[i] != SIGKILL)
			kill(c, sigs[i]);
		int st;
		waitpid(c, &st, 0);
		EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == sigs[i] && !WCOREDUMP(st), "child killed by %s: WIFSIGNALED %s, core %s",
		       sig(sigs[i]), yes(WIFSIGNALED(st) && WTERMSIG(st) == sigs[i]), yes(WCOREDUMP(st)));
		close(p[0]);
		close(p[1]);
	}
	return conf_exit();
}
