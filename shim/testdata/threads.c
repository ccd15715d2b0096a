/* threads.c — several threads making trapped syscalls concurrently, each
 * registering with the emulator at first contact and leaving through
 * exit(2); then more threads than the first batch, reusing channels. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NT 8
#define ROUNDS 3

static pid_t parent;

static void *worker(void *arg)
{
	long n = 0;
	for (int i = 0; i < 2000; i++) {
		n += getppid() == parent;
		n += kill(getpid(), 0) == 0;
		n += syscall(SYS_tgkill, getpid(), gettid(), 0) == 0;
	}
	*(long *)arg = n;
	return NULL;
}

int main(void)
{
	parent = getppid();
	long total = 0;
	for (int r = 0; r < ROUNDS; r++) {
		pthread_t t[NT];
		long res[NT];
		for (int i = 0; i < NT; i++)
			pthread_create(&t[i], NULL, worker, &res[i]);
		for (int i = 0; i < NT; i++) {
			pthread_join(t[i], NULL);
			total += res[i];
		}
	}
	printf("threads %d x %d, successful calls %ld\n", NT, ROUNDS, total);
	return 0;
}
