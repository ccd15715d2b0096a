/* callee_saved.c — a handler that runs before raise(3), kill(2) or
 * syscall(2) return leaves the caller's callee-saved registers (RBX, RBP,
 * R12–R15), its stack pointer and the MXCSR and x87 control word as they
 * were, however much it changes them itself, and the call's result and
 * errno are what they would be without the signal. The registers are
 * loaded with patterns around a call made from assembly; the handler
 * overwrites all of them (and raises a second signal from inside, which
 * nests a frame). */
#include "conf.h"

static volatile int runs;

static void clobber(void)
{
	__asm__ volatile("movq $0x1111, %%rbx\n\t"
			 "movq $0x2222, %%r12\n\t"
			 "movq $0x3333, %%r13\n\t"
			 "movq $0x4444, %%r14\n\t"
			 "movq $0x5555, %%r15\n\t"
			 :
			 :
			 : "rbx", "r12", "r13", "r14", "r15");
	unsigned mx = 0x7f80; /* all exceptions masked, round toward zero */
	unsigned short cw = 0x0c7f;
	__asm__ volatile("ldmxcsr %0\n\tfldcw %1" : : "m"(mx), "m"(cw));
}

static void h2(int s)
{
	(void)s;
	runs++;
	clobber();
}

static void h1(int s)
{
	(void)s;
	runs++;
	clobber();
	raise(SIGUSR2);
	clobber();
}

struct regs {
	unsigned long rbx, rbp, r12, r13, r14, r15, rsp;
};

/* call1 calls fn(arg) with patterns in the callee-saved registers and
 * stores what they hold afterwards into out; it returns fn's result.
 * call1 is a leaf to the compiler, whose locals may be in the red zone:
 * the pushes go below it. A leaf's RSP is 8 off 16-byte alignment (the
 * return address); 128 + 7 pushes bring it back for the call. */
static long call1(long (*fn)(long), long arg, struct regs *out)
{
	long ret;
	__asm__ volatile("subq $128, %%rsp\n\t" /* past the red zone of this leaf */
			 "pushq %%rbp\n\t"
			 "pushq %%rbx\n\t"
			 "pushq %%r12\n\t"
			 "pushq %%r13\n\t"
			 "pushq %%r14\n\t"
			 "pushq %%r15\n\t"
			 "pushq %%rdx\n\t" /* out; RSP is 16-byte aligned again */
			 "movq %%rsp, %%rbp\n\t" /* the stack pointer to compare */
			 "movq $0xb0b0b0b0b0, %%rbx\n\t"
			 "movq $0xc1c1c1c1c1, %%r12\n\t"
			 "movq $0xd2d2d2d2d2, %%r13\n\t"
			 "movq $0xe3e3e3e3e3, %%r14\n\t"
			 "movq $0xf4f4f4f4f4, %%r15\n\t"
			 "call *%%rax\n\t"
			 "movq 0(%%rsp), %%rdx\n\t"
			 "movq %%rbx, 0(%%rdx)\n\t"
			 "movq %%rbp, 8(%%rdx)\n\t"
			 "movq %%r12, 16(%%rdx)\n\t"
			 "movq %%r13, 24(%%rdx)\n\t"
			 "movq %%r14, 32(%%rdx)\n\t"
			 "movq %%r15, 40(%%rdx)\n\t"
			 "movq %%rsp, 48(%%rdx)\n\t"
			 "subq %%rbp, 48(%%rdx)\n\t" /* 0 if RSP came back */
			 "addq $8, %%rsp\n\t"
			 "popq %%r15\n\t"
			 "popq %%r14\n\t"
			 "popq %%r13\n\t"
			 "popq %%r12\n\t"
			 "popq %%rbx\n\t"
			 "popq %%rbp\n\t"
			 "addq $128, %%rsp\n\t"
			 : "=a"(ret)
			 : "a"(fn), "D"(arg), "d"(out)
			 : "rcx", "rsi", "r8", "r9", "r10", "r11", "memory", "cc");
	return ret;
}

static long do_raise(long sig) { return raise((int)sig); }
static long do_kill(long sig) { return kill(getpid(), (int)sig); }
static long do_syscall(long sig) { return syscall(SYS_tgkill, getpid(), gettid_(), (int)sig); }
static long do_kill_bad(long sig) { return kill(getpid(), (int)sig + 1000); }

static int regs_ok(const struct regs *r)
{
	return r->rbx == 0xb0b0b0b0b0 && r->r12 == 0xc1c1c1c1c1 && r->r13 == 0xd2d2d2d2d2 &&
	       r->r14 == 0xe3e3e3e3e3 && r->r15 == 0xf4f4f4f4f4 && r->rsp == 0;
}

int main(void)
{
	signal(SIGUSR1, h1);
	signal(SIGUSR2, h2);
	struct {
		const char *name;
		long (*fn)(long);
	} calls[] = {{"raise", do_raise}, {"kill", do_kill}, {"syscall(tgkill)", do_syscall}};
	for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++) {
		struct regs r;
		unsigned mx0, mx1;
		unsigned short cw0, cw1;
		__asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mx0), "=m"(cw0));
		runs = 0;
		errno = 1234;
		long ret = call1(calls[i].fn, SIGUSR1, &r);
		int e = errno;
		__asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mx1), "=m"(cw1));
		EXPECT(ret == 0 && e == 1234 && runs == 2, "%s: returned %ld errno kept %s, handlers ran %d", calls[i].name,
		       ret, yes(e == 1234), runs);
		EXPECT(regs_ok(&r), "%s: callee-saved registers and stack pointer kept: %s", calls[i].name, yes(regs_ok(&r)));
		EXPECT(mx0 == mx1 && cw0 == cw1, "%s: MXCSR and x87 control word kept: %s", calls[i].name,
		       yes(mx0 == mx1 && cw0 == cw1));
	}
	/* An error: no signal, errno set. */
	struct regs r;
	errno = 0;
	long ret = call1(do_kill_bad, SIGUSR1, &r);
	EXPECT(ret == -1 && errno == EINVAL && regs_ok(&r), "kill(self, bad): %s, registers kept %s",
	       conf_ret(ret, errno), yes(regs_ok(&r)));
	return conf_failed;
}
