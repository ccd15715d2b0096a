/* basic.c — the signal syscalls a simple C program makes, in a loop:
 * getppid, sigprocmask, sigaction, kill(self, 0), a handled raise. Its
 * output must be identical natively and under siglab. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_usr1(int sig) { got += sig; }

int main(void)
{
	pid_t parent = getppid();
	int same = 0, ok = 0;
	for (int i = 0; i < 1000; i++) {
		same += getppid() == parent;
		sigset_t set, old;
		sigemptyset(&set);
		sigaddset(&set, SIGUSR2);
		ok += sigprocmask(SIG_BLOCK, &set, &old) == 0;
		ok += sigprocmask(SIG_SETMASK, &old, NULL) == 0;
		struct sigaction sa, prev;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_usr1;
		sigfillset(&sa.sa_mask);
		ok += sigaction(SIGUSR1, &sa, &prev) == 0;
		ok += kill(getpid(), 0) == 0;
	}
	for (int i = 0; i < 10; i++)
		raise(SIGUSR1);
	struct sigaction cur;
	sigaction(SIGUSR1, NULL, &cur);
	printf("getppid stable %d/1000, calls ok %d/4000, handler ran %d times, handler kept %d\n",
	       same, ok, got / SIGUSR1, cur.sa_handler == on_usr1);
	/* The program may not see that SIGSYS belongs to the shim when it asks
	 * about its own actions, but it must be able to ask. */
	struct sigaction sys;
	printf("sigaction(SIGSYS) query: %d\n", sigaction(SIGSYS, NULL, &sys));
	return 0;
}
