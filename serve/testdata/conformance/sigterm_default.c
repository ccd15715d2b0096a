/* sigterm_default.c — a signal whose action is the default Term kills the
 * whole process, from any thread: a worker sends SIGTERM to the process
 * while the main thread waits; the test sees the program killed by
 * SIGTERM (a shell's 143). Nothing after the kill is printed. */
#include "conf.h"

static void *worker(void *a)
{
	printf("worker: sending SIGTERM to the process\n");
	kill(getpid(), SIGTERM);
	for (;;)
		pause();
	return NULL;
}

int main(void)
{
	printf("main: starting the worker\n");
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	pthread_join(t, NULL);
	printf("not reached\n");
	return 0;
}
