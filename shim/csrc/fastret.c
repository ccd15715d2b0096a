/* fastret.c — returning from a program's signal handler without a trap.
 *
 * A handler returns to its frame's pretcode, which the kernel sets to the
 * action's sa_restorer (x64_setup_rt_frame()): glibc's __restore_rt, Go's
 * runtime·sigreturn__sigaction, musl's __restore_rt — each nothing but
 * `mov $15, %rax; syscall`. Under the filter that syscall traps: a SIGSYS
 * frame, the shim's handler, its own rt_sigreturn — 4.6 µs on the VM this
 * was measured on, against a 3.4 µs kernel delivery in all. So when a
 * frame's restorer is exactly such a stub (checked once per thread and
 * restorer address), the shim puts its own restorer in pretcode,
 * shim_fast_restorer, which does what rt_sigreturn would do (see
 * sigreturn.c for what that is) in user space, under the same conditions
 * as sigreturn.c's local return — plus a few more that keep every step a
 * plain load or an instruction that cannot fault — and otherwise makes the
 * trapped rt_sigreturn from the frame as before. Its one syscall, made
 * only when the kernel's mask must change with the emulated one (the
 * job-control signals, which Go's handlers block), is rt_sigprocmask.
 *
 * What a program can see. The return address of its handler is the
 * shim's restorer, not its sa_restorer. Unwinders find the interrupted
 * frame through the restorer's CFI, a signal frame ('S' augmentation)
 * whose registers live in the ucontext, as glibc describes __restore_rt
 * (sysdeps/unix/sysv/linux/x86_64/libc_sigaction.c); the conformance
 * scenario `unwind` walks from a handler to main with libgcc.
 *
 * The return itself (shim_switch): XRSTOR of the frame's FP area with the
 * features its software-reserved bytes name, the flags a frame may change
 * (FIX_EFLAGS) through POPFQ, the general registers, then RSP and RIP from
 * two TLS slots by a stub of three instructions generated at load into
 * the trampoline page (trampoline.c): with every register restored, only
 * %fs-relative memory can still say where to go, and a shared object's
 * TLS offsets are known only once it is loaded.
 *
 * Atomicity. rt_sigreturn is one syscall; this is many instructions, and
 * the kick or a routed signal (the only signals the kernel delivers in
 * the program's context; they run on the shim's own stack) may land
 * anywhere in them. shim_fastret_fixup, first thing in those handlers,
 * makes the interrupted context one the kernel could have interrupted:
 * before the switch is armed, back to the restorer's first instruction
 * with RSP at the frame — as if the handler had just returned — and
 * re-running from there is idempotent (the mask stores included); once
 * armed, the return completed from the frame (shim_restore_frame), as if
 * rt_sigreturn had run. The libc wrappers switch to a handler's frame the
 * same way (wrappers.c, send_framed), armed before they let go of the
 * thread. */
#include "shim.h"

#define STR_(x) #x
#define STR(x) STR_(x)

#define XSAVE_HDR_OFF 512
#define EFLAGS_TF 0x100UL
#define EFLAGS_RF 0x10000UL
/* The highest user-space address plus one (TASK_SIZE_MAX, 4-level paging):
 * a RIP at or past it would fault in the kernel's IRET, not here. */
#define USER_ADDR_END 0x00007ffffffff000ULL

__thread uint64_t shim_tls_fr_uc __attribute__((tls_model("initial-exec")));
__thread uint32_t shim_tls_fr_active __attribute__((tls_model("initial-exec")));
__thread uint64_t shim_tls_sw_uc __attribute__((tls_model("initial-exec")));
__thread uint32_t shim_tls_sw_armed __attribute__((tls_model("initial-exec")));
__thread uint64_t shim_tls_sw_rsp __attribute__((tls_model("initial-exec")));
__thread uint64_t shim_tls_sw_rip __attribute__((tls_model("initial-exec")));
__thread uint64_t shim_tls_last_xfeat __attribute__((tls_model("initial-exec")));
/* A wrapper's switch (wrappers.c's send_framed) ends a wrapper: the
 * kernel mask its handler runs under, which a completed switch must
 * install, and the wrapper's hold on the thread to release. */
static __thread uint32_t tls_sw_wrapper __attribute__((tls_model("initial-exec")));
static __thread uint64_t tls_sw_kmask __attribute__((tls_model("initial-exec")));

/* The last restorer address checked, and whether it is a stub. */
static __thread uint64_t tls_stub_addr __attribute__((tls_model("initial-exec")));
static __thread uint32_t tls_stub_ok __attribute__((tls_model("initial-exec")));

/* The restorer. Its CFI is glibc's for __restore_rt: CFA = the
 * interrupted RSP (DW_CFA_def_cfa_expression: *(rsp + 160)), and every
 * register at its place in the ucontext that RSP points at on entry
 * (DW_CFA_expression r, rsp + offset): offsets are 40 + 8 × the sigcontext
 * index (shim.h), as SLEB128. The FDE starts one byte early, at a nop, for
 * unwinders that look a return address up minus one. RSP is the frame on
 * entry and again after the call; in between shim_tls_fr_uc has it. */
__asm__(".text\n"
	".globl shim_fastret_begin\n"
	".hidden shim_fastret_begin\n"
	".globl shim_fast_restorer\n"
	".hidden shim_fast_restorer\n"
	".globl shim_fastret_saved\n"
	".hidden shim_fastret_saved\n"
	".globl shim_fastret_end\n"
	".hidden shim_fastret_end\n"
	".type shim_fast_restorer,@function\n"
	"	.cfi_startproc simple\n"
	"	.cfi_signal_frame\n"
	"	.cfi_escape 0x0f, 0x04, 0x77, 0xa0, 0x01, 0x06\n" /* CFA = *(rsp + 160) */
	"	.cfi_escape 0x10, 0x08, 0x02, 0x77, 0x28\n"	 /* r8 at rsp + 40 */
	"	.cfi_escape 0x10, 0x09, 0x02, 0x77, 0x30\n"	 /* r9 48 */
	"	.cfi_escape 0x10, 0x0a, 0x02, 0x77, 0x38\n"	 /* r10 56 */
	"	.cfi_escape 0x10, 0x0b, 0x03, 0x77, 0xc0, 0x00\n" /* r11 64 */
	"	.cfi_escape 0x10, 0x0c, 0x03, 0x77, 0xc8, 0x00\n" /* r12 72 */
	"	.cfi_escape 0x10, 0x0d, 0x03, 0x77, 0xd0, 0x00\n" /* r13 80 */
	"	.cfi_escape 0x10, 0x0e, 0x03, 0x77, 0xd8, 0x00\n" /* r14 88 */
	"	.cfi_escape 0x10, 0x0f, 0x03, 0x77, 0xe0, 0x00\n" /* r15 96 */
	"	.cfi_escape 0x10, 0x05, 0x03, 0x77, 0xe8, 0x00\n" /* rdi 104 */
	"	.cfi_escape 0x10, 0x04, 0x03, 0x77, 0xf0, 0x00\n" /* rsi 112 */
	"	.cfi_escape 0x10, 0x06, 0x03, 0x77, 0xf8, 0x00\n" /* rbp 120 */
	"	.cfi_escape 0x10, 0x03, 0x03, 0x77, 0x80, 0x01\n" /* rbx 128 */
	"	.cfi_escape 0x10, 0x01, 0x03, 0x77, 0x88, 0x01\n" /* rdx 136 */
	"	.cfi_escape 0x10, 0x00, 0x03, 0x77, 0x90, 0x01\n" /* rax 144 */
	"	.cfi_escape 0x10, 0x02, 0x03, 0x77, 0x98, 0x01\n" /* rcx 152 */
	"	.cfi_escape 0x10, 0x07, 0x03, 0x77, 0xa0, 0x01\n" /* rsp 160 */
	"	.cfi_escape 0x10, 0x10, 0x03, 0x77, 0xa8, 0x01\n" /* rip 168 */
	"shim_fastret_begin:\n"
	"	nop\n"
	"shim_fast_restorer:\n"
	"	movq shim_tls_fr_uc@gottpoff(%rip), %rax\n"
	"	movq %rsp, %fs:(%rax)\n"
	"shim_fastret_saved:\n"
	"	movq shim_tls_fr_active@gottpoff(%rip), %rax\n"
	"	movl $1, %fs:(%rax)\n"
	"	movq %rsp, %rdi\n"
	"	movq %rsp, %rbx\n"
	"	andq $-16, %rsp\n"
	"	call shim_fastret_prepare\n" /* returns only to fall back */
	"	movq %rbx, %rsp\n"
	"	movl $15, %eax\n" /* rt_sigreturn, trapped like the program's own */
	"	syscall\n"
	"	ud2\n"
	"shim_fastret_end:\n"
	"	.cfi_endproc\n"
	".size shim_fast_restorer, .-shim_fast_restorer\n"
	/* shim_switch(gregs, fp, rfbm, efl_fix): XRSTOR first and POPFQ
	 * next, since the test and arithmetic change flags and the moves
	 * after POPFQ do not; RSP serves as the base of the loads; the stub
	 * (trampoline.c) disarms and jumps. */
	".globl shim_switch\n"
	".hidden shim_switch\n"
	".type shim_switch,@function\n"
	"shim_switch:\n"
	"	testq %rsi, %rsi\n"
	"	jz 1f\n"
	"	movq %rdx, %rax\n"
	"	shrq $32, %rdx\n"
	"	xrstor64 (%rsi)\n"
	"1:	pushfq\n"
	"	popq %rax\n"
	"	movabsq $~" STR(SHIM_FIX_EFLAGS) ", %r8\n"
	"	andq %r8, %rax\n"
	"	orq %rcx, %rax\n"
	"	pushq %rax\n"
	"	popfq\n"
	"	movq %rdi, %rsp\n"
	"	movq 0(%rsp), %r8\n"
	"	movq 8(%rsp), %r9\n"
	"	movq 16(%rsp), %r10\n"
	"	movq 24(%rsp), %r11\n"
	"	movq 32(%rsp), %r12\n"
	"	movq 40(%rsp), %r13\n"
	"	movq 48(%rsp), %r14\n"
	"	movq 56(%rsp), %r15\n"
	"	movq 64(%rsp), %rdi\n"
	"	movq 72(%rsp), %rsi\n"
	"	movq 80(%rsp), %rbp\n"
	"	movq 88(%rsp), %rbx\n"
	"	movq 96(%rsp), %rdx\n"
	"	movq 104(%rsp), %rax\n"
	"	movq 112(%rsp), %rcx\n"
	"	jmp *shim_switch_stub(%rip)\n"
	".size shim_switch, .-shim_switch\n"
	".section .rodata\n"
	".p2align 3\n"
	"shim_switch_stub:\n"
	"	.quad " STR(SHIM_SWITCH_STUB) "\n"
	".text\n");

_Static_assert(offsetof(struct shim_ucontext, gregs) + 8 * REG_RSP == 160, "CFI: rsp");
_Static_assert(offsetof(struct shim_ucontext, gregs) + 8 * REG_RIP == 168, "CFI: rip");
_Static_assert(offsetof(struct shim_ucontext, gregs) + 8 * REG_R8 == 40, "CFI: r8");

static inline __attribute__((always_inline)) uint32_t rd32(const uint8_t *p)
{
	return *(const volatile uint32_t *)p;
}

static inline __attribute__((always_inline)) uint64_t rd64(const uint8_t *p)
{
	return *(const volatile uint64_t *)p;
}

/* fp_ok checks the FP area fp of a frame at fu, size n (its extended
 * size), before an XRSTOR that must not fault: where this thread's frames
 * put it (right above the ucontext, frame.c), the format its last frame
 * had (the kernel's, copied: fpx_sw_bytes, FP_XSTATE_MAGIC2), a header
 * XRSTOR accepts (XSTATE_BV within XCR0, bytes 8–23 zero: the SDM's #GP
 * conditions for the standard form) and an MXCSR with no reserved bit.
 * *rfbm becomes the features to restore, fpx_sw_bytes.xfeatures, as the
 * kernel restores them (restore_fpregs_from_user()). */
static inline __attribute__((always_inline)) int fp_ok(uint64_t fu, uint64_t fp, uint64_t *rfbm)
{
	const uint8_t *p = (const uint8_t *)fp;
	uint32_t n = shim_tls_last_fpsize;
	if (!fp || (fp & 63) || fp <= fu || fp - fu > 1024 || n < SHIM_XSAVE_MIN || n > shim.xsave_max)
		return 0;
	uint32_t xsize = rd32(p + SHIM_SW_BYTES_OFF + 16);
	uint64_t xfeat = rd64(p + SHIM_SW_BYTES_OFF + 8);
	if (rd32(p + SHIM_SW_BYTES_OFF) != SHIM_FP_XSTATE_MAGIC1 || rd32(p + SHIM_SW_BYTES_OFF + 4) != n || xsize + 4 != n ||
	    xfeat != shim_tls_last_xfeat || (xfeat & ~shim.xcr0) || rd32(p + xsize) != SHIM_FP_XSTATE_MAGIC2)
		return 0;
	if ((rd64(p + XSAVE_HDR_OFF) & ~shim.xcr0) || rd64(p + XSAVE_HDR_OFF + 8) || rd64(p + XSAVE_HDR_OFF + 16))
		return 0;
	if (rd32(p + 24) & ~shim.mxcsr_mask)
		return 0;
	*rfbm = xfeat;
	return 1;
}

/* shim_fastret_prepare is rt_sigreturn's checks and its commit, for the
 * frame fu the restorer found: if everything holds it stores the mask and
 * switches (no return); otherwise it returns and the restorer traps. The
 * conditions beyond sigreturn.c's: no single-step or resume flag (POPFQ
 * cannot set RF); RIP in user space; nothing deliverable once the mask is
 * stored — the trapped return then delivers it over the restored context,
 * as the kernel does on its way out. A kick that lands in here restarts
 * the restorer (shim_fastret_fixup): what happens before the switch, the
 * mask stored and the kernel's set, is idempotent. */
__attribute__((used)) void shim_fastret_prepare(struct shim_ucontext *fu)
{
	const struct siglab_header *g = &shim.cfg;
	uint8_t *t = shim_local_record();
	uint64_t sp = (uint64_t)fu, rfbm = 0;
	if (!t || !shim_tls_chan || !*shim.fork_flag || !shim_tls_emask_valid)
		goto fallback;
	uint64_t rip = fu->gregs[REG_RIP], efl = fu->gregs[REG_EFL];
	if (rip >= USER_ADDR_END || (efl & (EFLAGS_TF | EFLAGS_RF)))
		goto fallback;
	uint64_t *blocked = (uint64_t *)(t + g->geo_thread_blocked);
	uint64_t mask = fu->sigmask & ~SHIM_UNBLOCKABLE;
	uint64_t cur = __atomic_load_n(blocked, __ATOMIC_SEQ_CST);
	if (mask & ~cur)
		goto fallback;
	struct shim_stack st, ns;
	const uint8_t *ast = t + g->geo_thread_alt_stack;
	st.sp = (void *)rd64(ast);
	st.flags = (int32_t)rd32(ast + 8);
	st.size = rd64(ast + 16);
	ns.sp = fu->stack.sp;
	ns.flags = fu->stack.flags;
	ns.size = fu->stack.size;
	if (!shim_altstack_unchanged(&st, &ns, sp))
		goto fallback;
	if (!fp_ok(sp, fu->fpstate, &rfbm))
		goto fallback;

	__atomic_store_n(blocked, mask, __ATOMIC_SEQ_CST);
	/* The kernel's mask follows (what the trapped return puts in
	 * uc_sigmask): it differs only in the signals neither the shim owns
	 * nor routes — the job-control ones, whose native action stops the
	 * thread wherever it is, here as well as after the switch. Go's
	 * handlers, which block every signal, always change it. */
	if (SHIM_KMASK(mask) != SHIM_KMASK(shim_tls_emask)) {
		uint64_t k = SHIM_KMASK(mask);
		sys4(__NR_rt_sigprocmask, 2 /* SIG_SETMASK */, &k, 0, 8);
	}
	shim_tls_emask = mask;
	if (shim_deliverable(shim_tls_slot))
		goto fallback;
	struct siglab_channel *ch = shim_channel(shim_tls_chan - 1);
	__atomic_add_fetch(&ch->local_sigreturns, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&ch->fast_returns, 1, __ATOMIC_RELAXED);
	shim_arm_switch(fu, 0, 0);
	shim_tls_fr_active = 0;
	shim_switch(fu->gregs, (const void *)fu->fpstate, rfbm, efl & SHIM_FIX_EFLAGS);

fallback:
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	shim_tls_fr_active = 0;
}

/* shim_fast_restorer_for returns the restorer a frame gets for the
 * action's restorer r: the shim's, when the emulator lets the shim
 * return locally (Header.local_sigreturn) and r is nothing but
 * rt_sigreturn — `mov $15, %rax` (48 c7 c0 0f 00 00 00, glibc and musl)
 * or `mov $15, %eax` (b8 0f 00 00 00), then `syscall` — read once per
 * thread and address with process_vm_readv(2), which fails rather than
 * faults on a bad address; r itself otherwise. */
uint64_t shim_fast_restorer_for(uint64_t r)
{
	if (!shim_local_record() || !shim.xcr0)
		return r;
	if (r != tls_stub_addr) {
		static const uint8_t q[9] = {0x48, 0xc7, 0xc0, 0x0f, 0, 0, 0, 0x0f, 0x05};
		static const uint8_t l[7] = {0xb8, 0x0f, 0, 0, 0, 0x0f, 0x05};
		uint8_t b[9] = {0};
		uint32_t ok = 0;
		if (shim_read_self(b, r, 7)) {
			ok = 1;
			for (int i = 0; i < 7; i++)
				ok &= b[i] == l[i];
			if (!ok && shim_read_self(b, r, 9)) {
				ok = 1;
				for (int i = 0; i < 9; i++)
					ok &= b[i] == q[i];
			}
		}
		tls_stub_addr = r;
		tls_stub_ok = ok;
	}
	return tls_stub_ok ? (uint64_t)shim_fast_restorer : r;
}

/* shim_fastret_fixup, first in the kick and routed handlers (not for a
 * synchronous fault), moves a context caught inside a fast return (or a
 * wrapper's switch to a frame, wrappers.c) to one the kernel could have
 * interrupted: the switch completed once armed — the stub disarms
 * before it loads RSP, so its last two instructions count too — or the
 * restorer's first instruction with RSP at the frame before that. */
void shim_fastret_fixup(struct shim_ucontext *uc)
{
	uint64_t rip = uc->gregs[REG_RIP];
	if (shim_tls_sw_armed || (rip >= SHIM_SWITCH_STUB + SHIM_SWITCH_STUB_DISARMED &&
				  rip < SHIM_SWITCH_STUB + SHIM_SWITCH_STUB_LEN)) {
		shim_restore_frame((const struct shim_ucontext *)shim_tls_sw_uc, uc);
		if (tls_sw_wrapper) {
			/* What the wrapper had left to do before its switch:
			 * the handler's kernel mask (which also lets a routed
			 * signal it deferred through), and letting go. */
			uc->sigmask = tls_sw_kmask;
			shim_tls_wrap_deferred = 0;
			shim_tls_wrap_block = 0;
			shim_tls_in_wrapper = 0;
			tls_sw_wrapper = 0;
		}
		shim_tls_sw_armed = 0;
		shim_tls_fr_active = 0;
		return;
	}
	if (rip >= (uint64_t)shim_fastret_begin && rip < (uint64_t)shim_fastret_end) {
		if (rip >= (uint64_t)shim_fastret_saved)
			uc->gregs[REG_RSP] = shim_tls_fr_uc;
		uc->gregs[REG_RIP] = (uint64_t)shim_fast_restorer;
		shim_tls_fr_active = 0;
		return;
	}
	if (shim_tls_fr_active) {
		uc->gregs[REG_RSP] = shim_tls_fr_uc;
		uc->gregs[REG_RIP] = (uint64_t)shim_fast_restorer;
		shim_tls_fr_active = 0;
	}
}

void shim_arm_switch(const struct shim_ucontext *uc, int wrapper, uint64_t kmask)
{
	tls_sw_wrapper = (uint32_t)wrapper;
	tls_sw_kmask = kmask;
	shim_tls_sw_rsp = uc->gregs[REG_RSP];
	shim_tls_sw_rip = uc->gregs[REG_RIP];
	shim_tls_sw_uc = (uint64_t)uc;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	shim_tls_sw_armed = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

void shim_switch_armed(const struct shim_ucontext *uc)
{
	shim_switch(uc->gregs, 0, 0, uc->gregs[REG_EFL] & SHIM_FIX_EFLAGS);
}

/* shim_fastret_abandon forgets a fast return a synchronous fault
 * interrupted: the fault is the program's (its frame was bad after all)
 * and goes the way every fault goes (routed.c). */
void shim_fastret_abandon(void)
{
	shim_tls_sw_armed = 0;
	shim_tls_fr_active = 0;
}
