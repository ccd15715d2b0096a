/* wrappers.c — glibc's signal wrappers, as a program sees them: results,
 * errno values, the sigaction the kernel reports back (flags, restorer),
 * glibc's internal signals, a handler run by kill and raise before they
 * return, a pending signal delivered by the sigprocmask that unblocks it,
 * and (argv[1]) the program's end by a fatal default action sent with
 * kill or raise. Run natively and under the emulator, where the shim's
 * interposed wrappers answer them (serve's TestEmulatedWrappers): the
 * output must be the same. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern int __sigaction(int, const struct sigaction *, struct sigaction *);

static volatile sig_atomic_t got[65];

static void on_sig(int sig)
{
	got[sig]++;
}

#define CHECK(what, expr)                                                          \
	do {                                                                       \
		errno = 0;                                                         \
		long r_ = (long)(expr);                                            \
		printf("%-44s = %ld errno=%s\n", what, r_, r_ < 0 ? strerror(errno) : "-"); \
	} while (0)

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sig;

	/* Out of range and glibc's internal signals: EINVAL, no syscall. */
	CHECK("sigaction(0)", sigaction(0, &sa, NULL));
	CHECK("sigaction(65)", sigaction(65, &sa, NULL));
	CHECK("sigaction(SIGCANCEL)", sigaction(32, &sa, NULL));
	CHECK("sigaction(SIGSETXID)", sigaction(33, NULL, &old));
	CHECK("sigaction(SIGKILL)", sigaction(SIGKILL, &sa, NULL));
	CHECK("sigaction(SIGSTOP, NULL, &old)", sigaction(SIGSTOP, NULL, &old));
	CHECK("sigaction(34)", sigaction(34, &sa, NULL));

	/* What the kernel reports back: SA_RESTORER and glibc's restorer,
	 * which sits at a fixed place after __sigaction in glibc's text. */
	sa.sa_flags = SA_RESETHAND | SA_NODEFER | SA_SIGINFO;
	CHECK("sigaction(SIGUSR2, resethand)", sigaction(SIGUSR2, &sa, NULL));
	CHECK("sigaction(SIGUSR2, NULL, &old)", sigaction(SIGUSR2, NULL, &old));
	printf("old: handler ok %d flags %#x restorer-__sigaction %#lx mask %#lx\n", old.sa_handler == on_sig,
	       (unsigned)old.sa_flags, (unsigned long)((char *)old.sa_restorer - (char *)__sigaction),
	       *(unsigned long *)&old.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGCHLD);
	CHECK("sigaction(SIGUSR1)", sigaction(SIGUSR1, &sa, &old));
	printf("old: dfl %d flags %#x\n", old.sa_handler == SIG_DFL, (unsigned)old.sa_flags);
	CHECK("sigaction(SIGUSR1, NULL, &old)", sigaction(SIGUSR1, NULL, &old));
	printf("old: flags %#x mask %#lx\n", (unsigned)old.sa_flags, *(unsigned long *)&old.sa_mask);
	CHECK("sigaction(SIGCHLD, SIG_IGN)", sigaction(SIGCHLD, &(struct sigaction){.sa_handler = SIG_IGN}, &old));
	CHECK("sigaction(SIGCHLD, NULL, &old)", sigaction(SIGCHLD, NULL, &old));
	printf("old: ign %d\n", old.sa_handler == SIG_IGN);
	CHECK("sigaction(SIGTSTP, SIG_IGN)", sigaction(SIGTSTP, &(struct sigaction){.sa_handler = SIG_IGN}, NULL));
	CHECK("sigaction(SIGTSTP, NULL, &old)", sigaction(SIGTSTP, NULL, &old));
	printf("old: ign %d\n", old.sa_handler == SIG_IGN);

	/* kill and raise run the handler before they return. */
	CHECK("kill(self, SIGUSR1)", kill(getpid(), SIGUSR1));
	printf("handler ran %d\n", got[SIGUSR1]);
	CHECK("raise(SIGUSR2)", raise(SIGUSR2));
	printf("handler ran %d\n", got[SIGUSR2]);
	CHECK("sigaction(SIGUSR2, NULL, &old) after", sigaction(SIGUSR2, NULL, &old));
	printf("reset to dfl %d\n", old.sa_handler == SIG_DFL);
	CHECK("kill(self, 99)", kill(getpid(), 99));
	CHECK("kill(0x7ffffff0, 0)", kill(0x7ffffff0, 0));
	CHECK("kill(self, 0)", kill(getpid(), 0));
	CHECK("raise(99)", raise(99));
	CHECK("raise(SIGCANCEL)", raise(32));
	CHECK("raise(0)", raise(0));

	/* Masks: blocked, pending, unblocked (the handler runs before the
	 * unblocking call returns); glibc's internal signals stripped. */
	sigset_t set, oset, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, 32);
	sigaddset(&set, 33);
	sigaddset(&set, 40);
	CHECK("sigprocmask(SIG_BLOCK, {USR1,32,33,40})", sigprocmask(SIG_BLOCK, &set, &oset));
	CHECK("sigprocmask(SIG_BLOCK, NULL, &oset)", sigprocmask(SIG_BLOCK, NULL, &oset));
	printf("mask %#lx\n", *(unsigned long *)&oset);
	CHECK("kill(self, SIGUSR1) blocked", kill(getpid(), SIGUSR1));
	CHECK("raise(40) blocked", raise(40));
	CHECK("raise(40) blocked", raise(40));
	CHECK("sigpending", sigpending(&pend));
	printf("pending %#lx handler ran %d\n", *(unsigned long *)&pend, got[SIGUSR1]);
	sa.sa_flags = 0;
	CHECK("sigaction(40)", sigaction(40, &sa, NULL));
	CHECK("pthread_sigmask(SIG_UNBLOCK, {USR1,32,33,40})", pthread_sigmask(SIG_UNBLOCK, &set, NULL));
	printf("handler ran %d, 40 ran %d\n", got[SIGUSR1], got[40]);
	CHECK("sigprocmask(99)", sigprocmask(99, &set, NULL));
	errno = 0;
	int e = pthread_sigmask(99, &set, NULL);
	printf("pthread_sigmask(99) = %d errno=%d\n", e, errno);
	CHECK("sigprocmask(SIG_BLOCK, NULL, bad)", sigprocmask(SIG_BLOCK, NULL, (sigset_t *)8));
	e = pthread_sigmask(SIG_BLOCK, NULL, (sigset_t *)8);
	printf("pthread_sigmask(bad oset) = %d\n", e);
	CHECK("sigpending(bad)", sigpending((sigset_t *)8));

	/* Many calls, for the counts. */
	for (int i = 0; i < 500; i++) {
		sigprocmask(SIG_BLOCK, &set, &oset);
		sigprocmask(SIG_SETMASK, &oset, NULL);
	}
	CHECK("sigprocmask(SIG_BLOCK, NULL, &oset)", sigprocmask(SIG_BLOCK, NULL, &oset));
	printf("mask %#lx\n", *(unsigned long *)&oset);

	/* The end: a fatal default action through the wrapper. */
	signal(SIGTERM, SIG_DFL);
	if (argc > 1 && strcmp(argv[1], "kill") == 0) {
		printf("kill(self, SIGTERM)\n");
		kill(getpid(), SIGTERM);
	} else if (argc > 1 && strcmp(argv[1], "raise") == 0) {
		printf("raise(SIGTERM)\n");
		raise(SIGTERM);
	}
	printf("still here\n");
	return 0;
}
