/* return_storm.c — signals arriving at every instruction of a handler's
 * return and of a send's delivery leave the interrupted code's registers
 * and FP state exact. One thread raises SIGUSR1 to itself in a loop while
 * it computes in integer and FP registers; another thread sends it
 * SIGUSR2 as fast as it can meanwhile. Both handlers overwrite every
 * vector register and the caller-saved general ones. rt_sigreturn is one
 * syscall, so whatever SIGUSR2 interrupts — the raise, the handler, its
 * return — the computation must come out as it does with no signal at
 * all, and every raise must run its handler exactly once. */
#include "conf.h"

#define ROUNDS 4000

static volatile long usr1, usr2;
static volatile int done;
static pid_t worker_tid;

static void clobber(void)
{
	__asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\t"
			 "movdqa %%xmm0, %%xmm1\n\tmovdqa %%xmm0, %%xmm2\n\tmovdqa %%xmm0, %%xmm3\n\t"
			 "movdqa %%xmm0, %%xmm4\n\tmovdqa %%xmm0, %%xmm5\n\tmovdqa %%xmm0, %%xmm6\n\t"
			 "movdqa %%xmm0, %%xmm7\n\tmovdqa %%xmm0, %%xmm8\n\tmovdqa %%xmm0, %%xmm9\n\t"
			 "movdqa %%xmm0, %%xmm10\n\tmovdqa %%xmm0, %%xmm11\n\tmovdqa %%xmm0, %%xmm12\n\t"
			 "movdqa %%xmm0, %%xmm13\n\tmovdqa %%xmm0, %%xmm14\n\tmovdqa %%xmm0, %%xmm15\n\t"
			 "movq $-1, %%rax\n\tmovq $-1, %%rcx\n\tmovq $-1, %%rdx\n\tmovq $-1, %%rsi\n\t"
			 "movq $-1, %%rdi\n\tmovq $-1, %%r8\n\tmovq $-1, %%r9\n\tmovq $-1, %%r10\n\t"
			 "movq $-1, %%r11\n\t"
			 :
			 :
			 : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
			   "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9",
			   "r10", "r11", "memory");
}

static void h1(int s, siginfo_t *si, void *uc)
{
	(void)s, (void)si, (void)uc;
	usr1++;
	clobber();
}

static void h2(int s, siginfo_t *si, void *uc)
{
	(void)s, (void)si, (void)uc;
	usr2++;
	clobber();
}

/* work is the computation: FP and integer state live across each raise
 * and across whatever instruction SIGUSR2 lands on. */
__attribute__((noinline)) static void work(int with_signals, double *fout, unsigned long *iout)
{
	double a = 1.0, b = 0.5;
	unsigned long x = 88172645463325252UL;
	for (int i = 0; i < ROUNDS; i++) {
		for (int k = 0; k < 8; k++) {
			a = a * 1.0000001 + b;
			b = b * 0.9999999 - 1e-9 * a;
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		}
		if (with_signals)
			raise(SIGUSR1);
	}
	*fout = a + b;
	*iout = x;
}

static void *sender(void *arg)
{
	(void)arg;
	while (!done) {
		syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR2);
		for (volatile int k = 0; k < 20000; k++)
			;
	}
	return NULL;
}

int main(void)
{
	double f0, f1;
	unsigned long i0, i1;
	work(0, &f0, &i0);
	install(SIGUSR1, h1, 0);
	install(SIGUSR2, h2, 0);
	worker_tid = gettid_();
	pthread_t t;
	pthread_create(&t, NULL, sender, NULL);
	work(1, &f1, &i1);
	done = 1;
	pthread_join(t, NULL);
	EXPECT(usr1 == ROUNDS, "SIGUSR1 handled once per raise: %s", yes(usr1 == ROUNDS));
	EXPECT(usr2 > 0, "SIGUSR2 arrived meanwhile: %s", yes(usr2 > 0));
	EXPECT(f0 == f1, "FP computation as without signals: %s", yes(f0 == f1));
	EXPECT(i0 == i1, "integer computation as without signals: %s", yes(i0 == i1));
	return conf_failed;
}
