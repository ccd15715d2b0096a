/* init.c — the shim's constructor: map the trampoline page, find the
 * emulator's shared region, map it, validate everything it says, install
 * the SIGSYS and kick handlers, register the main thread, and load the
 * seccomp filter. After this, every syscall in
 * Header.trap_set made anywhere in the process (outside the shim's own
 * trampoline) arrives in shim_sigsys. */
#include "shim.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/mman.h>
#include <linux/prctl.h>
#include <linux/seccomp.h>

struct shim_global shim;

static const char *getenv_(char **envp, const char *name)
{
	for (; envp && *envp; envp++) {
		const char *e = *envp, *n = name;
		while (*n && *e == *n)
			e++, n++;
		if (!*n && *e == '=')
			return e + 1;
	}
	return 0;
}

static long parse_fd(const char *s)
{
	long v = 0;
	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 1 << 20)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

static void *map_fd(long fd, uint64_t size)
{
	long p = sys6(__NR_mmap, 0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p < 0 && p > -4096)
		shim_die("cannot map the emulator's shared memory", p);
	return (void *)p;
}

/* within reports whether [off, off+len) lies inside [0, size), overflow-safe. */
static int within(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* validate checks every number the emulator published, so that no index or
 * offset computed from them later can leave the mappings. */
static void validate(struct siglab_header *h, uint64_t region_file, uint64_t state_file)
{
	if (h->magic != SIGLAB_MAGIC || h->version != SIGLAB_VERSION)
		shim_die("shared region has the wrong magic or version (shim and emulator differ)", 0);
	if (h->header_size != SIGLAB_HEADER_SIZE || h->channel_size != SIGLAB_CHANNEL_SIZE)
		shim_die("shared region geometry differs from this shim's ABI", 0);
	if (h->num_channels == 0 || h->num_channels > (1u << 20) ||
	    h->region_size > region_file ||
	    !within(SIGLAB_HEADER_SIZE, (uint64_t)h->num_channels * SIGLAB_CHANNEL_SIZE, h->region_size))
		shim_die("shared region is smaller than the channels it announces", 0);
	if (h->state_size > state_file || h->max_threads == 0 || h->max_procs == 0 ||
	    h->max_threads > (1u << 24) || h->max_procs > (1u << 24) ||
	    h->geo_thread_stride > (1u << 20) || h->geo_proc_stride > (1u << 20) ||
	    !within(h->geo_thread_base, (uint64_t)h->max_threads * h->geo_thread_stride, h->state_size) ||
	    !within(h->geo_proc_base, (uint64_t)h->max_procs * h->geo_proc_stride, h->state_size) ||
	    !within(h->geo_thread_pending, 8, h->geo_thread_stride) ||
	    !within(h->geo_thread_blocked, 8, h->geo_thread_stride) ||
	    !within(h->geo_thread_proc, 4, h->geo_thread_stride) ||
	    !within(h->geo_proc_pending, 8, h->geo_proc_stride) ||
	    (h->geo_thread_base | h->geo_thread_stride | h->geo_thread_pending |
	     h->geo_thread_blocked | h->geo_proc_base | h->geo_proc_stride | h->geo_proc_pending) & 7)
		shim_die("fastpath geometry does not fit the arena", 0);
	/* sigreturn.c reads the alternate stack record and writes the
	 * blocked word only when the emulator allows it. */
	if (h->local_sigreturn > 1 ||
	    (h->local_sigreturn && (!within(h->geo_thread_alt_stack, sizeof(struct shim_stack), h->geo_thread_stride) ||
				    (h->geo_thread_alt_stack & 7))))
		shim_die("fastpath geometry does not fit a local rt_sigreturn", 0);
	if (h->wrappers > 1)
		shim_die("the wrappers switch is neither 0 nor 1", 0);
	if (h->local_block > 1 || (h->local_block && !h->local_sigreturn))
		shim_die("the local-block switch is neither 0 nor 1, or set without local returns", 0);
	if (h->num_cond_traps > SIGLAB_MAX_COND_TRAPS)
		shim_die("too many conditional traps", 0);
	for (uint32_t i = 0; i < h->num_cond_traps; i++) {
		uint32_t nr = h->cond_traps[i] & 0xffff, arg = h->cond_traps[i] >> 16;
		if (nr >= SIGLAB_MAX_SYSCALL || arg > 5 || !(h->trap_set[nr / 64] >> (nr % 64) & 1))
			shim_die("a conditional trap names an untrapped syscall or no argument", 0);
	}
}

static void install_handlers(void)
{
	struct shim_ksigaction sa = {
		.handler = shim_sigsys,
		.flags = SHIM_SA_SIGINFO | SHIM_SA_ONSTACK | SHIM_SA_RESTORER,
		.restorer = shim_restorer,
		/* Everything but SIGSYS is blocked while the shim holds the
		 * thread's channel: a program handler nested in the middle of a
		 * request would reuse the channel. SIGSYS itself never nests:
		 * the shim makes no trapped syscall. The mirrored job-control
		 * signals stay as the program's mask has them: their native
		 * action is never a handler (SIG_DFL stops the thread wherever
		 * it is, which a native group stop needs), see
		 * Header.mirror_set. */
		.mask = ~(SHIM_SIGBIT(SHIM_SIGSYS) | shim.cfg.mirror_set),
	};
	long r = sys4(__NR_rt_sigaction, SHIM_SIGSYS, &sa, 0, 8);
	if (r < 0)
		shim_die("rt_sigaction(SIGSYS)", r);
	/* The kick: SA_RESTART so that a kick finding a thread asleep in a
	 * restartable syscall (-ERESTARTSYS) restarts it transparently. */
	sa.handler = shim_kick;
	sa.flags |= SHIM_SA_RESTART;
	r = sys4(__NR_rt_sigaction, SIGLAB_KICK_SIGNAL, &sa, 0, 8);
	if (r < 0)
		shim_die("rt_sigaction(kick signal)", r);
	/* The signals routed to the emulator (routed.c): the same handler
	 * flags as the kick, SA_RESTART included, so that one interrupting a
	 * native syscall leaves it set up for the emulator's restart decision
	 * (shim_slow_path). SIGKILL and SIGSTOP cannot be caught; the shim's
	 * own are never routed. */
	sa.handler = shim_routed;
	for (int sig = 1; sig <= 64; sig++) {
		uint64_t bit = SHIM_SIGBIT(sig);
		if (!(shim.cfg.route_set & bit) || (bit & SHIM_OWN_SIGNALS) || sig == 9 || sig == 19)
			continue;
		r = sys4(__NR_rt_sigaction, sig, &sa, 0, 8);
		if (r < 0)
			shim_die("rt_sigaction(routed signal)", r);
	}
	/* None of these may be blocked now (the constructor may run with an
	 * inherited mask). */
	uint64_t own = SHIM_OWN_SIGNALS | shim.cfg.route_set;
	sys4(__NR_rt_sigprocmask, 1 /* SIG_UNBLOCK */, &own, 0, 8);
}

/* The filter (seccomp(2), "Filter return values"): a foreign architecture
 * or an x32 number fails with ENOSYS; a trapped number traps unless it was
 * made from the trampoline page — a conditional one (Header.cond_traps)
 * only when its argument is not zero; everything else is allowed. Two
 * instructions per trapped number, six per conditional one, keep every
 * conditional jump short.
 */
#define MAXPROG (2 * SIGLAB_MAX_SYSCALL + 4 * SIGLAB_MAX_COND_TRAPS + 16 + 5)

/* cond_arg is the argument whose being non-zero makes nr trap, or -1. */
static int cond_arg(const struct siglab_header *h, unsigned nr)
{
	for (uint32_t i = 0; i < h->num_cond_traps; i++)
		if ((h->cond_traps[i] & 0xffff) == nr)
			return (int)(h->cond_traps[i] >> 16);
	return -1;
}
static struct sock_filter prog[MAXPROG];

static void install_filter(void)
{
	const struct siglab_header *h = &shim.cfg;
	uint64_t ip = SHIM_ALLOWED_IP;
	unsigned n = 0;
#define I(code, k, jt, jf) (prog[n++] = (struct sock_filter){(code), (jt), (jf), (k)})
	I(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), 0, 0);
	I(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	I(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS, 0, 0);
	I(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
	I(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1); /* __X32_SYSCALL_BIT */
	I(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS, 0, 0);
	unsigned jumps[SIGLAB_MAX_SYSCALL], nj = 0;
	for (unsigned nr = 0; nr < SIGLAB_MAX_SYSCALL; nr++) {
		if (!(h->trap_set[nr / 64] >> (nr % 64) & 1))
			continue;
		int arg = cond_arg(h, nr);
		if (arg >= 0) {
			/* Both halves of the 64-bit argument zero: allowed. */
			uint32_t off = offsetof(struct seccomp_data, args) + 8 * (uint32_t)arg;
			I(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 6);
			I(BPF_LD | BPF_W | BPF_ABS, off, 0, 0);
			I(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3);
			I(BPF_LD | BPF_W | BPF_ABS, off + 4, 0, 0);
			I(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1);
			I(BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
		} else {
			I(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1);
		}
		jumps[nj++] = n;
		I(BPF_JMP | BPF_JA, 0, 0, 0); /* to check_ip, patched below */
	}
	I(BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
	unsigned check_ip = n;
	I(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4, 0, 0);
	I(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(ip >> 32), 0, 3);
	I(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer), 0, 0);
	I(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)ip, 0, 1);
	I(BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
	I(BPF_RET | BPF_K, SECCOMP_RET_TRAP, 0, 0);
#undef I
	for (unsigned i = 0; i < nj; i++)
		prog[jumps[i]].k = check_ip - jumps[i] - 1;
	struct sock_fprog fp = {.len = (unsigned short)n, .filter = prog};
	long r = sys2(__NR_prctl, PR_SET_NO_NEW_PRIVS, 1);
	if (r < 0)
		shim_die("prctl(PR_SET_NO_NEW_PRIVS)", r);
	r = sys3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fp);
	if (r != 0)
		shim_die("seccomp(SECCOMP_SET_MODE_FILTER)", r);
}

/* fp_features reads what fastret.c's XRSTOR needs: XCR0 (XGETBV, if the
 * kernel enabled XSAVE: CPUID.1:ECX.OSXSAVE) and the MXCSR bits that may
 * be set (FXSAVE's MXCSR_MASK; 0 there means the default 0xffbf, SDM
 * "Guidelines for Writing to the MXCSR Register"). */
static void fp_features(void)
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1U << 27)))
		return;
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	uint8_t fx[512] __attribute__((aligned(16)));
	__asm__ volatile("fxsave64 %0" : "=m"(fx));
	uint32_t m = (uint32_t)fx[28] | (uint32_t)fx[29] << 8 | (uint32_t)fx[30] << 16 | (uint32_t)fx[31] << 24;
	shim.mxcsr_mask = m ? m : 0xffbf;
	shim.xcr0 = (uint64_t)hi << 32 | lo;
}

/* glibc's ld.so calls ELF constructors with (argc, argv, envp). */
__attribute__((constructor)) static void shim_init(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)argv;
	long fd = parse_fd(getenv_(envp, SIGLAB_ENV_SHM_FD));
	long sfd = parse_fd(getenv_(envp, SIGLAB_ENV_STATE_FD));
	fp_features();
	if (shim_map_trampoline() < 0) {
		if (fd < 0 || sfd < 0)
			return; /* not under siglab: stay out of the way */
		static const char msg[] = "siglab shim: cannot map the syscall trampoline at its fixed address "
					  "(something else is mapped there)\n";
		shim_die_raw(msg, sizeof msg - 1);
	}
	if (fd < 0 || sfd < 0) {
		/* Preloaded outside siglab. If a filter of ours is already
		 * in force (the image was exec'd with the variables removed),
		 * the first trapped syscall would kill the program with no
		 * explanation: say why now. */
		if (sys1(__NR_prctl, PR_GET_SECCOMP) == 2)
			shim_die("$" SIGLAB_ENV_SHM_FD " or $" SIGLAB_ENV_STATE_FD
				 " missing under a seccomp filter: an exec'd program lost the emulator's environment", 0);
		shim_unmap_trampoline();
		return;
	}
	/* Descriptors the previous image kept from this image's loader
	 * (trapfd.c) go before the program's code runs. */
	shim_trap_inherit();
	long rsize = sys3(__NR_lseek, fd, 0, 2 /* SEEK_END */);
	long ssize = sys3(__NR_lseek, sfd, 0, 2);
	if (rsize < (long)SIGLAB_HEADER_SIZE || ssize <= 0)
		shim_die("the emulator's memfds are missing or empty", rsize < 0 ? rsize : ssize);
	/* Validate a private copy, then keep using only the copy: the region
	 * stays writable by the program, so what was checked must not change
	 * under us (no double fetch). */
	struct siglab_header *h0 = map_fd(fd, SIGLAB_HEADER_SIZE);
	shim.cfg = *h0;
	sys2(__NR_munmap, h0, SIGLAB_HEADER_SIZE);
	validate(&shim.cfg, (uint64_t)rsize, (uint64_t)ssize);
	shim.region = map_fd(fd, shim.cfg.region_size);
	shim.hdr = (struct siglab_header *)shim.region;
	shim.state_size = shim.cfg.state_size;
	shim.state = map_fd(sfd, shim.state_size);
	shim.nchan = shim.cfg.num_channels;
	shim.spin = shim.cfg.shim_spin;

	long p = sys6(__NR_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p < 0 && p > -4096)
		shim_die("mmap", p);
	if (sys3(__NR_madvise, p, 4096, MADV_WIPEONFORK) < 0)
		shim_die("madvise(MADV_WIPEONFORK)", 0);
	shim.fork_flag = (volatile uint8_t *)p;
	*shim.fork_flag = 1;
	p = sys6(__NR_mmap, 0, (uint64_t)shim.nchan * sizeof(void *), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p < 0 && p > -4096)
		shim_die("mmap", p);
	shim.altstacks = (void **)p;

	/* CPUID leaf 0xD, sub-leaf 0: EBX is the xsave area size for the
	 * features enabled in XCR0; a signal frame adds the 4-byte
	 * FP_XSTATE_MAGIC2 after it. Allow a little slack for rounding. */
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xd), "c"(0));
	shim.xsave_max = b + 64;
	shim_vdso_init();

	install_handlers();
	long r = shim_register(0);
	if (r < 0)
		shim_die("registering the main thread with the emulator", r);
	install_filter();
}
