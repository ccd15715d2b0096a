package gopreempt

import (
	"math/big"
	"sync/atomic"
)

// The spinning loops below are the workloads' common load: loops that make
// no calls, so the compiler puts no preemption check (stack-bound prologue)
// in them and only an asynchronous preemption — SIGURG, runtime/preempt.go —
// can take the P away from them. Each adds i² for consecutive i, so the
// result is checkable against SumSquares: a register lost or corrupted
// across a signal shows up as a wrong sum.

// SpinFrom returns acc + Σ_{from ≤ i < from+n} i² (mod 2⁶⁴), in a loop
// with no calls.
//
//go:noinline
func SpinFrom(acc, from, n uint64) uint64 {
	for i := from; i < from+n; i++ {
		acc += i * i
	}
	return acc
}

// SpinUntil spins in chunks of chunk iterations until stop is set or it
// has summed at least limit terms, and returns the sum of squares it
// computed and how many terms it summed (acc == SumSquares(n) if nothing
// went wrong). The stop check is an atomic load, which the compiler turns
// into a plain MOV: the loop stays call-free. The limit bounds a run in
// which whoever should set stop never gets a P — as happens without
// asynchronous preemption.
//
//go:noinline
func SpinUntil(stop *atomic.Bool, chunk, limit uint64) (acc, n uint64) {
	for !stop.Load() && n < limit {
		for end := n + chunk; n < end; n++ {
			acc += n * n
		}
	}
	return acc, n
}

// SumSquares is Σ_{i<n} i² = (n-1)n(2n-1)/6, reduced mod 2⁶⁴ like the
// loops' uint64 arithmetic.
func SumSquares(n uint64) uint64 {
	if n == 0 {
		return 0
	}
	a := new(big.Int).SetUint64(n - 1)
	a.Mul(a, new(big.Int).SetUint64(n))
	a.Mul(a, new(big.Int).SetUint64(2*n-1))
	a.Div(a, big.NewInt(6))
	return new(big.Int).And(a, new(big.Int).SetUint64(^uint64(0))).Uint64()
}
