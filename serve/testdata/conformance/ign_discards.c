/* ign_discards.c — setting SIG_IGN discards a pending signal, whether it
 * is blocked or not, process- or thread-directed; so does SIG_DFL for a
 * signal whose default is Ign (POSIX sigaction, kernel do_sigaction()).
 * But a signal that is blocked when it is generated is queued even if
 * ignored (sig_ignored(): the action may change before it is unblocked). */
#include "conf.h"

static volatile int calls;
static void h(int s, siginfo_t *si, void *uc) { calls++; }

int main(void)
{
	install(SIGUSR1, h, 0);
	block1(SIGUSR1);
	raise(SIGUSR1);
	kill(getpid(), SIGUSR1);
	EXPECT(is_pending(SIGUSR1), "USR1 blocked+raised: pending %s", yes(is_pending(SIGUSR1)));
	set_disp(SIGUSR1, SIG_IGN);
	EXPECT(!is_pending(SIGUSR1), "after SIG_IGN: pending %s", yes(is_pending(SIGUSR1)));
	install(SIGUSR1, h, 0);
	unblock1(SIGUSR1);
	EXPECT(calls == 0, "handler back, unblocked: calls %d", calls);

	/* SIG_DFL of a default-ignore signal discards too. */
	install(SIGURG, h, 0);
	block1(SIGURG);
	raise(SIGURG);
	EXPECT(is_pending(SIGURG), "URG blocked+raised: pending %s", yes(is_pending(SIGURG)));
	set_disp(SIGURG, SIG_DFL);
	EXPECT(!is_pending(SIGURG), "after SIG_DFL: pending %s", yes(is_pending(SIGURG)));

	/* A blocked signal whose action is SIG_IGN: Linux still queues it
	 * (it may be waited for with sigwaitinfo) — the blocked case is the
	 * exception in sig_ignored(). */
	set_disp(SIGUSR2, SIG_IGN);
	block1(SIGUSR2);
	raise(SIGUSR2);
	EXPECT(is_pending(SIGUSR2), "USR2 ignored but blocked, raised: pending %s", yes(is_pending(SIGUSR2)));
	sigset_t w;
	sigemptyset(&w);
	sigaddset(&w, SIGUSR2);
	struct timespec z = {0, 0};
	EXPECT(sigtimedwait(&w, NULL, &z) == SIGUSR2, "sigtimedwait takes it: %s", yes(1));

	/* SIG_DFL on a Term-default pending signal keeps it pending. */
	install(SIGHUP, h, 0);
	block1(SIGHUP);
	raise(SIGHUP);
	set_disp(SIGHUP, SIG_DFL);
	EXPECT(is_pending(SIGHUP), "HUP pending after SIG_DFL (Term): %s", yes(is_pending(SIGHUP)));
	set_disp(SIGHUP, SIG_IGN);
	unblock1(SIGHUP);
	EXPECT(!is_pending(SIGHUP), "then SIG_IGN: pending %s", yes(is_pending(SIGHUP)));
	return conf_exit();
}
