/* vfork.c — a trapped syscall made by a vfork child, which must not reach
 * the emulator through the channel in its TLS: that channel is its
 * parent's.
 *
 * Why the child holds its parent's channel. clone(CLONE_VM|CLONE_VFORK)
 * without CLONE_SETTLS — glibc's vfork(2) and posix_spawn(3)
 * (sysdeps/unix/sysv/linux/spawni.c), Go's syscall.forkAndExecInChild1 —
 * gives the child the parent's address space and its FS base: the very
 * TLS block, so shim_tls_chan names the parent thread's channel. The
 * MADV_WIPEONFORK page that tells a fork child apart is not wiped either:
 * the mm is shared, not duplicated (kernel/fork.c, copy_mm: CLONE_VM takes
 * a reference instead of dup_mm). The parent thread meanwhile sleeps in
 * the kernel (wait_for_vfork_done) until the child execs or exits
 * (mm_release → complete_vfork_done), so it cannot be using the channel —
 * but anything the child sent through it would be taken by the emulator as
 * the parent's own: a failed exec's exit_group(2) as the parent exiting,
 * the child's sigprocmask(2) as the parent's mask.
 *
 * How the child is recognised. shim_register records the raw tid of the
 * thread a channel is registered for (shim_tls_tid, in the same TLS); a
 * vfork child reads its parent's value there while gettid(2) — made
 * through the trampoline, as the shim makes every call — returns its own.
 * A fork child differs too, but its channel page was wiped, and shim_self
 * registers it as a new process: this check runs only where that page
 * still says "not forked".
 *
 * What the child gets: the kernel's own semantics, without the emulator.
 * POSIX lets a vfork child do nothing but exec or _exit, and what the C
 * library and Go do there is reset signal dispositions and the mask
 * (spawni.c's __spawni_child, Go's runtime_AfterForkInChild) and then
 * execve — or exit if that failed. The child is a process of its own to
 * the kernel, with a copy of its parent's kernel signal actions (copy_sighand:
 * no CLONE_SIGHAND), its own mask and pending sets, so running its
 * syscalls natively changes nothing of its parent's, kernel or emulated.
 * The exec'd image's shim registers it with the emulator from its
 * constructor, as for any exec'd image; a child that exits is never seen
 * by the emulator at all, exactly as its parent's waitpid(2) sees it only
 * natively. Three calls need care because the shim handles them inside a
 * signal handler, whose rt_sigreturn puts back the interrupted mask,
 * alternate stack and registers:
 *  - rt_sigprocmask runs natively on the interrupted mask (installed for
 *    the call and taken back after it), and the result goes into
 *    uc_sigmask, the mask the handler's return installs;
 *  - rt_sigaction of the shim's own signals (SIGSYS, the kick) only
 *    reports the current action: resetting SIGSYS to SIG_DFL, as
 *    Go's clearSignalHandlers does, would make the child's next trapped
 *    syscall (a failed exec's exit(2), say) kill it instead of trapping
 *    (force_sig_seccomp); execve resets the action anyway
 *    (flush_signal_handlers), and the new image's shim installs its own;
 *  - rt_sigreturn (a handler the child installed natively returning)
 *    restores the frame the kernel built at the interrupted stack pointer
 *    into the handler's ucontext (x86 restore_sigcontext, then
 *    set_current_blocked and restore_altstack through uc_sigmask and
 *    uc_stack).
 * Everything else runs natively with the trapped arguments. Known limit:
 * sigaltstack(2) here runs on the shim's stack and so reports SS_ONSTACK
 * (EPERM for a change), which no vfork child in practice does.
 */
#include "shim.h"

#define SHIM_SIG_SETMASK 2

int shim_is_vfork_child(void)
{
	return shim_tls_chan && *shim.fork_flag && (int32_t)sys0(__NR_gettid) != shim_tls_tid;
}

void shim_vfork_syscall(long nr, struct shim_ucontext *uc)
{
	long a1 = (long)uc->gregs[REG_RDI], a2 = (long)uc->gregs[REG_RSI], a3 = (long)uc->gregs[REG_RDX],
	     a4 = (long)uc->gregs[REG_R10], a5 = (long)uc->gregs[REG_R8], a6 = (long)uc->gregs[REG_R9];
	long ret;
	switch (nr) {
	case __NR_rt_sigprocmask: {
		/* The handler runs with everything but SIGSYS blocked; the
		 * call must see, and change, the interrupted mask. */
		uint64_t handler_mask, result;
		sys4(__NR_rt_sigprocmask, SHIM_SIG_SETMASK, &uc->sigmask, &handler_mask, 8);
		ret = shim_syscall6(nr, a1, a2, a3, a4, a5, a6);
		sys4(__NR_rt_sigprocmask, SHIM_SIG_SETMASK, &handler_mask, &result, 8);
		uc->sigmask = SHIM_KMASK(result);
		break;
	}
	case __NR_rt_sigaction:
		if (a1 == SHIM_SIGSYS || a1 == SIGLAB_KICK_SIGNAL)
			a2 = 0; /* the shim's own: report, never change */
		ret = shim_syscall6(nr, a1, a2, a3, a4, a5, a6);
		break;
	case __NR_rt_sigreturn: {
		/* The restorer popped the frame's return address: the
		 * ucontext is at the trapped stack pointer. */
		struct siglab_channel frame = {.frame_sp = uc->gregs[REG_RSP]};
		const struct shim_ucontext *fu = (const struct shim_ucontext *)frame.frame_sp;
		uint64_t mask = fu->sigmask;
		struct shim_stack st = fu->stack;
		shim_sigreturn(&frame, uc);
		uc->sigmask = SHIM_KMASK(mask);
		uc->stack = st;
		return; /* RAX is the frame's */
	}
	default:
		ret = shim_syscall6(nr, a1, a2, a3, a4, a5, a6);
	}
	uc->gregs[REG_RAX] = (uint64_t)ret;
}
