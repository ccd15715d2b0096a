/* sigpending.c — rt_sigpending(2) reports the union of the calling
 * thread's and the process's pending sets, restricted to nothing: blocked
 * signals only can be pending. Another thread's thread-directed signal is
 * not in this thread's set; a process-directed one is in every thread's.
 * A sigsetsize above 8 is EINVAL, a smaller one copies that many bytes. */
#include "conf.h"

static int p1[2], p2[2];
static volatile int other_sees_usr1, other_sees_usr2, other_sees_hup;

static void *other(void *a)
{
	hs_wait(p1[0]);
	other_sees_usr1 = is_pending(SIGUSR1);
	other_sees_usr2 = is_pending(SIGUSR2);
	other_sees_hup = is_pending(SIGHUP);
	hs_send(p2[1]);
	return NULL;
}

int main(void)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	sigaddset(&m, SIGHUP);
	sigaddset(&m, SIGRTMIN + 5);
	pthread_sigmask(SIG_BLOCK, &m, NULL); /* inherited by the thread */
	pipe(p1);
	pipe(p2);
	pthread_t t;
	pthread_create(&t, NULL, other, NULL);

	sigset_t pend;
	sigpending(&pend);
	EXPECT(sigisemptyset(&pend), "nothing pending: %s", yes(sigisemptyset(&pend)));
	raise(SIGUSR1);                  /* this thread */
	pthread_kill(t, SIGUSR2);        /* the other thread */
	kill(getpid(), SIGHUP);          /* the process */
	sigqueue(getpid(), SIGRTMIN + 5, (union sigval){.sival_int = 1});
	sigpending(&pend);
	EXPECT(sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGUSR2) && sigismember(&pend, SIGHUP) && sigismember(&pend, SIGRTMIN + 5),
	       "main sees USR1 %s USR2 %s HUP %s RTMIN+5 %s", yes(sigismember(&pend, SIGUSR1)), yes(sigismember(&pend, SIGUSR2)), yes(sigismember(&pend, SIGHUP)), yes(sigismember(&pend, SIGRTMIN + 5)));
	hs_send(p1[1]);
	hs_wait(p2[0]);
	EXPECT(!other_sees_usr1 && other_sees_usr2 && other_sees_hup, "other thread sees USR1 %s USR2 %s HUP %s", yes(other_sees_usr1), yes(other_sees_usr2), yes(other_sees_hup));
	pthread_join(t, NULL);
	/* The exited thread's pending USR2 went with it. */
	sigpending(&pend);
	int n = 0;
	for (int s = 1; s <= 64; s++)
		n += sigismember(&pend, s) == 1;
	EXPECT(n == 3, "after the other thread exited: %d pending", n);
	uint64_t raw;
	raw = 0;
	EXPECT(syscall(SYS_rt_sigpending, &raw, 4) == 0 && raw == 0x201, "sigsetsize 4: 0, low half %#llx", (unsigned long long)raw);
	EXPECT(!strcmp(RET(syscall(SYS_rt_sigpending, &raw, 16)), "-1 EINVAL"), "sigsetsize 16: %s", RET(syscall(SYS_rt_sigpending, &raw, 16)));
	EXPECT(!strcmp(RET(syscall(SYS_rt_sigpending, (void *)8, 8)), "-1 EFAULT"), "bad pointer: %s", RET(syscall(SYS_rt_sigpending, (void *)8, 8)));
	EXPECT(syscall(SYS_rt_sigpending, &raw, 8) == 0, "raw set %#llx", (unsigned long long)raw);
	return conf_exit();
}
