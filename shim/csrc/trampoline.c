/* trampoline.c — the shim's only way into the kernel.
 *
 * The seccomp filter (init.c) lets a syscall through untouched exactly when
 * the instruction pointer the kernel reports is SIGLAB_TRAMPOLINE_ADDR+2,
 * the address right after the single `syscall` instruction of the page the
 * constructor maps there (shim_map_trampoline). Everything the shim does
 * natively — its own futex waits, syscalls the emulator answered with
 * KIND_NATIVE, and the rt_sigreturn that ends each of its signal handlers —
 * goes through that one instruction, so no program code can reach the
 * kernel for a trapped syscall, and no syscall of the shim's can recurse
 * into its own handler. The page is at a fixed address, not in the shim's
 * text, because the filter outlives execve(2) and the next image's shim
 * must be let through by its predecessor's filter.
 *
 * shim_syscall6 moves the C arguments into the syscall registers and jumps
 * to the page, whose `ret` returns to shim_syscall6's caller; r11 is free
 * for the jump because `syscall` clobbers it anyway. */
#include "shim.h"

#include <linux/mman.h>

#define STR_(x) #x
#define STR(x) STR_(x)

__asm__(
	".text\n"
	".globl shim_syscall6\n"
	".hidden shim_syscall6\n"
	".type shim_syscall6,@function\n"
	"shim_syscall6:\n"
	SHIM_ASM_SYSCALL_ARGS
	"	movabsq $" STR(SIGLAB_TRAMPOLINE_ADDR) ", %r11\n"
	"	jmp *%r11\n"
	".size shim_syscall6, .-shim_syscall6\n"
	/* The restorer of the shim's own handlers (SA_RESTORER): rt_sigreturn
	 * through the allowed instruction. It never returns. */
	".globl shim_restorer\n"
	".hidden shim_restorer\n"
	".type shim_restorer,@function\n"
	"shim_restorer:\n"
	"	movq $15, %rax\n" /* __NR_rt_sigreturn */
	"	movabsq $" STR(SIGLAB_TRAMPOLINE_ADDR) ", %r11\n"
	"	jmp *%r11\n"
	".size shim_restorer, .-shim_restorer\n"
	/* shim_syscall_intr(nr, a1..a6, flag): shim_syscall6 with the
	 * cancellation-point test (shim.h). Nothing is pushed, so from any
	 * instruction of the window, and from the trampoline's syscall
	 * instruction, shim_intr_eintr's `ret` returns to the caller. */
	".globl shim_syscall_intr\n"
	".hidden shim_syscall_intr\n"
	".type shim_syscall_intr,@function\n"
	"shim_syscall_intr:\n"
	SHIM_ASM_SYSCALL_ARGS
	"	movq 16(%rsp), %rcx\n"
	"	movabsq $" STR(SIGLAB_TRAMPOLINE_ADDR) ", %r11\n"
	".globl shim_intr_begin\n"
	".hidden shim_intr_begin\n"
	"shim_intr_begin:\n"
	"	cmpl $0, (%rcx)\n"
	"	jne shim_intr_eintr\n"
	"	jmp *%r11\n"
	".globl shim_intr_end\n"
	".hidden shim_intr_end\n"
	"shim_intr_end:\n"
	".globl shim_intr_eintr\n"
	".hidden shim_intr_eintr\n"
	"shim_intr_eintr:\n"
	"	movq $-4, %rax\n" /* -EINTR */
	"	ret\n"
	".size shim_syscall_intr, .-shim_syscall_intr\n");

/* shim_raw_syscall6 is a syscall made from the shim's text, not the
 * trampoline: the filter treats it like the program's own. For the few
 * calls made before the trampoline page exists (neither mmap nor mprotect
 * is ever in a trap set, so no filter — this image's or an inherited one —
 * traps them), and for the wrappers' calls that must trap (wrappers.c). */
long shim_raw_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long ret;
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

/* tp_offset is the %fs-relative address of the calling thread's copy of
 * the TLS variable at v: initial-exec TLS lies at one offset from the
 * thread pointer in every thread (the static TLS block), and %fs:0 holds
 * the thread pointer itself (the TCB's self pointer, x86-64 TLS ABI). */
static int64_t tp_offset(const volatile void *v)
{
	uint64_t tp;
	__asm__("movq %%fs:0, %0" : "=r"(tp));
	return (int64_t)((uint64_t)v - tp);
}

static unsigned char *put_disp32(unsigned char *c, int64_t d)
{
	for (int i = 0; i < 4; i++)
		*c++ = (unsigned char)((uint64_t)d >> (8 * i));
	return c;
}

/* switch_stub writes fastret.c's switch stub at c: `movl $0,
 * %fs:armed; movq %fs:rsp, %rsp; jmp *%fs:rip` (shim.h). 0 if an offset
 * does not fit the 32-bit displacement. */
static int switch_stub(unsigned char *c)
{
	int64_t armed = tp_offset(&shim_tls_sw_armed), rsp = tp_offset(&shim_tls_sw_rsp),
		rip = tp_offset(&shim_tls_sw_rip);
	const int64_t lim = 0x7fffffff;
	if (armed < -lim || armed > lim || rsp < -lim || rsp > lim || rip < -lim || rip > lim)
		return 0;
	static const unsigned char mov0[4] = {0x64, 0xc7, 0x04, 0x25}, movsp[5] = {0x64, 0x48, 0x8b, 0x24, 0x25},
				   jmp[4] = {0x64, 0xff, 0x24, 0x25};
	unsigned char *p = c;
	for (int i = 0; i < 4; i++)
		*p++ = mov0[i];
	p = put_disp32(p, armed);
	p = put_disp32(p, 0);
	for (int i = 0; i < 5; i++)
		*p++ = movsp[i];
	p = put_disp32(p, rsp);
	for (int i = 0; i < 4; i++)
		*p++ = jmp[i];
	p = put_disp32(p, rip);
	return p - c == SHIM_SWITCH_STUB_LEN;
}

/* shim_map_trampoline maps the page `syscall; ret` at
 * SIGLAB_TRAMPOLINE_ADDR, and the switch stub after it, read-only and
 * executable. It returns 0, or -1 if
 * the address is taken (nothing of the shim's can run then). */
int shim_map_trampoline(void)
{
	long p = shim_raw_syscall6(__NR_mmap, SIGLAB_TRAMPOLINE_ADDR, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != (long)SIGLAB_TRAMPOLINE_ADDR)
		return -1;
	unsigned char *code = (unsigned char *)p;
	code[0] = 0x0f; /* syscall */
	code[1] = 0x05;
	code[2] = 0xc3; /* ret */
	if (!switch_stub(code + SHIM_SWITCH_STUB_OFF))
		shim.xcr0 = 0; /* no stub, no fast return (fastret.c) */
	shim_raw_syscall6(__NR_mprotect, p, 4096, PROT_READ | PROT_EXEC, 0, 0, 0);
	return 0;
}

/* shim_unmap_trampoline undoes shim_map_trampoline, from outside the page. */
void shim_unmap_trampoline(void)
{
	shim_raw_syscall6(__NR_munmap, SIGLAB_TRAMPOLINE_ADDR, 4096, 0, 0, 0, 0);
}

/* shim_die_raw reports and exits without the trampoline. */
void shim_die_raw(const char *msg, unsigned long len)
{
	shim_raw_syscall6(__NR_write, 2, (long)msg, (long)len, 0, 0, 0);
	for (;;)
		shim_raw_syscall6(__NR_exit_group, 127, 0, 0, 0, 0, 0);
}

_Static_assert(__NR_rt_sigreturn == 15, "restorer hard-codes rt_sigreturn");

/* The compiler may emit calls to these for struct copies; with -nostdlib
 * they must be ours. rep movsb/stosb are fast for the 2–3 KB FP areas of
 * signal frames on CPUs with ERMS and compact everywhere; the direction
 * flag is clear in every context the shim runs in (the kernel clears it for
 * signal handlers, the ABI for calls). */
__attribute__((visibility("hidden"))) void *memcpy(void *dst, const void *src, unsigned long n)
{
	void *ret = dst;
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
	return ret;
}

__attribute__((visibility("hidden"))) void *memset(void *dst, int c, unsigned long n)
{
	void *ret = dst;
	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(c) : "memory");
	return ret;
}

static unsigned long slen(const char *s)
{
	unsigned long n = 0;
	while (s[n])
		n++;
	return n;
}

/* shim_note writes "siglab shim: msg (errno N)" to fd 2 with write(2). */
void shim_note(const char *msg, long err)
{
	char buf[256];
	unsigned long n = 0;
	const char *pre = "siglab shim: ";
	for (unsigned long i = 0; pre[i] && n < sizeof buf; i++)
		buf[n++] = pre[i];
	for (unsigned long i = 0; i < slen(msg) && n < sizeof buf - 32; i++)
		buf[n++] = msg[i];
	if (err) {
		const char *e = " (errno ";
		for (unsigned long i = 0; e[i]; i++)
			buf[n++] = e[i];
		char d[24];
		int k = 0;
		unsigned long v = err < 0 ? (unsigned long)-err : (unsigned long)err;
		do {
			d[k++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		while (k)
			buf[n++] = d[--k];
		buf[n++] = ')';
	}
	buf[n++] = '\n';
	sys3(__NR_write, 2, buf, n);
}

/* shim_die reports and ends the whole process: a shim that cannot keep its
 * promises must not let the program run unemulated. */
void shim_die(const char *msg, long err)
{
	shim_note(msg, err);
	for (;;)
		sys1(__NR_exit_group, 127);
}
