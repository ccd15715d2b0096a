/* routed.c — signals the kernel raises natively, routed into the emulated
 * state.
 *
 * The program's signal state is the emulator's, but some signals are born
 * in the kernel: synchronous faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGTRAP: force_sig_fault()), SIGPIPE and SIGXFSZ (send_sig() from the
 * write paths), and whatever a process outside the emulation sends. For
 * every signal in Header.route_set the shim installs this handler (init.c)
 * and keeps the signal unblocked in the kernel (SHIM_KMASK): the kernel
 * hands it over at once with its siginfo, and the emulator applies the
 * program's emulated mask and action to it — pending while blocked,
 * discarded while ignored, a frame for the program's handler built over
 * the very context the kernel interrupted (a fault's registers, trap
 * number, error code and CR2 included), or death by it.
 *
 * One round trip pends the signal (OP_KERNEL_SIGNAL: sched.SendNative,
 * which forces a synchronous fault through a blocked or ignored action as
 * force_sig_info_to_task() does); the ordinary fast path and slow path
 * then deliver it, with the interrupted syscall's restart decided there
 * (shim_slow_path). A synchronous fault that is not delivered after that
 * — a frame could not be built, the process is dying — ends the process
 * by the fault: returning would run the faulting instruction again.
 */
#include "shim.h"

#define SIGILL 4
#define SIGTRAP 5
#define SIGBUS 7
#define SIGFPE 8
#define SIGSEGV 11

/* sync_fault reports whether sig, with si_code code, is a fault the
 * kernel raised on this instruction (si_code > 0: SI_KERNEL or a fault
 * code; a kill(2) of SIGSEGV has SI_USER, 0, and is an ordinary signal). */
static int sync_fault(int sig, int32_t code)
{
	switch (sig) {
	case SIGILL:
	case SIGTRAP:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
		return code > 0;
	}
	return 0;
}

void shim_routed(int sig, void *infov, void *ucv)
{
	struct shim_ucontext *uc = ucv;
	const int32_t *info = infov;
	int fault = sync_fault(sig, info[2]);
	/* In the middle of a fast return: seen finished or not begun
	 * (fastret.c) — unless the return itself faulted, on a frame bad
	 * after all, which is the program's fault like any other. */
	if (fault)
		shim_fastret_abandon();
	else
		shim_fastret_fixup(uc);
	/* A vfork child borrows its parent's channel (vfork.c): a fault
	 * kills it as the kernel would; anything else waits for its exec. */
	if (shim_is_vfork_child()) {
		if (fault)
			shim_die_by(sig, uc);
		return;
	}
	if (shim_tls_in_wrapper && !fault) {
		/* A libc wrapper's round trip holds the channel (wrappers.c;
		 * it touches no memory of the program's, so no fault comes
		 * from it): queue the signal to this thread again with its
		 * siginfo (rt_tgsigqueueinfo to oneself accepts any si_code)
		 * and keep it blocked until the wrapper puts its mask back. */
		uint64_t bit = SHIM_SIGBIT(sig);
		sys4(__NR_rt_tgsigqueueinfo, sys0(__NR_getpid), sys0(__NR_gettid), sig, infov);
		uc->sigmask |= bit;
		shim_tls_wrap_block |= bit;
		shim_tls_wrap_deferred = 1;
		return;
	}
	struct siglab_channel *ch = shim_self(uc);
	__atomic_store_n(&ch->run_state, SIGLAB_RUN_IN_SHIM, __ATOMIC_SEQ_CST);
	ch->op = SIGLAB_OP_KERNEL_SIGNAL;
	ch->req_flags = 0;
	ch->nr = SIGLAB_NO_SYSCALL;
	ch->ret = 0;
	memcpy(ch->args, infov, sizeof ch->args);
	ch->rip = uc->gregs[REG_RIP];
	ch->rsp = uc->gregs[REG_RSP];
	ch->mask = uc->sigmask;
	shim_call(ch);
	uint32_t kind = __atomic_load_n(&ch->kind, __ATOMIC_RELAXED);
	if (kind == SIGLAB_KIND_DIE) {
		shim_die_by(ch->signo, uc);
		return;
	}
	if (__atomic_load_n(&ch->flags, __ATOMIC_RELAXED) & SIGLAB_FLAG_SET_MASK)
		shim_set_mask(uc, ch->r_mask);
	__atomic_store_n(&ch->run_state, SIGLAB_RUN_USER, __ATOMIC_SEQ_CST);
	uint64_t rip = uc->gregs[REG_RIP], rsp = uc->gregs[REG_RSP];
	if (shim_deliverable(shim_tls_slot)) {
		if (shim_on_own_stack())
			shim_slow_path(ch, uc, !fault); /* a fault is no syscall; its RIP may be unmapped */
		else if (!fault)
			shim_deliver_later();
	}
	/* Still about to re-run the faulting instruction: nothing took it. */
	if (fault && uc->gregs[REG_RIP] == rip && uc->gregs[REG_RSP] == rsp)
		shim_die_by(sig, uc);
}
