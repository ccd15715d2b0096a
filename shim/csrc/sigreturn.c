/* sigreturn.c — rt_sigreturn in the shim, without a round trip.
 *
 * A delivery costs two round trips to the emulator: the slow path that
 * builds the frame, and the handler's rt_sigreturn. The second one mostly
 * carries nothing the emulator needs: what rt_sigreturn does to signal
 * state (arch/x86/kernel/signal_64.c, SYSCALL_DEFINE0(rt_sigreturn)) is
 * set_current_blocked(uc_sigmask), restore_altstack(uc_stack) and voiding
 * the restart block — all of them the calling thread's own state — and the
 * kernel does it without a lock beyond siglock. The shim does it itself
 * when that is exact:
 *
 *   - the restored mask only unblocks (or keeps) signals. Blocking more
 *     would need retarget_shared_pending() — waking another thread for a
 *     process-directed signal this one no longer takes — which only the
 *     emulator can do. Unblocking needs nothing: the thread's blocked
 *     word is in the fastpath arena, the emulator reads it there (and
 *     writes it only while this thread is inside the emulator, so nobody
 *     writes it concurrently), and Dekker's pattern (fastpath/hot.go,
 *     point 3) covers a signal sent meanwhile: the sender stores pending
 *     then reads this word; the shim stores the word then, back in
 *     sigsys.c, publishes RunUser and reads pending — one of the two sees
 *     the other, so the signal is delivered at once either way.
 *   - restore_altstack() would change nothing: the frame's uc_stack equals
 *     the thread's alternate stack, or do_sigaltstack() would refuse it
 *     (EPERM while on that stack, EINVAL for a bad mode; rt_sigreturn
 *     ignores both). Anything else is the emulator's (sched's
 *     doSigaltstack).
 *   - no emulated restart block to void: no emulated syscall sets one
 *     (sched/restart.go), a native one lives in the kernel.
 *
 * Header.local_sigreturn is off when the emulator traces (every return is
 * then logged there). Under the summary layout the emulator's per-thread
 * word is left short of the unblocked signals until it next recomputes it,
 * which is safe (fastpath/summary.go): this thread's own check, below in
 * sigsys.c, reads the records. The frame
 * and the FP area it points at are read with process_vm_readv(2) on the
 * thread itself, which fails instead of faulting on a bad pointer; such a
 * frame, like every case above that is not exact, goes to the emulator,
 * which raises the SIGSEGV signal_fault() would.
 */
#include "shim.h"

#define SHIM_SS_ONSTACK 1
#define SHIM_SS_AUTODISARM (1U << 31)

/* Bound on the FP area a local return copies through a private buffer
 * (the CPU's xsave size, CPUID 0xD: about 2.7 KiB with AVX-512, 11 KiB
 * with AMX); a larger one goes to the emulator. On the shim's 64 KiB
 * signal stack. */
#define SHIM_FP_BUF (12 * 1024)

struct shim_iovec {
	void *base;
	uint64_t len;
};

/* shim_read_self copies n bytes at the program's address addr: process_vm_readv(2)
 * on this very thread, which fails where a load would fault. */
int shim_read_self(void *dst, uint64_t addr, uint64_t n)
{
	struct shim_iovec local = {dst, n}, remote = {(void *)addr, n};
	return sys6(__NR_process_vm_readv, shim_tls_tid, &local, 1, &remote, 1, 0) == (long)n;
}

/* read_self2 is shim_read_self of two areas in one call (a syscall costs about a
 * microsecond on the VM this was measured on, a third of the trap). */
static int read_self2(void *d1, uint64_t a1, uint64_t n1, void *d2, uint64_t a2, uint64_t n2)
{
	struct shim_iovec local[2] = {{d1, n1}, {d2, n2}}, remote[2] = {{(void *)a1, n1}, {(void *)a2, n2}};
	return sys6(__NR_process_vm_readv, shim_tls_tid, local, 2, remote, 2, 0) == (long)(n1 + n2);
}

/* on_sig_stack is the kernel's on_sig_stack() for the thread's stack st
 * (sched's onSigStack): never with SS_AUTODISARM. */
static int on_sig_stack(const struct shim_stack *st, uint64_t sp)
{
	if ((uint32_t)st->flags & SHIM_SS_AUTODISARM)
		return 0;
	uint64_t base = (uint64_t)st->sp;
	return sp > base && sp - base <= st->size;
}

int shim_altstack_unchanged(const struct shim_stack *cur, const struct shim_stack *ns, uint64_t sp)
{
	if (on_sig_stack(cur, sp))
		return 1; /* EPERM, ignored */
	uint32_t mode = (uint32_t)ns->flags & ~SHIM_SS_AUTODISARM;
	if (mode != SHIM_SS_DISABLE && mode != SHIM_SS_ONSTACK && mode != 0)
		return 1; /* EINVAL, ignored */
	return ns->sp == cur->sp && ns->size == cur->size && ns->flags == cur->flags;
}

int shim_local_sigreturn(struct siglab_channel *ch, struct shim_ucontext *uc)
{
	const struct siglab_header *g = &shim.cfg;
	uint8_t *t = shim_local_record();
	if (!t)
		return 0;
	uint64_t sp = uc->gregs[REG_RSP];
	struct shim_ucontext fu;
	uint8_t fp[SHIM_FP_BUF] __attribute__((aligned(64)));
	/* The frame is almost always the one this thread's last delivery
	 * built, its FP area where that delivery put it: read both at once,
	 * and believe the FP bytes only if the frame still points there. */
	uint32_t got = 0;
	if (sp == shim_tls_last_uc && shim_tls_last_fp && shim_tls_last_fpsize <= SHIM_FP_BUF &&
	    read_self2(&fu, sp, sizeof fu, fp, shim_tls_last_fp, shim_tls_last_fpsize)) {
		if (fu.fpstate == shim_tls_last_fp)
			got = shim_tls_last_fpsize;
	} else if (!shim_read_self(&fu, sp, sizeof fu)) {
		return 0;
	}

	uint64_t *blocked = (uint64_t *)(t + g->geo_thread_blocked);
	uint64_t mask = fu.sigmask & ~SHIM_UNBLOCKABLE;
	uint64_t cur = __atomic_load_n(blocked, __ATOMIC_SEQ_CST);
	if (mask & ~cur)
		return 0; /* blocks more: retarget_shared_pending is the emulator's */
	/* The emulator writes the thread's stack record only while the
	 * thread is inside it: a plain copy is consistent. */
	struct shim_stack st;
	memcpy(&st, t + g->geo_thread_alt_stack, sizeof st);
	if (!shim_altstack_unchanged(&st, &fu.stack, sp))
		return 0;
	/* The FP area the frame points at, read the same way and into a
	 * private buffer first: a bad pointer is the emulator's to answer
	 * (restore_sigcontext() fails, signal_fault()), and nothing may
	 * change before every read has succeeded. */
	uint8_t *dst = (uint8_t *)uc->fpstate;
	uint32_t n = 0;
	if (dst && fu.fpstate) {
		if (shim.xsave_max > SHIM_FP_BUF)
			return 0;
		if (got < SHIM_FXSAVE_SIZE) {
			if (!shim_read_self(fp, fu.fpstate, SHIM_FXSAVE_SIZE))
				return 0;
			got = SHIM_FXSAVE_SIZE;
		}
		n = shim_fp_restore_size(dst, fp);
		if (n > got && !shim_read_self(fp + got, fu.fpstate + got, n - got))
			return 0;
	}

	__atomic_store_n(blocked, mask, __ATOMIC_SEQ_CST);
	shim_set_mask(uc, mask);
	shim_restore_regs(&fu, uc);
	if (n)
		memcpy(dst, fp, n);
	__atomic_add_fetch(&ch->local_sigreturns, 1, __ATOMIC_RELAXED);
	return 1;
}

/* shim_store_mask: a mask that only unblocks (or keeps) is stored
 * (Header.local_sigreturn). One that blocks more is too under
 * Header.local_block, unless something it newly blocks is pending for the
 * process: __set_task_blocked() then calls retarget_shared_pending() to
 * hand such a signal to another thread, which only the emulator can do.
 * The check follows the store (Dekker's pattern with a sender, which
 * stores the process's pending bit and then reads the threads' blocked
 * words to choose one, complete_signal()): a signal the load misses is
 * sent after the store, and its sender sees this thread blocking it. One
 * the load sees takes the mask back, and the call to the emulator. */
int shim_store_mask(uint64_t *blocked, uint64_t old, uint64_t mask)
{
	if (mask == old)
		return 1;
	if ((mask & ~old) && !shim.cfg.local_block)
		return 0;
	__atomic_store_n(blocked, mask, __ATOMIC_SEQ_CST);
	if ((mask & ~old) && (shim_proc_pending(shim_tls_slot) & mask & ~old)) {
		__atomic_store_n(blocked, old, __ATOMIC_SEQ_CST);
		return 0;
	}
	return 1;
}

int shim_new_mask(long how, uint64_t old, uint64_t set, uint64_t *mask)
{
	uint64_t m = how == 0 ? old | set : how == 1 ? old & ~set : set; /* SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK */
	*mask = m & ~SHIM_UNBLOCKABLE;
	return !(*mask & ~old) || shim.cfg.local_block;
}

int shim_write_oset(uint64_t oset, uint64_t old, long *ret)
{
	struct shim_iovec local = {&old, 8}, remote = {(void *)oset, 8};
	long w = sys6(__NR_process_vm_writev, shim_tls_tid, &local, 1, &remote, 1, 0);
	*ret = w == -EFAULT ? -EFAULT : 0;
	return w == 8 || w == -EFAULT;
}

/* shim_local_sigprocmask answers a trapped rt_sigprocmask(how, set, oset,
 * size) without the emulator, under the conditions of wrappers.c's
 * local_sigmask: the emulator lets the shim write the thread's blocked
 * word (Header.local_sigreturn) and the new mask only unblocks or keeps —
 * a query, a restore after a block, what the Go runtime does around every
 * clone and cgo call — or blocks more where shim_store_mask may.
 * SYSCALL_DEFINE4(rt_sigprocmask) is then: the size
 * checked (EINVAL, the emulator's to say), the set copied in (a bad
 * pointer: the emulator's EFAULT), the mask less SIGKILL and SIGSTOP
 * stored, the old one copied out (EFAULT after the mask changed). The
 * program's memory is read and written with process_vm_readv/writev(2) on
 * the thread, which fail where a load or store would fault. A signal sent
 * meanwhile is covered as for rt_sigreturn (the check after it in
 * sigsys.c). 1 if done (RAX set), 0 if the emulator must answer. */
int shim_local_sigprocmask(struct siglab_channel *ch, struct shim_ucontext *uc)
{
	uint8_t *t = shim_local_record();
	if (!t)
		return 0;
	uint64_t how = uc->gregs[REG_RDI], set = uc->gregs[REG_RSI], oset = uc->gregs[REG_RDX];
	if (uc->gregs[REG_R10] != 8 || (set && how > 2))
		return 0;
	uint64_t *blocked = (uint64_t *)(t + shim.cfg.geo_thread_blocked);
	uint64_t old = __atomic_load_n(blocked, __ATOMIC_SEQ_CST), mask = old, s = 0;
	if (set && (!shim_read_self(&s, set, 8) || !shim_new_mask((long)how, old, s, &mask)))
		return 0;
	long ret = 0;
	if (oset && !shim_write_oset(oset, old, &ret))
		return 0;
	if (!shim_store_mask(blocked, old, mask))
		return 0; /* oset, written already, gets the same value again */
	shim_set_mask(uc, mask);
	uc->gregs[REG_RAX] = (uint64_t)ret;
	__atomic_add_fetch(&ch->local_sigmasks, 1, __ATOMIC_RELAXED);
	return 1;
}
