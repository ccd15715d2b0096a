/* block_race.c — a thread that blocks a signal pending for its process
 * hands it to a thread that does not block it (retarget_shared_pending(),
 * called by __set_task_blocked()): no queued signal is lost or taken
 * twice. In each of N rounds a sender thread queues one real-time signal
 * to the process and raises a flag; the main thread, spinning on the flag
 * with the signal unblocked, blocks it the moment it sees the flag — by
 * the syscall instruction and by pthread_sigmask(3) in turn — racing the
 * signal's delivery, and then waits for the signal to be handled, which
 * only a worker asleep in pause(2) can do until the main thread unblocks
 * it again. (Under the emulator the race is seldom won by the block: the
 * worker, asleep in the emulator, is usually the one chosen.) */
#include "conf.h"
#include <stdatomic.h>

#define N 1000

static atomic_int handled, by_main, sent, round_no, stranded;
static atomic_int done;
static pthread_t main_thr;

static void h(int s, siginfo_t *si, void *uc)
{
	(void)s, (void)si, (void)uc;
	atomic_fetch_add(&handled, 1);
	if (pthread_equal(pthread_self(), main_thr))
		atomic_fetch_add(&by_main, 1);
}

static void wake(int s) { (void)s; }

static void *worker(void *arg)
{
	(void)arg;
	while (!atomic_load(&done))
		pause();
	return NULL;
}

static void *sender(void *arg)
{
	(void)arg;
	for (int i = 0; i < N; i++) {
		while (atomic_load(&round_no) != i)
			;
		union sigval v = {.sival_int = i};
		if (sigqueue(getpid(), SIGRTMIN, v) != 0)
			return NULL;
		atomic_store(&sent, i + 1);
	}
	return NULL;
}

static long raw_mask(int how, const sigset_t *set)
{
	long r;
	register long r10 __asm__("r10") = 8;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(SYS_rt_sigprocmask), "D"(how), "S"(set), "d"(0), "r"(r10)
			 : "rcx", "r11", "memory");
	return r;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(void)
{
	main_thr = pthread_self();
	install(SIGRTMIN, h, 0);
	signal(SIGUSR2, wake);
	sigset_t rt;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN);
	pthread_t w, s;
	pthread_create(&w, NULL, worker, NULL);
	pthread_create(&s, NULL, sender, NULL);
	for (int i = 0; i < N; i++) {
		atomic_store(&round_no, i);
		while (atomic_load(&sent) != i + 1)
			;
		if (i & 1)
			raw_mask(SIG_BLOCK, &rt);
		else
			pthread_sigmask(SIG_BLOCK, &rt, NULL);
		/* Blocked: only the worker can take it now. */
		double t0 = now_s();
		while (atomic_load(&handled) != i + 1 && now_s() - t0 < 5)
			;
		if (atomic_load(&handled) != i + 1)
			atomic_fetch_add(&stranded, 1);
		if (i & 1)
			raw_mask(SIG_UNBLOCK, &rt);
		else
			pthread_sigmask(SIG_UNBLOCK, &rt, NULL);
		while (atomic_load(&handled) < i + 1)
			;
	}
	pthread_join(s, NULL);
	atomic_store(&done, 1);
	pthread_kill(w, SIGUSR2);
	pthread_join(w, NULL);
	int n = atomic_load(&handled), m = atomic_load(&by_main);
	EXPECT(n == N, "queued %d, handled %d", N, n);
	EXPECT(atomic_load(&stranded) == 0, "none stranded by the main thread's block: %s", yes(atomic_load(&stranded) == 0));
	EXPECT(m <= n, "handled by the main thread or the worker, none twice: %s", yes(m <= n));
	sigset_t p;
	sigpending(&p);
	EXPECT(!sigismember(&p, SIGRTMIN), "none left pending: %s", yes(!sigismember(&p, SIGRTMIN)));
	return conf_failed;
}
