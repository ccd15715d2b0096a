/* wrappers.c — glibc's signal wrappers, interposed: sigaction,
 * sigprocmask, pthread_sigmask, sigpending, kill, raise and syscall,
 * exported by the preloaded shim so that a C program's calls reach the
 * emulator without a SIGSYS trap (Header.wrappers, SIGLAB_REQ_WRAPPER), as
 * Shadow's shim interposes libc.
 *
 * Exactness. Each wrapper does in user space exactly what glibc 2.36 does
 * (signal/sigaction.c and sysdeps/unix/sysv/linux/libc_sigaction.c,
 * nptl/pthread_sigmask.c, signal/sigprocmask.c, sysdeps/unix/sysv/linux/
 * sigpending.c, nptl/pthread_kill.c for raise) and then makes the very
 * syscall glibc would make, with the same arguments: the emulator sees no
 * difference but the path. That includes what glibc adds: SA_RESTORER and
 * its own __restore_rt as the restorer of every action (found in glibc's
 * text, below), EINVAL without a syscall for a signal number out of range
 * or one of glibc's internal signals (SIGCANCEL 32, SIGSETXID 33) in
 * sigaction and raise, and those two removed from a sigprocmask set.
 * pthread_sigmask returns the error number, the others set errno through
 * glibc's __errno_location (a weak reference: the shim links nothing).
 *
 * The path. A thread with a channel sends the call itself (OP_SYSCALL with
 * SIGLAB_REQ_WRAPPER); the emulator answers KIND_COMPLETE, with the new
 * emulated mask, or KIND_NATIVE (run through the trampoline, reported back
 * if asked) — or, to a send that may reach the caller
 * (SIGLAB_REQ_FRAME, send_framed below), with the frame itself. Otherwise
 * there is no trap context to build a frame over: a signal the call made
 * deliverable is found by the
 * fast-path check afterwards and the thread kicks itself
 * (shim_deliver_later); the kick, blocked until the final mask goes in,
 * arrives on the way out of that rt_sigprocmask and delivers from a real
 * signal context (handler, default action, death) before the wrapper
 * returns — where the kernel delivers it, on the way out of the syscall.
 * Everything else — no channel yet (first contact), a fork child that has
 * not registered, a vfork child (vfork.c), wrappers switched off, or no
 * siglab at all — issues the syscall instruction from here, which the
 * filter traps (or, outside siglab, the kernel runs), exactly as glibc's
 * own instruction would be.
 *
 * Async-signal safety. The channel carries one request at a time, and the
 * kick and routed-signal handlers use it. Blocking every signal around the
 * round trip would cost two rt_sigprocmask calls per wrapper; instead the
 * thread marks itself (shim_tls_in_wrapper) and the two handlers defer:
 * the kick only clears kick_pending, since the wrapper runs the fast-path
 * check itself after the round trip (it announced RUN_IN_SHIM, so the
 * emulator sends no kick meanwhile — Dekker's pattern as in the SIGSYS
 * handler), and a routed signal is queued to the thread again with its
 * siginfo and blocked in the interrupted context, to be unblocked by the
 * wrapper's final mask. The mirrored job-control signals keep their native
 * action and stop the thread wherever it is, as always. No fault can come
 * from the round trip: the program's memory is read before it (as glibc
 * reads it before its syscall, so a bad pointer faults where glibc's
 * would, with the shim's handlers free) and the emulator reads and writes
 * the rest itself. The kernel mask is the emulated one whenever the thread
 * runs its own code, so a wrapper makes an rt_sigprocmask only when the
 * emulator says the call changed the mask (or a routed signal was
 * deferred).
 *
 * sigprocmask and pthread_sigmask answer a query, or a mask that only
 * unblocks, without the emulator (local_sigmask, the conditions of
 * sigreturn.c's local rt_sigreturn).
 *
 * pthread_kill is not interposed: its target's kernel tid lives in glibc's
 * private struct pthread, whose layout no interface publishes.
 */
#include "shim.h"

#define EXPORT __attribute__((visibility("default")))
#define SIG_BLOCK_ 0
#define SIG_UNBLOCK_ 1
#define SIG_SETMASK_ 2
#define SIGCANCEL_ 32
#define SIGSETXID_ 33
#define INTERNAL_SIGNALS (SHIM_SIGBIT(SIGCANCEL_) | SHIM_SIGBIT(SIGSETXID_))

/* glibc's, resolved by ld.so in a glibc process; null elsewhere. */
extern int *__errno_location(void) __attribute__((weak, visibility("default")));
extern int __sigaction(int, const void *, void *) __attribute__((weak, visibility("default")));

/* glibc's struct sigaction on x86-64 (bits/sigaction.h): the handler, a
 * 1024-bit sigset_t, int sa_flags, sa_restorer. */
struct glibc_sigaction {
	void *handler;
	uint64_t mask[16];
	int32_t flags;
	int32_t pad;
	void (*restorer)(void);
};
_Static_assert(sizeof(struct glibc_sigaction) == 152, "glibc struct sigaction");
_Static_assert(offsetof(struct glibc_sigaction, flags) == 136, "sa_flags");
_Static_assert(offsetof(struct glibc_sigaction, restorer) == 144, "sa_restorer");

/* raw_syscall is glibc's own instruction: made from the shim's text, not
 * the trampoline, so the filter traps it (shim_sigsys) like any other. */
#define raw_syscall(nr, a, b, c, d) shim_raw_syscall6((nr), (a), (b), (c), (d), 0, 0)

/* The fallback restorer for a libc whose __restore_rt is not found: the
 * same instructions (libgcc's unwinder recognises a signal frame by them),
 * trapped like glibc's. */
__asm__(".text\n"
	".type shim_wrap_restore_rt,@function\n"
	"shim_wrap_restore_rt:\n"
	"	movq $15, %rax\n"
	"	syscall\n"
	".size shim_wrap_restore_rt, .-shim_wrap_restore_rt\n");
extern void shim_wrap_restore_rt(void) HIDDEN;

/* glibc_restorer finds glibc's __restore_rt, the sa_restorer its
 * sigaction gives the kernel (SET_SA_RESTORER): a local symbol, but
 * defined in the same file as __libc_sigaction, which __sigaction tail
 * calls, and made of `movq $15, %rax; syscall`
 * (sysdeps/unix/sysv/linux/x86_64/libc_sigaction.c, RESTORE). The bytes
 * after __sigaction are read with process_vm_readv(2) on this process, so
 * a short text segment cannot fault; a unique match is taken, anything
 * else falls back to the shim's copy. Its syscalls (and raise's getpid
 * and gettid) are made as glibc makes them, not through the trampoline:
 * preloaded outside siglab, the shim has none. Computed once; racing threads
 * compute the same value. */
static uint64_t restorer_cache;

static uint64_t glibc_restorer(void)
{
	uint64_t r = __atomic_load_n(&restorer_cache, __ATOMIC_RELAXED);
	if (r)
		return r;
	r = (uint64_t)shim_wrap_restore_rt;
	if (__sigaction) {
		static const uint8_t pat[9] = {0x48, 0xc7, 0xc0, 0x0f, 0, 0, 0, 0x0f, 0x05};
		uint8_t buf[512];
		struct {
			void *base;
			uint64_t len;
		} loc = {buf, sizeof buf}, rem = {(void *)__sigaction, sizeof buf};
		long n = shim_raw_syscall6(__NR_process_vm_readv, raw_syscall(__NR_getpid, 0, 0, 0, 0), (long)&loc, 1,
				      (long)&rem, 1, 0);
		long found = -1, matches = 0;
		for (long i = 0; i + (long)sizeof pat <= n; i++) {
			long k = 0;
			while (k < (long)sizeof pat && buf[i + k] == pat[k])
				k++;
			if (k == (long)sizeof pat)
				found = i, matches++;
		}
		if (matches == 1)
			r = (uint64_t)__sigaction + (uint64_t)found;
	}
	__atomic_store_n(&restorer_cache, r, __ATOMIC_RELAXED);
	return r;
}

/* ret_errno turns a raw result into glibc's: -1 with errno, or the value. */
static long ret_errno(long r)
{
	if (r < 0 && r > -4096) {
		if (__errno_location)
			*__errno_location() = (int)-r;
		return -1;
	}
	return r;
}

static void set_errno(int e)
{
	if (__errno_location)
		*__errno_location() = e;
}

__thread volatile uint32_t shim_tls_in_wrapper __attribute__((tls_model("initial-exec")));
__thread volatile uint32_t shim_tls_wrap_deferred __attribute__((tls_model("initial-exec")));
__thread volatile uint64_t shim_tls_wrap_block __attribute__((tls_model("initial-exec")));

static long round_trip_as(struct siglab_channel *ch, uint32_t req, long nr, const long *a, uint64_t sp,
			  uint64_t *mask, int *set_mask);

/* round_trip sends the call over the thread's channel and applies the
 * answer (KIND_COMPLETE, or KIND_NATIVE with an optional report); *mask
 * becomes the emulator's new kernel mask if it sent one (*set_mask). */
static long round_trip(struct siglab_channel *ch, long nr, const long *a, uint64_t sp, uint64_t *mask,
		       int *set_mask)
{
	return round_trip_as(ch, SIGLAB_REQ_WRAPPER, nr, a, sp, mask, set_mask);
}

/* round_trip_as is round_trip with the request's flags: with
 * SIGLAB_REQ_FRAME a KIND_DELIVER or KIND_DIE answer is left in the
 * channel for the caller (send_framed), which gets -EINPROGRESS. */
static long round_trip_as(struct siglab_channel *ch, uint32_t req, long nr, const long *a, uint64_t sp,
			  uint64_t *mask, int *set_mask)
{
	ch->op = SIGLAB_OP_SYSCALL;
	ch->req_flags = req;
	ch->nr = (uint64_t)nr;
	for (int i = 0; i < 6; i++)
		ch->args[i] = (uint64_t)a[i];
	ch->rip = (uint64_t)__builtin_return_address(0);
	ch->rsp = sp;
	ch->mask = 0; /* not known without a syscall; the emulator keeps it */
	shim_call(ch);
	long ret;
	for (int round = 0;; round++) {
		uint32_t kind = __atomic_load_n(&ch->kind, __ATOMIC_RELAXED);
		uint32_t flags = __atomic_load_n(&ch->flags, __ATOMIC_RELAXED);
		if (flags & SIGLAB_FLAG_SET_MASK) {
			shim_tls_emask = ch->r_mask;
			shim_tls_emask_valid = 1;
			*mask = SHIM_KMASK(shim_tls_emask);
			*set_mask = 1;
		}
		if (kind == SIGLAB_KIND_COMPLETE)
			return ch->result;
		if ((req & SIGLAB_REQ_FRAME) && (kind == SIGLAB_KIND_DELIVER || kind == SIGLAB_KIND_DIE) &&
		    !(flags & SIGLAB_FLAG_RESTART))
			return -EINPROGRESS;
		if (kind != SIGLAB_KIND_NATIVE || round > 0 ||
		    (flags & (SIGLAB_FLAG_SYSCALL | SIGLAB_FLAG_TRAP_FD | SIGLAB_FLAG_INTERRUPTIBLE | SIGLAB_FLAG_RESTART))) {
			shim_note("emulator sent a reply a wrapper cannot apply", kind);
			return -EPROTO;
		}
		uint64_t ra[6];
		uint8_t blob[SIGLAB_BLOB_MAX] __attribute__((aligned(16)));
		if (!shim_native_args(ch, ra, blob))
			return -EPROTO;
		ret = shim_syscall6(nr, (long)ra[0], (long)ra[1], (long)ra[2], (long)ra[3], (long)ra[4], (long)ra[5]);
		if (!(flags & SIGLAB_FLAG_REPORT))
			return ret;
		ch->op = SIGLAB_OP_NATIVE_DONE;
		ch->req_flags = SIGLAB_REQ_WRAPPER;
		ch->nr = (uint64_t)nr;
		for (int i = 0; i < 6; i++)
			ch->args[i] = (uint64_t)a[i];
		ch->ret = ret;
		shim_call(ch);
	}
}

/* may_wrap reports whether this thread may use its channel (see the
 * file's comment). */
static int may_wrap(void)
{
	return shim.cfg.wrappers && shim_tls_chan && *shim.fork_flag && !shim_is_vfork_child();
}

static void enter(void)
{
	shim_tls_in_wrapper = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/* leave ends a wrapper's hold on the channel (enter): the kernel mask
 * and the fast-path check (see wrapped). */
static void leave(struct siglab_channel *ch, int set_mask, uint64_t mask);

/* wrapped makes syscall nr as glibc would, through the channel when the
 * thread may use it (may_wrap), else with the trapped instruction. */
static long wrapped(long nr, long a1, long a2, long a3, long a4)
{
	if (!may_wrap())
		return raw_syscall(nr, a1, a2, a3, a4);
	const long a[6] = {a1, a2, a3, a4, 0, 0};
	uint64_t mask = 0;
	int set_mask = 0;
	struct siglab_channel *ch = shim_channel(shim_tls_chan - 1);
	enter();
	__atomic_store_n(&ch->run_state, SIGLAB_RUN_IN_SHIM, __ATOMIC_SEQ_CST);
	long ret = round_trip(ch, nr, a, (uint64_t)__builtin_frame_address(0), &mask, &set_mask);
	ch->req_flags = 0;
	leave(ch, set_mask, mask);
	return ret;
}

static void leave(struct siglab_channel *ch, int set_mask, uint64_t mask)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	shim_tls_in_wrapper = 0;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	/* The kernel mask: the emulator's new one if the call changed it
	 * (it answers FLAG_SET_MASK only then: the kernel mask is the
	 * emulated one everywhere else in user code), else the one the call
	 * found, less the routed signals deferred meanwhile. Installed before
	 * the check, so that what it unblocks is delivered by the kernel's
	 * own path (a deferred routed signal) or by the kick below. */
	uint64_t deferred = shim_tls_wrap_deferred ? shim_tls_wrap_block : 0;
	shim_tls_wrap_deferred = 0;
	shim_tls_wrap_block = 0;
	if (set_mask)
		sys4(__NR_rt_sigprocmask, SIG_SETMASK_, &mask, 0, 8);
	else if (deferred)
		sys4(__NR_rt_sigprocmask, SIG_UNBLOCK_, &deferred, 0, 8);
	/* Publish "running user code", then check (Dekker's pattern with
	 * the sender, fastpath/hot.go point 3): the self-kick delivers at
	 * once, from a signal context over this one. */
	__atomic_store_n(&ch->run_state, SIGLAB_RUN_USER, __ATOMIC_SEQ_CST);
	if (shim_deliverable(shim_tls_slot))
		shim_deliver_later();
}

/* local_sigmask answers rt_sigprocmask(how, set, oset, 8) without the
 * emulator when that is exact, as sigreturn.c answers rt_sigreturn: the
 * emulator allowed the shim to write the thread's blocked word
 * (Header.local_sigreturn: the layout's check reads it as it is, and the
 * emulator reads it there), and the new mask only unblocks or keeps — or
 * blocks more where shim_store_mask (sigreturn.c) may: blocking more can
 * need retarget_shared_pending(), the emulator's. Then
 * rt_sigprocmask (kernel/signal.c) is: the new mask less SIGKILL and
 * SIGSTOP stored, the old one written to oset (a bad oset fails with
 * EFAULT and the mask still changes, as copy_to_user fails after it) with
 * process_vm_writev(2) on the thread, which fails where a store would
 * fault. A signal sent meanwhile: the sender stores pending
 * then reads RunState, which stays RUN_USER; the shim stores the word
 * then checks pending (leave) — Dekker's pattern, fastpath/hot.go point
 * 3. The kick and routed handlers defer meanwhile (enter), so no handler
 * runs between the load of the word and the store. Returns 1 with *ret
 * set if done, 0 if the emulator must answer. */
static int local_sigmask(long how, const uint64_t *set, uint64_t *oset, long *ret)
{
	uint8_t *t = shim_local_record();
	if (!t || !may_wrap())
		return 0;
	if (set && (how < SIG_BLOCK_ || how > SIG_SETMASK_))
		return 0; /* EINVAL: the emulator's to say */
	uint64_t *blocked = (uint64_t *)(t + shim.cfg.geo_thread_blocked);
	struct siglab_channel *ch = shim_channel(shim_tls_chan - 1);
	uint64_t s = set ? *set : 0; /* readable: sigmask_ read it as glibc does */
	enter();
	uint64_t old = __atomic_load_n(blocked, __ATOMIC_SEQ_CST), mask = old;
	*ret = 0;
	/* oset is written before the mask is stored, so that a write refused
	 * for another reason than EFAULT leaves the call to the emulator
	 * with nothing changed. */
	if ((set && !shim_new_mask(how, old, s, &mask)) || (oset && !shim_write_oset((uint64_t)oset, old, ret))) {
		leave(ch, 0, 0);
		return 0;
	}
	if (!shim_store_mask(blocked, old, mask)) {
		leave(ch, 0, 0); /* the emulator's after all: oset gets the same value again */
		return 0;
	}
	if (mask != old) {
		shim_tls_emask = mask;
		shim_tls_emask_valid = 1;
	}
	__atomic_add_fetch(&ch->local_sigmasks, 1, __ATOMIC_RELAXED);
	leave(ch, mask != old, SHIM_KMASK(mask));
	return 1;
}

EXPORT int sigaction(int sig, const struct glibc_sigaction *act, struct glibc_sigaction *oact)
{
	if (sig <= 0 || sig > 64 || sig == SIGCANCEL_ || sig == SIGSETXID_) {
		set_errno(EINVAL);
		return -1;
	}
	struct shim_ksigaction kact, koact;
	if (act) {
		kact.handler = (void (*)(int, void *, void *))act->handler;
		kact.mask = act->mask[0];
		/* int sa_flags | SA_RESTORER, widened as C widens an int. */
		kact.flags = (unsigned long)(long)(act->flags | (int32_t)SHIM_SA_RESTORER);
		kact.restorer = (void (*)(void))glibc_restorer();
	}
	long r = wrapped(__NR_rt_sigaction, sig, act ? (long)&kact : 0, oact ? (long)&koact : 0, 8);
	if (oact && r >= 0) {
		oact->handler = (void *)koact.handler;
		/* glibc copies its whole 128-byte kernel_sigaction mask, of
		 * which the kernel wrote 8 bytes: the rest is whatever its
		 * stack held. Zero here. */
		oact->mask[0] = koact.mask;
		for (int i = 1; i < 16; i++)
			oact->mask[i] = 0;
		oact->flags = (int32_t)koact.flags;
		oact->restorer = koact.restorer;
	}
	return (int)ret_errno(r);
}

static int sigmask_(int how, const uint64_t *set, uint64_t *oset)
{
	uint64_t local;
	if (set && (*set & INTERNAL_SIGNALS)) {
		local = *set & ~INTERNAL_SIGNALS;
		set = &local;
	}
	long r;
	if (!local_sigmask(how, set, oset, &r))
		r = wrapped(__NR_rt_sigprocmask, how, (long)set, (long)oset, 8);
	return r < 0 && r > -4096 ? (int)-r : 0;
}

EXPORT int pthread_sigmask(int how, const uint64_t *set, uint64_t *oset)
{
	return sigmask_(how, set, oset);
}

EXPORT int sigprocmask(int how, const uint64_t *set, uint64_t *oset)
{
	int e = sigmask_(how, set, oset);
	if (e == 0)
		return 0;
	set_errno(e);
	return -1;
}

EXPORT int sigpending(uint64_t *set)
{
	return (int)ret_errno(wrapped(__NR_rt_sigpending, (long)set, 8, 0, 0));
}

/* Sends that may reach the caller: kill(2) with a signal, tgkill(2) —
 * through kill(3), raise(3) and syscall(3). The kernel delivers such a
 * signal on the way out of the syscall, over the context the call returns
 * to; through the trap that is one round trip (the emulator answers with
 * the frame, KIND_DELIVER). These wrappers can take the frame too
 * (SIGLAB_REQ_FRAME): an entry stub in assembly (WRAP_ENTRY) saves what
 * a context needs that C cannot see — the callee-saved registers, the
 * return address, the caller's stack pointer — and on a KIND_DELIVER
 * answer send_framed makes the context its caller has once the call has
 * returned (the result in RAX, errno already set; the caller-saved
 * registers are lost across any call), with its FP state saved by XSAVE in
 * the format of the kernel's frames (learned from the first SIGSYS
 * frame), builds the handler's frame over it (frame.c) and switches to
 * the handler (fastret.c), armed first, so that a kick or routed signal
 * landing in between sees the switch done and delivers over the handler
 * as the kernel nests a second frame. The frame goes SEND_GAP bytes below
 * the wrapper's stack pointer, past everything the wrapper still calls.
 * Without a channel, the kernel's frame format or XSAVE, the send takes
 * the trap, as glibc's own instruction would. */
#define SEND_GAP 2048

struct wrap_regs {
	uint64_t rbx, rbp, r12, r13, r14, r15;
	uint64_t rdi, rsi, rdx, rcx, r8, r9;
	uint64_t arg7;     /* the first stack argument (syscall's sixth) */
	uint64_t entry_sp; /* where the return address is */
};
_Static_assert(sizeof(struct wrap_regs) == 112, "WRAP_ENTRY's layout");

/* WRAP_ENTRY(name, impl): the exported name saves the registers into a
 * struct wrap_regs on its stack, aligned to 16 bytes whatever the caller's
 * alignment was (glibc's wrappers do not need it, so callers get away
 * without), and returns impl(&regs)'s result. Its CFI finds the return
 * address through entry_sp: CFA = *(rsp + 104) + 8. */
#define WRAP_ENTRY(name, impl, vis)                                                        \
	".globl " name "\n" vis                                                            \
	".type " name ",@function\n" name ":\n"                                            \
	"	.cfi_startproc\n"                                                          \
	"	movq %rsp, %rax\n"                                                         \
	"	.cfi_def_cfa %rax, 8\n"                                                    \
	"	subq $112, %rsp\n"                                                         \
	"	andq $-16, %rsp\n"                                                         \
	"	movq %rax, 104(%rsp)\n"                                                    \
	"	.cfi_escape 0x0f, 0x06, 0x77, 0xe8, 0x00, 0x06, 0x23, 0x08\n"              \
	"	movq %rbx, 0(%rsp)\n"                                                      \
	"	movq %rbp, 8(%rsp)\n"                                                      \
	"	movq %r12, 16(%rsp)\n"                                                     \
	"	movq %r13, 24(%rsp)\n"                                                     \
	"	movq %r14, 32(%rsp)\n"                                                     \
	"	movq %r15, 40(%rsp)\n"                                                     \
	"	movq %rdi, 48(%rsp)\n"                                                     \
	"	movq %rsi, 56(%rsp)\n"                                                     \
	"	movq %rdx, 64(%rsp)\n"                                                     \
	"	movq %rcx, 72(%rsp)\n"                                                     \
	"	movq %r8, 80(%rsp)\n"                                                      \
	"	movq %r9, 88(%rsp)\n"                                                      \
	"	movq 8(%rax), %rax\n"                                                      \
	"	movq %rax, 96(%rsp)\n"                                                     \
	"	movq %rsp, %rdi\n"                                                         \
	"	call " impl "\n"                                                           \
	"	movq 104(%rsp), %rsp\n"                                                    \
	"	.cfi_def_cfa %rsp, 8\n"                                                    \
	"	ret\n"                                                                     \
	"	.cfi_endproc\n"                                                            \
	".size " name ", .-" name "\n"

__asm__(".text\n" WRAP_ENTRY("kill", "shim_kill_impl", "") WRAP_ENTRY("raise", "shim_raise_impl", "")
		WRAP_ENTRY("shim_syscall_send", "shim_syscall_send_impl", ".hidden shim_syscall_send\n")
	/* syscall(3): glibc's own (sysdeps/unix/sysv/linux/x86_64/syscall.S),
	 * frameless — a vfork or clone made through it returns on whatever
	 * stack it has — but kill and tgkill go to shim_syscall_send. */
	".globl syscall\n"
	".type syscall,@function\n"
	"syscall:\n"
	"	.cfi_startproc\n"
	"	cmpq $62, %rdi\n"
	"	je shim_syscall_send\n"
	"	cmpq $234, %rdi\n"
	"	je shim_syscall_send\n"
	SHIM_ASM_SYSCALL_ARGS
	"	syscall\n"
	"	cmpq $-4095, %rax\n"
	"	jae 1f\n"
	"	ret\n"
	"1:	movq %rax, %rdi\n"
	"	jmp shim_syscall_error\n"
	"	.cfi_endproc\n"
	".size syscall, .-syscall\n");

__attribute__((used)) long shim_syscall_error(long r)
{
	return ret_errno(r);
}

/* kernel_fp_save writes the FP state into fp (64-byte aligned, size + 4
 * bytes) as the kernel writes a signal frame's (copy_fpstate_to_sigframe:
 * XSAVE of the frame's features, FP and SSE always marked present in
 * XSTATE_BV, fpx_sw_bytes, FP_XSTATE_MAGIC2 after the area). */
static void kernel_fp_save(uint8_t *fp, uint32_t size, uint64_t xfeat)
{
	memset(fp + SHIM_SW_BYTES_OFF, 0, 48 + 64); /* fpx_sw_bytes and the XSAVE header */
	__asm__ volatile("xsave64 (%0)" : : "r"(fp), "a"((uint32_t)xfeat), "d"((uint32_t)(xfeat >> 32)) : "memory");
	uint32_t *sw = (uint32_t *)(fp + SHIM_SW_BYTES_OFF);
	sw[0] = SHIM_FP_XSTATE_MAGIC1;
	sw[1] = size + 4;
	*(uint64_t *)(sw + 2) = xfeat;
	sw[4] = size;
	*(uint64_t *)(fp + 512) |= 3; /* XFEATURE_MASK_FPSSE */
	*(uint32_t *)(fp + size) = SHIM_FP_XSTATE_MAGIC2;
}

/* send_framed makes syscall nr (kill or tgkill) for the wrapper whose
 * registers are w, and returns glibc's result — or, if the emulator
 * delivers a signal, never returns: the handler runs, and its return
 * (to the context built here) is the wrapper's. With self (raise), a1
 * and a2 are filled in: the thread's own pid and tid. */
static long send_framed(const struct wrap_regs *w, long nr, long a1, long a2, long a3, int self)
{
	uint32_t fsize = __atomic_load_n(&shim.kfp_size, __ATOMIC_ACQUIRE);
	if (!fsize || !shim.xcr0 || !may_wrap()) {
		if (self) {
			a2 = raw_syscall(__NR_gettid, 0, 0, 0, 0);
			a1 = raw_syscall(__NR_getpid, 0, 0, 0, 0);
		}
		return ret_errno(raw_syscall(nr, a1, a2, a3, 0));
	}
	if (self)
		a1 = shim_tls_pid, a2 = shim_tls_tid; /* may_wrap: this thread's channel */
	uint8_t fpraw[fsize + 4 + 64];
	uint8_t *fp = (uint8_t *)(((uint64_t)fpraw + 63) & ~63UL);
	struct shim_ucontext suc;
	const long a[6] = {a1, a2, a3, 0, 0, 0};
	uint64_t mask = 0, sp;
	int set_mask = 0;
	struct siglab_channel *ch = shim_channel(shim_tls_chan - 1);
	uint64_t kmask = shim_tls_emask_valid ? SHIM_KMASK(shim_tls_emask) : ~0ULL; /* in force now */
	__asm__ volatile("movq %%rsp, %0" : "=r"(sp));
	enter();
	__atomic_store_n(&ch->run_state, SIGLAB_RUN_IN_SHIM, __ATOMIC_SEQ_CST);
	long r = round_trip_as(ch, SIGLAB_REQ_WRAPPER | SIGLAB_REQ_FRAME, nr, a, (sp - SEND_GAP) & ~15UL, &mask,
			       &set_mask);
	ch->req_flags = 0;
	if (r != -EINPROGRESS) {
		leave(ch, set_mask, mask);
		return ret_errno(r);
	}
	if (__atomic_load_n(&ch->kind, __ATOMIC_RELAXED) == SIGLAB_KIND_DIE) {
		shim_tls_in_wrapper = 0;
		shim_die_by(ch->signo, 0);
	}
	long rv = ret_errno(ch->result);

	/* The caller's context after the call: the kernel's frame of a
	 * syscall would have RCX = the return address and R11 = the flags
	 * (the syscall instruction's); CS and SS are the 64-bit user ones
	 * (setup_sigcontext writes GS and FS as 0). */
	uint64_t efl;
	__asm__ volatile("pushfq\n\tpopq %0" : "=r"(efl));
	memset(&suc, 0, sizeof suc);
	suc.flags = 7; /* UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS */
	uint64_t *g = suc.gregs;
	g[REG_RBX] = w->rbx, g[REG_RBP] = w->rbp, g[REG_R12] = w->r12, g[REG_R13] = w->r13;
	g[REG_R14] = w->r14, g[REG_R15] = w->r15;
	g[REG_RDI] = w->rdi, g[REG_RSI] = w->rsi, g[REG_RDX] = w->rdx, g[REG_R8] = w->r8, g[REG_R9] = w->r9;
	g[REG_RAX] = (uint64_t)rv;
	g[REG_RSP] = w->entry_sp + 8;
	g[REG_RIP] = *(const uint64_t *)w->entry_sp;
	g[REG_RCX] = g[REG_RIP];
	g[REG_EFL] = g[REG_R11] = efl;
	g[REG_CSGSFS] = 0x33 | 0x2bULL << 48;
	g[REG_OLDMASK] = kmask;
	kernel_fp_save(fp, fsize, shim.kfp_xfeat);
	suc.fpstate = (uint64_t)fp;
	suc.sigmask = kmask;
	shim_deliver(ch, &suc);

	/* Armed while the wrapper still holds the thread: a kick or routed
	 * signal from here on completes the switch and the rest of this
	 * tail (shim_fastret_fixup), and is then handled over the handler's
	 * context, as the kernel nests a second frame. */
	uint64_t deferred = shim_tls_wrap_deferred ? shim_tls_wrap_block : 0;
	uint64_t kmask_to = (set_mask ? mask : kmask) & ~deferred;
	shim_arm_switch(&suc, 1, kmask_to);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	shim_tls_in_wrapper = 0;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	shim_tls_wrap_deferred = 0;
	shim_tls_wrap_block = 0;
	if (kmask_to != kmask || deferred)
		sys4(__NR_rt_sigprocmask, SIG_SETMASK_, &kmask_to, 0, 8);
	__atomic_store_n(&ch->run_state, SIGLAB_RUN_USER, __ATOMIC_SEQ_CST);
	if (shim_deliverable(shim_tls_slot))
		shim_deliver_later(); /* lands armed: delivered over the handler */
	shim_switch_armed(&suc);
}

__attribute__((used)) long shim_kill_impl(const struct wrap_regs *w)
{
	int pid = (int)w->rdi, sig = (int)w->rsi;
	if (sig == 0)
		return (int)ret_errno(wrapped(__NR_kill, pid, sig, 0, 0));
	return (int)send_framed(w, __NR_kill, pid, sig, 0, 0);
}

__attribute__((used)) long shim_raise_impl(const struct wrap_regs *w)
{
	int sig = (int)w->rdi;
	if (sig == SIGCANCEL_ || sig == SIGSETXID_) {
		set_errno(EINVAL);
		return -1;
	}
	if (sig != 0)
		return (int)send_framed(w, __NR_tgkill, 0, 0, sig, 1);
	long tid = raw_syscall(__NR_gettid, 0, 0, 0, 0);
	long pid = raw_syscall(__NR_getpid, 0, 0, 0, 0);
	return (int)ret_errno(wrapped(__NR_tgkill, pid, tid, 0, 0));
}

__attribute__((used)) long shim_syscall_send_impl(const struct wrap_regs *w)
{
	return send_framed(w, (long)w->rdi, (long)w->rsi, (long)w->rdx, (long)w->rcx, 0);
}
