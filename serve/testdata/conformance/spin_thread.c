/* spin_thread.c — a thread spinning in user code with no syscalls at all
 * still receives a signal sent to it by another thread (the kernel
 * interrupts it; the emulator must kick it): the handler runs on the
 * spinning thread and sets the flag the loop polls. Repeated, with both
 * pthread_kill and a process-directed kill while every other thread
 * blocks the signal. */
#include "conf.h"
#include <stdatomic.h>

static atomic_int spinning, stop;
static volatile pid_t spinner_tid, handler_tid;
static volatile unsigned long spins;

static void h(int s, siginfo_t *si, void *uc)
{
	handler_tid = gettid_();
	atomic_store(&stop, 1);
}

static void *spinner(void *a)
{
	spinner_tid = gettid_();
	for (int round = 0; round < 6; round++) {
		atomic_store(&spinning, round + 1);
		while (!atomic_load_explicit(&stop, memory_order_relaxed))
			spins++;
		atomic_store(&stop, 0);
		while (atomic_load(&spinning) == round + 1)
			; /* wait for main to see it stopped, still no syscalls */
	}
	return NULL;
}

int main(void)
{
	install(SIGUSR1, h, 0);
	pthread_t t;
	pthread_create(&t, NULL, spinner, NULL);
	block1(SIGUSR1);
	int ok = 0;
	for (int round = 0; round < 6; round++) {
		while (atomic_load(&spinning) != round + 1)
			sched_yield();
		handler_tid = 0;
		if (round % 2 == 0)
			pthread_kill(t, SIGUSR1);
		else
			kill(getpid(), SIGUSR1);
		while (!handler_tid)
			sched_yield();
		ok += handler_tid == spinner_tid;
		atomic_store(&spinning, -1);
	}
	pthread_join(t, NULL);
	EXPECT(ok == 6, "6 signals to a spinning thread: %d handled on it", ok);
	return conf_exit();
}
