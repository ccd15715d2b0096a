/* bad_sigreturn.c — a handler that returns a corrupted context: rt_sigreturn
 * cannot restore it and the kernel kills the thread's process with
 * SIGSEGV (signal_fault(), force_sig(SIGSEGV)) — here an FP-state pointer
 * into unmapped memory, and a non-canonical RIP (the SIGSEGV from the
 * return itself). Each runs in a child; the parent reports the ending. */
#include "conf.h"
#include <ucontext.h>

static int mode;
static void h(int s, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	if (mode == 0)
		uc->uc_mcontext.fpregs = (void *)0x10;
	else
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)0x8000000000000000ull;
}

int main(void)
{
	const char *names[2] = {"unmapped FP state", "non-canonical RIP"};
	for (mode = 0; mode < 2; mode++) {
		pid_t c = fork();
		if (c == 0) {
			no_core();
			install(SIGUSR1, h, 0);
			raise(SIGUSR1);
			printf("child survived\n");
			_exit(0);
		}
		int st;
		waitpid(c, &st, 0);
		EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "%s: child killed by %s", names[mode], WIFSIGNALED(st) ? sig(WTERMSIG(st)) : "nothing");
	}
	return conf_exit();
}
