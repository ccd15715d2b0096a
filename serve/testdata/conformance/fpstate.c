/* fpstate.c — the FP/SSE/AVX(/AVX-512) register state interrupted by a
 * signal is saved in the frame and restored by rt_sigreturn(2), whatever
 * the handler does to it: the registers are loaded with a pattern, a raw
 * tgkill syscall delivers a signal whose handler overwrites every vector
 * register, MXCSR and the x87 control word, and after the return the
 * pattern is still there. */
#include "conf.h"
#include <cpuid.h>

static uint8_t in[32][64] __attribute__((aligned(64))), out[32][64] __attribute__((aligned(64))), junk[64] __attribute__((aligned(64)));
static volatile int calls;

#define R8(m) m(0) m(1) m(2) m(3) m(4) m(5) m(6) m(7)
#define R16(m) R8(m) m(8) m(9) m(10) m(11) m(12) m(13) m(14) m(15)
#define R32(m) R16(m) m(16) m(17) m(18) m(19) m(20) m(21) m(22) m(23) m(24) m(25) m(26) m(27) m(28) m(29) m(30) m(31)

__attribute__((target("avx512f"))) static void clobber512(void)
{
#define C(i) "vmovdqu64 (%0), %%zmm" #i "\n\t"
	__asm__ volatile(R32(C) :: "r"(junk) : "memory");
#undef C
}

__attribute__((target("avx"))) static void clobber256(void)
{
#define C(i) "vmovdqu (%0), %%ymm" #i "\n\t"
	__asm__ volatile(R16(C) :: "r"(junk) : "memory");
#undef C
}

static int has_avx, has_avx512;

static void h(int s, siginfo_t *si, void *uc)
{
	calls++;
	memset(junk, 0xa5, sizeof junk);
	if (has_avx512)
		clobber512();
	else if (has_avx)
		clobber256();
	else
		__asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm7, %%xmm7\n\tpxor %%xmm15, %%xmm15" ::: "xmm0", "xmm7", "xmm15");
	unsigned int csr = 0x7f80 | (3 << 13); /* all masked, round toward zero */
	__asm__ volatile("ldmxcsr %0" ::"m"(csr));
	unsigned short cw = 0x0c7f; /* round toward zero, single precision */
	__asm__ volatile("fldcw %0" ::"m"(cw));
	__asm__ volatile("fldz\n\tfldz\n\tfstp %%st(0)\n\tfstp %%st(0)" ::: "st");
}

static long send(void)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "0"((long)SYS_tgkill), "D"((long)getpid()), "S"((long)gettid_()), "d"((long)SIGUSR1) : "rcx", "r11", "memory");
	return r;
}

__attribute__((target("avx512f"))) static void round512(void)
{
#define L(i) "vmovdqu64 " #i "*64(%[in]), %%zmm" #i "\n\t"
#define S(i) "vmovdqu64 %%zmm" #i ", " #i "*64(%[out])\n\t"
	long r;
	__asm__ volatile(R32(L) "syscall\n\t" R32(S)
			 : "=a"(r)
			 : "0"((long)SYS_tgkill), "D"((long)getpid()), "S"((long)gettid_()), "d"((long)SIGUSR1), [in] "r"(in), [out] "r"(out)
			 : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
			   "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31");
#undef L
#undef S
}

__attribute__((target("avx"))) static void round256(void)
{
#define L(i) "vmovdqu " #i "*64(%[in]), %%ymm" #i "\n\t"
#define S(i) "vmovdqu %%ymm" #i ", " #i "*64(%[out])\n\t"
	long r;
	__asm__ volatile(R16(L) "syscall\n\t" R16(S)
			 : "=a"(r)
			 : "0"((long)SYS_tgkill), "D"((long)getpid()), "S"((long)gettid_()), "d"((long)SIGUSR1), [in] "r"(in), [out] "r"(out)
			 : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
#undef L
#undef S
}

static void round128(void)
{
#define L(i) "movdqu " #i "*64(%[in]), %%xmm" #i "\n\t"
#define S(i) "movdqu %%xmm" #i ", " #i "*64(%[out])\n\t"
	long r;
	__asm__ volatile(R16(L) "syscall\n\t" R16(S)
			 : "=a"(r)
			 : "0"((long)SYS_tgkill), "D"((long)getpid()), "S"((long)gettid_()), "d"((long)SIGUSR1), [in] "r"(in), [out] "r"(out)
			 : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
#undef L
#undef S
}

static int compare(int nregs, int bytes)
{
	int bad = 0;
	for (int i = 0; i < nregs; i++)
		bad += memcmp(in[i], out[i], bytes) != 0;
	return bad;
}

int main(void)
{
	__builtin_cpu_init();
	has_avx = __builtin_cpu_supports("avx");
	has_avx512 = __builtin_cpu_supports("avx512f");
	for (int i = 0; i < 32; i++)
		for (int j = 0; j < 64; j++)
			in[i][j] = (uint8_t)(i * 64 + j * 7 + 1);
	install(SIGUSR1, h, 0);

	unsigned int csr0, csr1;
	unsigned short cw0, cw1;
	__asm__ volatile("stmxcsr %0" : "=m"(csr0));
	__asm__ volatile("fnstcw %0" : "=m"(cw0));
	double x = 1.0 / 3.0, y;
	__asm__ volatile("fldl %0" ::"m"(x));
	round128();
	__asm__ volatile("fstpl %0" : "=m"(y));
	__asm__ volatile("stmxcsr %0" : "=m"(csr1));
	__asm__ volatile("fnstcw %0" : "=m"(cw1));
	EXPECT(calls == 1 && compare(16, 16) == 0, "SSE xmm0-15: %d differ", compare(16, 16));
	EXPECT(csr0 == csr1 && cw0 == cw1, "MXCSR kept %s, x87 control word kept %s", yes(csr0 == csr1), yes(cw0 == cw1));
	EXPECT(x == y, "x87 st(0) kept %s", yes(x == y));
	if (has_avx) {
		memset(out, 0, sizeof out);
		round256();
		EXPECT(calls == 2 && compare(16, 32) == 0, "AVX ymm0-15: %d differ", compare(16, 32));
	} else
		printf("AVX: not available\n");
	if (has_avx512) {
		memset(out, 0, sizeof out);
		round512();
		EXPECT(calls == 3 && compare(32, 64) == 0, "AVX-512 zmm0-31: %d differ", compare(32, 64));
	} else
		printf("AVX-512: not available\n");
	(void)send;
	return conf_exit();
}
