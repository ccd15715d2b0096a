package main

import (
	"hash/crc32"
	"runtime"
	"testing"
	"time"
)

func TestStreamIsPositional(t *testing.T) {
	// Filling in pieces at their offsets must give the same bytes as one
	// fill: the reader checks each read at its own offset.
	whole := make([]byte, 1000)
	fillStream(whole, 7, 0)
	pieces := make([]byte, 1000)
	for off := 0; off < 1000; off += 13 {
		end := min(off+13, 1000)
		fillStream(pieces[off:end], 7, uint64(off))
	}
	for i := range whole {
		if whole[i] != pieces[i] || whole[i] != streamByte(7, uint64(i)) {
			t.Fatalf("byte %d: whole %d, pieces %d, streamByte %d", i, whole[i], pieces[i], streamByte(7, uint64(i)))
		}
	}
	other := make([]byte, 1000)
	fillStream(other, 8, 0)
	if badBytes(other, 7, 0) < 900 {
		t.Error("streams of different seeds agree on most bytes")
	}
}

func TestBadBytes(t *testing.T) {
	b := make([]byte, 100)
	fillStream(b, 3, 500)
	if n := badBytes(b, 3, 500); n != 0 {
		t.Errorf("intact stream: %d bad bytes", n)
	}
	b[10] ^= 1
	b[99]++
	if n := badBytes(b, 3, 500); n != 2 {
		t.Errorf("two corrupted bytes: %d bad", n)
	}
	// A lost byte shifts the rest: checked at its offset, the tail is wrong.
	fillStream(b, 3, 500)
	if n := badBytes(b[1:], 3, 500); n < 90 {
		t.Errorf("stream shifted by one byte: only %d of 99 bad", n)
	}
}

func TestChecksumIsIncremental(t *testing.T) {
	b := make([]byte, 4096)
	fillStream(b, 1, 0)
	var crc uint32
	for off := 0; off < len(b); off += 1000 {
		crc = checksum(crc, b[off:min(off+1000, len(b))])
	}
	if want := crc32.ChecksumIEEE(b); crc != want {
		t.Errorf("incremental checksum %08x, one-shot %08x", crc, want)
	}
}

func TestPumpPipe(t *testing.T) {
	// spawn runs the writer as a plain goroutine: no thread to register.
	spawn := func(f func()) { f() }
	for _, tc := range []struct{ total, chunk uint64 }{{0, 10}, {1, 1}, {100_000, 7}, {1 << 20, 100_000}} {
		st := pumpPipe(tc.total, tc.chunk, 42, spawn)
		if st.err != nil || st.written != tc.total || st.read != tc.total || st.bad != 0 || st.eintr != 0 || st.wcrc != st.rcrc {
			t.Errorf("total %d chunk %d: %+v", tc.total, tc.chunk, st)
		}
	}
}

func TestSleepFor(t *testing.T) {
	if _, err := sleepFor(50 * time.Microsecond); err != nil {
		t.Error(err)
	}
	if _, err := sleepFor(-time.Second); err == nil {
		t.Error("a negative sleep succeeded; nanosleep(2) says EINVAL")
	}
}

func TestRunSelfChecks(t *testing.T) {
	r := run(config{pipes: 2, bytes: 1 << 20, maxChunk: 16 << 10, sleepers: 1, sleeps: 50,
		sleepFor: 100 * time.Microsecond, kick: 200 * time.Microsecond, spinCap: ^uint64(0)})
	if !r.OK {
		t.Fatalf("syscall-storm failed its self-check: %s (metrics %v)", r.Why, r.Metrics)
	}
	m := r.Metrics
	if m["bytes"] != 2<<20 || m["lost_bytes"] != 0 || m["eintr"] != 0 || m["sleeps"] != 50 ||
		m["spinners"] != float64(runtime.GOMAXPROCS(0)) || m["reads"] < 2*64 || m["writes"] < 2*64 {
		t.Errorf("implausible metrics %v", m)
	}
}

func TestRunRejectsBadParameters(t *testing.T) {
	if r := run(config{pipes: 1, bytes: 1, maxChunk: 0}); r.OK || r.Why == "" {
		t.Errorf("run with max-chunk 0 = %+v, want a failure with a reason", r)
	}
}
