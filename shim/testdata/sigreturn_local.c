/* sigreturn_local.c — handler returns of every kind rt_sigreturn(2) knows:
 * plain ones (the mask the frame saved only unblocks), one whose handler
 * blocks another signal through uc_sigmask, one whose handler installs an
 * alternate stack through uc_stack, one returning from that alternate
 * stack (restore_altstack() refuses with EPERM there, silently), and one
 * whose handler unblocks a pending signal through uc_sigmask (it is
 * delivered as the frame is restored, before kill(2) returns). Output is
 * identical natively and under the emulator, whichever of the returns the
 * shim performs itself (shim/csrc/sigreturn.c) and whichever it leaves to
 * the emulator; the test counts which were which. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static volatile int plain_runs, usr2_runs, on_alt, order;
static char alt[1 << 16] __attribute__((aligned(16)));

static int blocked(int sig)
{
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	return sigismember(&cur, sig);
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigaction(sig, &sa, NULL);
}

static void plain(int s, siginfo_t *si, void *uc)
{
	(void)s, (void)si, (void)uc;
	plain_runs++;
}

static void block_more(int s, siginfo_t *si, void *ucv)
{
	(void)s, (void)si;
	sigaddset(&((ucontext_t *)ucv)->uc_sigmask, SIGUSR2);
}

static void new_stack(int s, siginfo_t *si, void *ucv)
{
	(void)s, (void)si;
	ucontext_t *uc = ucv;
	uc->uc_stack.ss_sp = alt;
	uc->uc_stack.ss_size = sizeof alt;
	uc->uc_stack.ss_flags = 0;
}

static void where(int s, siginfo_t *si, void *uc)
{
	(void)s, (void)si, (void)uc;
	char here;
	on_alt = &here >= alt && &here < alt + sizeof alt;
}

static void usr2(int s, siginfo_t *si, void *uc)
{
	(void)s, (void)si, (void)uc;
	usr2_runs++;
	order = 1;
}

static void unblock_usr2(int s, siginfo_t *si, void *ucv)
{
	(void)s, (void)si;
	sigdelset(&((ucontext_t *)ucv)->uc_sigmask, SIGUSR2);
}

int main(void)
{
	install(SIGUSR1, plain, 0);
	for (int i = 0; i < 100; i++)
		kill(getpid(), SIGUSR1);
	printf("plain: handler ran %d times, SIGUSR1 blocked after %d\n", plain_runs, blocked(SIGUSR1));

	install(SIGUSR1, block_more, 0);
	kill(getpid(), SIGUSR1);
	printf("uc_sigmask + SIGUSR2: SIGUSR2 blocked after return %d\n", blocked(SIGUSR2));

	install(SIGUSR2, usr2, 0);
	kill(getpid(), SIGUSR2);
	install(SIGUSR1, unblock_usr2, 0);
	kill(getpid(), SIGUSR1);
	printf("uc_sigmask - SIGUSR2: delivered before kill returned %d (ran %d), blocked after %d\n", order,
	       usr2_runs, blocked(SIGUSR2));

	install(SIGUSR1, new_stack, 0);
	kill(getpid(), SIGUSR1);
	stack_t cur;
	sigaltstack(NULL, &cur);
	printf("uc_stack: alternate stack installed %d, size %zu\n", cur.ss_sp == alt, cur.ss_size);

	install(SIGUSR1, where, SA_ONSTACK);
	kill(getpid(), SIGUSR1);
	sigaltstack(NULL, &cur);
	printf("on the alternate stack %d, still installed after return %d, flags %d\n", on_alt, cur.ss_sp == alt,
	       cur.ss_flags);
	return 0;
}
