/* kick_bench.c — latency from pthread_kill(2) to the start of the handler
 * on a thread that spins in user code without syscalls (the emulator must
 * kick it). Prints the median and 90th percentile in ns over N signals
 * sent 1 ms apart. Usage: kick_bench [N] */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#define MAXN 10000

static volatile int stop, started;
static volatile long received;
static volatile double sent_at;
static double lat[MAXN];

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	if (received < MAXN)
		lat[received] = now() - sent_at;
	received++;
}

static void *spinner(void *arg)
{
	(void)arg;
	/* The thread's first trapped syscall (in glibc's start_thread) has
	 * registered it with the emulator by now. */
	started = 1;
	while (!stop)
		;
	return NULL;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200;
	if (n > MAXN)
		n = MAXN;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	pthread_t t;
	pthread_create(&t, NULL, spinner, NULL);
	struct timespec ms = {0, 1000000};
	while (!started)
		nanosleep(&ms, NULL);
	for (long i = 0; i < n; i++) {
		long before = received;
		sent_at = now();
		pthread_kill(t, SIGUSR1);
		while (received == before)
			nanosleep(&ms, NULL);
	}
	stop = 1;
	pthread_join(t, NULL);
	qsort(lat, n, sizeof lat[0], cmp);
	printf("kick latency ns median %.0f p90 %.0f (signals %ld)\n", lat[n / 2], lat[n * 9 / 10], (long)received);
	return 0;
}
