/* unwind.c — a handler unwinds through its signal frame to the code the
 * signal interrupted and on to the thread's first function, as C++
 * exceptions, backtrace(3) and profilers do. libgcc's unwinder takes the
 * handler's return address (the frame's restorer) to a signal frame — by
 * the restorer's CFI, or by its instruction bytes — and reads the
 * interrupted registers from the ucontext. The walk is printed as the
 * functions of this program it passes (by their entry points, so the
 * frames of libc and of whatever restorer is in use do not show), for a
 * signal sent by a raw syscall(2), one raised by raise(3) inside another
 * handler, and one sent by another thread to a thread spinning in user
 * code, interrupted between two instructions rather than in a call. */
#include "conf.h"
#include <unwind.h>

enum { F_MAIN, F_SEND_SYSCALL, F_SEND_RAISE, F_SPIN, F_SPINNER, F_H1, F_H1_RAISE, F_H2, F_HSPIN, NF };
static const char *fname[NF] = {"main", "send_syscall", "send_raise", "spin", "spinner", "h1", "h1_raise", "h2", "hspin"};
static void *faddr[NF];
static char walk[3][256];
static volatile int spinning, stop;

struct acc {
	char *out;
	int n;
};

static _Unwind_Reason_Code step(struct _Unwind_Context *ctx, void *arg)
{
	struct acc *a = arg;
	int before = 0;
	uintptr_t ip = _Unwind_GetIPInfo(ctx, &before);
	if (!ip)
		return _URC_END_OF_STACK;
	/* A return address points after its call; a signal frame's
	 * interrupted IP is the instruction itself. */
	void *fn = _Unwind_FindEnclosingFunction((void *)(before ? ip : ip - 1));
	for (int i = 0; i < NF; i++)
		if (fn && fn == faddr[i]) {
			a->n += snprintf(a->out + a->n, 256 - a->n, "%s%s", a->n ? " <- " : "", fname[i]);
			break;
		}
	return a->n > 200 ? _URC_END_OF_STACK : _URC_NO_REASON;
}

static void unwind_into(char *out)
{
	struct acc a = {out, 0};
	_Unwind_Backtrace(step, &a);
}

static void h1(int s, siginfo_t *si, void *uc)
{
	(void)s, (void)si, (void)uc;
	unwind_into(walk[0]);
}

static void h2(int s, siginfo_t *si, void *uc)
{
	(void)s, (void)si, (void)uc;
	unwind_into(walk[1]);
}

static void hspin(int s, siginfo_t *si, void *uc)
{
	(void)s, (void)si, (void)uc;
	unwind_into(walk[2]);
	stop = 1;
}

/* h1 for SIGUSR1 raises SIGUSR2 (h2) from inside itself. */
static void h1_raise(int s, siginfo_t *si, void *uc)
{
	(void)s, (void)si, (void)uc;
	raise(SIGUSR2);
}

static volatile long sink;

__attribute__((noinline)) static void send_syscall(void)
{
	syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
	sink++; /* no tail call: this frame stays on the stack */
}

__attribute__((noinline)) static void send_raise(void)
{
	syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
	sink++;
}

__attribute__((noinline)) static void spin(void)
{
	spinning = 1;
	while (!stop)
		sink++;
	sink++;
}

static void *spinner(void *arg)
{
	(void)arg;
	spin();
	return NULL;
}

int main(void)
{
	void *f[NF] = {(void *)main, (void *)send_syscall, (void *)send_raise, (void *)spin,
		       (void *)spinner, (void *)h1, (void *)h1_raise, (void *)h2, (void *)hspin};
	memcpy(faddr, f, sizeof f);

	install(SIGUSR1, h1, 0);
	send_syscall();
	EXPECT(!strcmp(walk[0], "h1 <- send_syscall <- main"), "syscall(tgkill): %s", walk[0]);

	install(SIGUSR1, h1_raise, 0);
	install(SIGUSR2, h2, 0);
	send_raise();
	EXPECT(!strcmp(walk[1], "h2 <- h1_raise <- send_raise <- main"), "raise in a handler: %s", walk[1]);

	install(SIGUSR1, hspin, 0);
	pthread_t t;
	pthread_create(&t, NULL, spinner, NULL);
	while (!spinning)
		;
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	EXPECT(!strcmp(walk[2], "hspin <- spin <- spinner"), "spinning thread: %s", walk[2]);
	return conf_failed;
}
