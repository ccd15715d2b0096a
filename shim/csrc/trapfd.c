/* trapfd.c — trapping one descriptor's read, readv and close
 * (SIGLAB_FLAG_TRAP_FD).
 *
 * A signalfd is emulated, but its descriptor must be real: the emulator
 * has the shim make an eventfd in its place (FLAG_SYSCALL), so that the fd
 * number, the fd table, poll/select/epoll and close-on-exec are the
 * kernel's. Reading it must reach the emulator, though, and the shim's
 * main filter does not trap read(2) — every read of every program would
 * pay a round trip. So, once the descriptor exists, the shim stacks a
 * second, tiny seccomp filter that traps read, readv and close exactly
 * when their fd argument is that number (and the call does not come from
 * the trampoline, so that the native read or close the emulator then asks
 * for runs). With several filters the kernel runs them all and the most
 * severe answer wins: TRAP over the main filter's ALLOW; a foreign
 * architecture is left to the main filter (ENOSYS).
 *
 * Filters can be neither removed nor edited, and they are inherited by
 * fork and kept across execve, as the descriptor is; a number that is
 * closed stays trapped, and the emulator answers a read of a descriptor
 * it does not own with a native run. trapped[] remembers the numbers this
 * image trapped, so a reused number costs no second filter (fork copies
 * it; an exec'd image starts empty, and may stack a redundant one). The
 * kernel bounds the filters of a thread to 32768 instructions in all
 * (MAX_INSNS_PER_PATH): past some thousands of signalfd numbers, stacking
 * fails with ENOMEM, which the program sees as signalfd's own failure.
 *
 * Runs inside the SIGSYS handler: no libc, async-signal-safe, the prog on
 * the stack. TSYNC applies it to every thread of the process, as the main
 * filter was applied (every thread has the same filter ancestry, so the
 * synchronisation cannot fail for want of it). */
#include "shim.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#define TRAPPED_FDS 4096
static uint64_t trapped[TRAPPED_FDS / 64];

long shim_trap_fd(long fd)
{
	if (fd < 0 || fd > 0x7fffffff)
		return -EBADF;
	if (fd < TRAPPED_FDS && (__atomic_load_n(&trapped[fd / 64], __ATOMIC_RELAXED) >> (fd % 64) & 1))
		return 0;
	uint64_t ip = SHIM_ALLOWED_IP;
	struct sock_filter prog[] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 11),
		/* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		/* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_read, 3, 0),
		/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_readv, 2, 0),
		/* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_close, 1, 0),
		/* 6 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* The kernel reads the fd as an unsigned int: the low word. */
		/* 7 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		/* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)fd, 0, 4),
		/* 9 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
		/* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(ip >> 32), 0, 3),
		/* 11 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
		/* 12 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)ip, 0, 1),
		/* 13 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* 14 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
	};
	struct sock_fprog fp = {.len = sizeof prog / sizeof prog[0], .filter = prog};
	long r = sys3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fp);
	if (r > 0)
		return -EAGAIN; /* TSYNC: thread r could not be synchronised */
	if (r < 0)
		return r;
	if (fd < TRAPPED_FDS)
		__atomic_fetch_or(&trapped[fd / 64], 1ULL << (fd % 64), __ATOMIC_RELAXED);
	return 0;
}
