/* wait_interrupt.c — a signal reaches a thread asleep in waitpid(2),
 * ppoll(2) with no mask, or epoll_pwait(2): the handler runs while the
 * thread sleeps (the kernel's interruptible sleeps check signal_pending),
 * not when the wait ends. With SA_RESTART, waitpid restarts and still
 * reaps its child; ppoll and epoll_pwait fail with EINTR whatever the flag
 * (signal(7): ppoll is ERESTARTNOHAND, epoll_wait "never restarted").
 *
 * The order is forced by handshakes: the sleeper's wait can only end after
 * the handler has run (the child exits, the pipe becomes readable, only
 * when the main thread has seen the handler), so a signal that waits for
 * the wait to end deadlocks — the scenario's timeout is the failure. */
#include "conf.h"
#include <poll.h>
#include <sys/epoll.h>

static volatile int handled;
static volatile pid_t sleeper_tid;
static int go[2];  /* main → child (or the pipe the sleeper polls) */
static int kind;
static long res;
static int err;
static int status;

static void h(int s, siginfo_t *si, void *uc) { handled++; }

static void *sleeper(void *a)
{
	sleeper_tid = gettid_();
	errno = 0;
	switch (kind) {
	case 0: {
		pid_t c = (pid_t)(intptr_t)a;
		res = waitpid(c, &status, 0);
		err = errno;
		break;
	}
	case 1: {
		struct pollfd p = {.fd = go[0], .events = POLLIN};
		res = syscall(SYS_ppoll, &p, 1, NULL, NULL, 8);
		err = errno;
		break;
	}
	case 2: {
		int ep = epoll_create1(0);
		struct epoll_event ev = {.events = EPOLLIN};
		epoll_ctl(ep, EPOLL_CTL_ADD, go[0], &ev);
		res = epoll_pwait(ep, &ev, 1, -1, NULL);
		err = errno;
		close(ep);
		break;
	}
	}
	return NULL;
}

static void one(int k, const char *name)
{
	pthread_t t;
	pid_t child = 0;
	kind = k;
	handled = 0;
	sleeper_tid = 0;
	status = 0;
	pipe(go);
	if (k == 0) {
		child = fork();
		if (child == 0) {
			char b;
			close(go[1]);
			read(go[0], &b, 1);
			_exit(7);
		}
	}
	pthread_create(&t, NULL, sleeper, (void *)(intptr_t)child);
	while (!sleeper_tid)
		sched_yield();
	wait_sleeping(getpid(), sleeper_tid);
	pthread_kill(t, SIGUSR1);
	while (!handled)
		sched_yield();
	/* The handler ran while the sleeper slept: now let the wait end. */
	write(go[1], "x", 1);
	pthread_join(t, NULL);
	if (k == 0)
		EXPECT(res == child && WIFEXITED(status) && WEXITSTATUS(status) == 7,
		       "%s: handler ran %d while asleep, then reaped the child (exit 7): %s", name, handled,
		       yes(res == child && WIFEXITED(status) && WEXITSTATUS(status) == 7));
	else
		EXPECT(res == -1 && err == EINTR, "%s: handler ran %d while asleep, wait = %s", name, handled,
		       conf_ret(res, err));
	close(go[0]);
	close(go[1]);
}

int main(void)
{
	install(SIGUSR1, h, SA_RESTART);
	one(0, "waitpid");
	one(1, "ppoll");
	one(2, "epoll_pwait");
	return conf_exit();
}
