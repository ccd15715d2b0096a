/* ucontext_edit.c — a handler may edit the interrupted context and
 * rt_sigreturn(2) honours the edits: skip a faulting ud2 by advancing RIP,
 * change RBX and RAX seen after a raw tgkill syscall, and add a signal to
 * uc_sigmask so that it is blocked after the return. */
#include "conf.h"
#include <ucontext.h>

static volatile int ill_code, ill_calls;
static void on_ill(int s, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	ill_calls++;
	ill_code = si->si_code;
	uc->uc_mcontext.gregs[REG_RIP] += 2; /* ud2 is 2 bytes */
}

static volatile int usr_calls;
static void on_usr(int s, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	usr_calls++;
	uc->uc_mcontext.gregs[REG_RBX] = 42;
	uc->uc_mcontext.gregs[REG_RAX] = 1234;
	uc->uc_mcontext.gregs[REG_R12] = 0x5a5a;
	sigaddset(&uc->uc_sigmask, SIGUSR2);
}

int main(void)
{
	install(SIGILL, on_ill, 0);
	volatile int after = 0;
	__asm__ volatile("ud2" ::: "memory");
	after = 1;
	EXPECT(ill_calls == 1 && after, "ud2 skipped: handler calls %d, resumed after it %s", ill_calls, yes(after));
	EXPECT(ill_code == ILL_ILLOPN, "SIGILL si_code ILL_ILLOPN %s", yes(ill_code == ILL_ILLOPN));

	install(SIGUSR1, on_usr, 0);
	long rax, rbx, r12;
	__asm__ volatile(
		"mov $7, %%rbx\n\t"
		"mov $9, %%r12\n\t"
		"syscall\n\t"
		"mov %%rbx, %1\n\t"
		"mov %%r12, %2\n\t"
		: "=a"(rax), "=&r"(rbx), "=&r"(r12)
		: "0"((long)SYS_tgkill), "D"((long)getpid()), "S"((long)gettid_()), "d"((long)SIGUSR1)
		: "rbx", "r12", "rcx", "r11", "memory");
	EXPECT(usr_calls == 1, "handler calls %d", usr_calls);
	EXPECT(rbx == 42 && r12 == 0x5a5a, "RBX after return %ld, R12 %#lx", rbx, r12);
	EXPECT(rax == 1234, "RAX (the syscall's result) after return %ld", rax);
	EXPECT(is_blocked(SIGUSR2) && !is_blocked(SIGUSR1), "uc_sigmask edit: SIGUSR2 blocked %s, SIGUSR1 blocked %s", yes(is_blocked(SIGUSR2)), yes(is_blocked(SIGUSR1)));
	return conf_exit();
}
