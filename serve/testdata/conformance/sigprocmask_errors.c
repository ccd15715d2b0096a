/* sigprocmask_errors.c — rt_sigprocmask(2) semantics and errors: how
 * SIG_BLOCK/UNBLOCK/SETMASK combine, oldset is the mask before the call,
 * SIGKILL/SIGSTOP silently cannot be blocked, a bad how is EINVAL only when
 * a set is given, a sigsetsize other than 8 is EINVAL, a bad pointer
 * EFAULT. Raw syscalls, so glibc's own filtering does not hide anything. */
#include "conf.h"

static long rawmask(int how, const uint64_t *set, uint64_t *old, size_t size)
{
	return syscall(SYS_rt_sigprocmask, how, set, old, size);
}

#define B(s) (1ull << ((s) - 1))

int main(void)
{
	uint64_t set, old;
	set = B(SIGUSR1) | B(SIGKILL) | B(SIGSTOP);
	old = 0xdead;
	EXPECT(rawmask(SIG_SETMASK, &set, &old, 8) == 0 && old == 0, "SETMASK {USR1,KILL,STOP}: old %#llx", (unsigned long long)old);
	rawmask(SIG_BLOCK, NULL, &old, 8);
	EXPECT(old == B(SIGUSR1), "mask now %#llx (KILL and STOP dropped)", (unsigned long long)old);
	set = B(SIGUSR2) | B(SIGRTMIN + 1 - 0) ;
	set = B(SIGUSR2) | (1ull << 40);
	rawmask(SIG_BLOCK, &set, &old, 8);
	EXPECT(old == B(SIGUSR1), "BLOCK {USR2,41}: old %#llx", (unsigned long long)old);
	rawmask(SIG_BLOCK, NULL, &old, 8);
	EXPECT(old == (B(SIGUSR1) | B(SIGUSR2) | (1ull << 40)), "mask now %#llx", (unsigned long long)old);
	set = B(SIGUSR1) | B(SIGHUP);
	rawmask(SIG_UNBLOCK, &set, NULL, 8);
	rawmask(SIG_BLOCK, NULL, &old, 8);
	EXPECT(old == (B(SIGUSR2) | (1ull << 40)), "UNBLOCK {USR1,HUP}: mask %#llx", (unsigned long long)old);

	EXPECT(!strcmp(RET(rawmask(99, &set, NULL, 8)), "-1 EINVAL"), "bad how with a set: %s", RET(rawmask(99, &set, NULL, 8)));
	EXPECT(!strcmp(RET(rawmask(99, NULL, &old, 8)), "0"), "bad how without a set: %s", RET(rawmask(99, NULL, &old, 8)));
	EXPECT(!strcmp(RET(rawmask(SIG_BLOCK, &set, NULL, 4)), "-1 EINVAL"), "sigsetsize 4: %s", RET(rawmask(SIG_BLOCK, &set, NULL, 4)));
	EXPECT(!strcmp(RET(rawmask(SIG_BLOCK, &set, NULL, 16)), "-1 EINVAL"), "sigsetsize 16: %s", RET(rawmask(SIG_BLOCK, &set, NULL, 16)));
	EXPECT(!strcmp(RET(rawmask(SIG_BLOCK, (uint64_t *)8, NULL, 8)), "-1 EFAULT"), "bad set pointer: %s", RET(rawmask(SIG_BLOCK, (uint64_t *)8, NULL, 8)));
	EXPECT(!strcmp(RET(rawmask(SIG_BLOCK, NULL, (uint64_t *)8, 8)), "-1 EFAULT"), "bad oldset pointer: %s", RET(rawmask(SIG_BLOCK, NULL, (uint64_t *)8, 8)));
	rawmask(SIG_BLOCK, NULL, &old, 8);
	EXPECT(old == (B(SIGUSR2) | (1ull << 40)), "mask unchanged by the failures: %#llx", (unsigned long long)old);

	/* glibc: sigprocmask with a bad how */
	sigset_t s;
	sigemptyset(&s);
	EXPECT(!strcmp(RET(sigprocmask(12345, &s, NULL)), "-1 EINVAL"), "libc sigprocmask bad how: %s", RET(sigprocmask(12345, &s, NULL)));
	return conf_exit();
}
