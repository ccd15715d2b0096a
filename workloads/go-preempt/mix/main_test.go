package main

import (
	"runtime"
	"testing"
	"time"
)

func TestFloatRoundIsExact(t *testing.T) {
	if mm := floatRound(); mm != 0 {
		t.Errorf("floatRound found %d mismatches with nothing interrupting it on purpose", mm)
	}
}

func TestAllocRound(t *testing.T) {
	mm, objects := allocRound(5, 100)
	if mm != 0 {
		t.Errorf("allocRound found %d mismatches", mm)
	}
	if want := uint64(1<<6 - 1 + 100); objects != want {
		t.Errorf("allocRound made %d objects, want %d", objects, want)
	}
}

func TestCheckTreeSeesMisplacedNode(t *testing.T) {
	var next uint64
	tr := buildTree(3, &next)
	tr.right.left.val += 100
	var want uint64
	if bad, count := checkTree(tr, &want); bad != 1 || count != 15 {
		t.Errorf("checkTree = %d bad of %d, want 1 of 15", bad, count)
	}
}

func TestCheckVector(t *testing.T) {
	in := []uint64{1, 2, 10, 20}
	out := []uint64{1 + 3*10, 2 + 3*20, 10, 20}
	if mm := checkVector(in, out, 3); mm != 0 {
		t.Errorf("checkVector on right output = %d, want 0", mm)
	}
	out[1]++
	out[3] = 0
	if mm := checkVector(in, out, 3); mm != 2 {
		t.Errorf("checkVector with two wrong lanes = %d, want 2", mm)
	}
}

func TestVectorLoopMatchesClosedForm(t *testing.T) {
	if !haveVector() {
		t.Skip("no AVX2 on this CPU")
	}
	// Kick often, so Go's SIGURG handler runs many times inside the loop.
	for _, rounds := range []uint64{0, 1, 1000, 5_000_000} {
		mm, kicks, err := runVector(rounds, 1<<10, rounds+1)
		if err != nil {
			t.Fatal(err)
		}
		if mm != 0 {
			t.Errorf("%d rounds: %d mismatched lanes", rounds, mm)
		}
		if kicks != rounds>>10 {
			t.Errorf("%d rounds: %d kicks, want %d", rounds, kicks, rounds>>10)
		}
	}
	if _, _, err := runVector(10, 3, 1); err == nil {
		t.Error("a kick interval that is not a power of two was accepted")
	}
}

func TestPipeSeq(t *testing.T) {
	for _, batch := range []int{1, 7, 512} {
		if mm, err := pipeSeq(20_000, batch); err != nil || mm != 0 {
			t.Errorf("batch %d: %d mismatches, err %v", batch, mm, err)
		}
	}
}

func TestRunSelfChecks(t *testing.T) {
	r := run(config{
		spinWork: 50_000_000, floatRounds: 1, floaters: 1,
		vectorRounds: 20_000_000, kickEvery: 1 << 12,
		allocRounds: 2, allocers: 1, treeDepth: 10, mapKeys: 1000,
		pipeSeqs: 10_000, sleeps: 10, sleepFor: 100 * time.Microsecond,
	})
	if !r.OK {
		t.Fatalf("mix failed its self-check: %s", r.Why)
	}
	m := r.Metrics
	if m["mismatches"] != 0 || m["spinners"] != float64(runtime.GOMAXPROCS(0)) ||
		m["alloc_objects"] != 2*(1<<11-1+1000) || m["pipe_bytes"] != 80_000 || m["sleeps"] != 10 {
		t.Errorf("implausible metrics %v", m)
	}
	if haveVector() && (m["vector"] != 1 || m["vector_kicks"] != 20_000_000>>12) {
		t.Errorf("vector part did not run as configured: %v", m)
	}
}

func TestRunRejectsBadParameters(t *testing.T) {
	good := config{kickEvery: 1, treeDepth: 1}
	for _, bad := range []func(*config){
		func(c *config) { c.treeDepth = -1 },
		func(c *config) { c.treeDepth = 40 },
		func(c *config) { c.kickEvery = 3 },
		func(c *config) { c.kickEvery = 0 },
		func(c *config) { c.sleeps = -1 },
	} {
		c := good
		bad(&c)
		if r := run(c); r.OK || r.Why == "" {
			t.Errorf("run(%+v) = %+v, want a failure with a reason", c, r)
		}
	}
	if r := run(good); !r.OK {
		t.Errorf("run with no work failed: %s", r.Why)
	}
}
