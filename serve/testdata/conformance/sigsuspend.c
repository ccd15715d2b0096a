/* sigsuspend.c — rt_sigsuspend(2) replaces the mask, waits for a handled
 * signal, runs the handler (with the suspend mask plus the action's), then
 * restores the old mask and returns -1 EINTR. A signal that stays blocked
 * under the suspend mask does not wake it; an ignored one does not either.
 * The signal comes from a child process after a handshake. */
#include "conf.h"

static volatile int calls, usr2_blocked_in_handler;
static void h(int s, siginfo_t *si, void *uc)
{
	calls++;
	usr2_blocked_in_handler = is_blocked(SIGUSR2);
}

int main(void)
{
	install(SIGUSR1, h, 0);
	install(SIGUSR2, h, 0);
	sigset_t m, empty, only2;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	sigprocmask(SIG_BLOCK, &m, NULL);

	/* Already pending: returns at once. */
	raise(SIGUSR1);
	sigemptyset(&only2);
	sigaddset(&only2, SIGUSR2);
	EXPECT(!strcmp(RET(sigsuspend(&only2)), "-1 EINTR") && calls == 1, "pending before: sigsuspend -1 EINTR, calls %d", calls);
	EXPECT(usr2_blocked_in_handler, "suspend mask in force inside the handler: USR2 blocked %s", yes(usr2_blocked_in_handler));
	EXPECT(is_blocked(SIGUSR1) && is_blocked(SIGUSR2), "old mask restored: %s", yes(is_blocked(SIGUSR1) && is_blocked(SIGUSR2)));

	/* Sent by a child once we sleep: USR2 (blocked under the suspend
	 * mask) then an ignored SIGWINCH, then USR1. */
	pid_t parent = getpid();
	pid_t c = fork();
	if (c == 0) {
		wait_sleeping(parent, parent);
		kill(parent, SIGUSR2);
		kill(parent, SIGWINCH);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	calls = 0;
	int r = sigsuspend(&only2);
	EXPECT(r == -1 && errno == EINTR && calls == 1, "woken by the child: %s, calls %d", conf_ret(r, errno), calls);
	EXPECT(is_pending(SIGUSR2), "USR2 still pending %s", yes(is_pending(SIGUSR2)));
	sigemptyset(&empty);
	calls = 0;
	sigsuspend(&empty);
	EXPECT(calls == 1, "second sigsuspend takes USR2: calls %d", calls);
	waitpid(c, NULL, 0);
	EXPECT(!strcmp(RET(syscall(SYS_rt_sigsuspend, &empty, 4)), "-1 EINVAL"), "sigsetsize 4: %s", RET(syscall(SYS_rt_sigsuspend, &empty, 4)));
	return conf_exit();
}
