/* latency.c — a known number of handler runs, from every kind of send the
 * delivery-latency metric pairs: kill(2) to the process, a burst of queued
 * real-time signals released by sigprocmask (FIFO), tgkill(2) to another
 * thread spinning in its own code (a kick), and a timer (setitimer's
 * SIGALRM, sent by the emulator's clock). It prints how many times the
 * handlers ran in all; under siglab run --latency, each of them is one
 * sample. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define NKILL 40
#define NRT 8
#define NTHREAD 20

static volatile int handled, stop, spinning;
static volatile int thread_handled;
static pthread_t spinner_thread;

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	handled++;
	if (sig == SIGUSR2 && pthread_equal(pthread_self(), spinner_thread))
		thread_handled++;
}

static void *spinner(void *arg)
{
	unsigned long n = 0;
	(void)arg;
	spinning = 1;
	while (!stop)
		n++;
	return (void *)n;
}

static void nap(long us)
{
	struct timespec ts = {0, us * 1000L};
	nanosleep(&ts, NULL);
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	int sigs[] = {SIGUSR1, SIGUSR2, SIGRTMIN + 1, SIGALRM};
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);

	for (int i = 0; i < NKILL; i++)
		kill(getpid(), SIGUSR1);

	sigset_t rt, old;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &rt, &old);
	for (int i = 0; i < NRT; i++) {
		union sigval v = {.sival_int = i};
		sigqueue(getpid(), SIGRTMIN + 1, v);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);

	pthread_create(&spinner_thread, NULL, spinner, NULL);
	while (!spinning)
		nap(100);
	for (int i = 0; i < NTHREAD; i++) {
		int before = thread_handled;
		pthread_kill(spinner_thread, SIGUSR2);
		while (thread_handled == before)
			nap(100);
	}
	stop = 1;
	pthread_join(spinner_thread, NULL);

	sigset_t alrm, none;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &alrm, &old);
	struct itimerval it = {{0, 0}, {0, 2000}};
	int before = handled;
	setitimer(ITIMER_REAL, &it, NULL);
	while (handled == before)
		sigsuspend(&none);
	sigprocmask(SIG_SETMASK, &old, NULL);

	printf("handlers ran %d times\n", handled);
	return handled == NKILL + NRT + NTHREAD + 1 ? 0 : 1;
}
