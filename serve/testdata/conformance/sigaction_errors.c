/* sigaction_errors.c — rt_sigaction(2): SIGKILL/SIGSTOP cannot be caught
 * or ignored (EINVAL) but can be queried, signal 0 and 65 are EINVAL, a
 * sigsetsize other than 8 is EINVAL, oldact reports what was installed
 * (handler, flags, mask), unknown flag bits are cleared (Linux ≥ 5.11,
 * SA_UNSUPPORTED probing), and a bad pointer is EFAULT. */
#include "conf.h"

struct ksa {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

static void h(int s) {}

static long rawact(int s, const struct ksa *a, struct ksa *o, size_t size)
{
	return syscall(SYS_rt_sigaction, s, a, o, size);
}

int main(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h;
	EXPECT(!strcmp(RET(sigaction(SIGKILL, &sa, NULL)), "-1 EINVAL"), "handle SIGKILL: %s", RET(sigaction(SIGKILL, &sa, NULL)));
	EXPECT(!strcmp(RET(sigaction(SIGSTOP, &sa, NULL)), "-1 EINVAL"), "handle SIGSTOP: %s", RET(sigaction(SIGSTOP, &sa, NULL)));
	sa.sa_handler = SIG_IGN;
	EXPECT(!strcmp(RET(sigaction(SIGKILL, &sa, NULL)), "-1 EINVAL"), "ignore SIGKILL: %s", RET(sigaction(SIGKILL, &sa, NULL)));
	sa.sa_handler = SIG_DFL;
	EXPECT(!strcmp(RET(sigaction(SIGSTOP, &sa, NULL)), "-1 EINVAL"), "SIG_DFL on SIGSTOP: %s", RET(sigaction(SIGSTOP, &sa, NULL)));
	EXPECT(sigaction(SIGKILL, NULL, &old) == 0 && old.sa_handler == SIG_DFL, "query SIGKILL: 0, SIG_DFL %s", yes(old.sa_handler == SIG_DFL));

	struct ksa k = {.handler = (void *)h}, ko;
	EXPECT(!strcmp(RET(rawact(0, &k, NULL, 8)), "-1 EINVAL"), "signal 0: %s", RET(rawact(0, &k, NULL, 8)));
	EXPECT(!strcmp(RET(rawact(65, &k, NULL, 8)), "-1 EINVAL"), "signal 65: %s", RET(rawact(65, &k, NULL, 8)));
	EXPECT(!strcmp(RET(rawact(-1, NULL, &ko, 8)), "-1 EINVAL"), "signal -1 query: %s", RET(rawact(-1, NULL, &ko, 8)));
	EXPECT(!strcmp(RET(rawact(SIGUSR1, &k, NULL, 4)), "-1 EINVAL"), "sigsetsize 4: %s", RET(rawact(SIGUSR1, &k, NULL, 4)));
	EXPECT(!strcmp(RET(rawact(SIGUSR1, (void *)8, NULL, 8)), "-1 EFAULT"), "bad act pointer: %s", RET(rawact(SIGUSR1, (void *)8, NULL, 8)));
	EXPECT(!strcmp(RET(rawact(SIGUSR1, NULL, (void *)8, 8)), "-1 EFAULT"), "bad oldact pointer: %s", RET(rawact(SIGUSR1, NULL, (void *)8, 8)));

	/* Install through the raw call and read it back exactly. */
	k.handler = (void *)h;
	k.flags = SA_RESTART | SA_NODEFER | 0x00000400 /* SA_UNSUPPORTED */;
	k.restorer = NULL;
	k.mask = (1ull << (SIGUSR2 - 1)) | (1ull << (SIGKILL - 1)) | (1ull << 50);
	EXPECT(rawact(SIGUSR1, &k, NULL, 8) == 0, "install SIGUSR1 raw: 0");
	memset(&ko, 0xff, sizeof ko);
	rawact(SIGUSR1, NULL, &ko, 8);
	EXPECT(ko.handler == (void *)h, "read back: handler same %s", yes(ko.handler == (void *)h));
	EXPECT(ko.flags == (SA_RESTART | SA_NODEFER), "read back: flags %#lx (unknown bit cleared)", ko.flags);
	EXPECT(ko.mask == ((1ull << (SIGUSR2 - 1)) | (1ull << 50)), "read back: mask %#llx (SIGKILL dropped)", (unsigned long long)ko.mask);
	EXPECT(ko.restorer == NULL, "read back: restorer NULL %s", yes(ko.restorer == NULL));

	/* oldact returned together with a new action is the previous one. */
	k.handler = (void *)SIG_IGN;
	k.flags = 0;
	k.mask = 0;
	rawact(SIGUSR1, &k, &ko, 8);
	EXPECT(ko.handler == (void *)h, "swap: old handler was h %s", yes(ko.handler == (void *)h));
	rawact(SIGUSR1, NULL, &ko, 8);
	EXPECT(ko.handler == (void *)SIG_IGN && ko.flags == 0, "swap: now SIG_IGN %s flags %#lx", yes(ko.handler == (void *)SIG_IGN), ko.flags);

	/* A fresh process: every action is SIG_DFL except what the parent ignored. */
	int dfl = 0;
	for (int s = 1; s <= 64; s++) {
		if (s == SIGUSR1)
			continue;
		if (rawact(s, NULL, &ko, 8) == 0 && ko.handler == (void *)SIG_DFL)
			dfl++;
	}
	printf("signals at SIG_DFL besides SIGUSR1: %d\n", dfl);
	return conf_exit();
}
