/* getppid_bench.c — times N getppid(2) calls made with the raw syscall
 * instruction (so libc caching cannot interfere) and prints the median of
 * several rounds in ns per call. Run natively and under siglab to get the
 * cost of a trapped, forwarded syscall. Usage: getppid_bench [N] [rounds] */
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
	double r[64];
	if (rounds > 64)
		rounds = 64;
	for (int k = 0; k < rounds; k++) {
		double t0 = now();
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		r[k] = (now() - t0) / n;
	}
	qsort(r, rounds, sizeof r[0], cmp);
	printf("getppid ns/call median %.0f min %.0f max %.0f\n", r[rounds / 2], r[0], r[rounds - 1]);
	return 0;
}
