/* raise_siginfo.c — an SA_SIGINFO handler sees the siginfo each sender
 * builds (signal(7), sigaction(2)): raise → SI_TKILL, kill → SI_USER,
 * sigqueue → SI_QUEUE with its value; si_pid/si_uid are the sender's, and
 * the third argument is the interrupted ucontext. */
#include "conf.h"

static volatile int got_signo, got_code, got_pid, got_uid, got_val, got_ctx, calls;

static void h(int s, siginfo_t *si, void *uc)
{
	calls++;
	got_signo = si->si_signo;
	got_code = si->si_code;
	got_pid = si->si_pid;
	got_uid = si->si_uid;
	got_val = si->si_value.sival_int;
	got_ctx = uc != NULL;
}

static const char *code(int c)
{
	switch (c) {
	case SI_USER: return "SI_USER";
	case SI_TKILL: return "SI_TKILL";
	case SI_QUEUE: return "SI_QUEUE";
	}
	return "other";
}

int main(void)
{
	install(SIGUSR1, h, 0);
	EXPECT(raise(SIGUSR1) == 0 && calls == 1, "raise: handler ran %d time(s) before raise returned", calls);
	EXPECT(got_signo == SIGUSR1 && got_code == SI_TKILL, "raise: si_signo %s si_code %s", sig(got_signo), code(got_code));
	EXPECT(got_pid == getpid() && got_uid == (int)getuid(), "raise: si_pid is self %s, si_uid is self %s", yes(got_pid == getpid()), yes(got_uid == (int)getuid()));
	EXPECT(got_ctx, "raise: ucontext passed %s", yes(got_ctx));

	kill(getpid(), SIGUSR1);
	EXPECT(calls == 2 && got_code == SI_USER && got_pid == getpid(), "kill: si_code %s, si_pid is self %s", code(got_code), yes(got_pid == getpid()));

	union sigval v = {.sival_int = 4242};
	sigqueue(getpid(), SIGUSR1, v);
	EXPECT(calls == 3 && got_code == SI_QUEUE && got_val == 4242, "sigqueue: si_code %s si_value %d", code(got_code), got_val);

	union sigval w = {.sival_int = -7};
	pthread_sigqueue(pthread_self(), SIGUSR1, w);
	EXPECT(calls == 4 && got_code == SI_QUEUE && got_val == -7, "pthread_sigqueue: si_code %s si_value %d", code(got_code), got_val);
	return conf_exit();
}
