/* channel.c — a thread's mailbox to the emulator (abi.go, Channel): first
 * contact, and one request/reply round trip with spin-then-futex waiting.
 *
 * Ordering. Request fields are plain stores followed by a sequentially
 * consistent store of req_seq; the emulator reads them after an acquire
 * load of req_seq. The reply is the mirror image on rep_seq. Sleeping uses
 * the announce-then-recheck pattern on both sides (set *_waiting, re-read
 * the sequence word, only then FUTEX_WAIT), so a wake-up cannot be lost;
 * the futexes are shared ones (no FUTEX_PRIVATE_FLAG) because the two
 * sides are different processes mapping the same memfd.
 */
#include "shim.h"

#include <linux/futex.h>
#include <linux/mman.h>
#include <linux/time_types.h>

__thread uint32_t shim_tls_chan __attribute__((tls_model("initial-exec")));
__thread uint32_t shim_tls_slot __attribute__((tls_model("initial-exec")));
__thread uint32_t shim_tls_spin __attribute__((tls_model("initial-exec")));
/* Probing (shim_call): calls since the last full-budget spin, and how many
 * calls apart probes are. */
static __thread uint32_t shim_tls_calls __attribute__((tls_model("initial-exec")));
static __thread uint32_t shim_tls_gap __attribute__((tls_model("initial-exec")));

/* A budget at its floor polls too briefly to ever see a reply come while
 * polling, so it could never grow again: once the emulator had gone to
 * sleep, both sides stayed asleep, each wake-up a futex round trip (≈ 10
 * µs here), even with an idle core (measured: forwarded getppid 31-34 µs
 * with spinning on and off alike). Every SHIM_PROBE_MIN-th call spins the
 * whole budget once; a probe that fails doubles the gap up to
 * SHIM_PROBE_MAX, so on a busy machine probes cost a spin in 1024 calls. */
#define SHIM_PROBE_MIN 32
#define SHIM_PROBE_MAX 1024
__thread int32_t shim_tls_tid __attribute__((tls_model("initial-exec")));
__thread int32_t shim_tls_pid __attribute__((tls_model("initial-exec")));

struct siglab_channel *shim_channel(uint32_t idx)
{
	return (struct siglab_channel *)(shim.region + SIGLAB_HEADER_SIZE +
					 (uint64_t)idx * SIGLAB_CHANNEL_SIZE);
}

static long futex_wait(uint32_t *w, uint32_t val, long sec)
{
	struct __kernel_timespec ts = {.tv_sec = sec, .tv_nsec = 0};
	return sys4(__NR_futex, w, FUTEX_WAIT, val, &ts);
}

static void futex_wake(uint32_t *w)
{
	sys3(__NR_futex, w, FUTEX_WAKE, 1);
}

void shim_call(struct siglab_channel *ch)
{
	uint32_t seq = __atomic_load_n(&ch->req_seq, __ATOMIC_RELAXED) + 1;
	__atomic_store_n(&ch->req_seq, seq, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&ch->server_waiting, __ATOMIC_SEQ_CST))
		futex_wake(&ch->req_seq);
	/* Adaptive spinning: the budget doubles (up to Header.shim_spin) each
	 * time the reply came while spinning and halves each time it did not,
	 * so a thread whose emulator is on another, idle core polls, and one
	 * competing for a busy core soon goes straight to the futex instead
	 * of burning the time slice the emulator needs. */
	uint32_t budget = shim_tls_spin, gap = shim_tls_gap ? shim_tls_gap : SHIM_PROBE_MIN;
	int probe = budget < shim.spin && ++shim_tls_calls >= gap;
	if (probe) {
		shim_tls_calls = 0;
		budget = shim.spin;
	}
	for (uint32_t i = 0; i < budget; i++) {
		if (__atomic_load_n(&ch->rep_seq, __ATOMIC_ACQUIRE) == seq) {
			shim_tls_spin = budget * 2 > shim.spin ? shim.spin : budget * 2;
			if (probe)
				shim_tls_gap = SHIM_PROBE_MIN;
			return;
		}
		__builtin_ia32_pause();
	}
	if (probe)
		shim_tls_gap = gap * 2 > SHIM_PROBE_MAX ? SHIM_PROBE_MAX : gap * 2;
	else
		shim_tls_spin = budget / 2 > 16 ? budget / 2 : (shim.spin ? 16 : 0);
	for (;;) {
		__atomic_store_n(&ch->shim_waiting, 1, __ATOMIC_SEQ_CST);
		uint32_t cur = __atomic_load_n(&ch->rep_seq, __ATOMIC_SEQ_CST);
		if (cur == seq)
			break;
		futex_wait(&ch->rep_seq, cur, 1);
		if (__atomic_load_n(&ch->rep_seq, __ATOMIC_ACQUIRE) == seq)
			break;
		if (__atomic_load_n(&shim.hdr->shutdown, __ATOMIC_ACQUIRE))
			shim_die("the emulator stopped serving", 0);
		if (shim.cfg.emulator_pid > 0 && sys2(__NR_kill, shim.cfg.emulator_pid, 0) == -ESRCH)
			shim_die("the emulator is gone", 0);
	}
	__atomic_store_n(&ch->shim_waiting, 0, __ATOMIC_RELAXED);
}

/* set_altstack gives the thread the channel's private signal stack, unless
 * it already has one. Inside a handler (uc != 0) a sigaltstack(2) call
 * would be undone by the handler's own rt_sigreturn (restore_altstack()),
 * so the saved uc_stack is edited instead and the kernel installs it on
 * return. */
static void set_altstack(uint32_t idx, struct shim_ucontext *uc)
{
	void *st = shim.altstacks[idx];
	if (!st) {
		long p = sys6(__NR_mmap, 0, SHIM_ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (p < 0 && p > -4096)
			shim_die("mmap of the shim's signal stack", p);
		st = (void *)p;
		shim.altstacks[idx] = st;
	}
	struct shim_stack ss = {.sp = st, .flags = 0, .size = SHIM_ALTSTACK_SIZE};
	if (uc) {
		if (uc->stack.flags & SHIM_SS_DISABLE)
			uc->stack = ss;
		return;
	}
	struct shim_stack old;
	if (sys2(__NR_sigaltstack, 0, &old) == 0 && (old.flags & SHIM_SS_DISABLE))
		sys2(__NR_sigaltstack, &ss, 0);
}

static uint32_t claim(void)
{
	for (uint32_t i = 0; i < shim.nchan; i++) {
		uint32_t want = SIGLAB_CHAN_FREE;
		if (__atomic_compare_exchange_n(&shim_channel(i)->state, &want, SIGLAB_CHAN_CLAIMED, 0,
						__ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
			return i;
	}
	return shim.nchan;
}

long shim_register(struct shim_ucontext *uc)
{
	uint32_t i = claim();
	/* No free channel: threads that exited may still hold theirs until
	 * the emulator notices. Tell it (Header.starved) and retry for up to
	 * five seconds before giving up. */
	for (int tries = 0; i == shim.nchan && tries < 5000; tries++) {
		__atomic_add_fetch(&shim.hdr->starved, 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&shim.hdr->doorbell, 1, __ATOMIC_SEQ_CST);
		futex_wake(&shim.hdr->doorbell);
		struct __kernel_timespec ms = {.tv_sec = 0, .tv_nsec = 1000000};
		sys2(__NR_nanosleep, &ms, 0);
		i = claim();
	}
	if (i == shim.nchan)
		return -EAGAIN;
	struct siglab_channel *ch = shim_channel(i);
	ch->op = SIGLAB_OP_REGISTER;
	int32_t pid = (int32_t)sys0(__NR_getpid);
	ch->pid = pid;
	int32_t tid = (int32_t)sys0(__NR_gettid);
	ch->tid = tid;
	ch->nr = 0;
	for (int k = 0; k < 6; k++)
		ch->args[k] = 0;
	/* From the constructor (no trap context): a freshly exec'd image. */
	if (!uc)
		ch->args[0] = SIGLAB_REGISTER_FRESH_IMAGE;
	/* A fork child's TLS is its forking thread's: the emulated mask it
	 * inherits (SIGLAB_REGISTER_INHERITED). A new thread's TLS is new. */
	if (shim_tls_emask_valid) {
		ch->args[1] = shim_tls_emask;
		ch->args[2] = SIGLAB_REGISTER_INHERITED;
	}
	/* The kernel mask at first contact: a new thread's or fork child's is
	 * its creator's (the emulator uses it to tell which thread that was). */
	ch->mask = uc ? uc->sigmask : 0;
	/* Ring the doorbell so the emulator notices the claim and starts
	 * serving the channel; the request below is seen either way because
	 * the server compares req_seq with rep_seq when it starts. */
	__atomic_add_fetch(&shim.hdr->doorbell, 1, __ATOMIC_SEQ_CST);
	futex_wake(&shim.hdr->doorbell);
	shim_tls_spin = 0; /* the emulator is not polling a new channel yet */
	shim_call(ch);
	int64_t res = ch->result;
	if (ch->kind != SIGLAB_KIND_COMPLETE || res < 0 || res >= shim.cfg.max_threads) {
		__atomic_store_n(&ch->state, SIGLAB_CHAN_EXITING, __ATOMIC_SEQ_CST);
		return res < 0 ? res : -EPROTO;
	}
	shim_tls_chan = i + 1;
	shim_tls_slot = (uint32_t)res;
	shim_tls_tid = tid; /* not re-read from the region: the program can write there */
	shim_tls_pid = pid;
	shim_tls_spin = shim.spin;
	set_altstack(i, uc);
	return 0;
}

struct siglab_channel *shim_self(struct shim_ucontext *uc)
{
	if (*shim.fork_flag == 0) {
		/* A fork child: the page was wiped (MADV_WIPEONFORK), and the
		 * channel in TLS is the parent's. Register as new. */
		*shim.fork_flag = 1;
		shim_tls_chan = 0;
	}
	if (!shim_tls_chan) {
		long r = shim_register(uc);
		if (r < 0)
			shim_die("registering a thread with the emulator (no free channel?)", r);
	}
	return shim_channel(shim_tls_chan - 1);
}
