// The vector part of the mix workload: a long loop that keeps sixteen YMM
// registers live (eight accumulators, eight increments) and, every so
// often, sends its own thread a signal with a raw syscall instruction whose
// clobber list names only rax, rcx and r11 — the registers the syscall ABI
// gives the kernel (entry_SYSCALL_64). The compiler therefore keeps the
// accumulators in YMM registers across the signal, and the signal handler
// (Go's, for SIGURG) runs and returns in between. Natively the kernel saves
// and restores the whole xsave area in the signal frame (setup_rt_frame →
// copy_fpstate_to_sigframe, restore_fpregs_from_user at rt_sigreturn); an
// emulator must do the same, or the final values are wrong.

#include <immintrin.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vector_amd64.h"

static inline long raw_tgkill(long pid, long tid, long sig) {
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"((long)SYS_tgkill), "D"(pid), "S"(tid), "d"(sig)
			 : "rcx", "r11", "memory");
	return ret;
}

#define LOAD(k) _mm256_loadu_si256((const __m256i *)(init + 4 * (k)))
#define STORE(k, v) _mm256_storeu_si256((__m256i *)(out + 4 * (k)), (v))

int vec_run(uint64_t rounds, uint64_t kick_mask, int sig,
	    const uint64_t *init, uint64_t *out, uint64_t *kicks) {
	long pid = getpid(), tid = syscall(SYS_gettid);
	int errors = 0;
	uint64_t nkicks = 0;
	__m256i a0 = LOAD(0), a1 = LOAD(1), a2 = LOAD(2), a3 = LOAD(3);
	__m256i a4 = LOAD(4), a5 = LOAD(5), a6 = LOAD(6), a7 = LOAD(7);
	__m256i d0 = LOAD(8), d1 = LOAD(9), d2 = LOAD(10), d3 = LOAD(11);
	__m256i d4 = LOAD(12), d5 = LOAD(13), d6 = LOAD(14), d7 = LOAD(15);
	for (uint64_t r = 0; r < rounds; r++) {
		a0 = _mm256_add_epi64(a0, d0);
		a1 = _mm256_add_epi64(a1, d1);
		a2 = _mm256_add_epi64(a2, d2);
		a3 = _mm256_add_epi64(a3, d3);
		a4 = _mm256_add_epi64(a4, d4);
		a5 = _mm256_add_epi64(a5, d5);
		a6 = _mm256_add_epi64(a6, d6);
		a7 = _mm256_add_epi64(a7, d7);
		if ((r & kick_mask) == kick_mask) {
			if (raw_tgkill(pid, tid, sig) != 0)
				errors++;
			nkicks++;
		}
	}
	STORE(0, a0); STORE(1, a1); STORE(2, a2); STORE(3, a3);
	STORE(4, a4); STORE(5, a5); STORE(6, a6); STORE(7, a7);
	STORE(8, d0); STORE(9, d1); STORE(10, d2); STORE(11, d3);
	STORE(12, d4); STORE(13, d5); STORE(14, d6); STORE(15, d7);
	*kicks = nkicks;
	return errors;
}
