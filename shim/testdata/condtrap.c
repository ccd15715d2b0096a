/* condtrap.c — epoll_pwait(2) without a signal mask is epoll_wait(2) and
 * runs natively (the emulator's conditional trap, Header.CondTraps: Go's
 * netpoller calls it so on every poll); with a mask it is the emulator's,
 * which swaps the mask for the wait: a signal the mask unblocks is
 * delivered and the wait fails with EINTR. Output is identical natively
 * and emulated; the test counts the calls that reached the emulator. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

static volatile int handled;
static void h(int s) { (void)s; handled++; }

int main(void)
{
	int ep = epoll_create1(0);
	struct epoll_event ev;
	int unmasked = 0;
	for (int i = 0; i < 10; i++)
		unmasked += epoll_pwait(ep, &ev, 1, 0, NULL) == 0;
	printf("without a mask: %d of 10 timed out\n", unmasked);

	signal(SIGUSR1, h);
	sigset_t block, wait_mask;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigemptyset(&wait_mask);
	int masked = 0;
	for (int i = 0; i < 3; i++)
		masked += epoll_pwait(ep, &ev, 1, 0, &wait_mask) == 0;
	kill(getpid(), SIGUSR1);
	int r = epoll_pwait(ep, &ev, 1, 1000, &wait_mask);
	printf("with a mask: %d of 3 timed out; pending SIGUSR1 unblocked by the wait: returned %d, handler ran %d\n",
	       masked, r, handled);
	return 0;
}
