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
 * Exec. The filter outlives execve(2), but the shim's SIGSYS handler
 * does not: until the next image's constructor has installed it, a trap
 * kills (SIGSYS's default action; seccomp forces it through SIG_IGN).
 * And the next image's loader reads its libraries through the lowest free
 * numbers — a trapped number that the exec closes (close-on-exec, as a
 * signalfd usually is) or that was closed before would be reused at once.
 * So the filter also traps execve and execveat, and the shim runs them
 * itself (shim_exec): every trapped number that would be free in the new
 * image is filled, for the exec, with a sentinel — a descriptor of a
 * memfd named "siglab-trapped" holding trapped[] — which the next image's
 * constructor finds through /proc/self/fd, reads trapped[] back from and
 * closes (shim_trap_inherit) before the program's own code runs. A
 * close-on-exec descriptor the program had at such a number is kept in a
 * close-on-exec copy and put back if the exec fails. Numbers from 4096 on
 * are not protected (nor tracked).
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
/* The numbers trapped in this process (bit fd%64 of word fd/64). */
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
		/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 12),
		/* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		/* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execve, 6, 0),
		/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execveat, 5, 0),
		/* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_read, 2, 0),
		/* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_readv, 1, 0),
		/* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_close, 0, 6),
		/* The kernel reads the fd as an unsigned int: the low word. */
		/* 8 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		/* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)fd, 0, 4),
		/* 10 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
		/* 11 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(ip >> 32), 0, 3),
		/* 12 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
		/* 13 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)ip, 0, 1),
		/* 14 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* 15 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
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

#define SHIM_F_GETFD 1
#define SHIM_F_DUPFD_CLOEXEC 1030
#define SHIM_FD_CLOEXEC 1
#define SHIM_O_CLOEXEC 02000000
#define SHIM_O_DIRECTORY 0200000
#define SHIM_SIG_SETMASK 2
#define CARRIER_NAME "siglab-trapped"
#define MAX_SENTINELS 256

static int is_trapped(long fd)
{
	return fd >= 0 && fd < TRAPPED_FDS && (trapped[fd / 64] >> (fd % 64) & 1);
}

/* shim_exec runs a trapped execve/execveat natively (the fd filter traps
 * them; see "Exec" above): sentinels over the trapped numbers the new image
 * would find free, the kernel mask the new image must start with, the
 * exec, and, if it fails, everything put back. It returns the failed
 * exec's result. */
long shim_exec(long nr, struct shim_ucontext *uc)
{
	struct {
		int32_t fd, copy; /* copy: the program's close-on-exec file, or -1 */
	} sent[MAX_SENTINELS];
	int ns = 0;
	long carrier = -1;
	for (int w = 0; w < TRAPPED_FDS / 64 && carrier < 0; w++)
		if (trapped[w])
			carrier = sys2(__NR_memfd_create, CARRIER_NAME, 0);
	if (carrier >= 0 && sys3(__NR_write, carrier, trapped, sizeof trapped) != (long)sizeof trapped) {
		sys1(__NR_close, carrier);
		carrier = -1;
	}
	/* Two passes: the holes first, so that the copies of the second
	 * pass, which take the lowest free numbers, land on no trapped one. */
	for (int pass = 0; pass < 2 && carrier >= 0; pass++) {
		for (long fd = 0; fd < TRAPPED_FDS && ns < MAX_SENTINELS; fd++) {
			if (!is_trapped(fd) || fd == carrier)
				continue;
			long fl = sys2(__NR_fcntl, fd, SHIM_F_GETFD);
			long copy = -1;
			if (pass == 0 && fl >= 0)
				continue; /* open: the second pass's, if close-on-exec */
			if (pass == 1) {
				if (fl < 0 || !(fl & SHIM_FD_CLOEXEC))
					continue; /* a sentinel already, or survives the exec */
				copy = sys3(__NR_fcntl, fd, SHIM_F_DUPFD_CLOEXEC, 0);
				if (copy < 0)
					continue;
			}
			if (sys3(__NR_dup3, carrier, fd, 0) < 0) {
				if (copy >= 0)
					sys1(__NR_close, copy);
				continue;
			}
			sent[ns].fd = (int32_t)fd;
			sent[ns].copy = (int32_t)copy;
			ns++;
		}
	}
	/* The new image starts with the program's mask, and the shim's own
	 * and routed signals blocked until its constructor installs their
	 * handlers and unblocks them (install_handlers). */
	uint64_t m = uc->sigmask | SHIM_OWN_SIGNALS | shim.cfg.route_set, old;
	sys4(__NR_rt_sigprocmask, SHIM_SIG_SETMASK, &m, &old, 8);
	long ret = shim_syscall6(nr, (long)uc->gregs[REG_RDI], (long)uc->gregs[REG_RSI], (long)uc->gregs[REG_RDX],
				 (long)uc->gregs[REG_R10], (long)uc->gregs[REG_R8], (long)uc->gregs[REG_R9]);
	/* Still here: the exec failed. */
	sys4(__NR_rt_sigprocmask, SHIM_SIG_SETMASK, &old, 0, 8);
	for (int i = 0; i < ns; i++) {
		if (sent[i].copy >= 0) {
			sys3(__NR_dup3, sent[i].copy, sent[i].fd, SHIM_O_CLOEXEC);
			sys1(__NR_close, sent[i].copy);
		} else
			sys1(__NR_close, sent[i].fd);
	}
	if (carrier >= 0)
		sys1(__NR_close, carrier);
	return ret;
}

static char *put_num(char *p, long v)
{
	char d[24];
	int k = 0;
	do
		d[k++] = (char)('0' + v % 10);
	while ((v /= 10) && k < 20);
	while (k)
		*p++ = d[--k];
	*p = 0;
	return p;
}

/* shim_trap_inherit is the constructor's half of shim_exec: find the
 * sentinels the previous image left (descriptors of the "siglab-trapped"
 * memfd), take trapped[] back from them and close them all. */
void shim_trap_inherit(void)
{
	static const char dirpath[] = "/proc/self/fd";
	static const char want[] = "/memfd:" CARRIER_NAME " (deleted)";
	long dir = sys3(__NR_open, dirpath, SHIM_O_DIRECTORY | SHIM_O_CLOEXEC, 0);
	if (dir < 0)
		return;
	int32_t found[MAX_SENTINELS];
	int nf = 0, loaded = 0;
	char buf[2048] __attribute__((aligned(8)));
	for (;;) {
		long n = sys3(__NR_getdents64, dir, buf, sizeof buf);
		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			/* struct linux_dirent64: ino, off, reclen, type, name */
			uint16_t reclen = *(uint16_t *)(buf + off + 16);
			const char *name = buf + off + 19;
			off += reclen;
			if (reclen == 0)
				break;
			long fd = 0;
			int ok = *name != 0;
			for (const char *c = name; *c; c++) {
				if (*c < '0' || *c > '9' || fd > (1L << 30)) {
					ok = 0;
					break;
				}
				fd = fd * 10 + (*c - '0');
			}
			if (!ok || fd == dir)
				continue;
			char path[64] = "/proc/self/fd/", link[64];
			put_num(path + sizeof dirpath, fd);
			long ln = sys3(__NR_readlink, path, link, sizeof link);
			if (ln != (long)sizeof want - 1)
				continue;
			int same = 1;
			for (long i = 0; i < ln; i++)
				same &= link[i] == want[i];
			if (!same || nf == MAX_SENTINELS)
				continue;
			if (!loaded)
				loaded = sys4(__NR_pread64, fd, trapped, sizeof trapped, 0) == (long)sizeof trapped;
			found[nf++] = (int32_t)fd;
		}
	}
	sys1(__NR_close, dir);
	for (int i = 0; i < nf; i++)
		sys1(__NR_close, found[i]);
}
