/* rt_limit.c — the queue limit (RLIMIT_SIGPENDING, getrlimit(2); the
 * count is per user, so the program sets the limit to 0 to be independent
 * of every other process): a real-time signal that needs a siginfo —
 * sigqueue(3), tgkill(2) — fails with EAGAIN; kill(2) of a real-time
 * signal, or a standard signal sent with a negative si_code (sigqueue),
 * still pends but without its siginfo (__send_signal_locked():
 * TRACE_SIGNAL_LOSE_INFO), so it is taken with si_code SI_USER and si_pid
 * 0 (collect_signal()); kill(2) of a standard signal overrides the limit
 * and keeps its siginfo. */
#include "conf.h"

static void take(int s, const char *how, int pid)
{
	sigset_t w;
	sigemptyset(&w);
	sigaddset(&w, s);
	siginfo_t si;
	memset(&si, 0xff, sizeof si);
	int got = sigtimedwait(&w, &si, &(struct timespec){0, 0});
	EXPECT(got == s && si.si_code == SI_USER && si.si_pid == pid && si.si_uid == (pid ? getuid() : 0), "%s: taken %s, si_code %d, si_pid %s", how, yes(got == s), si.si_code, pid ? (si.si_pid == pid ? "self" : "wrong") : (si.si_pid == 0 ? "0" : "not 0"));
}

int main(void)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGRTMIN);
	sigaddset(&m, SIGRTMIN + 1);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &m, NULL);
	struct rlimit rl = {0, 0};
	EXPECT(setrlimit(RLIMIT_SIGPENDING, &rl) == 0, "RLIMIT_SIGPENDING 0: set");
	EXPECT(!strcmp(RET(sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 1})), "-1 EAGAIN"), "sigqueue(SIGRTMIN): %s", RET(sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 1})));
	EXPECT(!strcmp(RET(syscall(SYS_tgkill, getpid(), gettid_(), SIGRTMIN)), "-1 EAGAIN"), "tgkill(SIGRTMIN): %s", RET(syscall(SYS_tgkill, getpid(), gettid_(), SIGRTMIN)));
	EXPECT(!is_pending(SIGRTMIN), "SIGRTMIN pending: %s", yes(is_pending(SIGRTMIN)));
	EXPECT(kill(getpid(), SIGRTMIN + 1) == 0, "kill(SIGRTMIN+1): 0");
	take(SIGRTMIN + 1, "kill(SIGRTMIN+1)", 0);
	EXPECT(kill(getpid(), SIGUSR1) == 0, "kill(SIGUSR1): 0");
	take(SIGUSR1, "kill(SIGUSR1)", getpid());
	EXPECT(sigqueue(getpid(), SIGUSR2, (union sigval){.sival_int = 9}) == 0, "sigqueue(SIGUSR2): 0");
	take(SIGUSR2, "sigqueue(SIGUSR2)", 0);
	return conf_exit();
}
