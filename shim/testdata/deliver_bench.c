/* deliver_bench.c — times N kill(self, SIGUSR1) round trips, each running
 * an SA_SIGINFO handler and returning through rt_sigreturn, and prints the
 * median of several rounds in ns per signal. Natively that is the kernel's
 * delivery; under an emulator that delivers SIGUSR1 itself it is the
 * shim's. The kill is glibc's syscall(3) — which the shim interposes, so
 * that under siglab it skips the trap — or, with "raw", the syscall
 * instruction itself, which traps. Usage: deliver_bench [N] [rounds] [raw] */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static volatile long count;

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
	count++;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000;
	int rounds = argc > 2 ? atoi(argv[2]) : 11;
	double r[64];
	if (rounds > 64)
		rounds = 64;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	pid_t me = getpid();
	int raw = argc > 3 && strcmp(argv[3], "raw") == 0;
	for (int k = 0; k < rounds; k++) {
		double t0 = now();
		for (long i = 0; i < n; i++)
			if (raw)
				raw_syscall4(SYS_kill, me, SIGUSR1, 0, 0);
			else
				syscall(SYS_kill, me, SIGUSR1);
		r[k] = (now() - t0) / n;
	}
	qsort(r, rounds, sizeof r[0], cmp);
	printf("signal ns/delivery median %.0f min %.0f max %.0f (handled %d)\n", r[rounds / 2], r[0],
	       r[rounds - 1], count == n * rounds);
	return 0;
}
