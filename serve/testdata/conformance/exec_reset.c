/* exec_reset.c — execve(2): handled signals are reset to SIG_DFL, ignored
 * ones stay ignored, the blocked mask and the pending set are preserved,
 * the alternate stack is cleared (signal(7), execve(2)). The program
 * re-executes itself with an argument and the new image reports. */
#include "conf.h"

static void h(int s) {}

static int child(void)
{
	struct sigaction cur;
	sigaction(SIGUSR1, NULL, &cur);
	EXPECT(cur.sa_handler == SIG_DFL, "after exec: handled SIGUSR1 is SIG_DFL %s", yes(cur.sa_handler == SIG_DFL));
	sigaction(SIGUSR2, NULL, &cur);
	EXPECT(cur.sa_handler == SIG_IGN, "after exec: ignored SIGUSR2 still SIG_IGN %s", yes(cur.sa_handler == SIG_IGN));
	sigaction(SIGRTMIN + 3, NULL, &cur);
	EXPECT(cur.sa_handler == SIG_DFL && cur.sa_flags == 0, "after exec: SIGRTMIN+3 SIG_DFL, flags %#x", cur.sa_flags);
	EXPECT(is_blocked(SIGHUP) && is_blocked(SIGRTMIN + 3) && !is_blocked(SIGUSR1), "after exec: mask kept (HUP %s, RTMIN+3 %s, USR1 %s)", yes(is_blocked(SIGHUP)), yes(is_blocked(SIGRTMIN + 3)), yes(is_blocked(SIGUSR1)));
	EXPECT(is_pending(SIGHUP) && is_pending(SIGRTMIN + 3), "after exec: pending kept (HUP %s, RTMIN+3 %s)", yes(is_pending(SIGHUP)), yes(is_pending(SIGRTMIN + 3)));
	sigset_t w;
	sigemptyset(&w);
	sigaddset(&w, SIGRTMIN + 3);
	siginfo_t si;
	int s = sigtimedwait(&w, &si, &(struct timespec){0, 0});
	EXPECT(s == SIGRTMIN + 3 && si.si_value.sival_int == 1234, "after exec: queued value kept %d", si.si_value.sival_int);
	stack_t q;
	sigaltstack(NULL, &q);
	EXPECT(q.ss_flags == SS_DISABLE, "after exec: alternate stack disabled %s", yes(q.ss_flags == SS_DISABLE));
	return conf_exit();
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "child"))
		return child();
	set_disp(SIGUSR1, h);
	set_disp(SIGUSR2, SIG_IGN);
	set_disp(SIGRTMIN + 3, h);
	block1(SIGHUP);
	block1(SIGRTMIN + 3);
	raise(SIGHUP);
	sigqueue(getpid(), SIGRTMIN + 3, (union sigval){.sival_int = 1234});
	static char alt[65536];
	stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
	sigaltstack(&ss, NULL);
	printf("before exec: set up\n");
	execl("/proc/self/exe", argv[0], "child", (char *)NULL);
	perror("execl");
	return 2;
}
