/* sigaltstack.c — sigaltstack(2): the initial state is SS_DISABLE; a stack
 * smaller than MINSIGSTKSZ is ENOMEM, unknown flags EINVAL; an SA_ONSTACK
 * handler runs on the alternate stack and sees SS_ONSTACK there (and gets
 * EPERM if it tries to change or disable the stack it runs on), a nested
 * SA_ONSTACK signal stays on it further down; a handler without SA_ONSTACK
 * runs on the normal stack; uc_stack records the thread's stack settings
 * as stored (unsafe_save_altstack(): the flags as set, not SS_ONSTACK); SS_AUTODISARM disarms it on entry and sigreturn re-arms it. */
#include "conf.h"
#include <ucontext.h>

#define SZ (64 * 1024)
static char *alt;
static volatile int try_change = 1, on_alt, q_flags, eperm_change, eperm_disable, depth, nested_below;
static volatile uintptr_t outer_local;
static volatile unsigned long uc_flags, uc_nested_flags;
static volatile int uc_sp_ok, uc_size_ok;

static int within(void *p) { return (char *)p >= alt && (char *)p < alt + SZ; }

static void h(int s, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	int local;
	depth++;
	if (depth == 1) {
		on_alt = within(&local);
		outer_local = (uintptr_t)&local;
		stack_t q;
		sigaltstack(NULL, &q);
		q_flags = q.ss_flags;
		uc_flags = (unsigned)uc->uc_stack.ss_flags;
		uc_sp_ok = uc->uc_stack.ss_sp == alt;
		uc_size_ok = uc->uc_stack.ss_size == SZ;
		stack_t n = {.ss_sp = alt, .ss_size = SZ, .ss_flags = 0};
		if (!try_change)
			goto nest;
		eperm_change = sigaltstack(&n, NULL) == -1 && errno == EPERM;
		n.ss_flags = SS_DISABLE;
		eperm_disable = sigaltstack(&n, NULL) == -1 && errno == EPERM;
	nest:
		if (s == SIGUSR1)
			raise(SIGUSR2);
	} else {
		nested_below = within(&local) && (uintptr_t)&local < outer_local;
		uc_nested_flags = (unsigned)uc->uc_stack.ss_flags;
	}
	depth--;
}

int main(void)
{
	stack_t q, ss;
	sigaltstack(NULL, &q);
	EXPECT(q.ss_flags == SS_DISABLE, "initial: flags %#x", q.ss_flags);
	alt = malloc(SZ);
	ss.ss_sp = alt;
	ss.ss_size = 1024;
	ss.ss_flags = 0;
	EXPECT(!strcmp(RET(sigaltstack(&ss, NULL)), "-1 ENOMEM"), "1 KiB stack: %s", RET(sigaltstack(&ss, NULL)));
	ss.ss_size = SZ;
	ss.ss_flags = 0x1234;
	EXPECT(!strcmp(RET(sigaltstack(&ss, NULL)), "-1 EINVAL"), "bad flags: %s", RET(sigaltstack(&ss, NULL)));
	EXPECT(!strcmp(RET(sigaltstack((stack_t *)8, NULL)), "-1 EFAULT"), "bad pointer: %s", RET(sigaltstack((stack_t *)8, NULL)));
	ss.ss_flags = 0;
	EXPECT(sigaltstack(&ss, &q) == 0 && q.ss_flags == SS_DISABLE, "set 64 KiB: old flags %#x", q.ss_flags);
	sigaltstack(NULL, &q);
	EXPECT(q.ss_sp == alt && q.ss_size == SZ && q.ss_flags == 0, "query: same sp %s, size %zu, flags %#x", yes(q.ss_sp == alt), q.ss_size, q.ss_flags);

	install(SIGUSR1, h, SA_ONSTACK);
	install(SIGUSR2, h, SA_ONSTACK);
	raise(SIGUSR1);
	EXPECT(on_alt, "SA_ONSTACK handler on the alternate stack: %s", yes(on_alt));
	EXPECT(q_flags == SS_ONSTACK, "query inside: flags %#x (SS_ONSTACK)", q_flags);
	EXPECT(eperm_change && eperm_disable, "change inside: EPERM %s, disable inside: EPERM %s", yes(eperm_change), yes(eperm_disable));
	EXPECT(uc_sp_ok && uc_size_ok && uc_flags == 0, "uc_stack: sp %s size %s flags %#lx", yes(uc_sp_ok), yes(uc_size_ok), uc_flags);
	EXPECT(nested_below && uc_nested_flags == 0, "nested SIGUSR2: further down the alternate stack %s, its uc_stack flags %#lx", yes(nested_below), uc_nested_flags);

	install(SIGUSR1, h, 0);
	on_alt = -1;
	raise(SIGUSR1);
	EXPECT(!on_alt, "handler without SA_ONSTACK on the alternate stack: %s", yes(on_alt));
	EXPECT(q_flags == 0, "query inside it: flags %#x", q_flags);

	/* SS_AUTODISARM */
	ss.ss_flags = SS_AUTODISARM;
	EXPECT(sigaltstack(&ss, NULL) == 0, "set with SS_AUTODISARM: 0");
	sigaltstack(NULL, &q);
	EXPECT(q.ss_flags == SS_AUTODISARM, "query: flags %#x", q.ss_flags);
	install(SIGUSR1, h, SA_ONSTACK);
	try_change = 0;
	nested_below = 0;
	raise(SIGUSR1);
	EXPECT(on_alt, "autodisarm handler on the alternate stack: %s", yes(on_alt));
	EXPECT(q_flags == SS_DISABLE, "query inside: flags %#x (disarmed)", q_flags);
	EXPECT(nested_below && uc_nested_flags == SS_DISABLE, "nested SIGUSR2: on the (disarmed) stack still, further down %s, its uc_stack flags %#lx", yes(nested_below), uc_nested_flags);
	EXPECT(uc_flags == SS_AUTODISARM, "uc_stack flags %#lx", uc_flags);
	sigaltstack(NULL, &q);
	EXPECT(q.ss_sp == alt && q.ss_flags == SS_AUTODISARM, "after sigreturn: re-armed, flags %#x same sp %s", q.ss_flags, yes(q.ss_sp == alt));

	ss.ss_flags = SS_DISABLE;
	ss.ss_size = 0;
	EXPECT(sigaltstack(&ss, NULL) == 0, "SS_DISABLE: 0");
	sigaltstack(NULL, &q);
	EXPECT(q.ss_flags == SS_DISABLE, "query: flags %#x", q.ss_flags);
	install(SIGUSR1, h, SA_ONSTACK);
	raise(SIGUSR1);
	EXPECT(!on_alt, "SA_ONSTACK with the stack disabled: on alternate stack %s", yes(on_alt));
	return conf_exit();
}
