package fastpath

import (
	"math/rand/v2"
	"testing"
)

// FuzzLayouts is the differential fuzz test: the input bytes decode into a
// sequence of operations (diff_test.go) applied to one State per layout and
// to the reference model (model_test.go); every layout must give the
// model's results at every step. The committed corpus is in
// testdata/fuzz/FuzzLayouts; `go test` replays it and the seeds below.
func FuzzLayouts(f *testing.F) {
	f.Add([]byte{})
	// One process, one thread, a standard signal sent twice (coalesced) and
	// taken.
	f.Add([]byte{0, 3, 0, 6, 0, 0x81, 1, 2, 3, 4, 5, 6, 6, 0, 0x81, 9, 9, 9, 9, 9, 9, 11, 0, 0})
	// Real-time signals past the limit on thread and process, then flushes.
	rt := []byte{0, 3, 0, 3, 0}
	for i := range 8 {
		rt = append(rt, 6, byte(i), 0x86, 0, 0, 0, 0, 0, byte(i))
		rt = append(rt, 9, 0, 0x88, 0, 0, 0, 0, 0, byte(i))
	}
	rt = append(rt, 11, 0, 0, 14, 1, 1, 15, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1)
	f.Add(rt)
	// Fill every slot, free a process with its threads, reuse the slots.
	f.Add([]byte{0, 0, 0, 0, 3, 0, 3, 1, 3, 2, 3, 0, 3, 1, 2, 0, 0, 3, 2, 16, 1, 7, 2, 9, 17, 0, 0x83, 0x80, 2, 1, 5})
	// Random bytes, for breadth.
	r := rand.New(rand.NewPCG(1, 2))
	for range 4 {
		b := make([]byte, 256)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		newDiffRun(t).run(&fuzzBytes{data: data}, 4096)
	})
}
