package sched

import (
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// TestInlineWakes: with Config.InlineWakes, a tgkill to another thread
// that runs its own code kicks it before the sender's Syscall returns and
// leaves no event for the loop; without it, the deliver-signal event waits
// in the queue for the loop (or RunDue), and the kick with it.
func TestInlineWakes(t *testing.T) {
	for _, inline := range []bool{false, true} {
		for _, l := range fastpath.Layouts() {
			v := newEnvConfig(t, l, func(c *Config) { c.InlineWakes = inline })
			_, a, mem := v.proc(100, 0)
			b := v.thread(a, 101)
			v.sigaction(a, mem, fastpath.SIGUSR1, handlerAddr, 0, 0)
			v.takeKicks()
			v.ok(v.sys(a, unix.SYS_TGKILL, 100, 101, fastpath.SIGUSR1), 0)
			kicks, pending := v.takeKicks(), v.e.PendingEvents()
			if inline {
				if !slices.Equal(kicks, []int32{b.Tid}) || pending != 0 {
					t.Errorf("%s, inline: kicks %v and %d events after the send, want [101] and none", l, kicks, pending)
				}
				continue
			}
			if len(kicks) != 0 || pending != 1 {
				t.Errorf("%s: kicks %v and %d events after the send, want none and the deliver-signal event", l, kicks, pending)
			}
			v.e.RunDue()
			if kicks := v.takeKicks(); !slices.Equal(kicks, []int32{b.Tid}) {
				t.Errorf("%s: RunDue kicked %v, want [101]", l, kicks)
			}
		}
	}
}
