/* procdirected_mt.c — a process-directed signal in a multithreaded process
 * is handled exactly once, by one thread that does not block it
 * (signal(7); complete_signal()): ten kill(2)s, ten handler runs, none
 * left pending, while the main thread blocks the signal and four workers
 * sit in read(2) with SA_RESTART. If every thread blocks it, it stays
 * pending for the process until one unblocks. */
#include "conf.h"
#include <stdatomic.h>

#define N 4
static atomic_int handled;
static volatile int main_ran;
static pthread_t main_thr;
static int park[2], note[2];

static void h(int s, siginfo_t *si, void *uc)
{
	atomic_fetch_add(&handled, 1);
	if (pthread_equal(pthread_self(), main_thr))
		main_ran = 1;
	write(note[1], "n", 1);
}

static void *worker(void *a)
{
	char c;
	while (read(park[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

int main(void)
{
	main_thr = pthread_self();
	install(SIGUSR1, h, SA_RESTART);
	pipe(park);
	pipe(note);
	block1(SIGUSR1);
	pthread_t th[N];
	sigset_t none;
	sigemptyset(&none);
	for (int i = 0; i < N; i++) {
		pthread_sigmask(SIG_SETMASK, &none, NULL);
		pthread_create(&th[i], NULL, worker, NULL);
		block1(SIGUSR1);
	}
	for (int i = 0; i < 10; i++) {
		char c;
		kill(getpid(), SIGUSR1);
		read(note[0], &c, 1);
	}
	/* Release the workers; then any second delivery would have run. */
	close(park[1]);
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	EXPECT(atomic_load(&handled) == 10, "10 kills: %d handler runs", atomic_load(&handled));
	EXPECT(!main_ran, "ran in the main thread (which blocks it): %s", yes(main_ran));
	EXPECT(!is_pending(SIGUSR1), "left pending: %s", yes(is_pending(SIGUSR1)));

	/* Every thread blocks it now (the workers are gone): it pends for the
	 * process and the main thread takes it when it unblocks. */
	kill(getpid(), SIGUSR1);
	EXPECT(is_pending(SIGUSR1) && atomic_load(&handled) == 10, "all blocked: pending %s", yes(is_pending(SIGUSR1)));
	unblock1(SIGUSR1);
	EXPECT(atomic_load(&handled) == 11 && main_ran, "unblocked in main: ran there %s", yes(main_ran));
	return conf_exit();
}
