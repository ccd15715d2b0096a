/* segv_longjmp.c — a fault raised natively by the kernel (SIGSEGV from a
 * write to NULL) reaches the program's SA_SIGINFO handler with si_code
 * SEGV_MAPERR and si_addr 0; the handler siglongjmps out, which restores
 * the mask saved by sigsetjmp(…, 1) (SIGSEGV no longer blocked), so a
 * second fault is caught the same way. A write to a read-only page gives
 * SEGV_ACCERR. With the default action, the child dies by SIGSEGV. */
#include "conf.h"
#include <setjmp.h>
#include <sys/mman.h>

static sigjmp_buf env;
static volatile int calls, code;
static void *volatile addr;
static void h(int s, siginfo_t *si, void *uc)
{
	calls++;
	code = si->si_code;
	addr = si->si_addr;
	siglongjmp(env, 1);
}

int main(void)
{
	install(SIGSEGV, h, 0);
	volatile int *volatile null = NULL;
	for (int i = 0; i < 2; i++) {
		if (sigsetjmp(env, 1) == 0) {
			*null = 1;
			printf("not reached\n");
		}
		EXPECT(calls == i + 1 && code == SEGV_MAPERR && addr == NULL, "fault %d: caught, SEGV_MAPERR %s, si_addr NULL %s", i, yes(code == SEGV_MAPERR), yes(addr == NULL));
		EXPECT(!is_blocked(SIGSEGV), "after siglongjmp: SIGSEGV blocked %s", yes(is_blocked(SIGSEGV)));
	}
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sigsetjmp(env, 1) == 0)
		*(volatile char *)(ro + 8) = 1;
	EXPECT(code == SEGV_ACCERR && addr == ro + 8, "read-only page: SEGV_ACCERR %s, si_addr exact %s", yes(code == SEGV_ACCERR), yes(addr == ro + 8));

	/* sigsetjmp(…, 0): the mask is not restored, SIGSEGV stays blocked
	 * after the jump. */
	if (sigsetjmp(env, 0) == 0)
		*null = 2;
	EXPECT(is_blocked(SIGSEGV), "after siglongjmp to sigsetjmp(env, 0): SIGSEGV blocked %s", yes(is_blocked(SIGSEGV)));
	unblock1(SIGSEGV);

	pid_t c = fork();
	if (c == 0) {
		no_core();
		set_disp(SIGSEGV, SIG_DFL);
		*null = 3;
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "default action: child killed by %s", WIFSIGNALED(st) ? sig(WTERMSIG(st)) : "nothing");
	/* A fault while SIGSEGV is blocked kills even with a handler
	 * (force_sig_info_to_task() unblocks and resets it). */
	c = fork();
	if (c == 0) {
		no_core();
		block1(SIGSEGV);
		*null = 4;
		_exit(0);
	}
	waitpid(c, &st, 0);
	EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && calls == 4, "blocked SIGSEGV with a handler: child killed by %s", WIFSIGNALED(st) ? sig(WTERMSIG(st)) : "nothing");
	return conf_exit();
}
