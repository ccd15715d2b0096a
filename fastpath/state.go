package fastpath

import (
	"fmt"
	"sync/atomic"
	"unsafe"
)

// spec describes where a layout puts things; shared implements State for
// any spec. Offsets of optional parts are 0 when the layout keeps that part
// in the emulator's heap instead (no record places an optional part at 0,
// where the pending word is).
type spec struct {
	name string
	geo  Geometry
	// threadInfos and procInfos: offset of a [31]siginfo_t array for the
	// standard signals, or 0 to keep their siginfos in the private store.
	threadInfos, procInfos uint64
	// procActions: offset of a [64]sigaction table, or 0 for a private one.
	procActions uint64
	// extra is how many bytes the layout needs in the arena beyond the
	// thread and process records; they start at shared.extraBase.
	extra uint64
}

// shared is the State every registered layout is built from. The private
// side (authoritative pending sets, siginfo queues, process of each thread)
// is the emulator's own memory: everything in the arena can be scribbled on
// by the managed process, so the arena holds published copies and data that
// only hurts the process itself if forged, never anything the emulator
// follows (see hostile_test.go).
type shared struct {
	spec
	cfg       Config
	ar        *arena
	st        store
	extraBase uint64 // where spec.extra bytes start in the arena

	// Per thread slot. tProc is -1 for a free slot, whose tQueue then links
	// the free list (1-based, 0 ends it).
	tProc    []ProcID
	tPending []Sigset // authoritative; published to the arena word
	tQueue   []int32  // private siginfo queue (tail), see store
	// tLost and pLost, for a layout with shared standard siginfo slots
	// only (nil otherwise): the standard signals pending without a
	// siginfo (account.go). Elsewhere a signal is pending without one
	// when its bit is set and no queued entry is left for it.
	tLost []Sigset
	freeT int32

	// Per process slot; pRT counts queued real-time siginfos, pCharged
	// all the siginfos of the process and its threads charged to its
	// account pAcct, pLimit is its RLIMIT_SIGPENDING (account.go).
	pLive    []bool
	pPending []Sigset
	pLost    []Sigset
	pQueue   []int32
	pRT      []int32
	pCharged []int32
	pLimit   []int32
	pAcct    []int32
	pActions []Sigaction // MaxProcesses*NSIG when the layout keeps them private
	freeP    int32

	accts accounts
}

func newShared(sp spec, cfg Config) (*shared, error) {
	size := sp.geo.ThreadBase + uint64(cfg.MaxThreads)*sp.geo.ThreadStride
	if end := sp.geo.ProcBase + uint64(cfg.MaxProcesses)*sp.geo.ProcStride; end > size {
		size = end
	}
	extraBase := pageAlign(size)
	if sp.extra > 0 {
		size = extraBase + sp.extra
	}
	ar, err := newArena(sp.name, size)
	if err != nil {
		return nil, err
	}
	s := &shared{
		spec:      sp,
		cfg:       cfg,
		ar:        ar,
		extraBase: extraBase,
		tProc:     make([]ProcID, cfg.MaxThreads),
		tPending:  make([]Sigset, cfg.MaxThreads),
		tQueue:    make([]int32, cfg.MaxThreads),
		pLive:     make([]bool, cfg.MaxProcesses),
		pPending:  make([]Sigset, cfg.MaxProcesses),
		pQueue:    make([]int32, cfg.MaxProcesses),
		pRT:       make([]int32, cfg.MaxProcesses),
		pCharged:  make([]int32, cfg.MaxProcesses),
		pLimit:    make([]int32, cfg.MaxProcesses),
		pAcct:     make([]int32, cfg.MaxProcesses),
	}
	if sp.procActions == 0 {
		s.pActions = make([]Sigaction, cfg.MaxProcesses*NSIG)
	}
	if sp.threadInfos != 0 {
		s.tLost = make([]Sigset, cfg.MaxThreads)
	}
	if sp.procInfos != 0 {
		s.pLost = make([]Sigset, cfg.MaxProcesses)
	}
	s.st.init()
	s.accts.init()
	// Free lists in ascending order, so slot numbers are deterministic.
	for i := cfg.MaxThreads - 1; i >= 0; i-- {
		s.tProc[i] = -1
		s.tQueue[i] = s.freeT
		s.freeT = int32(i) + 1
	}
	for i := cfg.MaxProcesses - 1; i >= 0; i-- {
		s.pQueue[i] = s.freeP
		s.freeP = int32(i) + 1
	}
	return s, nil
}

func (s *shared) Layout() string     { return s.name }
func (s *shared) Geometry() Geometry { return s.geo }
func (s *shared) Fd() int            { return s.ar.fd }
func (s *shared) Close() error       { return s.ar.close() }

func (s *shared) Footprint() Footprint {
	f := Footprint{
		SharedPerThread:  int(s.geo.ThreadStride),
		SharedPerProcess: int(s.geo.ProcStride),
		PrivatePerThread: int(unsafe.Sizeof(ProcID(0)) + unsafe.Sizeof(Sigset(0)) + unsafe.Sizeof(int32(0))),
		PrivatePerProcess: int(unsafe.Sizeof(false) + unsafe.Sizeof(Sigset(0)) +
			5*unsafe.Sizeof(int32(0))),
		PerQueued: nodeSize,
	}
	if s.procActions == 0 {
		f.PrivatePerProcess += NSIG * SigactionSize
	}
	if s.tLost != nil {
		f.PrivatePerThread += int(unsafe.Sizeof(Sigset(0)))
	}
	if s.pLost != nil {
		f.PrivatePerProcess += int(unsafe.Sizeof(Sigset(0)))
	}
	return f
}

// Addresses in the arena.
func (s *shared) thread(t ThreadID) uint64 {
	return s.geo.ThreadBase + uint64(t)*s.geo.ThreadStride
}
func (s *shared) proc(p ProcID) uint64 { return s.geo.ProcBase + uint64(p)*s.geo.ProcStride }
func (s *shared) word(off uint64) *atomic.Uint64 {
	return (*atomic.Uint64)(s.ar.at(off))
}
func (s *shared) info(off uint64, sig int) *Siginfo {
	return (*Siginfo)(s.ar.at(off + uint64(sig-1)*SiginfoSize))
}

func (s *shared) NewProcess() (ProcID, error) {
	if s.freeP == 0 {
		return 0, ErrFull
	}
	p := ProcID(s.freeP - 1)
	s.freeP = s.pQueue[p]
	s.pQueue[p] = 0
	s.pLive[p] = true
	s.pPending[p] = 0
	if s.pLost != nil {
		s.pLost[p] = 0
	}
	s.pRT[p] = 0
	s.pCharged[p] = 0
	s.pLimit[p] = int32(s.cfg.RTQueueLimit)
	s.pAcct[p] = s.accts.join(0)
	base := s.proc(p)
	clear(s.ar.mem[base : base+s.geo.ProcStride])
	if s.pActions != nil {
		clear(s.pActions[int(p)*NSIG : int(p+1)*NSIG])
	}
	return p, nil
}

func (s *shared) FreeProcess(p ProcID) {
	s.FlushProcess(p, ^Sigset(0)) // panics on a free slot: a double free would loop the free list
	s.accts.leave(s.pAcct[p])
	s.pLive[p] = false
	s.pQueue[p] = s.freeP
	s.freeP = int32(p) + 1
}

func (s *shared) NewThread(p ProcID) (ThreadID, error) {
	if !s.pLive[p] {
		panic("fastpath: NewThread in a free process slot")
	}
	if s.freeT == 0 {
		return 0, ErrFull
	}
	t := ThreadID(s.freeT - 1)
	s.freeT = s.tQueue[t]
	s.tQueue[t] = 0
	s.tProc[t] = p
	s.tPending[t] = 0
	if s.tLost != nil {
		s.tLost[t] = 0
	}
	base := s.thread(t)
	clear(s.ar.mem[base : base+s.geo.ThreadStride])
	*(*Stack)(s.ar.at(base + s.geo.ThreadAltStack)) = DisabledStack
	*(*uint32)(s.ar.at(base + s.geo.ThreadProc)) = uint32(p)
	return t, nil
}

func (s *shared) FreeThread(t ThreadID) {
	s.Process(t) // panics on a free slot: a double free would loop the free list
	s.FlushThread(t, ^Sigset(0))
	s.tProc[t] = -1
	s.tQueue[t] = s.freeT
	s.freeT = int32(t) + 1
}

func (s *shared) Process(t ThreadID) ProcID {
	p := s.tProc[t]
	if p < 0 {
		panic("fastpath: thread slot is free")
	}
	return p
}

func (s *shared) Hot(t ThreadID) Hot {
	base := s.thread(t)
	return Hot{
		pending:     s.word(base + s.geo.ThreadPending),
		blocked:     s.word(base + s.geo.ThreadBlocked),
		procPending: s.word(s.proc(s.Process(t)) + s.geo.ProcPending),
	}
}

func (s *shared) SendThread(t ThreadID, info *Siginfo) (bool, error) {
	p := s.Process(t)
	base := s.thread(t)
	return s.send(p, &s.tPending[t], lostAt(s.tLost, int(t)), &s.tQueue[t], base, base+s.geo.ThreadPending, s.threadInfos, info)
}

func (s *shared) SendProcess(p ProcID, info *Siginfo) (bool, error) {
	s.liveProcess(p)
	base := s.proc(p)
	return s.send(p, &s.pPending[p], lostAt(s.pLost, int(p)), &s.pQueue[p], base, base+s.geo.ProcPending, s.procInfos, info)
}

// send is __send_signal_locked()'s queueing half: a standard signal already
// pending is dropped (legacy_queue()), a real-time one is queued behind its
// predecessors; either keeps its siginfo only if p's account can be charged
// for it (account.go). The siginfo is stored before the pending bit is
// published (hot.go, point 1).
func (s *shared) send(p ProcID, pending, lost *Sigset, q *int32, rec, word, infos uint64, info *Siginfo) (bool, error) {
	sig := int(info.Signo)
	mustBeSignal(sig)
	bit := SigBit(sig)
	if !IsRealtime(sig) {
		if *pending&bit != 0 {
			return false, nil
		}
		switch {
		case !s.charge(p, overrides(info)):
			// Pending without its siginfo: take makes up the one
			// collect_signal() would.
			if lost != nil {
				*lost |= bit
			}
		case infos != 0:
			*s.info(rec+infos, sig) = *info
		default:
			s.st.push(q, info)
		}
	} else {
		if s.charge(p, false) {
			s.pRT[p]++
			s.st.push(q, info)
		} else if info.Code != SI_USER {
			return false, ErrAgain
		}
		// else: kill(2) past the limit. The kernel pends the signal
		// without a siginfo ("This is a silent loss of information");
		// take makes up the SI_USER siginfo collect_signal() would.
	}
	*pending |= bit
	s.word(word).Store(uint64(*pending))
	return true, nil
}

func (s *shared) Take(t ThreadID, mask Sigset, info *Siginfo) int {
	p := s.Process(t)
	tb := s.thread(t)
	if sig := s.take(p, &s.tPending[t], lostAt(s.tLost, int(t)), &s.tQueue[t], tb, tb+s.geo.ThreadPending, s.threadInfos, mask, info); sig != 0 {
		return sig
	}
	pb := s.proc(p)
	return s.take(p, &s.pPending[p], lostAt(s.pLost, int(p)), &s.pQueue[p], pb, pb+s.geo.ProcPending, s.procInfos, mask, info)
}

// take is __dequeue_signal() on one pending set.
func (s *shared) take(p ProcID, pending, lost *Sigset, q *int32, rec, word, infos uint64, mask Sigset, info *Siginfo) int {
	sig := NextSignal(*pending, mask)
	if sig == 0 {
		return 0
	}
	more := false
	if lost != nil && *lost&SigBit(sig) != 0 {
		// A standard signal pending without its siginfo (send):
		// collect_signal()'s "Ok, it wasn't in the queue" siginfo. The
		// shared slot may hold anything the process wrote; clear it.
		*lost &^= SigBit(sig)
		*info = Siginfo{Signo: int32(sig), Code: SI_USER}
		*s.info(rec+infos, sig) = Siginfo{}
	} else if !IsRealtime(sig) && infos != 0 {
		// The slot is in shared memory: the managed process may have
		// written anything there. It is the process's own siginfo, so a
		// forgery only fools the process itself — but the signal number is
		// ours, and the slot is cleared as Shadow does.
		slot := s.info(rec+infos, sig)
		*info = *slot
		*slot = Siginfo{}
		info.Signo = int32(sig)
		s.uncharge(p, 1)
	} else {
		var found bool
		found, more = s.st.remove(q, sig, info)
		if found {
			s.uncharge(p, 1)
		}
		switch {
		case found && IsRealtime(sig):
			s.pRT[p]--
		case !found:
			// Pending without a siginfo (see send): collect_signal()'s
			// "Ok, it wasn't in the queue" siginfo.
			*info = Siginfo{Signo: int32(sig), Code: SI_USER}
		}
	}
	if !more {
		*pending &^= SigBit(sig)
		s.word(word).Store(uint64(*pending))
	}
	return sig
}

func (s *shared) Pending(t ThreadID) (thread, process Sigset) {
	return s.tPending[t], s.pPending[s.Process(t)]
}

func (s *shared) FlushThread(t ThreadID, set Sigset) {
	p := s.tProc[t]
	base := s.thread(t)
	s.flush(p, &s.tPending[t], lostAt(s.tLost, int(t)), &s.tQueue[t], base, base+s.geo.ThreadPending, s.threadInfos, set)
}

func (s *shared) FlushProcess(p ProcID, set Sigset) {
	s.liveProcess(p)
	base := s.proc(p)
	s.flush(p, &s.pPending[p], lostAt(s.pLost, int(p)), &s.pQueue[p], base, base+s.geo.ProcPending, s.procInfos, set)
}

func (s *shared) flush(p ProcID, pending, lost *Sigset, q *int32, rec, word, infos uint64, set Sigset) {
	set &= *pending
	if set == 0 {
		return
	}
	removed, rt := s.st.flush(q, set)
	s.pRT[p] -= int32(rt)
	if infos != 0 { // and so lost != nil (newShared)
		removed += int(chargedStandard(set, *lost))
		for x := set & StandardMask; x != 0; x &= x - 1 {
			sig := NextSignal(x, 0)
			*s.info(rec+infos, sig) = Siginfo{}
		}
	}
	s.uncharge(p, int32(removed))
	if lost != nil {
		*lost &^= set
	}
	*pending &^= set
	s.word(word).Store(uint64(*pending))
}

func (s *shared) QueuedRealtime(p ProcID) int { return int(s.pRT[p]) }

func (s *shared) Blocked(t ThreadID) Sigset {
	// The word is in shared memory; never let a forged value block what
	// cannot be blocked.
	return Sigset(s.word(s.thread(t)+s.geo.ThreadBlocked).Load()) &^ Unblockable
}

func (s *shared) SetBlocked(t ThreadID, mask Sigset) {
	s.word(s.thread(t) + s.geo.ThreadBlocked).Store(uint64(mask &^ Unblockable))
}

func (s *shared) AltStack(t ThreadID) Stack {
	return *(*Stack)(s.ar.at(s.thread(t) + s.geo.ThreadAltStack))
}

func (s *shared) SetAltStack(t ThreadID, st Stack) {
	*(*Stack)(s.ar.at(s.thread(t) + s.geo.ThreadAltStack)) = st
}

func (s *shared) Action(p ProcID, sig int) Sigaction {
	mustBeSignal(sig)
	if s.pActions != nil {
		return s.pActions[int(p)*NSIG+sig-1]
	}
	return *(*Sigaction)(s.ar.at(s.proc(p) + s.procActions + uint64(sig-1)*SigactionSize))
}

func (s *shared) SetAction(p ProcID, sig int, a Sigaction) {
	mustBeSignal(sig)
	if s.pActions != nil {
		s.pActions[int(p)*NSIG+sig-1] = a
		return
	}
	*(*Sigaction)(s.ar.at(s.proc(p) + s.procActions + uint64(sig-1)*SigactionSize)) = a
}

// liveProcess and mustBeSignal turn the emulator bugs the State interface
// documents as panics into panics. Without them a free slot's queue field
// (which links the free list) or an offset computed from signal 0 or 65
// would be used as is, corrupting the free list or a neighbour's record
// instead of failing (misuse_test.go).
func (s *shared) liveProcess(p ProcID) {
	if !s.pLive[p] {
		panic("fastpath: process slot is free")
	}
}

// lostAt is &l[i], or nil for a layout that keeps no lost set.
func lostAt(l []Sigset, i int) *Sigset {
	if l == nil {
		return nil
	}
	return &l[i]
}

func mustBeSignal(sig int) {
	if !ValidSignal(sig) {
		panic(fmt.Sprintf("fastpath: signal %d out of range 1..%d", sig, NSIG))
	}
}
