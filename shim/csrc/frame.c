/* frame.c — the mechanics of emulated delivery: build the frame the kernel
 * would build (arch/x86/kernel/signal_64.c, x64_setup_rt_frame() and
 * get_sigframe()) and restore one at rt_sigreturn (restore_sigcontext()).
 * Every decision — which signal, which stack, which masks — arrived in the
 * reply; this file only lays out bytes and edits the interrupted context.
 *
 * FP state. The kernel saved the interrupted thread's complete FP/vector
 * state in the SIGSYS frame, in the xsave format signal frames use, sized
 * for this CPU's enabled features (its fpx_sw_bytes say how much). The new
 * frame gets a byte-for-byte copy of it, so the handler sees what a kernel-
 * built frame would show, and rt_sigreturn copies the frame's FP state back
 * into the SIGSYS frame, from which the kernel restores the registers when
 * the shim's handler returns: edits made by the program's handler round-
 * trip. The size is bounded by what CPUID leaf 0xD reports (shim.xsave_max).
 *
 * Writes to the program's stack may fault if the emulator chose a bad
 * stack, or the program handed back a bad frame: SIGSEGV is blocked in the
 * shim's handler, so the kernel then kills the process with SIGSEGV —
 * what Linux does to a process whose frame cannot be built or restored
 * (force_sigsegv()).
 */
#include "shim.h"

struct shim_rt_sigframe {
	uint64_t pretcode;
	struct shim_ucontext uc;
	uint8_t info[128];
};
_Static_assert(sizeof(struct shim_rt_sigframe) == 440, "rt_sigframe");

#define EFLAGS_DF 0x400UL
#define EFLAGS_TF 0x100UL
#define EFLAGS_RF 0x10000UL

/* fp_size is the size of the FP area at fp as its software-reserved bytes
 * describe it, within the CPU's bound; a plain fxsave area otherwise. */
static uint32_t fp_size(const uint8_t *fp)
{
	const uint32_t *sw = (const uint32_t *)(fp + SHIM_SW_BYTES_OFF);
	if (sw[0] == SHIM_FP_XSTATE_MAGIC1 && sw[1] > SHIM_FXSAVE_SIZE && sw[1] <= shim.xsave_max)
		return sw[1];
	return SHIM_FXSAVE_SIZE;
}

/* stamp_delivery records handler entry for the delivery-latency metric
 * (Channel.DeliverTime): the frame is built and the context points at the
 * handler, which runs as soon as the kernel returns from this SIGSYS or
 * kick handler. CLOCK_MONOTONIC, the clock the emulator stamps sends with:
 * through the vDSO (vdso.c), or a raw clock_gettime(2) through the
 * trampoline where none was found. */
static void stamp_delivery(struct siglab_channel *ch)
{
	struct shim_timespec ts;
	int r = shim_vdso_clock_gettime ? shim_vdso_clock_gettime(1 /* CLOCK_MONOTONIC */, &ts)
					: (int)sys2(__NR_clock_gettime, 1, &ts);
	if (r == 0)
		ch->deliver_time = (uint64_t)ts.sec * 1000000000ULL + (uint64_t)ts.nsec;
}

__thread uint64_t shim_tls_last_uc __attribute__((tls_model("initial-exec")));
__thread uint64_t shim_tls_last_fp __attribute__((tls_model("initial-exec")));
__thread uint32_t shim_tls_last_fpsize __attribute__((tls_model("initial-exec")));

void shim_deliver(struct siglab_channel *ch, struct shim_ucontext *uc)
{
	int32_t signo = ch->signo;
	uint64_t handler = ch->handler, restorer = ch->restorer, sp = ch->frame_sp;
	if (signo < 1 || signo > 64) {
		shim_note("emulator asked to deliver an invalid signal", signo);
		return;
	}
	const uint8_t *fp = (const uint8_t *)uc->fpstate;
	uint32_t fpsize = fp ? fp_size(fp) : 0;
	if (fp) {
		sp = (sp - fpsize) & ~63UL; /* xsave needs 64-byte alignment */
		memcpy((void *)sp, fp, fpsize);
	}
	uint64_t fpaddr = fp ? sp : 0;
	/* Like the kernel: 16-byte aligned minus the return address slot, so
	 * the handler starts as if called ((rsp + 8) % 16 == 0). */
	sp = ((sp - sizeof(struct shim_rt_sigframe)) & ~15UL) - 8;
	struct shim_rt_sigframe *f = (struct shim_rt_sigframe *)sp;
	f->pretcode = shim_fast_restorer_for(restorer);
	f->uc.flags = uc->flags;
	f->uc.link = 0;
	f->uc.stack.sp = (void *)ch->uc_stack[0];
	f->uc.stack.flags = (int32_t)ch->uc_stack[1];
	f->uc.stack.pad = 0;
	f->uc.stack.size = ch->uc_stack[2];
	memcpy(f->uc.gregs, uc->gregs, sizeof f->uc.gregs);
	f->uc.fpstate = fpaddr;
	memset(f->uc.reserved1, 0, sizeof f->uc.reserved1);
	f->uc.sigmask = ch->uc_mask;
	memcpy(f->info, ch->siginfo, sizeof f->info);

	uc->gregs[REG_RDI] = (uint64_t)signo;
	uc->gregs[REG_RSI] = (uint64_t)&f->info;
	uc->gregs[REG_RDX] = (uint64_t)&f->uc;
	uc->gregs[REG_RAX] = 0;
	uc->gregs[REG_RSP] = sp;
	uc->gregs[REG_RIP] = handler;
	uc->gregs[REG_EFL] &= ~(EFLAGS_DF | EFLAGS_RF | EFLAGS_TF);
	shim_tls_last_uc = (uint64_t)&f->uc;
	shim_tls_last_fp = fpaddr;
	shim_tls_last_fpsize = fpsize;
	shim_tls_last_xfeat = fp && fpsize > SHIM_FXSAVE_SIZE ? *(const uint64_t *)(fp + SHIM_SW_BYTES_OFF + 8) : 0;
	stamp_delivery(ch);
}

void shim_sigreturn(struct siglab_channel *ch, struct shim_ucontext *uc)
{
	shim_restore_frame((const struct shim_ucontext *)ch->frame_sp, uc);
}

void shim_restore_frame(const struct shim_ucontext *fu, struct shim_ucontext *uc)
{
	shim_restore_regs(fu, uc);
	uint8_t *dst = (uint8_t *)uc->fpstate;
	const uint8_t *src = (const uint8_t *)fu->fpstate;
	if (dst && src)
		memcpy(dst, src, shim_fp_restore_size(dst, src));
}

void shim_restore_regs(const struct shim_ucontext *fu, struct shim_ucontext *uc)
{
	uint64_t g[SHIM_NGREG];
	memcpy(g, fu->gregs, sizeof g);
	for (int i = REG_R8; i <= REG_RIP; i++)
		uc->gregs[i] = g[i];
	uc->gregs[REG_EFL] = (uc->gregs[REG_EFL] & ~SHIM_FIX_EFLAGS) | (g[REG_EFL] & SHIM_FIX_EFLAGS);
}

/* Only a frame in the same format as the state it replaces may replace
 * the whole of it; anything else restores the legacy area alone. src
 * needs its first SHIM_FXSAVE_SIZE bytes readable. */
uint32_t shim_fp_restore_size(const uint8_t *dst, const uint8_t *src)
{
	uint32_t n = fp_size(dst);
	return fp_size(src) == n ? n : SHIM_FXSAVE_SIZE;
}
