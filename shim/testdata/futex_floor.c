/* futex_floor.c — the floor under any futex-woken channel on this machine:
 * two processes (no shim, no Go) pass a sequence number back and forth in
 * shared memory, each sleeping in FUTEX_WAIT until the other's
 * FUTEX_WAKE, exactly as the shim and the emulator do when neither spins
 * (shim/csrc/channel.c). The median round trip is what one forwarded
 * syscall cannot beat without a spinning side.
 * Usage: futex_floor ROUNDS. Prints its own median and p90. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void futex_wait(uint32_t *w, uint32_t v) { syscall(SYS_futex, w, FUTEX_WAIT, v, NULL, NULL, 0); }
static void futex_wake(uint32_t *w) { syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0); }

static int64_t now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	if (n < 10)
		n = 10;
	uint32_t *m = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	uint32_t *req = &m[0], *rep = &m[16]; /* on different cache lines */
	pid_t c = fork();
	if (c == 0) {
		for (uint32_t s = 1; s <= (uint32_t)n; s++) {
			while (__atomic_load_n(req, __ATOMIC_ACQUIRE) != s)
				futex_wait(req, s - 1);
			__atomic_store_n(rep, s, __ATOMIC_RELEASE);
			futex_wake(rep);
		}
		_exit(0);
	}
	int64_t *d = malloc((size_t)n * sizeof *d);
	for (uint32_t s = 1; s <= (uint32_t)n; s++) {
		int64_t t0 = now();
		__atomic_store_n(req, s, __ATOMIC_RELEASE);
		futex_wake(req);
		while (__atomic_load_n(rep, __ATOMIC_ACQUIRE) != s)
			futex_wait(rep, s - 1);
		d[s - 1] = now() - t0;
	}
	waitpid(c, NULL, 0);
	qsort(d, (size_t)n, sizeof *d, cmp);
	printf("futex round trip ns median %lld p90 %lld\n", (long long)d[n / 2], (long long)d[n * 9 / 10]);
	return 0;
}
