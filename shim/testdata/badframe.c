/* badframe.c — a handler that leaves a garbage FP-state pointer in its
 * ucontext: rt_sigreturn cannot restore the frame, and Linux kills the
 * process with SIGSEGV (restore_sigcontext() fails → signal_fault()). The
 * emulated rt_sigreturn must end the same way. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig;
	(void)si;
	uc->uc_mcontext.fpregs = (void *)16; /* unmapped, misaligned */
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	printf("sending\n");
	fflush(stdout);
	kill(getpid(), SIGUSR1);
	printf("survived a bad frame\n");
	return 0;
}
