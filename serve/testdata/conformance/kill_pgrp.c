/* kill_pgrp.c — kill(2) with pid 0 (the caller's process group), -pgid
 * (that group), -1 (every process it may signal but itself; only with
 * signal 0 here, so that nothing outside the test is touched), INT_MIN
 * (ESRCH) and a bad signal (EINVAL). The program first moves into a
 * process group of its own; its forked children share it, except one that
 * leaves it and must not be hit. */
#include "conf.h"
#include <limits.h>

static int child(int rd, int wr)
{
	sigset_t w;
	sigemptyset(&w);
	sigaddset(&w, SIGUSR1);
	sigaddset(&w, SIGUSR2);
	siginfo_t a, b;
	hs_send(wr);
	int s1 = sigwaitinfo(&w, &a);
	int s2 = sigwaitinfo(&w, &b);
	(void)rd;
	return (s1 == SIGUSR1) | (s2 == SIGUSR2) << 1 | (a.si_pid == getppid() && b.si_pid == getppid()) << 2;
}

int main(void)
{
	/* Without its own group, kill(0, …) would reach whoever started it. */
	if (setpgid(0, 0) != 0 || getpgrp() != getpid()) {
		perror("setpgid");
		return 2;
	}
	printf("own process group: yes\n");
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	sigprocmask(SIG_BLOCK, &m, NULL);
	int ready[2], go[2];
	pipe(ready);
	pipe(go);
	pid_t kids[2];
	for (int i = 0; i < 2; i++)
		if ((kids[i] = fork()) == 0)
			_exit(child(go[0], ready[1]));
	/* The outsider moves to its own group, then reports what it got. */
	int out_ready[2], out_go[2];
	pipe(out_ready);
	pipe(out_go);
	pid_t outsider = fork();
	if (outsider == 0) {
		setpgid(0, 0);
		hs_send(out_ready[1]);
		hs_wait(out_go[0]);
		_exit(is_pending(SIGUSR1) || is_pending(SIGUSR2) ? 1 : 0);
	}
	hs_wait(ready[0]);
	hs_wait(ready[0]);
	hs_wait(out_ready[0]);

	EXPECT(kill(0, 0) == 0, "kill(0, 0): 0");
	EXPECT(kill(-1, 0) == 0, "kill(-1, 0): 0");
	EXPECT(kill(0, SIGUSR1) == 0, "kill(0, SIGUSR1): 0");
	EXPECT(kill(-getpgrp(), SIGUSR2) == 0, "kill(-pgid, SIGUSR2): 0");
	EXPECT(is_pending(SIGUSR1) && is_pending(SIGUSR2), "the sender got both too: %s", yes(is_pending(SIGUSR1) && is_pending(SIGUSR2)));
	EXPECT(!strcmp(RET(kill(INT_MIN, SIGUSR1)), "-1 ESRCH"), "kill(INT_MIN): %s", RET(kill(INT_MIN, SIGUSR1)));
	EXPECT(!strcmp(RET(kill(0, 65)), "-1 EINVAL"), "kill(0, 65): %s", RET(kill(0, 65)));
	EXPECT(!strcmp(RET(kill(getpid(), -1)), "-1 EINVAL"), "kill(self, -1): %s", RET(kill(getpid(), -1)));
	for (int i = 0; i < 2; i++) {
		int st;
		waitpid(kids[i], &st, 0);
		EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 7, "child %d: USR1, USR2, from the parent: %d/7", i, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
	hs_send(out_go[1]);
	int st;
	waitpid(outsider, &st, 0);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child in another group got nothing: %s", yes(WIFEXITED(st) && WEXITSTATUS(st) == 0));
	EXPECT(!strcmp(RET(kill(-outsider, 0)), "-1 ESRCH"), "its group is gone: %s", RET(kill(-outsider, 0)));
	siginfo_t si;
	sigwaitinfo(&m, &si);
	sigwaitinfo(&m, &si);
	return conf_exit();
}
