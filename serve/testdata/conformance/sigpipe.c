/* sigpipe.c — writing to a pipe whose read end is closed raises SIGPIPE
 * in the writing thread (pipe(7)): by default it kills (a child, the
 * parent sees WTERMSIG SIGPIPE); ignored, write fails with EPIPE; handled,
 * the handler runs (si_code SI_USER, si_pid self) and write fails with
 * EPIPE; blocked, it pends and write fails with EPIPE. */
#include "conf.h"

static volatile int calls, code, pid_self;
static void h(int s, siginfo_t *si, void *uc)
{
	calls++;
	code = si->si_code;
	pid_self = si->si_pid == getpid();
}

static int broken(void)
{
	int p[2];
	pipe(p);
	close(p[0]);
	return p[1];
}

int main(void)
{
	pid_t c = fork();
	if (c == 0) {
		write(broken(), "x", 1);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "default: child killed by %s", WIFSIGNALED(st) ? sig(WTERMSIG(st)) : "nothing");

	set_disp(SIGPIPE, SIG_IGN);
	int fd = broken();
	EXPECT(!strcmp(RET(write(fd, "x", 1)), "-1 EPIPE"), "SIG_IGN: write %s", RET(write(fd, "x", 1)));

	install(SIGPIPE, h, 0);
	errno = 0;
	long r = write(fd, "x", 1);
	EXPECT(r == -1 && errno == EPIPE && calls == 1, "handled: write %s, handler calls %d", conf_ret(r, errno), calls);
	EXPECT(code == SI_USER && pid_self, "handled: si_code SI_USER %s, si_pid self %s", yes(code == SI_USER), yes(pid_self));

	block1(SIGPIPE);
	EXPECT(!strcmp(RET(write(fd, "x", 1)), "-1 EPIPE"), "blocked: write %s", RET(write(fd, "x", 1)));
	EXPECT(is_pending(SIGPIPE) && calls == 1, "blocked: pending %s", yes(is_pending(SIGPIPE)));
	unblock1(SIGPIPE);
	EXPECT(calls == 2, "unblocked: handler calls %d", calls);
	return conf_exit();
}
