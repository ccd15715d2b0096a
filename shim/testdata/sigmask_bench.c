/* sigmask_bench.c — times sigprocmask(SIG_BLOCK, &empty, &old) and
 * kill(self, 0) made two ways each, in interleaved rounds, and getppid(2)
 * beside them for scale: the raw syscall instruction (raw_syscall4, never
 * interposed: under siglab it traps), and glibc's function (under siglab the shim's
 * interposed wrapper, which skips the trap unless its wrappers are off; it
 * answers this sigprocmask itself, a mere query, while kill goes to the
 * emulator). Prints the median of each in ns per call.
 * Usage: sigmask_bench [N] [rounds] */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	int rounds = argc > 2 ? atoi(argv[2]) : 11;
	double g[64], r[64], l[64], rk[64], lk[64];
	pid_t self = getpid();
	sigset_t empty, old;
	sigemptyset(&empty);
	if (rounds > 64)
		rounds = 64;
	if (rounds < 1)
		rounds = 1;
	for (int k = 0; k < rounds; k++) {
		double t0 = now();
		for (long i = 0; i < n; i++)
			raw_syscall4(SYS_getppid, 0, 0, 0, 0);
		double t1 = now();
		for (long i = 0; i < n; i++)
			raw_syscall4(SYS_rt_sigprocmask, SIG_BLOCK, (long)&empty, (long)&old, 8);
		double t2 = now();
		for (long i = 0; i < n; i++)
			sigprocmask(SIG_BLOCK, &empty, &old);
		double t3 = now();
		for (long i = 0; i < n; i++)
			raw_syscall4(SYS_kill, self, 0, 0, 0);
		double t4 = now();
		for (long i = 0; i < n; i++)
			kill(self, 0);
		double t5 = now();
		g[k] = (t1 - t0) / n, r[k] = (t2 - t1) / n, l[k] = (t3 - t2) / n;
		rk[k] = (t4 - t3) / n, lk[k] = (t5 - t4) / n;
	}
	qsort(g, rounds, sizeof g[0], cmp);
	qsort(r, rounds, sizeof r[0], cmp);
	qsort(l, rounds, sizeof l[0], cmp);
	qsort(rk, rounds, sizeof rk[0], cmp);
	qsort(lk, rounds, sizeof lk[0], cmp);
	printf("getppid %.0f raw-sigprocmask %.0f libc-sigprocmask %.0f raw-kill %.0f libc-kill %.0f ns/call (medians)\n",
	       g[rounds / 2], r[rounds / 2], l[rounds / 2], rk[rounds / 2], lk[rounds / 2]);
	return 0;
}
