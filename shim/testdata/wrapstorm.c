/* wrapstorm.c — glibc wrappers called in a tight loop while a process
 * outside the program (the test) sends it SIGUSR1 and SIGUSR2 as fast as
 * it can: under siglab most of them arrive while a wrapper's round trip
 * holds the channel, and must be deferred, not lost nor delivered twice
 * at once, with the masks the program sets. It blocks SIGUSR2 around
 * half of its calls and checks that SIGUSR2's handler never runs while
 * the program has it blocked. Prints "ready" when its handlers are in
 * place and "done" once both handlers ran 50 times. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t n1, n2, in_block, bad;

static void h1(int sig)
{
	(void)sig;
	n1++;
}

static void h2(int sig)
{
	(void)sig;
	if (in_block)
		bad = 1;
	n2++;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	struct sigaction sa = {.sa_handler = h1, .sa_flags = SA_RESTART};
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = h2;
	sigaction(SIGUSR2, &sa, NULL);
	sigset_t s2, old;
	sigemptyset(&s2);
	sigaddset(&s2, SIGUSR2);
	printf("ready\n");
	time_t end = time(NULL) + 20;
	while ((n1 < 50 || n2 < 50) && time(NULL) < end) {
		sigprocmask(SIG_BLOCK, &s2, &old);
		in_block = 1;
		sigprocmask(SIG_BLOCK, NULL, &old);
		sigpending(&old);
		in_block = 0;
		sigprocmask(SIG_UNBLOCK, &s2, NULL);
		kill(getpid(), 0);
	}
	printf("%s%s\n", n1 >= 50 && n2 >= 50 ? "done" : "timeout", bad ? " (SIGUSR2 ran while blocked)" : "");
	return 0;
}
