/* ppoll_mask.c — ppoll(2), pselect6 and epoll_pwait(2) install their
 * sigmask for the duration of the call: a pending signal that the mask
 * unblocks interrupts the call at once with EINTR after its handler ran
 * (with the temporary mask in force), and the old mask is back after the
 * return; a mask that keeps it blocked lets the call time out normally. */
#include "conf.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>

static volatile int calls, usr2_blocked_inside;
static void h(int s, siginfo_t *si, void *uc)
{
	calls++;
	usr2_blocked_inside = is_blocked(SIGUSR2);
}

int main(void)
{
	install(SIGUSR1, h, 0);
	sigset_t both, only2;
	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGUSR2);
	sigemptyset(&only2);
	sigaddset(&only2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &both, NULL);
	struct timespec ten = {10, 0}, zero = {0, 0};

	raise(SIGUSR1);
	long r = ppoll(NULL, 0, &ten, &only2);
	int e = errno;
	EXPECT(r == -1 && e == EINTR && calls == 1, "ppoll unblocking a pending signal: %s, handler calls %d", conf_ret(r, e), calls);
	EXPECT(usr2_blocked_inside, "handler ran with the ppoll mask: USR2 blocked %s", yes(usr2_blocked_inside));
	EXPECT(is_blocked(SIGUSR1), "after ppoll: USR1 blocked again %s", yes(is_blocked(SIGUSR1)));
	EXPECT(ppoll(NULL, 0, &zero, &both) == 0 && calls == 1, "ppoll with it blocked... nothing pending: 0");
	raise(SIGUSR1);
	EXPECT(ppoll(NULL, 0, &zero, &both) == 0 && calls == 1 && is_pending(SIGUSR1), "ppoll keeping it blocked: times out 0, pending %s", yes(is_pending(SIGUSR1)));

	fd_set rd;
	FD_ZERO(&rd);
	r = pselect(0, &rd, NULL, NULL, &ten, &only2);
	e = errno;
	EXPECT(r == -1 && e == EINTR && calls == 2, "pselect: %s, handler calls %d", conf_ret(r, e), calls);
	EXPECT(is_blocked(SIGUSR1), "after pselect: USR1 blocked again %s", yes(is_blocked(SIGUSR1)));

	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev;
	raise(SIGUSR1);
	r = epoll_pwait(ep, &ev, 1, 10000, &only2);
	e = errno;
	EXPECT(r == -1 && e == EINTR && calls == 3, "epoll_pwait: %s, handler calls %d", conf_ret(r, e), calls);
	raise(SIGUSR1);
	r = syscall(SYS_epoll_pwait2, ep, &ev, 1, &ten, &only2, 8);
	e = errno;
	EXPECT(r == -1 && e == EINTR && calls == 4, "epoll_pwait2: %s, handler calls %d", conf_ret(r, e), calls);
	EXPECT(is_blocked(SIGUSR1), "after epoll_pwait2: USR1 blocked again %s", yes(is_blocked(SIGUSR1)));
	EXPECT(!strcmp(RET(syscall(SYS_ppoll, NULL, 0, &zero, &only2, 4)), "-1 EINVAL"), "ppoll sigsetsize 4: %s", RET(syscall(SYS_ppoll, NULL, 0, &zero, &only2, 4)));
	return conf_exit();
}
