package fastpath

import (
	"fmt"
	"testing"
)

// Misuse by the emulator: the State documents that a dead slot or a signal
// number outside 1..64 is a bug it panics on "the way an index out of
// range does". The danger is the opposite — an arithmetic offset that
// lands in a neighbour's record or a free list that silently hands one slot
// to two owners — so each of these must panic, not carry on.
func TestMisusePanics(t *testing.T) {
	type env struct {
		s          State
		p, freeP   ProcID
		th, freeTh ThreadID
	}
	cases := []struct {
		name string
		do   func(e env)
	}{
		{"SendThread signal 0", func(e env) { e.s.SendThread(e.th, &Siginfo{Signo: 0}) }},
		{"SendThread signal 65", func(e env) { e.s.SendThread(e.th, &Siginfo{Signo: 65}) }},
		{"SendThread signal -1", func(e env) { e.s.SendThread(e.th, &Siginfo{Signo: -1}) }},
		{"SendProcess signal 0", func(e env) { e.s.SendProcess(e.p, &Siginfo{Signo: 0}) }},
		{"SendProcess signal 200", func(e env) { e.s.SendProcess(e.p, &Siginfo{Signo: 200}) }},
		{"Action signal 0", func(e env) { e.s.Action(e.p, 0) }},
		{"Action signal 65", func(e env) { e.s.Action(e.p, 65) }},
		{"SetAction signal 0", func(e env) { e.s.SetAction(e.p, 0, Sigaction{Handler: 1}) }},
		{"SetAction signal 65", func(e env) { e.s.SetAction(e.p, 65, Sigaction{Handler: 1}) }},
		{"SendThread to a free thread", func(e env) { e.s.SendThread(e.freeTh, sigInfo(SIGUSR1, 0)) }},
		{"SendProcess to a free process", func(e env) { e.s.SendProcess(e.freeP, sigInfo(SIGUSR1, 0)) }},
		{"FreeThread twice", func(e env) { e.s.FreeThread(e.freeTh) }},
		{"FreeProcess twice", func(e env) { e.s.FreeProcess(e.freeP) }},
		{"NewThread in a free process", func(e env) { e.s.NewThread(e.freeP) }},
		{"Hot of a free thread", func(e env) { e.s.Hot(e.freeTh) }},
		{"thread out of range", func(e env) { e.s.Pending(ThreadID(1 << 20)) }},
		{"process out of range", func(e env) { e.s.QueuedRealtime(-1) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Two processes and threads on each side of the ones misused,
			// so an offset error would land in a live neighbour.
			eachLayout(t, Config{MaxThreads: 8, MaxProcesses: 8}, func(t *testing.T, s State) {
				var e env
				e.s = s
				for range 3 {
					p := mustProcess(t, s)
					for range 2 {
						mustThread(t, s, p)
					}
				}
				e.p = 1
				e.th = 2
				e.freeP = mustProcess(t, s)
				e.freeTh = mustThread(t, s, e.p)
				s.FreeThread(e.freeTh)
				s.FreeProcess(e.freeP)

				if msg := panics(func() { c.do(e) }); msg == "" {
					t.Errorf("%s did not panic", c.name)
				}
			})
		})
	}
}

// panics runs fn and returns its panic value as text, or "" if none.
func panics(fn func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	fn()
	return ""
}
