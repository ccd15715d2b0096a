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

/* cmp orders doubles for qsort. */
static inline int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}
#endif
