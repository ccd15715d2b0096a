package sched

import (
	"siglab/fastpath"
)

// Signalfds (fs/signalfd.c). A signalfd is a set of signals a read(2)
// dequeues from the reading thread's and its process's pending sets. The
// descriptor itself is native: the shim makes an eventfd in the managed
// process (the fd number is real and the fd table stays the kernel's),
// traps read, readv and close of that number, and the emulator answers
// them. What the emulator keeps is the object behind the descriptor:
//
//   - its identity (Files.Eventfd's id), checked at every use, so that a
//     descriptor closed or replaced behind the emulator's back (dup2(2),
//     close_range(2), an exec that closed it) is forgotten, and the number
//     read natively again;
//   - its mask (ctx->sigmask);
//   - the processes whose fd tables hold it: fork shares the file, and
//     each holder's reads dequeue that holder's own signals;
//   - its readiness for poll/select/epoll, which the kernel answers with
//     the eventfd's counter: Config.Signalfd is told whenever it changes,
//     and makes the eventfd readable exactly then.
//
// Readiness. signalfd_poll() looks at the polling thread's pending set and
// its process's; the emulator cannot know which thread polls (the poll is
// native), so a signalfd is ready when a signal of its mask is pending for
// any holder — in the process-wide set or any thread's private one. That
// over-approximates: a thread may see POLLIN and then read EAGAIN (the
// signal was another thread's), which programs handle; it never misses a
// readiness, which would hang them. O_NONBLOCK is the real descriptor's
// (Files.Eventfd's flags): fcntl(F_SETFL) changes it natively.
//
// Cost. Processes without signalfds pay one len() test where signals are
// queued and dequeued (send, dequeue, flushAll); with signalfds, each
// change recomputes the readiness of the process's signalfds.

// signalFD is one signalfd file. Guarded by Emulator.mu.
type signalFD struct {
	id      uint64          // the descriptor's identity (Files.Eventfd)
	mask    fastpath.Sigset // signals the fd reads (ctx->sigmask, not inverted)
	cloexec bool            // SFD_CLOEXEC at creation: Exec drops it
	holders []*Process      // processes whose fd table holds it
	ready   bool            // last readiness reported to Config.Signalfd
}

// pendingSignalfd is a validated signalfd4(-1, ...) whose descriptor the
// shim is making (Result NewFd, AdoptSignalfd).
type pendingSignalfd struct {
	mask  fastpath.Sigset
	flags uint64
	valid bool
}

// SignalfdEvent is what Config.Signalfd is told about a signalfd.
type SignalfdEvent uint8

const (
	// SignalfdEmpty: nothing of its mask is pending for any holder; the
	// descriptor must poll as not readable.
	SignalfdEmpty SignalfdEvent = iota
	// SignalfdReadable: something of its mask is pending for a holder.
	SignalfdReadable
	// SignalfdReleased: no process holds it any more; whatever the
	// observer keeps for it can go.
	SignalfdReleased
)

func (ev SignalfdEvent) String() string {
	return [...]string{"empty", "readable", "released"}[ev]
}

// lookupSignalfd returns p's signalfd fd and the real descriptor's file
// status flags, after checking that fd still is that descriptor; one that
// is not any more is forgotten.
func (e *Emulator) lookupSignalfd(p *Process, fd int32) (*signalFD, uint32, bool) {
	s := p.signalfds[fd]
	if s == nil {
		return nil, 0, false
	}
	id, flags, ok := p.files.Eventfd(fd)
	if !ok || id != s.id {
		e.dropSignalfd(p, fd)
		return nil, 0, false
	}
	return s, flags, true
}

// addSignalfd enters s at fd in p's table (replacing what the table held
// there: a descriptor closed behind the emulator's back).
func (e *Emulator) addSignalfd(p *Process, fd int32, s *signalFD) {
	if _, ok := p.signalfds[fd]; ok {
		e.dropSignalfd(p, fd)
	}
	if p.signalfds == nil {
		p.signalfds = make(map[int32]*signalFD)
	}
	p.signalfds[fd] = s
	s.holders = append(s.holders, p)
	e.signalfdUpdate(s)
}

// dropSignalfd removes fd from p's table; the file is released with its
// last holder.
func (e *Emulator) dropSignalfd(p *Process, fd int32) {
	s := p.signalfds[fd]
	if s == nil {
		return
	}
	delete(p.signalfds, fd)
	for i, h := range s.holders {
		if h == p {
			s.holders = append(s.holders[:i], s.holders[i+1:]...)
			break
		}
	}
	if len(s.holders) == 0 {
		if e.sfdNotify != nil {
			e.sfdNotify(s.id, SignalfdReleased)
		}
		return
	}
	e.signalfdUpdate(s)
}

// dropAllSignalfds empties p's table (its exit); keep, if not nil, says
// which entries survive (exec keeps those without close-on-exec).
func (e *Emulator) dropAllSignalfds(p *Process, keep func(*signalFD) bool) {
	for fd, s := range p.signalfds {
		if keep == nil || !keep(s) {
			e.dropSignalfd(p, fd)
		}
	}
}

// signalfdsChanged is called where p's pending signals changed, when p
// holds signalfds.
func (e *Emulator) signalfdsChanged(p *Process) {
	for _, s := range p.signalfds {
		e.signalfdUpdate(s)
	}
}

// signalfdUpdate recomputes s's readiness and reports a change.
func (e *Emulator) signalfdUpdate(s *signalFD) {
	ready := false
	for _, h := range s.holders {
		if e.pendingAny(h)&s.mask != 0 {
			ready = true
			break
		}
	}
	if ready == s.ready {
		return
	}
	s.ready = ready
	if e.sfdNotify != nil {
		ev := SignalfdEmpty
		if ready {
			ev = SignalfdReadable
		}
		e.sfdNotify(s.id, ev)
	}
}

// pendingAny is p's process-wide pending set with every live thread's
// private one.
func (e *Emulator) pendingAny(p *Process) fastpath.Sigset {
	var all fastpath.Sigset
	if p.zombie {
		return 0
	}
	for _, t := range p.threads {
		own, shared := e.st.Pending(t.slot)
		all |= own | shared
	}
	return all
}

// SignalfdReady reports whether p's signalfd fd is readable as the
// emulator last reported it (for tests and traces); false if fd is not a
// signalfd of p.
func (e *Emulator) SignalfdReady(p *Process, fd int32) (ready, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := p.signalfds[fd]
	if s == nil {
		return false, false
	}
	return s.ready, true
}
