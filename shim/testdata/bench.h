/* bench.h — what the shim's benchmark programs share: the clock they time
 * themselves with and the comparison their medians are sorted by. */
#ifndef SIGLAB_BENCH_H
#define SIGLAB_BENCH_H
#include <time.h>

/* now is CLOCK_MONOTONIC in ns, through the vDSO: never trapped. */
static inline double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* raw_syscall4 is the syscall instruction itself, in the program's own
 * text: never interposed (the shim interposes glibc's syscall(3) for kill
 * and tgkill), so under siglab it traps. */
static inline long raw_syscall4(long nr, long a, long b, long c, long d)
{
	long r;
	register long r10 __asm__("r10") = d;
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
	return r;
}

/* cmp orders doubles for qsort. */
static inline int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}
#endif
