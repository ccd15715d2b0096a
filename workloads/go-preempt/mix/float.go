package main

import "math"

// floatTerms is how many terms one floating-point round sums. Every partial
// sum stays below 2⁵³ (the largest, 2·Σi for i < 2²⁵, is ≈ 1.1·10¹⁵) and
// every i² below 2⁵³ too, so each operation is exact and the results are
// known in closed form: a wrong bit is a lost register, not rounding.
const floatTerms = 1 << 25

// floatRound sums six scaled series in six live XMM registers and checks
// that √(i²) = i for every i (SQRTSD is correctly rounded, so exact here),
// in a loop with no calls: async preemption interrupts it with floating
// point state live. It returns the number of wrong results.
//
//go:noinline
func floatRound() (mismatches uint64) {
	var a0, a1, a2, a3, a4, a5 float64
	for i := 0; i < floatTerms; i++ {
		x := float64(i)
		a0 += x
		a1 += x * 0.5
		a2 += x * 0.25
		a3 += x * 2
		a4 -= x
		a5 += x * 0.125
		if math.Sqrt(x*x) != x {
			mismatches++
		}
	}
	n := float64(floatTerms)
	s := n * (n - 1) / 2
	for _, c := range [...]struct{ got, want float64 }{
		{a0, s}, {a1, s * 0.5}, {a2, s * 0.25}, {a3, s * 2}, {a4, -s}, {a5, s * 0.125},
	} {
		if c.got != c.want {
			mismatches++
		}
	}
	return mismatches
}
