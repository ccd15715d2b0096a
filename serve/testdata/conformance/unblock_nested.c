/* unblock_nested.c — when several signals become deliverable at once and
 * the handlers do not block each other (empty sa_mask), the kernel sets up
 * one frame per signal before returning to user mode
 * (exit_to_user_mode_loop() calls arch_do_signal_or_restart() while
 * TIF_SIGPENDING stays set), so the last frame pushed — the highest
 * signal — runs first, nested in the lower ones' handlers. The emulator
 * must reproduce the exact order. */
#include "conf.h"

static char log_[256];
static int loglen, depth;
static void h(int s, siginfo_t *si, void *uc)
{
	depth++;
	loglen += snprintf(log_ + loglen, sizeof log_ - loglen, " %s@%d", sig(s), depth);
	depth--;
}

int main(void)
{
	sigset_t all;
	sigemptyset(&all);
	int sigs[] = {SIGHUP, SIGUSR1, SIGUSR2, SIGRTMIN, SIGRTMIN + 1};
	for (int i = 0; i < 5; i++) {
		install(sigs[i], h, 0);
		sigaddset(&all, sigs[i]);
	}
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	raise(SIGRTMIN + 1);
	raise(SIGUSR2);
	raise(SIGRTMIN);
	raise(SIGHUP);
	raise(SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &all, NULL);
	printf("handlers ran:%s\n", log_);
	int n = 0;
	for (char *p = log_; (p = strchr(p, '@')); p++)
		n++;
	EXPECT(n == 5, "all five ran: %s", yes(n == 5));
	return conf_exit();
}
