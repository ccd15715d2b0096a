/* deliver.c — a handled signal sent to self, as the kernel delivers it:
 * the handler runs before kill(2) returns, with a kernel-layout frame
 * (siginfo, ucontext), the signal blocked inside, and what it edits in the
 * ucontext (RAX: the value kill() returns) honoured by rt_sigreturn. Vector
 * registers live across the syscall survive a handler that clobbers them
 * (the full FP state round-trips). A signal sent while blocked is delivered
 * when unblocked, before sigprocmask returns. Output is identical natively
 * and under an emulator that delivers signals itself. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static volatile int count, code, pid_ok, blocked_inside, edit = 1;

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	count++;
	code = si->si_code;
	pid_ok = si->si_pid == getpid() && sig == SIGUSR1 && si->si_signo == SIGUSR1;
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	blocked_inside = sigismember(&cur, SIGUSR1);
	__asm__ volatile("vxorpd %%ymm8, %%ymm8, %%ymm8" ::: "xmm8");
	if (edit)
		uc->uc_mcontext.gregs[REG_RAX] = 42;
}

/* kill_keeping_ymm8 makes kill(self, SIGUSR1) with the raw syscall
 * instruction while ymm8 holds in[], and returns ymm8 afterwards in out[]. */
static long kill_keeping_ymm8(const double in[4], double out[4])
{
	long ret;
	__asm__ volatile("vmovupd (%[in]), %%ymm8\n\t"
			 "syscall\n\t"
			 "vmovupd %%ymm8, (%[out])\n\t"
			 : "=a"(ret)
			 : "a"((long)SYS_kill), "D"((long)getpid()), "S"((long)SIGUSR1), [in] "r"(in),
			   [out] "r"(out)
			 : "rcx", "r11", "xmm8", "memory");
	return ret;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);

	double in[4] = {1.5, -2.25, 3e100, 0.125}, out[4] = {0};
	long r = kill_keeping_ymm8(in, out);
	printf("kill returned %ld, handler ran %d, si_code SI_USER %d, sender ok %d, blocked inside %d, ymm8 kept %d\n",
	       r, count, code == SI_USER, pid_ok, blocked_inside, memcmp(in, out, sizeof in) == 0);

	edit = 0;
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	kill(getpid(), SIGUSR1);
	printf("while blocked: handler ran %d\n", count);
	int rc = sigprocmask(SIG_SETMASK, &old, NULL);
	printf("after unblock: handler ran %d, sigprocmask returned %d, still blocked %d\n", count, rc,
	       sigismember(&old, SIGUSR1));
	for (int i = 0; i < 100; i++)
		kill(getpid(), SIGUSR1);
	printf("after 100 more: handler ran %d\n", count);
	return 0;
}
