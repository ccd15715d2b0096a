package gopreempt

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestSumSquaresMatchesLoop(t *testing.T) {
	// 5,000,000 takes the sum past 2⁶⁴: the closed form must wrap exactly
	// like the loop.
	for _, n := range []uint64{0, 1, 2, 3, 10, 1000, 1 << 20, 5_000_000} {
		if got, want := SumSquares(n), SpinFrom(0, 0, n); got != want {
			t.Errorf("SumSquares(%d) = %d, loop gives %d", n, got, want)
		}
	}
}

func TestSpinFromIsAdditive(t *testing.T) {
	// Summing in pieces must equal summing at once: the workloads rely on
	// it to check chunked spinning.
	acc := SpinFrom(0, 0, 1000)
	acc = SpinFrom(acc, 1000, 2345)
	if want := SumSquares(3345); acc != want {
		t.Errorf("chunked sum %d, want %d", acc, want)
	}
}

func TestSpinUntilStops(t *testing.T) {
	var stop atomic.Bool
	done := make(chan [2]uint64)
	go func() {
		acc, n := SpinUntil(&stop, 1000, ^uint64(0))
		done <- [2]uint64{acc, n}
	}()
	time.Sleep(10 * time.Millisecond)
	stop.Store(true)
	r := <-done
	if r[1]%1000 != 0 {
		t.Errorf("spun %d terms, not a whole number of chunks", r[1])
	}
	if r[0] != SumSquares(r[1]) {
		t.Errorf("sum %d over %d terms, want %d", r[0], r[1], SumSquares(r[1]))
	}
}

func TestSpinUntilLimit(t *testing.T) {
	var stop atomic.Bool
	acc, n := SpinUntil(&stop, 1000, 4500)
	if n != 5000 || acc != SumSquares(5000) {
		t.Errorf("SpinUntil with limit 4500 summed %d terms to %d, want 5000 terms (whole chunks) to %d", n, acc, SumSquares(5000))
	}
}
