/* sigsys.c — the SIGSYS handler, where every trapped syscall lands, and
 * the kick handler.
 *
 * The SIGSYS handler runs on the thread's private alternate stack with every
 * signal but SIGSYS blocked (init.c), forwards the syscall through the
 * thread's channel, and applies the emulator's answer to the interrupted
 * context: a result in RAX, or the syscall run natively through the
 * trampoline (with arguments the emulator may have sanitised, or another
 * syscall in its place — FLAG_SYSCALL — whose new descriptor may get its
 * own trap filter, FLAG_TRAP_FD, trapfd.c), and
 * optionally a new kernel signal mask, written into uc_sigmask so that the
 * kernel installs it when the handler returns (a sigprocmask(2) here would
 * be undone by that very return), a restart (RIP back over the syscall
 * instruction), a report of a native result (FLAG_REPORT, whose answer is
 * applied in turn), or the death of the process by a signal (KIND_DIE). Then the fast path: publish "running user
 * code", check the fastpath words, and only if something is deliverable ask
 * the emulator what to deliver.
 *
 * Delivery (frame.c) happens in two places: a KIND_DELIVER answer to the
 * syscall itself, and the slow path after the fast-path check; a trapped
 * rt_sigreturn answered with KIND_SIGRETURN restores a frame, and one
 * that only unblocks is restored here without asking (sigreturn.c), as
 * is an rt_sigprocmask that only queries or unblocks.
 *
 * Syscalls in Header.local_set run natively right here without a round
 * trip (the emulator's choice; it measures the trap alone).
 *
 * A vfork child, which shares its parent's TLS and so its channel, never
 * uses that channel: its syscalls run natively (vfork.c).
 */
#include "shim.h"

#define SYS_SECCOMP 1 /* si_code of a seccomp SIGSYS (siginfo.h) */

static void fill_context(struct siglab_channel *ch, struct shim_ucontext *uc)
{
	ch->rip = uc->gregs[REG_RIP];
	ch->rsp = uc->gregs[REG_RSP];
	ch->mask = uc->sigmask;
	ch->req_flags = 0; /* a trap, not a wrapper (wrappers.c) */
}

/* fill_call writes a request about syscall nr with its arguments as the
 * trap left them in the registers (the x86-64 syscall ABI: rdi, rsi, rdx,
 * r10, r8, r9) and the interrupted context. */
static void fill_call(struct siglab_channel *ch, struct shim_ucontext *uc, uint32_t op, long nr)
{
	ch->op = op;
	ch->nr = (uint64_t)nr;
	ch->args[0] = uc->gregs[REG_RDI];
	ch->args[1] = uc->gregs[REG_RSI];
	ch->args[2] = uc->gregs[REG_RDX];
	ch->args[3] = uc->gregs[REG_R10];
	ch->args[4] = uc->gregs[REG_R8];
	ch->args[5] = uc->gregs[REG_R9];
	fill_context(ch, uc);
}

/* shim_die_by ends the process natively by sig (KIND_DIE): the emulator
 * decided that the program dies of an emulated signal, and its parent — a
 * managed process or siglab itself — must see exactly that ending (wait
 * status, core flag) from the kernel. The action becomes SIG_DFL and the
 * signal is sent to this thread while the handler still blocks it; the
 * handler returns at once (the caller's duty), and rt_sigreturn installs
 * uc's mask, which no longer blocks it: the kernel then delivers it on
 * the way back to the program's own context (do_signal → do_group_exit),
 * so a core dump holds the program's registers — where the syscall or the
 * fault was, inside its signal handler's frame if it was in one — rather
 * than the shim's (gdb unwinds a Go program's core through
 * runtime.sigtramp only then). Without uc, or for a signal the handler
 * cannot hold back (SIGKILL; SIGSYS, the shim's own), it dies here. */
void shim_die_by(int32_t sig, struct shim_ucontext *uc)
{
	if (sig < 1 || sig > 64)
		sig = 9; /* SIGKILL: the emulator's reply was malformed, still die */
	struct shim_ksigaction dfl = {0};
	sys4(__NR_rt_sigaction, sig, &dfl, 0, 8);
	uint64_t set = SHIM_SIGBIT(sig);
	if (uc && sig != 9 && sig != SHIM_SIGSYS && !(set & shim.cfg.mirror_set)) {
		uc->sigmask &= ~set;
		sys3(__NR_tgkill, sys0(__NR_getpid), sys0(__NR_gettid), sig);
		return;
	}
	sys4(__NR_rt_sigprocmask, 1 /* SIG_UNBLOCK */, &set, 0, 8);
	sys3(__NR_tgkill, sys0(__NR_getpid), sys0(__NR_gettid), sig);
	sys1(__NR_exit_group, 128 + sig);
	for (;;)
		;
}

int shim_native_args(const struct siglab_channel *ch, uint64_t a[6], uint8_t *blob)
{
	for (int i = 0; i < 6; i++)
		a[i] = ch->r_args[i];
	int32_t ba = ch->blob_arg;
	uint32_t bl = ch->blob_len;
	if (ba >= 0) {
		if (ba > 5 || bl > SIGLAB_BLOB_MAX) {
			shim_note("emulator sent a malformed KIND_NATIVE reply", 0);
			return 0;
		}
		memcpy(blob, ch->blob, bl);
		a[ba] = (uint64_t)blob;
	}
	return 1;
}

/* restart applies FLAG_RESTART: rewind over the 2-byte syscall
 * instruction so the interrupted syscall runs again (RAX already holds the
 * number the emulator chose). */
static void restart(uint32_t flags, struct shim_ucontext *uc)
{
	if (flags & SIGLAB_FLAG_RESTART)
		uc->gregs[REG_RIP] -= 2;
}

__thread uint32_t shim_tls_in_wait __attribute__((tls_model("initial-exec")));
__thread uint64_t shim_tls_emask __attribute__((tls_model("initial-exec")));
__thread uint32_t shim_tls_emask_valid __attribute__((tls_model("initial-exec")));

void shim_set_mask(struct shim_ucontext *uc, uint64_t emulated)
{
	uc->sigmask = SHIM_KMASK(emulated);
	shim_tls_emask = emulated;
	shim_tls_emask_valid = 1;
}
__thread volatile uint32_t shim_tls_intr __attribute__((tls_model("initial-exec")));

/* interruptible runs a native syscall that may sleep (FLAG_INTERRUPTIBLE)
 * so that a signal made pending for the thread meanwhile interrupts it, as
 * the kernel's signal_pending() checks in every interruptible sleep do:
 * publish RunUser (so the emulator kicks instead of waiting for the
 * thread), check the fast path once more (Dekker's pattern with the
 * sender, fastpath/hot.go point 3: a signal sent before the store is seen
 * here, one sent after it is kicked), then sleep with the kick deliverable.
 * The handler mask of SIGSYS blocks everything else; the kick's handler,
 * nested on this stack, only sets shim_tls_intr (shim_kick). -EINTR then
 * goes to the emulator in the report, which makes it the syscall's restart
 * code. */
static long interruptible(struct siglab_channel *ch, long nr, const uint64_t *a)
{
	uint64_t kick = SHIM_SIGBIT(SIGLAB_KICK_SIGNAL);
	long ret = -EINTR;
	shim_tls_intr = 0;
	shim_tls_in_wait = 1;
	__atomic_store_n(&ch->run_state, SIGLAB_RUN_USER, __ATOMIC_SEQ_CST);
	if (!shim_deliverable(shim_tls_slot)) {
		sys4(__NR_rt_sigprocmask, 1 /* SIG_UNBLOCK */, &kick, 0, 8);
		ret = shim_syscall_intr(nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4], (long)a[5],
					&shim_tls_intr);
		sys4(__NR_rt_sigprocmask, 0 /* SIG_BLOCK */, &kick, 0, 8);
	}
	__atomic_store_n(&ch->run_state, SIGLAB_RUN_IN_SHIM, __ATOMIC_SEQ_CST);
	shim_tls_in_wait = 0;
	return ret;
}

/* apply returns 1 if the thread is dying (shim_die_by): the handler must
 * return at once. */
static int apply(struct siglab_channel *ch, struct shim_ucontext *uc, long nr, int report_ok)
{
	uint32_t kind = __atomic_load_n(&ch->kind, __ATOMIC_RELAXED);
	uint32_t flags = __atomic_load_n(&ch->flags, __ATOMIC_RELAXED);
	/* The mask first: a FLAG_REPORT round trip below applies its own. */
	if (flags & SIGLAB_FLAG_SET_MASK)
		shim_set_mask(uc, ch->r_mask);
	switch (kind) {
	case SIGLAB_KIND_COMPLETE:
		uc->gregs[REG_RAX] = (uint64_t)ch->result;
		restart(flags, uc);
		break;
	case SIGLAB_KIND_NATIVE: {
		if (!report_ok) {
			shim_note("emulator answered a report with KIND_NATIVE", 0);
			uc->gregs[REG_RAX] = (uint64_t)-EPROTO;
			break;
		}
		uint64_t a[6];
		uint8_t blob[SIGLAB_BLOB_MAX] __attribute__((aligned(16)));
		if (!shim_native_args(ch, a, blob)) {
			uc->gregs[REG_RAX] = (uint64_t)-EPROTO;
			break;
		}
		/* FLAG_SYSCALL: the emulator's replacement (a signalfd is
		 * an eventfd natively); the report still names nr. */
		long run = nr;
		if (flags & SIGLAB_FLAG_SYSCALL) {
			uint64_t r = ch->r_nr;
			run = r < SIGLAB_MAX_SYSCALL ? (long)r : -1;
		}
		if (run == __NR_exit)
			/* The last thing this thread does: the emulator frees
			 * the channel (and its stack, which we are on) once it
			 * sees the thread gone. */
			__atomic_store_n(&ch->state, SIGLAB_CHAN_EXITING, __ATOMIC_SEQ_CST);
		long ret;
		if (run < 0) {
			shim_note("emulator sent a replacement syscall out of range", 0);
			ret = -ENOSYS;
		} else if (flags & SIGLAB_FLAG_INTERRUPTIBLE)
			ret = interruptible(ch, run, a);
		else
			ret = shim_syscall6(run, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4], (long)a[5]);
		/* FLAG_TRAP_FD (trapfd.c): the new descriptor's reads and
		 * close must reach the emulator; a descriptor that cannot be
		 * trapped is closed and the call fails. */
		if ((flags & SIGLAB_FLAG_TRAP_FD) && (flags & SIGLAB_FLAG_REPORT) && ret >= 0) {
			long t = shim_trap_fd(ret);
			if (t < 0) {
				shim_syscall6(__NR_close, ret, 0, 0, 0, 0, 0);
				ret = t;
			}
		}
		uc->gregs[REG_RAX] = (uint64_t)ret;
		if (flags & SIGLAB_FLAG_REPORT) {
			fill_call(ch, uc, SIGLAB_OP_NATIVE_DONE, nr);
			ch->ret = ret;
			shim_call(ch);
			return apply(ch, uc, nr, 0);
		}
		break;
	}
	case SIGLAB_KIND_DELIVER:
		/* The syscall's result (or restart) first: the frame saves
		 * RAX and RIP. */
		uc->gregs[REG_RAX] = (uint64_t)ch->result;
		restart(flags, uc);
		shim_deliver(ch, uc);
		break;
	case SIGLAB_KIND_SIGRETURN:
		shim_sigreturn(ch, uc);
		break;
	case SIGLAB_KIND_DIE:
		shim_die_by(ch->signo, uc);
		return 1;
	default:
		shim_note("emulator sent an unknown reply kind", kind);
		uc->gregs[REG_RAX] = (uint64_t)-ENOSYS;
	}
	return 0;
}

/* take_restart recognises, in the context a kick or a routed signal
 * interrupted, a native syscall the kernel has set up for a restart: both
 * handlers have SA_RESTART, so -ERESTARTSYS (and -ERESTARTNOINTR) left RIP
 * on the syscall instruction and RAX = the syscall number (x86
 * arch_do_signal_or_restart → handle_signal: "regs->ax = regs->orig_ax;
 * regs->ip -= 2"). The emulated handler may not have SA_RESTART, so the
 * decision is the emulator's: the context goes back to "after the syscall,
 * returned -ERESTARTSYS" and the number is returned (SIGLAB_NO_SYSCALL if
 * the context is no such thing). The test reads the two bytes at RIP,
 * which is the next instruction to run, so mapped — unless the two bytes
 * straddle a page, which is never where an instruction the program is
 * about to execute at RIP ends: the page test only keeps the read in
 * bounds. A thread caught exactly on a syscall instruction it has not yet
 * executed looks the same; it is then treated as interrupted at entry
 * (EINTR only under a handler without SA_RESTART). The other restart codes
 * (-ERESTARTNOHAND, -ERESTART_RESTARTBLOCK) became -EINTR already, which
 * is what they give under any handler; only a kick that finds nothing to
 * deliver leaves them as EINTR where the kernel would have restarted. */
static uint64_t take_restart(struct shim_ucontext *uc)
{
	uint64_t rip = uc->gregs[REG_RIP], rax = uc->gregs[REG_RAX];
	if (rax >= SIGLAB_MAX_SYSCALL || (rip & 4095) == 4095 || rip < 4096)
		return SIGLAB_NO_SYSCALL;
	/* rt_sigreturn is never set up for a restart (restore_sigcontext()
	 * makes orig_ax -1): on its syscall instruction with RAX 15, the
	 * thread is about to return from a handler — a restorer's
	 * `mov $15, %rax; syscall` caught between the two — and an -EINTR
	 * there would lose the frame (return_storm, traced, saw it). */
	if (rax == __NR_rt_sigreturn)
		return SIGLAB_NO_SYSCALL;
	if (*(const volatile uint16_t *)rip != 0x050f) /* syscall */
		return SIGLAB_NO_SYSCALL;
	uc->gregs[REG_RIP] = rip + 2;
	uc->gregs[REG_RAX] = (uint64_t)-512; /* -ERESTARTSYS */
	return rax;
}

/* shim_slow_path asks the emulator what to deliver after the fast path
 * said yes, and delivers it; then checks again, as the kernel keeps
 * delivering while signals are pending (each new frame interrupts the
 * previous handler's first instruction). A KIND_COMPLETE answer means
 * nothing after all (the check may report a signal another thread just
 * took: fastpath/hot.go, point 2). With detect, the first request carries
 * the native syscall the context restarts (take_restart), and the reply
 * says what it returns: RAX = Result, restarted or not (FLAG_RESTART). */
void shim_slow_path(struct siglab_channel *ch, struct shim_ucontext *uc, int detect)
{
	uint64_t inr = detect ? take_restart(uc) : SIGLAB_NO_SYSCALL;
	for (int i = 0; i < 65; i++) {
		__atomic_store_n(&ch->run_state, SIGLAB_RUN_IN_SHIM, __ATOMIC_SEQ_CST);
		ch->op = SIGLAB_OP_SIGNAL;
		ch->nr = inr;
		ch->ret = inr == SIGLAB_NO_SYSCALL ? 0 : -512;
		fill_context(ch, uc);
		shim_call(ch);
		uint32_t kind = __atomic_load_n(&ch->kind, __ATOMIC_RELAXED);
		uint32_t flags = __atomic_load_n(&ch->flags, __ATOMIC_RELAXED);
		if (flags & SIGLAB_FLAG_SET_MASK)
			shim_set_mask(uc, ch->r_mask);
		if (inr != SIGLAB_NO_SYSCALL) {
			if (kind == SIGLAB_KIND_COMPLETE || kind == SIGLAB_KIND_DELIVER) {
				uc->gregs[REG_RAX] = (uint64_t)ch->result;
				restart(flags, uc);
			} else { /* leave the kernel's restart as it was */
				uc->gregs[REG_RIP] -= 2;
				uc->gregs[REG_RAX] = inr;
			}
			inr = SIGLAB_NO_SYSCALL;
		}
		if (kind == SIGLAB_KIND_DELIVER)
			shim_deliver(ch, uc);
		else if (kind == SIGLAB_KIND_DIE) {
			shim_die_by(ch->signo, uc);
			return;
		}
		/* Publish "running user code", then check — whatever the
		 * answer was: a signal sent while this request was in flight
		 * saw RUN_IN_SHIM and sent no kick, trusting this check
		 * (Dekker's pattern, fastpath/hot.go point 3). Skipping it after
		 * a KIND_COMPLETE left such a signal pending until the
		 * process's next trapped syscall (seconds, in notify). */
		__atomic_store_n(&ch->run_state, SIGLAB_RUN_USER, __ATOMIC_SEQ_CST);
		if (!shim_deliverable(shim_tls_slot))
			return;
	}
}

/* on_own_stack reports whether the handler runs on this thread's private
 * signal stack. It does not at a new thread's first contact: the stack is
 * set up by that very trap (installed when the handler returns), so the
 * handler runs on the program's stack, right below the interrupted SP —
 * where a frame for the program's handler would be built, over the
 * shim's own live frame. */
int shim_on_own_stack(void)
{
	uint32_t c = shim_tls_chan;
	char here;
	if (!c)
		return 0;
	const char *st = shim.altstacks[c - 1];
	return st && &here >= st && &here < st + SHIM_ALTSTACK_SIZE;
}

/* deliver_later defers the slow path of a handler that is not on its own
 * stack: the thread kicks itself, and the kick, blocked until this
 * handler returns, runs the check again on the private stack. */
void shim_deliver_later(void)
{
	sys3(__NR_tgkill, sys0(__NR_getpid), sys0(__NR_gettid), SIGLAB_KICK_SIGNAL);
}

/* learn_fp_format records the format of the kernel's signal-frame FP
 * area (fpx_sw_bytes, arch/x86/kernel/fpu/signal.c save_sw_bytes) from a
 * frame it built, for the frames wrappers build (wrappers.c). */
static void learn_fp_format(const struct shim_ucontext *uc)
{
	const uint8_t *fp = (const uint8_t *)uc->fpstate;
	if (!fp)
		return;
	const uint32_t *sw = (const uint32_t *)(fp + SHIM_SW_BYTES_OFF);
	uint32_t xsize = sw[4];
	if (sw[0] != SHIM_FP_XSTATE_MAGIC1 || xsize < SHIM_XSAVE_MIN - 4 || xsize + 4 > shim.xsave_max ||
	    sw[1] != xsize + 4)
		return;
	shim.kfp_xfeat = *(const uint64_t *)(sw + 2);
	__atomic_store_n(&shim.kfp_size, xsize, __ATOMIC_RELEASE);
}

void shim_sigsys(int sig, void *infov, void *ucv)
{
	struct shim_siginfo_sys *info = infov;
	struct shim_ucontext *uc = ucv;
	(void)sig;
	if (info->code != SYS_SECCOMP)
		return; /* a SIGSYS some process sent: not a trap (emulated later) */
	if (!__atomic_load_n(&shim.kfp_size, __ATOMIC_RELAXED))
		learn_fp_format(uc);
	long nr = info->syscall;
	if (nr == __NR_execve || nr == __NR_execveat) {
		/* Only the fd filter traps these (trapfd.c); a vfork child's
		 * exec comes here too, with its own fd table. */
		uc->gregs[REG_RAX] = (uint64_t)shim_exec(nr, uc);
		return;
	}
	if (nr >= 0 && nr < (long)SIGLAB_MAX_SYSCALL && (shim.cfg.local_set[nr / 64] >> (nr % 64) & 1)) {
		uc->gregs[REG_RAX] = (uint64_t)shim_syscall6(nr, (long)uc->gregs[REG_RDI], (long)uc->gregs[REG_RSI],
							     (long)uc->gregs[REG_RDX], (long)uc->gregs[REG_R10],
							     (long)uc->gregs[REG_R8], (long)uc->gregs[REG_R9]);
		/* A vfork child (vfork.c) must not look at its parent's
		 * signals: checked only when something is deliverable. */
		if (shim_tls_chan && *shim.fork_flag && shim_deliverable(shim_tls_slot) && !shim_is_vfork_child()) {
			if (shim_on_own_stack())
				shim_slow_path(shim_channel(shim_tls_chan - 1), uc, 0);
			else
				shim_deliver_later();
		}
		return;
	}
	/* A vfork child holds its parent's channel in TLS: its syscalls
	 * run natively, never through that channel (vfork.c). One gettid(2)
	 * per trap, against a round trip to the emulator. */
	if (shim_is_vfork_child()) {
		shim_vfork_syscall(nr, uc);
		return;
	}
	struct siglab_channel *ch = shim_self(uc);
	__atomic_store_n(&ch->run_state, SIGLAB_RUN_IN_SHIM, __ATOMIC_RELAXED);
	int local = nr == __NR_rt_sigreturn	 ? shim_local_sigreturn(ch, uc)
		    : nr == __NR_rt_sigprocmask ? shim_local_sigprocmask(ch, uc)
						 : 0;
	if (!local) {
		fill_call(ch, uc, SIGLAB_OP_SYSCALL, nr);
		shim_call(ch);
		if (apply(ch, uc, nr, 1))
			return;
	}
	/* Publish "about to run user code" before the final check (Dekker's
	 * pattern with the sender, fastpath/hot.go point 3). */
	__atomic_store_n(&ch->run_state, SIGLAB_RUN_USER, __ATOMIC_SEQ_CST);
	if (shim_deliverable(shim_tls_slot)) {
		if (shim_on_own_stack())
			shim_slow_path(ch, uc, 0);
		else
			shim_deliver_later();
	}
}

/* shim_kick is the handler of the kick signal: the emulator made a signal
 * pending for this thread while it ran its own code or slept in a native
 * syscall. Clear the "kick outstanding" flag first (a kick sent after this
 * point is a new one), then run the fast path from the interrupted context
 * exactly as after a syscall. A kick that finds nothing costs a check, and
 * leaves an interrupted syscall restarting as the kernel set it up (the
 * handler has SA_RESTART); one that finds something lets the emulator
 * decide the interrupted syscall's fate (take_restart). A fork child that
 * has made no trapped syscall yet registers here.
 *
 * A kick caught in the middle of a handler's fast return sees it
 * finished or not yet begun (fastret.c), as a kernel signal would see
 * rt_sigreturn.
 *
 * Nested in the SIGSYS handler of an interruptible native syscall
 * (shim_tls_in_wait), the channel is busy: the kick only marks the
 * syscall interrupted and, if the thread has not yet entered it or the
 * kernel set it up for a restart, makes it return -EINTR
 * (shim_syscall_intr). */
void shim_kick(int sig, void *infov, void *ucv)
{
	struct shim_ucontext *uc = ucv;
	(void)sig;
	(void)infov;
	if (shim_tls_in_wait) {
		struct siglab_channel *ch = shim_channel(shim_tls_chan - 1);
		__atomic_store_n(&ch->kick_pending, 0, __ATOMIC_SEQ_CST);
		shim_tls_intr = 1;
		uint64_t rip = uc->gregs[REG_RIP];
		if ((rip >= (uint64_t)shim_intr_begin && rip < (uint64_t)shim_intr_end) || rip == SIGLAB_TRAMPOLINE_ADDR)
			uc->gregs[REG_RIP] = (uint64_t)shim_intr_eintr;
		return;
	}
	shim_fastret_fixup(uc);
	/* A thread with no channel yet has nothing of ours to look at. A
	 * fork child (its TLS still names its parent's channel) that made no
	 * trapped syscall yet is kicked because the emulator registered it
	 * early, a signal having been sent to it: make first contact now. */
	if (!shim_tls_chan || shim_is_vfork_child())
		return; /* a vfork child: the channel is its parent's (vfork.c) */
	if (shim_tls_in_wrapper) {
		/* A libc wrapper's round trip holds the channel; it runs the
		 * fast-path check itself once done (wrappers.c). */
		__atomic_store_n(&shim_channel(shim_tls_chan - 1)->kick_pending, 0, __ATOMIC_SEQ_CST);
		return;
	}
	struct siglab_channel *ch = shim_self(uc);
	__atomic_store_n(&ch->kick_pending, 0, __ATOMIC_SEQ_CST);
	if (shim_deliverable(shim_tls_slot))
		shim_slow_path(ch, uc, 1);
}
