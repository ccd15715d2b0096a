package fastpath

import (
	"encoding/binary"
	"strings"
	"testing"
)

// Geometry and footprint: the shim runs the check on its own mapping of the
// memfd at the offsets Geometry reports, so these tests read and write the
// arena through a second mmap of Fd() — exactly what the shim will do —
// rather than trusting the State's own accessors.

// documented is each layout's geometry as its file's header comment draws
// it. A new layout adds its row here, which is where its picture is checked.
var documented = map[string]struct {
	geo       Geometry // ProcBase is computed, not documented
	footprint [2]int   // shared bytes per thread, per process
}{
	"bitmap": {Geometry{ThreadStride: 48, ThreadPending: 0, ThreadBlocked: 8, ThreadAltStack: 16,
		ThreadProc: 40, ProcStride: 8, ProcPending: 0}, [2]int{48, 8}},
	"flat": {Geometry{ThreadStride: 4016, ThreadPending: 0, ThreadBlocked: 3976, ThreadAltStack: 3984,
		ThreadProc: 4008, ProcStride: 6024, ProcPending: 0}, [2]int{4016, 6024}},
	// summary: bitmap's records plus one summary word per thread slot
	// (SummaryBase is computed, like ProcBase).
	"summary": {Geometry{ThreadStride: 48, ThreadPending: 0, ThreadBlocked: 8, ThreadAltStack: 16,
		ThreadProc: 40, ProcStride: 8, ProcPending: 0, SummaryStride: 8}, [2]int{56, 8}},
}

func TestDocumentedGeometry(t *testing.T) {
	const threads = 100
	eachLayout(t, Config{MaxThreads: threads}, func(t *testing.T, s State) {
		doc, ok := documented[s.Layout()]
		if !ok {
			t.Fatalf("layout %q has no documented geometry in geometry_test.go", s.Layout())
		}
		g := s.Geometry()
		got := g
		got.ProcBase, got.SummaryBase = 0, 0
		if got != doc.geo {
			t.Errorf("Geometry = %+v, want %+v", got, doc.geo)
		}
		f := s.Footprint()
		if f.SharedPerThread != doc.footprint[0] || f.SharedPerProcess != doc.footprint[1] {
			t.Errorf("Footprint shared = %d/%d B, want %d/%d", f.SharedPerThread, f.SharedPerProcess,
				doc.footprint[0], doc.footprint[1])
		}
		if f.SharedPerThread != int(g.ThreadStride+g.SummaryStride) || f.SharedPerProcess != int(g.ProcStride) {
			t.Errorf("Footprint %+v disagrees with strides %d/%d", f, g.ThreadStride, g.ProcStride)
		}
		if f.PerThread() != f.SharedPerThread+f.PrivatePerThread ||
			f.PerProcess() != f.SharedPerProcess+f.PrivatePerProcess {
			t.Errorf("Footprint totals inconsistent: %+v", f)
		}
		if f.PerQueued < SiginfoSize {
			t.Errorf("PerQueued = %d, less than a siginfo", f.PerQueued)
		}
		if g.ProcBase%4096 != 0 || g.ProcBase < g.ThreadBase+threads*g.ThreadStride {
			t.Errorf("ProcBase %#x overlaps the %d thread records or is not page-aligned", g.ProcBase, threads)
		}
	})
}

// TestGeometrySane checks what the shim assumes of any layout: the hot
// words are 8-byte aligned in every record (atomic loads), inside the
// record, and do not overlap each other or the other fields.
func TestGeometrySane(t *testing.T) {
	const threads = 64
	eachLayout(t, Config{MaxThreads: threads}, func(t *testing.T, s State) {
		g := s.Geometry()
		fields := []struct {
			name     string
			off, len uint64
		}{
			{"pending", g.ThreadPending, 8}, {"blocked", g.ThreadBlocked, 8},
			{"altstack", g.ThreadAltStack, StackSize}, {"proc", g.ThreadProc, 4},
		}
		for i, a := range fields {
			if a.off+a.len > g.ThreadStride {
				t.Errorf("%s [%d,%d) outside the %d-byte thread record", a.name, a.off, a.off+a.len, g.ThreadStride)
			}
			for _, b := range fields[i+1:] {
				if a.off < b.off+b.len && b.off < a.off+a.len {
					t.Errorf("%s and %s overlap", a.name, b.name)
				}
			}
		}
		if g.ProcPending+8 > g.ProcStride {
			t.Errorf("process pending outside the %d-byte record", g.ProcStride)
		}
		for th := uint64(0); th < threads; th++ {
			base := g.ThreadBase + th*g.ThreadStride
			for _, off := range []uint64{g.ThreadPending, g.ThreadBlocked} {
				if (base+off)%8 != 0 {
					t.Fatalf("thread %d: hot word at %#x not 8-byte aligned", th, base+off)
				}
			}
			// bitmap promises the two thread words share a cache line.
			if s.Layout() == "bitmap" && (base+g.ThreadPending)/64 != (base+g.ThreadBlocked)/64 {
				t.Errorf("thread %d: pending and blocked on different cache lines", th)
			}
		}
		for p := uint64(0); p < DefaultMaxProcesses; p++ {
			if (g.ProcBase+p*g.ProcStride+g.ProcPending)%8 != 0 {
				t.Fatalf("process %d: pending word not 8-byte aligned", p)
			}
		}
		if g.SummaryStride != 0 {
			// The summary words are a region of their own, after both
			// kinds of record, one aligned word per thread slot.
			procEnd := g.ProcBase + DefaultMaxProcesses*g.ProcStride
			if g.SummaryBase%8 != 0 || g.SummaryStride%8 != 0 ||
				g.SummaryBase < g.ThreadBase+threads*g.ThreadStride || g.SummaryBase < procEnd {
				t.Errorf("summary words at %#x stride %d overlap the records or are misaligned", g.SummaryBase, g.SummaryStride)
			}
		}
	})
}

// TestGeometryInArena writes through the State and reads the words raw
// from a second mapping of the memfd at the Geometry's offsets, then
// writes raw words and checks that Hot and Blocked read the same places.
func TestGeometryInArena(t *testing.T) {
	eachLayout(t, Config{MaxThreads: 40, MaxProcesses: 9}, func(t *testing.T, s State) {
		mem := mapArena(t, s)
		g := s.Geometry()
		if end := g.ProcBase + 9*g.ProcStride; uint64(len(mem)) < end {
			t.Fatalf("arena is %d bytes, process records end at %d", len(mem), end)
		}
		if end := g.ThreadBase + 40*g.ThreadStride; uint64(len(mem)) < end {
			t.Fatalf("arena is %d bytes, thread records end at %d", len(mem), end)
		}
		u64 := func(off uint64) uint64 { return binary.LittleEndian.Uint64(mem[off:]) }
		put := func(off, v uint64) { binary.LittleEndian.PutUint64(mem[off:], v) }

		// Spread the slots out so a wrong stride shows.
		var procs []ProcID
		for range 9 {
			procs = append(procs, mustProcess(t, s))
		}
		type thr struct {
			id ThreadID
			p  ProcID
		}
		var ths []thr
		for i := range 40 {
			p := procs[i%len(procs)]
			ths = append(ths, thr{mustThread(t, s, p), p})
		}
		for i, x := range ths {
			sig := 1 + i%NSIG
			if sig == SIGKILL || sig == SIGSTOP {
				sig = SIGUSR1
			}
			mustSendThread(t, s, x.id, sig, uint64(i))
			s.SetBlocked(x.id, Sigset(0x5555_0000_0000_0000)|SigBit(sig))
			s.SetAltStack(x.id, Stack{SP: uint64(i) << 12, Size: uint64(i) + 1, Flags: int32(i)})
		}
		for i, p := range procs {
			mustSendProcess(t, s, p, SIGRTMIN+i, 0)
		}
		for _, x := range ths {
			rec := g.ThreadBase + uint64(x.id)*g.ThreadStride
			tp, pp := s.Pending(x.id)
			if got := u64(rec + g.ThreadPending); got != uint64(tp) {
				t.Errorf("thread %d: raw pending %#x, Pending %#x", x.id, got, tp)
			}
			if got := u64(rec + g.ThreadBlocked); got != uint64(s.Blocked(x.id)) {
				t.Errorf("thread %d: raw blocked %#x, Blocked %#x", x.id, got, s.Blocked(x.id))
			}
			st := s.AltStack(x.id)
			if u64(rec+g.ThreadAltStack) != st.SP ||
				int32(binary.LittleEndian.Uint32(mem[rec+g.ThreadAltStack+8:])) != st.Flags ||
				u64(rec+g.ThreadAltStack+16) != st.Size {
				t.Errorf("thread %d: raw stack_t disagrees with AltStack %+v", x.id, st)
			}
			if got := binary.LittleEndian.Uint32(mem[rec+g.ThreadProc:]); got != uint32(x.p) {
				t.Errorf("thread %d: raw process %d, want %d", x.id, got, x.p)
			}
			prec := g.ProcBase + uint64(x.p)*g.ProcStride
			if got := u64(prec + g.ProcPending); got != uint64(pp) {
				t.Errorf("process %d: raw pending %#x, Pending %#x", x.p, got, pp)
			}
		}

		if g.SummaryStride != 0 {
			// A summary layout's check reads one word per thread: it must
			// hold exactly the deliverable set, and be what Hot reads.
			for _, x := range ths {
				tp, pp := s.Pending(x.id)
				want := uint64((tp | pp) &^ s.Blocked(x.id))
				if got := u64(g.SummaryBase + uint64(x.id)*g.SummaryStride); got != want {
					t.Errorf("thread %d: raw summary %#x, want %#x", x.id, got, want)
				}
			}
			x := ths[7]
			h := s.Hot(x.id)
			for _, v := range []uint64{0, 1 << 20, 1 << 63} {
				put(g.SummaryBase+uint64(x.id)*g.SummaryStride, v)
				if got := h.DeliverableSet(); got != Sigset(v) {
					t.Errorf("raw summary %#x: DeliverableSet = %#x", v, got)
				}
			}
			return
		}

		// The other direction: what the shim (or the managed process) writes
		// is what the check reads.
		x := ths[7]
		rec := g.ThreadBase + uint64(x.id)*g.ThreadStride
		prec := g.ProcBase + uint64(x.p)*g.ProcStride
		h := s.Hot(x.id)
		put(rec+g.ThreadPending, 0)
		put(prec+g.ProcPending, 0)
		put(rec+g.ThreadBlocked, 0)
		if h.Deliverable() {
			t.Fatalf("Deliverable with all three raw words zero (set %#x)", h.DeliverableSet())
		}
		for _, c := range []struct {
			name                      string
			pending, procPend, blockd uint64
		}{
			{"thread word", 1 << 20, 0, 0},
			{"process word", 0, 1 << 40, 0},
			{"blocked word", 1<<20 | 1<<40, 1 << 40, 1<<20 | 1<<40},
			{"blocked partly", 1 << 3, 1 << 60, 1 << 3},
		} {
			put(rec+g.ThreadPending, c.pending)
			put(prec+g.ProcPending, c.procPend)
			put(rec+g.ThreadBlocked, c.blockd)
			want := Sigset((c.pending | c.procPend) &^ c.blockd)
			if got := h.DeliverableSet(); got != want {
				t.Errorf("%s: DeliverableSet = %#x, want %#x", c.name, got, want)
			}
			if got := s.Blocked(x.id); got != Sigset(c.blockd)&^Unblockable {
				t.Errorf("%s: Blocked = %#x, want raw %#x", c.name, got, c.blockd)
			}
		}
	})
}

// TestNewUnknownLayout: a bad --layout value is an error naming the known
// ones, never a panic or a silent default.
func TestNewUnknownLayout(t *testing.T) {
	for _, name := range []string{"", "Bitmap", "nope", "bitmap "} {
		s, err := New(name, Config{})
		if err == nil {
			s.Close()
			t.Errorf("New(%q) succeeded", name)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "unknown layout") || !strings.Contains(msg, "\""+name+"\"") {
			t.Errorf("New(%q) error %q does not name the bad layout", name, msg)
		}
		for _, known := range Layouts() {
			if !strings.Contains(msg, known) {
				t.Errorf("New(%q) error %q does not list %q", name, msg, known)
			}
		}
	}
	if l := Layouts(); len(l) == 0 || l[0] != DefaultLayout {
		t.Errorf("Layouts() = %v, want the default %q first", l, DefaultLayout)
	}
	for _, name := range Layouts() {
		if Summary(name) == "" {
			t.Errorf("layout %q has no summary", name)
		}
		s := newTestState(t, name, Config{})
		if s.Layout() != name {
			t.Errorf("New(%q).Layout() = %q", name, s.Layout())
		}
	}
	if Summary("nope") != "" {
		t.Error("Summary of an unknown layout is not empty")
	}
}
