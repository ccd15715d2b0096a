/* shim.h — declarations shared by the shim's C files. The shim is linked
 * with -nostdlib: every function here is the shim's own, and every one is
 * async-signal-safe (no locks, no allocation but mmap, no libc). */
#ifndef SIGLAB_SHIM_H
#define SIGLAB_SHIM_H

#include "abi.h"

#include <asm/unistd.h>
#include <linux/errno.h>

#define HIDDEN __attribute__((visibility("hidden")))

/* Signal numbers and flags the shim uses (signal(7), asm/signal.h). */
#define SHIM_SIGSYS 31
#define SHIM_SA_SIGINFO 0x00000004UL
#define SHIM_SA_ONSTACK 0x08000000UL
#define SHIM_SA_RESTORER 0x04000000UL
#define SHIM_SA_RESTART 0x10000000UL
#define SHIM_SS_DISABLE 2
#define SHIM_SIGBIT(s) (1ULL << ((s) - 1))
/* The signals the shim owns: never blocked in a mask handed to the kernel. */
#define SHIM_OWN_SIGNALS (SHIM_SIGBIT(SHIM_SIGSYS) | SHIM_SIGBIT(SIGLAB_KICK_SIGNAL))
/* A mask for the kernel made from an emulated one: neither the shim's own
 * signals nor the ones it routes (Header.route_set) are ever blocked by the
 * kernel outside the shim's handlers — the emulated mask decides for them. */
#define SHIM_KMASK(m) ((m) & ~(SHIM_OWN_SIGNALS | shim.cfg.route_set))

/* The kernel's struct sigaction for rt_sigaction(2) (kernel_sigaction). */
struct shim_ksigaction {
	void (*handler)(int, void *, void *);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

/* stack_t (sigaltstack(2)). */
struct shim_stack {
	void *sp;
	int32_t flags;
	int32_t pad;
	uint64_t size;
};

/* The kernel's ucontext on x86-64 (arch/x86/include/uapi/asm/ucontext.h and
 * sigcontext.h); only what the shim touches is named. gregs follow the
 * sigcontext order: r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip. */
enum {
	REG_R8 = 0, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
	REG_RDI, REG_RSI, REG_RBP, REG_RBX, REG_RDX, REG_RAX, REG_RCX, REG_RSP,
	REG_RIP, REG_EFL, REG_CSGSFS, REG_ERR, REG_TRAPNO, REG_OLDMASK, REG_CR2,
	SHIM_NGREG
};
struct shim_ucontext {
	uint64_t flags;
	uint64_t link;
	struct shim_stack stack;
	uint64_t gregs[SHIM_NGREG];
	uint64_t fpstate;
	uint64_t reserved1[8];
	uint64_t sigmask;
};
_Static_assert(offsetof(struct shim_ucontext, gregs) == 40, "uc_mcontext");
_Static_assert(offsetof(struct shim_ucontext, sigmask) == 296, "uc_sigmask");

/* siginfo_t for SIGSYS (siginfo(2): si_call_addr, si_syscall, si_arch). */
struct shim_siginfo_sys {
	int32_t signo, errno_, code, pad;
	uint64_t call_addr;
	int32_t syscall;
	uint32_t arch;
	uint8_t rest[128 - 32];
};

/* trampoline.c */
HIDDEN long shim_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
HIDDEN long shim_raw_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
HIDDEN void shim_restorer(void);
HIDDEN int shim_map_trampoline(void);
HIDDEN void shim_unmap_trampoline(void);
HIDDEN void shim_die_raw(const char *msg, unsigned long len) __attribute__((noreturn));
/* shim_syscall_intr is shim_syscall6 for a syscall that may block and must
 * be interruptible by the kick (FLAG_INTERRUPTIBLE): it returns -EINTR
 * without entering the kernel if *flag is set, and the kick handler, which
 * sets *flag, moves a thread it finds between that test and the syscall
 * instruction (shim_intr_begin..shim_intr_end, or on the trampoline's
 * syscall instruction, where a restarted syscall also sits) to
 * shim_intr_eintr — the check-then-sleep race of every cancellation point
 * (musl's __syscall_cp_asm does the same). */
HIDDEN long shim_syscall_intr(long nr, long a1, long a2, long a3, long a4, long a5, long a6,
			      volatile uint32_t *flag);
extern const char shim_intr_begin[] HIDDEN, shim_intr_end[] HIDDEN, shim_intr_eintr[] HIDDEN;
/* SHIM_ASM_SYSCALL_ARGS moves a C call's (nr, a1, ..., a6) — RDI, RSI,
 * RDX, RCX, R8, R9 and the first stack argument — into the syscall
 * registers (RAX, RDI, RSI, RDX, R10, R8, R9), at a function's entry. */
#define SHIM_ASM_SYSCALL_ARGS                 \
	"	movq %rdi, %rax\n"                 \
	"	movq %rsi, %rdi\n"                 \
	"	movq %rdx, %rsi\n"                 \
	"	movq %rcx, %rdx\n"                 \
	"	movq %r8, %r10\n"                  \
	"	movq %r9, %r8\n"                   \
	"	movq 8(%rsp), %r9\n"
/* The address the filter allows: right after the trampoline's syscall. */
#define SHIM_ALLOWED_IP (SIGLAB_TRAMPOLINE_ADDR + 2)
#define sys0(n) shim_syscall6((n), 0, 0, 0, 0, 0, 0)
#define sys1(n, a) shim_syscall6((n), (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) shim_syscall6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) shim_syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) shim_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sys6(n, a, b, c, d, e, f) \
	shim_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
HIDDEN void shim_die(const char *msg, long err) __attribute__((noreturn));
HIDDEN void shim_note(const char *msg, long err);

/* init.c: state validated once at load. */
struct shim_global {
	struct siglab_header *hdr; /* in the region: only doorbell and shutdown are read from it */
	struct siglab_header cfg;  /* validated private copy of the header */
	uint8_t *region;      /* the shared region, hdr->region_size bytes */
	uint8_t *state;       /* the fastpath arena */
	uint64_t state_size;
	uint32_t nchan;
	uint32_t spin;
	volatile uint8_t *fork_flag; /* MADV_WIPEONFORK page: 0 in a fork child */
	void **altstacks;            /* per channel, the shim's private stack */
	uint32_t xsave_max;          /* bound on a signal frame's FP area (CPUID 0xD) */
	uint64_t xcr0;               /* XGETBV(0); 0 without XSAVE (fastret.c then stays off) */
	uint32_t mxcsr_mask;         /* FXSAVE's MXCSR_MASK (0xffbf if it reports 0) */
	/* The format of the kernel's signal-frame FP areas, from the first
	 * SIGSYS frame (sigsys.c): fpx_sw_bytes.xfeatures and xstate_size
	 * (0 until then); a wrapper's frame is made the same (wrappers.c). */
	uint64_t kfp_xfeat;
	uint32_t kfp_size;
};
extern struct shim_global shim HIDDEN;
#define SHIM_ALTSTACK_SIZE (64 * 1024)

/* vdso.c: the vDSO's clock_gettime, found at load (0: use the syscall). */
struct shim_timespec {
	int64_t sec, nsec;
};
typedef int (*shim_clock_fn)(int clock, struct shim_timespec *ts);
extern shim_clock_fn shim_vdso_clock_gettime HIDDEN;
HIDDEN void shim_vdso_init(void);

/* channel.c */
struct siglab_channel;
HIDDEN struct siglab_channel *shim_channel(uint32_t idx);
HIDDEN long shim_register(struct shim_ucontext *uc); /* 0 or -errno */
HIDDEN void shim_call(struct siglab_channel *ch);
/* The calling thread's channel (index+1, 0 before first contact) and its
 * fastpath thread slot, in initial-exec TLS: no allocation, no lock. */
extern __thread uint32_t shim_tls_chan HIDDEN;
extern __thread uint32_t shim_tls_slot HIDDEN;
extern __thread uint32_t shim_tls_spin HIDDEN; /* adaptive spin budget, channel.c */
/* The raw tid the channel was registered for: a vfork child, which shares
 * this TLS, has another (vfork.c). */
extern __thread int32_t shim_tls_tid HIDDEN;
extern __thread int32_t shim_tls_pid HIDDEN; /* its process, at registration */
/* Where this thread's last delivery put its frame's ucontext and FP area,
 * and the FP area's size (frame.c): the local rt_sigreturn's guess, so it
 * reads both with one process_vm_readv (sigreturn.c). */
extern __thread uint64_t shim_tls_last_uc HIDDEN;
extern __thread uint64_t shim_tls_last_fp HIDDEN;
extern __thread uint32_t shim_tls_last_fpsize HIDDEN;
HIDDEN struct siglab_channel *shim_self(struct shim_ucontext *uc);

/* fastcheck.c */
HIDDEN int shim_deliverable(uint32_t slot);
/* shim_local_record is the calling thread's record in the arena when the
 * shim may change its blocked word itself (Header.local_sigreturn:
 * sigreturn.c, and the sigprocmask wrappers), else NULL. */
HIDDEN uint8_t *shim_local_record(void);
/* shim_proc_pending is the pending set of thread slot's process, read
 * from the arena (0 for a slot or process out of range). */
HIDDEN uint64_t shim_proc_pending(uint32_t slot);
/* shim_store_mask stores the thread's new blocked word mask, its old one
 * being old, when the shim may (sigreturn.c): 1 if stored, 0 if the
 * emulator must make the change. */
HIDDEN int shim_store_mask(uint64_t *blocked, uint64_t old, uint64_t mask);
/* The signals no mask holds (SIGKILL, SIGSTOP). */
#define SHIM_UNBLOCKABLE (SHIM_SIGBIT(9) | SHIM_SIGBIT(19))

/* frame.c */
HIDDEN void shim_deliver(struct siglab_channel *ch, struct shim_ucontext *uc);
HIDDEN void shim_sigreturn(struct siglab_channel *ch, struct shim_ucontext *uc);
/* shim_restore_frame is restore_sigcontext()'s register half: the general
 * registers, the flags a frame may change and the FP state of the
 * ucontext fu into the context uc the SIGSYS handler returns to. */
HIDDEN void shim_restore_frame(const struct shim_ucontext *fu, struct shim_ucontext *uc);
/* Its two halves: the registers, and the bytes of the FP area at src that
 * replace the one at dst (the legacy area, or all of it if both have the
 * same xstate format; src's first 512 bytes are read). */
HIDDEN void shim_restore_regs(const struct shim_ucontext *fu, struct shim_ucontext *uc);
HIDDEN uint32_t shim_fp_restore_size(const uint8_t *dst, const uint8_t *src);
#define SHIM_FXSAVE_SIZE 512
/* The signal frame's FP area (arch/x86/include/uapi/asm/sigcontext.h):
 * fpx_sw_bytes at the end of the legacy area, FP_XSTATE_MAGIC1 first in
 * it, FP_XSTATE_MAGIC2 after the xstate. */
#define SHIM_SW_BYTES_OFF 464
#define SHIM_FP_XSTATE_MAGIC1 0x46505853U
#define SHIM_FP_XSTATE_MAGIC2 0x46505845U
/* The flags a frame may change (FIX_EFLAGS in arch/x86/kernel/signal.c). */
#define SHIM_FIX_EFLAGS (0x40000UL | 0x800 | 0x400 | 0x100 | 0x80 | 0x40 | 0x10 | 0x4 | 0x1 | 0x10000)
/* sigreturn.c: rt_sigreturn without a round trip, when that is exact
 * (Header.local_sigreturn); 1 if done, 0 if the emulator must do it. */
HIDDEN int shim_local_sigreturn(struct siglab_channel *ch, struct shim_ucontext *uc);
/* sigreturn.c: a trapped rt_sigprocmask that only queries or unblocks,
 * answered the same way; 1 if done. */
HIDDEN int shim_local_sigprocmask(struct siglab_channel *ch, struct shim_ucontext *uc);
/* The pieces of rt_sigprocmask the SIGSYS handler and the sigprocmask
 * wrappers (wrappers.c) share. shim_new_mask sets *mask to the mask how
 * (SIG_BLOCK 0, SIG_UNBLOCK 1, SIG_SETMASK 2; valid) with set makes of
 * old, less SIGKILL and SIGSTOP, and returns 0 if the shim may not store
 * it: it blocks more, without Header.local_block (retarget_shared_pending
 * is the emulator's). shim_write_oset writes old to the program's oset
 * with process_vm_writev(2) on the thread and returns 1 with *ret 0, or
 * -EFAULT where a store would fault (the call fails after the mask
 * changed, as copy_to_user does), and 0 if the write was refused for
 * another reason (a sandbox's seccomp policy): the emulator must answer,
 * nothing having changed. shim_read_self reads n bytes at the program's
 * addr the same way: 1 if all were read. */
HIDDEN int shim_new_mask(long how, uint64_t old, uint64_t set, uint64_t *mask);
HIDDEN int shim_write_oset(uint64_t oset, uint64_t old, long *ret);
HIDDEN int shim_read_self(void *dst, uint64_t addr, uint64_t n);

/* fastret.c: a handler's return without a trap. The switch stub is
 * generated at load into the trampoline page (trampoline.c), at
 * SHIM_SWITCH_STUB: `movl $0, %fs:armed` (12 bytes), `movq %fs:rsp,
 * %rsp` (9), `jmp *%fs:rip` (8). */
#define SHIM_SWITCH_STUB_OFF 16
#define SHIM_SWITCH_STUB (SIGLAB_TRAMPOLINE_ADDR + SHIM_SWITCH_STUB_OFF)
#define SHIM_SWITCH_STUB_DISARMED 12
#define SHIM_SWITCH_STUB_LEN 29
/* The smallest xsave-format FP area of a signal frame: the legacy area,
 * the header, FP_XSTATE_MAGIC2. */
#define SHIM_XSAVE_MIN (512 + 64 + 4)
extern __thread uint64_t shim_tls_fr_uc HIDDEN;
extern __thread uint32_t shim_tls_fr_active HIDDEN;
extern __thread uint64_t shim_tls_sw_uc HIDDEN;
extern __thread uint32_t shim_tls_sw_armed HIDDEN;
extern __thread uint64_t shim_tls_sw_rsp HIDDEN;
extern __thread uint64_t shim_tls_sw_rip HIDDEN;
/* fpx_sw_bytes.xfeatures of the last frame built (frame.c). */
extern __thread uint64_t shim_tls_last_xfeat HIDDEN;
extern const char shim_fastret_begin[] HIDDEN, shim_fastret_saved[] HIDDEN, shim_fastret_end[] HIDDEN;
HIDDEN void shim_fast_restorer(void);
/* shim_switch makes gregs (a ucontext's, RSP and RIP excepted: those
 * are in shim_tls_sw_rsp/rip), the FP area fp (XRSTOR of rfbm; none if
 * null) and the FIX_EFLAGS bits efl_fix the thread's context. */
HIDDEN void shim_switch(const uint64_t *gregs, const void *fp, uint64_t rfbm, uint64_t efl_fix)
	__attribute__((noreturn));
HIDDEN uint64_t shim_fast_restorer_for(uint64_t restorer);
HIDDEN void shim_fastret_fixup(struct shim_ucontext *uc);
/* shim_arm_switch makes uc the context a kick or routed signal completes
 * the thread's switch to (shim_fastret_fixup) — for a wrapper, also
 * installing kmask as the kernel mask and ending the wrapper's hold on
 * the thread; shim_switch_armed then switches to it, keeping the FP state
 * as it is. */
HIDDEN void shim_arm_switch(const struct shim_ucontext *uc, int wrapper, uint64_t kmask);
HIDDEN void shim_switch_armed(const struct shim_ucontext *uc) __attribute__((noreturn));
HIDDEN void shim_fastret_abandon(void);
/* sigreturn.c: whether do_sigaltstack(ns, NULL, sp), as
 * restore_altstack() calls it, leaves the stack cur as it is. */
HIDDEN int shim_altstack_unchanged(const struct shim_stack *cur, const struct shim_stack *ns, uint64_t sp);

/* vfork.c */
HIDDEN int shim_is_vfork_child(void);
HIDDEN void shim_vfork_syscall(long nr, struct shim_ucontext *uc);

/* sigsys.c */
HIDDEN void shim_sigsys(int sig, void *info, void *uc);
HIDDEN void shim_kick(int sig, void *info, void *uc);
/* While a thread runs an interruptible native syscall inside its SIGSYS
 * handler (shim_tls_in_wait), a kick only sets shim_tls_intr. */
extern __thread uint32_t shim_tls_in_wait HIDDEN;
/* The emulated mask the emulator last gave this thread (FLAG_SET_MASK),
 * kept for a fork child's registration (channel.c); shim_set_mask
 * installs a mask in the context the handler returns to and keeps it. */
extern __thread uint64_t shim_tls_emask HIDDEN;
extern __thread uint32_t shim_tls_emask_valid HIDDEN;
HIDDEN void shim_set_mask(struct shim_ucontext *uc, uint64_t emulated);
extern __thread volatile uint32_t shim_tls_intr HIDDEN;

/* trapfd.c: stack a filter trapping read, readv and close of fd
 * (SIGLAB_FLAG_TRAP_FD); 0 or -errno. */
HIDDEN long shim_trap_fd(long fd);
/* trapfd.c: a trapped execve/execveat (the fd filter traps them), run
 * with the trapped numbers kept from the new image's loader; and the new
 * image's constructor taking them back. */
HIDDEN long shim_exec(long nr, struct shim_ucontext *uc);
HIDDEN void shim_trap_inherit(void);

/* wrappers.c: set while a libc wrapper holds the thread's channel, in
 * the program's own context (no signal blocked): the kick handler then
 * only clears kick_pending (the wrapper checks the fast path itself after
 * the round trip), and a routed signal is queued again to the thread,
 * blocked until the wrapper puts its mask back (shim_tls_wrap_deferred). */
extern __thread volatile uint32_t shim_tls_in_wrapper HIDDEN;
extern __thread volatile uint32_t shim_tls_wrap_deferred HIDDEN;
extern __thread volatile uint64_t shim_tls_wrap_block HIDDEN;

/* routed.c */
HIDDEN void shim_routed(int sig, void *info, void *uc);

/* shim_native_args copies a KIND_NATIVE reply's arguments into a; a Blob
 * is copied into blob (SIGLAB_BLOB_MAX bytes, the caller's) and its
 * address takes its argument's place. 0 for a malformed reply. */
HIDDEN int shim_native_args(const struct siglab_channel *ch, uint64_t a[6], uint8_t *blob);
/* The slow path (sigsys.c): ask the emulator what to deliver and deliver
 * it, while something is deliverable. detect: the context may be a native
 * syscall the kernel set up for a restart (after a kick or a routed
 * signal), which the emulator then decides about. */
HIDDEN void shim_slow_path(struct siglab_channel *ch, struct shim_ucontext *uc, int detect);
HIDDEN int shim_on_own_stack(void);
HIDDEN void shim_deliver_later(void);
HIDDEN void shim_die_by(int32_t sig, struct shim_ucontext *uc);

/* string helpers the compiler may call (memcpy/memset) live in trampoline.c */
void *memcpy(void *dst, const void *src, unsigned long n);
void *memset(void *dst, int c, unsigned long n);

#endif
