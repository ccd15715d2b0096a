/* faults.c — the other synchronous faults the kernel raises natively
 * reach the program's handlers with their siginfo: SIGFPE (integer divide
 * by zero, FPE_INTDIV), SIGILL (ud2, ILL_ILLOPN), SIGTRAP (int3, SI_KERNEL,
 * resuming after it), SIGBUS (touching a page past the end of a mapped
 * file, BUS_ADRERR). Each handler skips or jumps past the fault. */
#include "conf.h"
#include <setjmp.h>
#include <sys/mman.h>

static sigjmp_buf env;
static volatile int got, code;
static void *volatile addr;
static void jump(int s, siginfo_t *si, void *uc)
{
	got = s;
	code = si->si_code;
	addr = si->si_addr;
	siglongjmp(env, 1);
}
static void ret(int s, siginfo_t *si, void *uc)
{
	got = s;
	code = si->si_code;
}

int main(void)
{
	install(SIGFPE, jump, 0);
	install(SIGILL, jump, 0);
	install(SIGBUS, jump, 0);
	install(SIGTRAP, ret, 0);

	volatile int zero = 0, r = 0;
	if (sigsetjmp(env, 1) == 0)
		r = 10 / zero;
	EXPECT(got == SIGFPE && code == FPE_INTDIV, "divide by zero: %s FPE_INTDIV %s", sig(got), yes(code == FPE_INTDIV));
	(void)r;

	got = 0;
	if (sigsetjmp(env, 1) == 0)
		__asm__ volatile("ud2");
	EXPECT(got == SIGILL && code == ILL_ILLOPN, "ud2: %s ILL_ILLOPN %s", sig(got), yes(code == ILL_ILLOPN));

	got = 0;
	volatile int after = 0;
	__asm__ volatile("int3");
	after = 1;
	EXPECT(got == SIGTRAP && code == SI_KERNEL && after, "int3: %s SI_KERNEL %s, resumed after it %s", sig(got), yes(code == SI_KERNEL), yes(after));

	char path[] = "/tmp/siglab-faults-XXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	ftruncate(fd, 100);
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	got = 0;
	if (sigsetjmp(env, 1) == 0)
		*(volatile char *)(m + 4096 + 16) = 1;
	EXPECT(got == SIGBUS && code == BUS_ADRERR && addr == m + 4096 + 16, "past the end of a file mapping: %s BUS_ADRERR %s, si_addr exact %s", sig(got), yes(code == BUS_ADRERR), yes(addr == m + 4096 + 16));
	/* A raised SIGFPE is not a fault: si_code SI_TKILL, and returning is fine. */
	install(SIGFPE, ret, 0);
	raise(SIGFPE);
	EXPECT(got == SIGFPE && code == SI_TKILL, "raise(SIGFPE): si_code SI_TKILL %s", yes(code == SI_TKILL));
	return conf_exit();
}
