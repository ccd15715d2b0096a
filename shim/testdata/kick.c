/* kick.c — signals sent to other threads: one that spins in its own code
 * with no syscall at all (only a kick can reach it), and one asleep in a
 * pipe read(2) with an SA_RESTART handler (the read must resume, not fail
 * with EINTR). Output is identical natively and under an emulator that
 * delivers the signals itself. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_t ta, tb;
static volatile int stop, handled_b, started_a, started_b;
static int fds[2];

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si->si_code != SI_TKILL || si->si_pid != getpid())
		return;
	if (pthread_equal(pthread_self(), ta))
		stop = 1;
	else if (pthread_equal(pthread_self(), tb))
		handled_b++;
}

static void *spinner(void *arg)
{
	unsigned long n = 0;
	started_a = 1;
	while (!stop)
		n++;
	*(unsigned long *)arg = n;
	return NULL;
}

static void *reader(void *arg)
{
	char c;
	started_b = 1;
	ssize_t r = read(fds[0], &c, 1);
	*(int *)arg = r == 1 && c == 'x' ? 1 : -errno;
	return NULL;
}

static void nap(long ms)
{
	struct timespec ts = {0, ms * 1000000L};
	nanosleep(&ts, NULL);
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	if (pipe(fds) != 0)
		return 1;
	unsigned long spins = 0;
	int got = 0;
	pthread_create(&ta, NULL, spinner, &spins);
	pthread_create(&tb, NULL, reader, &got);
	while (!started_a || !started_b)
		nap(1);
	nap(50);
	pthread_kill(ta, SIGUSR1);
	pthread_join(ta, NULL);
	printf("spinning thread stopped by its handler: %d\n", stop);
	pthread_kill(tb, SIGUSR1);
	nap(50);
	if (write(fds[1], "x", 1) != 1)
		return 1;
	pthread_join(tb, NULL);
	printf("reader: handler ran %d, read result %d (1 = data, no EINTR)\n", handled_b, got);
	return 0;
}
