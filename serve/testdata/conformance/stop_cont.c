/* stop_cont.c — SIGSTOP/SIGTSTP stop a child and SIGCONT resumes it: the
 * parent's waitpid(WUNTRACED) reports WIFSTOPPED with the signal,
 * waitpid(WCONTINUED) WIFCONTINUED, and each change sends the parent a
 * SIGCHLD with CLD_STOPPED / CLD_CONTINUED / CLD_EXITED and si_status
 * (wait(2), sigaction(2)). SIGCHLD is blocked and taken with sigwaitinfo,
 * so none coalesce. A handled SIGCONT runs its handler in the child. */
#include "conf.h"

static const char *cld(int c)
{
	switch (c) {
	case CLD_EXITED: return "CLD_EXITED";
	case CLD_KILLED: return "CLD_KILLED";
	case CLD_STOPPED: return "CLD_STOPPED";
	case CLD_CONTINUED: return "CLD_CONTINUED";
	}
	return "other";
}

static volatile int conts;
static int ack[2]; /* the child's SIGCONT handler → the parent: "I ran" */
static void on_cont(int s, siginfo_t *si, void *uc)
{
	conts++;
	write(ack[1], "c", 1);
}

static void chld(pid_t c)
{
	sigset_t w;
	sigemptyset(&w);
	sigaddset(&w, SIGCHLD);
	siginfo_t si;
	int s = sigwaitinfo(&w, &si);
	printf("  %s %s si_status %d from the child %s\n", sig(s), cld(si.si_code), si.si_status, yes(si.si_pid == c));
}

int main(void)
{
	block1(SIGCHLD);
	int go[2], back[2];
	pipe(go);
	pipe(back);
	pipe(ack);
	/* The child gets a process group of its own, whose parent (this
	 * process) is in another group of the same session: the group is not
	 * orphaned, so SIGTSTP's default action stops it wherever the test
	 * runs (kernel/signal.c, do_signal_stop via is_current_pgrp_orphaned:
	 * an orphaned group ignores SIGTSTP/SIGTTIN/SIGTTOU, and whether the
	 * test's own group is orphaned depends on what started it). */
	pid_t c = fork();
	if (c == 0) {
		setpgid(0, 0);
		install(SIGCONT, on_cont, 0);
		hs_send(back[1]);
		hs_wait(go[0]);
		char n = (char)conts;
		write(back[1], &n, 1);
		hs_wait(go[0]);
		_exit(9);
	}
	int st;
	setpgid(c, c);
	hs_wait(back[0]);
	kill(c, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	EXPECT(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "SIGSTOP: waitpid WIFSTOPPED %s by %s", yes(WIFSTOPPED(st)), sig(WSTOPSIG(st)));
	chld(c);
	EXPECT(waitpid(c, &st, WUNTRACED | WNOHANG) == 0, "stop reported once: %s", yes(1));
	kill(c, SIGCONT);
	waitpid(c, &st, WCONTINUED);
	EXPECT(WIFCONTINUED(st), "SIGCONT: waitpid WIFCONTINUED %s", yes(WIFCONTINUED(st)));
	chld(c);
	/* The handled SIGCONT runs once the child runs again; a stop signal
	 * sent before that would discard it (prepare_signal), so wait. */
	hs_wait(ack[0]);

	kill(c, SIGTSTP);
	waitpid(c, &st, WUNTRACED);
	EXPECT(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP, "SIGTSTP: stopped by %s", sig(WSTOPSIG(st)));
	chld(c);
	/* Signals sent to a stopped process wait; SIGCONT resumes it and the
	 * handler runs. */
	kill(c, SIGCONT);
	waitpid(c, &st, WCONTINUED);
	chld(c);
	hs_wait(ack[0]);
	hs_send(go[1]);
	char n;
	read(back[0], &n, 1);
	EXPECT(n == 2, "child's SIGCONT handler ran %d times", n);
	hs_send(go[1]);
	waitpid(c, &st, 0);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 9, "exit: status %d", WEXITSTATUS(st));
	chld(c);

	/* waitid with WSTOPPED|WEXITED on a child killed while stopped. */
	pid_t d = fork();
	if (d == 0) {
		for (;;)
			pause();
	}
	kill(d, SIGSTOP);
	siginfo_t wi;
	memset(&wi, 0, sizeof wi);
	waitid(P_PID, d, &wi, WSTOPPED);
	EXPECT(wi.si_code == CLD_STOPPED && wi.si_status == SIGSTOP, "waitid: %s %s", cld(wi.si_code), sig(wi.si_status));
	chld(d);
	kill(d, SIGKILL);
	waitid(P_PID, d, &wi, WEXITED);
	EXPECT(wi.si_code == CLD_KILLED && wi.si_status == SIGKILL, "waitid: %s %s", cld(wi.si_code), sig(wi.si_status));
	chld(d);
	return conf_exit();
}
