#include <stdint.h>

// vec_run runs rounds of a[k] += d[k] (k < 8, four 64-bit lanes each) with
// a and d held in YMM registers, sending signal sig to the calling thread
// every kick_mask+1 rounds (kick_mask + 1 a power of two). init holds the
// 16 starting vectors (a0..a7, d0..d7) as 64 uint64s; out receives the
// final 16 vectors the same way. Returns how many kicks failed.
int vec_run(uint64_t rounds, uint64_t kick_mask, int sig,
	    const uint64_t *init, uint64_t *out, uint64_t *kicks);
