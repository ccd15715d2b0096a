/* rawmask.c — rt_sigprocmask(2) by the syscall instruction itself, every
 * kind the kernel distinguishes: a query, an unblock, a SIG_SETMASK that
 * keeps or only unblocks, a block of more, a bad oset (EFAULT, the mask
 * still changed), a bad set (EFAULT), a bad how (EINVAL), a bad size
 * (EINVAL), and an unblock that makes a pending signal deliverable (its
 * handler runs before the call returns). Output is identical natively and
 * under the emulator, whichever calls the shim answers itself. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

static volatile int ran;

static void h(int s) { (void)s; ran++; }

static long mask(long how, const unsigned long *set, unsigned long *oset, long size)
{
	return raw_syscall4(SYS_rt_sigprocmask, how, (long)set, (long)oset, size);
}

static unsigned long cur(void)
{
	unsigned long m = 0;
	mask(SIG_BLOCK, NULL, &m, 8);
	return m;
}

/* step prints a call's result and the mask after it (in that order:
 * C leaves the order of a call's arguments open). */
static void step(const char *what, long r)
{
	printf("%s: %ld mask %#lx handler ran %d\n", what, r, cur(), ran);
}

int main(void)
{
	unsigned long usr1 = 1UL << (SIGUSR1 - 1), usr2 = 1UL << (SIGUSR2 - 1), old = 0, zero = 0, both = usr1 | usr2;
	signal(SIGUSR1, h);
	step("block usr1+usr2", mask(SIG_BLOCK, &both, NULL, 8));
	step("query", mask(SIG_BLOCK, NULL, &old, 8));
	printf("old %#lx\n", old);
	step("unblock usr2", mask(SIG_UNBLOCK, &usr2, &old, 8));
	printf("old %#lx\n", old);
	step("setmask same", mask(SIG_SETMASK, &usr1, &old, 8));
	step("bad oset", mask(SIG_SETMASK, &zero, (unsigned long *)8, 8));
	step("block usr1", mask(SIG_BLOCK, &usr1, NULL, 8));
	step("bad set", mask(SIG_SETMASK, (unsigned long *)8, NULL, 8));
	step("bad how", mask(7, &usr1, NULL, 8));
	step("bad how, no set", mask(7, NULL, &old, 8));
	step("bad size", mask(SIG_BLOCK, NULL, &old, 4));
	step("kill(self, SIGUSR1) blocked", raw_syscall4(SYS_kill, getpid(), SIGUSR1, 0, 0));
	step("unblock usr1", mask(SIG_UNBLOCK, &usr1, NULL, 8));
	for (int i = 0; i < 1000; i++) {
		mask(SIG_BLOCK, &usr2, &old, 8);
		mask(SIG_SETMASK, &old, NULL, 8);
	}
	step("after 1000 block/restore", 0);
	return 0;
}
