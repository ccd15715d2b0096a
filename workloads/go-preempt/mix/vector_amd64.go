package main

// #cgo CFLAGS: -mavx2 -O2
// #include "vector_amd64.h"
import "C"

import (
	"fmt"
	"math/bits"
	"syscall"

	"golang.org/x/sys/cpu"
)

// vectorLanes is how many uint64s vec_run takes in and gives back: sixteen
// YMM registers of four lanes.
const vectorLanes = 16 * 4

// haveVector reports whether this CPU and OS run AVX2 (x/sys/cpu checks
// CPUID leaf 7 and that the OS saves the YMM state, XGETBV).
func haveVector() bool { return cpu.X86.HasAVX2 }

// runVector runs the AVX2 loop for rounds rounds, kicking its own thread
// with SIGURG every kickEvery rounds, and counts the lanes whose final
// value differs from the closed form a + rounds·d (mod 2⁶⁴) or whose
// increment changed. Go's SIGURG handler tolerates stray SIGURGs (the
// runtime documents that programs may receive them), so the kicks run real
// signal deliveries into C code without disturbing anything.
func runVector(rounds, kickEvery uint64, seed uint64) (mismatches, kicks uint64, err error) {
	if kickEvery == 0 || bits.OnesCount64(kickEvery) != 1 {
		return 0, 0, fmt.Errorf("vector kick interval %d is not a power of two", kickEvery)
	}
	init := make([]uint64, vectorLanes)
	out := make([]uint64, vectorLanes)
	s := seed
	for i := range init {
		init[i] = splitmix64(&s)
	}
	var ck C.uint64_t
	failed := C.vec_run(C.uint64_t(rounds), C.uint64_t(kickEvery-1), C.int(syscall.SIGURG),
		(*C.uint64_t)(&init[0]), (*C.uint64_t)(&out[0]), &ck)
	if failed != 0 {
		return 0, uint64(ck), fmt.Errorf("%d of %d tgkill kicks failed", failed, ck)
	}
	return checkVector(init, out, rounds), uint64(ck), nil
}
