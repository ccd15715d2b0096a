/* restart_pipe.c — a thread blocked in read(2) on a pipe is interrupted by
 * a handled signal from another thread: with SA_RESTART the read is
 * restarted transparently and returns the data written afterwards (no
 * EINTR, nothing lost); without it, read fails with EINTR (signal(7),
 * "Interruption of system calls and library functions by signal
 * handlers"). */
#include "conf.h"

static volatile int handled;
static int p[2];
static volatile pid_t reader_tid;
static ssize_t rres;
static int rerr;
static char rbuf[16];

static void h(int s, siginfo_t *si, void *uc) { handled++; }

static void *reader(void *a)
{
	reader_tid = gettid_();
	errno = 0;
	rres = read(p[0], rbuf, sizeof rbuf);
	rerr = errno;
	return NULL;
}

static void one(int flags, const char *name)
{
	pthread_t t;
	handled = 0;
	reader_tid = 0;
	install(SIGUSR1, h, flags);
	pipe(p);
	pthread_create(&t, NULL, reader, NULL);
	while (!reader_tid)
		sched_yield();
	wait_sleeping(getpid(), reader_tid);
	pthread_kill(t, SIGUSR1);
	while (!handled)
		sched_yield();
	/* The reader is either asleep again in the restarted read or on its
	 * way out with EINTR; either way, the data goes in now. */
	write(p[1], "hello", 5);
	pthread_join(t, NULL);
	if (rres > 0)
		rbuf[rres] = 0;
	else
		rbuf[0] = 0;
	printf("%s: handler ran %d, read = %s, data \"%s\"\n", name, handled, conf_ret(rres, rerr), rbuf);
	if (flags & SA_RESTART)
		EXPECT(rres == 5, "%s: restarted with the data %s", name, yes(rres == 5));
	else
		EXPECT(rres == -1 && rerr == EINTR, "%s: EINTR %s", name, yes(rres == -1 && rerr == EINTR));
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	one(SA_RESTART, "SA_RESTART");
	one(0, "no SA_RESTART");
	/* And the data written in the EINTR case is still in the pipe? It was
	 * closed; check the restart case again with a second signal. */
	one(SA_RESTART, "SA_RESTART again");
	return conf_exit();
}
