package serve

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"siglab/fastpath"
)

// TestLatencySamples runs latency.c under the emulator with the latency
// recorder on: every handler run — after a kill to the process, a burst
// of queued real-time signals, a tgkill to a thread spinning in its own
// code, a timer — gives exactly one sample, positive and sane. (No timing
// threshold: the machine is shared.)
func TestLatencySamples(t *testing.T) {
	bin := buildC(t, "latency", "-pthread")
	for _, layout := range fastpath.Layouts() {
		t.Run(layout, func(t *testing.T) {
			var lat bytes.Buffer
			opts := Options{Layout: layout, NewHandler: func(st fastpath.State) (Handler, error) {
				return NewEmulated(st, EmulatedConfig{Latency: &lat})
			}}
			out, st, stats := emulated(t, opts, bin)
			if st.Code != 0 || st.Signaled() || stats.Faults != 0 {
				t.Fatalf("latency.c under the emulator: %v, %d faults (%v), output %q", st, stats.Faults, stats.LastFault, out)
			}
			var handled int
			if _, err := fmt.Sscanf(string(out), "handlers ran %d times", &handled); err != nil {
				t.Fatalf("output %q: %v", out, err)
			}
			lines := strings.Fields(lat.String())
			if len(lines) != handled {
				t.Errorf("%d samples for %d handler runs", len(lines), handled)
			}
			for _, l := range lines {
				ns, err := strconv.ParseInt(l, 10, 64)
				if err != nil || ns <= 0 || ns >= int64(10*time.Second) {
					t.Errorf("sample %q: want nanoseconds in (0, 10 s)", l)
				}
			}
		})
	}
}

// TestLatencyOff: without a Latency writer there is no recorder, sched
// gets no observer (a nil interface, so it never calls), and the
// emulator's calls on the nil recorder do nothing.
func TestLatencyOff(t *testing.T) {
	l := newLatencyRecorder(nil, nil)
	if l != nil || l.observer() != nil {
		t.Fatalf("recorder without a writer: %v", l)
	}
	th := &Thread{}
	l.delivered(th, 10)
	l.entered(th)
	if err := l.flush(); err != nil {
		t.Fatal(err)
	}
}
