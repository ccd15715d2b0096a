/* sigtimedwait.c — rt_sigtimedwait(2): takes a pending signal from the set
 * (lowest first, with its siginfo) without running a handler; with a zero
 * or short timeout and nothing pending it fails with EAGAIN; a bad timeout
 * is EINVAL; a signal outside the set that is handled interrupts it with
 * EINTR (from another thread, after a handshake). */
#include "conf.h"

static volatile int calls;
static void h(int s, siginfo_t *si, void *uc) { calls++; }
static pid_t main_tid;

static volatile int returned;
/* Until sigtimedwait has returned: a retry covers a wait_sleeping that saw
 * main asleep just before the call; only yes/no is printed. */
static void *sender(void *a)
{
	wait_sleeping(getpid(), main_tid);
	while (!returned) {
		pthread_kill(*(pthread_t *)a, SIGUSR2);
		nanosleep(&(struct timespec){0, 2000000}, NULL);
	}
	return NULL;
}

int main(void)
{
	install(SIGUSR1, h, 0);
	install(SIGUSR2, h, 0);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 11});
	sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 22});
	raise(SIGHUP);
	siginfo_t si;
	struct timespec ts = {5, 0};
	for (int i = 0; i < 3; i++) {
		memset(&si, 0, sizeof si);
		int s = sigtimedwait(&set, &si, &ts);
		printf("sigtimedwait #%d: %s code %d value %d from self %s\n", i, sig(s), si.si_code, si.si_code == SI_QUEUE ? si.si_value.sival_int : 0, yes(si.si_pid == getpid()));
	}
	EXPECT(calls == 0, "no handler ran: %s", yes(calls == 0));
	struct timespec zero = {0, 0}, short_ = {0, 10000000}, bad = {0, 1000000000};
	EXPECT(!strcmp(RET(sigtimedwait(&set, &si, &zero)), "-1 EAGAIN"), "nothing pending, zero timeout: %s", RET(sigtimedwait(&set, &si, &zero)));
	EXPECT(!strcmp(RET(sigtimedwait(&set, &si, &short_)), "-1 EAGAIN"), "nothing pending, 10 ms: %s", RET(sigtimedwait(&set, &si, &short_)));
	EXPECT(!strcmp(RET(sigtimedwait(&set, &si, &bad)), "-1 EINVAL"), "tv_nsec 1e9: %s", RET(sigtimedwait(&set, &si, &bad)));
	EXPECT(!strcmp(RET(syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 4)), "-1 EINVAL"), "sigsetsize 4: %s", RET(syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 4)));

	/* A NULL siginfo is fine. */
	raise(SIGHUP);
	EXPECT(sigtimedwait(&set, NULL, &zero) == SIGHUP, "NULL info: got SIGHUP %s", yes(1));

	/* Interrupted by a handled signal not in the set. */
	main_tid = gettid_();
	pthread_t self = pthread_self(), t;
	pthread_create(&t, NULL, sender, &self);
	int r = sigtimedwait(&set, &si, &ts);
	int e = errno;
	returned = 1;
	EXPECT(r == -1 && e == EINTR && calls >= 1, "interrupted by USR2: %s, handler ran %s", conf_ret(r, e), yes(calls >= 1));
	pthread_join(t, NULL);
	return conf_exit();
}
