package serve

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
	"siglab/shim"
)

// Server serves the channels of a Region with a Handler: a registrar
// goroutine that notices claimed channels (the doorbell), and one goroutine
// per served channel. Goroutine per channel was chosen over one poller
// because a poller must either spin over every channel (a core lost on a
// 2-core machine) or sleep on one futex per channel, which the kernel
// cannot do in one call; a goroutine blocked in futex(2) costs an OS
// thread, the same cost the managed thread itself already has.
type Server struct {
	reg  *Region
	h    Handler
	trap [shim.TrapWords]uint64 // the requests served: Header.TrapSet and FdTrapper's
	spin int
	log  io.Writer

	mu     sync.Mutex // guards served, owners, released, and each State reset to ChanFree
	served []bool
	// released sums the shim's counters of released channels (each reset
	// to 0 as its channel is freed).
	released shimCounts
	owners   map[int32]int // tid -> channel of its latest registration
	evict    []atomic.Bool // per channel: its thread registered again elsewhere

	wg      sync.WaitGroup
	stop    atomic.Bool
	faults  atomic.Int64 // handler panics and protocol violations, for tests and reports
	threads atomic.Int64 // threads attached
	signals atomic.Int64 // OpSignal requests
	calls   [shim.MaxSyscall]atomic.Int64
	wrapped [shim.MaxSyscall]atomic.Int64 // calls that came through the shim's libc wrappers
	wrap    bool                          // Header.Wrappers: wrapper requests are valid
	lastErr atomic.Value                  // error: the last fault, for Run's report
}

// ServerConfig tunes a Server.
type ServerConfig struct {
	// Spin is how many times a channel goroutine polls for the next
	// request before sleeping on the futex.
	Spin int
	// Log receives one line per fault (nil: discarded).
	Log io.Writer
}

// Timing of the lifecycle checks (not of the protocol, which never waits
// for a timeout to make progress).
const (
	idleCheck     = 250 * time.Millisecond // how often an idle channel checks its thread is alive
	claimPatience = 8                      // idle checks before a claimed, silent channel is reclaimed
)

// NewServer prepares a server; Start begins serving.
func NewServer(reg *Region, h Handler, cfg ServerConfig) *Server {
	s := &Server{reg: reg, h: h, spin: cfg.Spin, log: cfg.Log, served: make([]bool, reg.Channels()),
		owners: map[int32]int{}, evict: make([]atomic.Bool, reg.Channels())}
	s.trap = reg.Header().TrapSet
	s.wrap = reg.Header().Wrappers == 1
	if ft, ok := h.(FdTrapper); ok {
		for _, nr := range ft.FdTrapSet() {
			if nr >= 0 && nr < shim.MaxSyscall {
				s.trap[nr/64] |= 1 << (nr % 64)
			}
		}
	}
	if s.log == nil {
		s.log = io.Discard
	}
	return s
}

// Start launches the registrar.
func (s *Server) Start() {
	s.wg.Add(1)
	go s.registrar()
}

// Stop tells the shim the emulator is gone (Header.Shutdown), wakes every
// sleeping goroutine and waits for them.
func (s *Server) Stop() {
	s.stop.Store(true)
	hdr := s.reg.Header()
	atomic.StoreUint32(&hdr.Shutdown, 1)
	atomic.AddUint32(&hdr.Doorbell, 1)
	futexWake(&hdr.Doorbell, 1<<30)
	for i := 0; i < s.reg.Channels(); i++ {
		ch := s.reg.Channel(i)
		futexWake(&ch.ReqSeq, 1<<30)
		futexWake(&ch.RepSeq, 1<<30)
	}
	s.wg.Wait()
}

// Faults is the number of faults seen so far (handler panics, malformed
// replies), and the last one.
func (s *Server) Faults() (int64, error) {
	err, _ := s.lastErr.Load().(error)
	return s.faults.Load(), err
}

// Stats counts what a Server has served.
type Stats struct {
	Threads  int64         // threads attached (first contacts)
	Syscalls map[int]int64 // trapped syscalls served, by number
	// Wrapped counts the syscalls that came through the shim's libc
	// wrappers (shim/csrc/wrappers.c) instead of a trap, by number; they
	// are not in Syscalls.
	Wrapped map[int]int64
	Signals int64 // slow-path requests after a positive fast-path check
	// LocalSigreturns counts the rt_sigreturns the shim performed itself,
	// as the shims report them (a program can scribble on the counter; it
	// is a statistic only). They are not in Syscalls.
	LocalSigreturns int64
	// FastReturns counts, among LocalSigreturns, the returns the shim's
	// restorer made without a trap (shim/csrc/fastret.c); a statistic
	// only, as the shims report it.
	FastReturns int64
	// LocalSigmasks counts the rt_sigprocmask calls the shim answered
	// itself (a query, or a mask that only unblocks), through its
	// wrappers (shim/csrc/wrappers.c) or in its SIGSYS handler
	// (shim/csrc/sigreturn.c), as the shims report them; a statistic
	// only. They are in neither Syscalls nor Wrapped.
	LocalSigmasks int64
	Faults        int64 // handler panics and malformed replies
	LastFault     error // the last of them
}

// Served is how often syscall nr reached the emulator, trapped or
// through the shim's libc wrappers.
func (st Stats) Served(nr int) int64 { return st.Syscalls[nr] + st.Wrapped[nr] }

// Sigprocmasks is every rt_sigprocmask of the run: trapped, sent by the
// shim's wrappers, and answered by the wrappers themselves.
func (st Stats) Sigprocmasks() int64 {
	return st.Served(unix.SYS_RT_SIGPROCMASK) + st.LocalSigmasks
}

// Sigreturns is every rt_sigreturn of the run: the ones the emulator
// served and the ones the shim did itself.
func (st Stats) Sigreturns() int64 {
	return st.Syscalls[unix.SYS_RT_SIGRETURN] + st.LocalSigreturns
}

// Stats returns the counts so far.
func (s *Server) Stats() Stats {
	st := Stats{Threads: s.threads.Load(), Signals: s.signals.Load(), Syscalls: map[int]int64{}, Wrapped: map[int]int64{}}
	st.Faults, st.LastFault = s.Faults()
	s.mu.Lock()
	c := s.released
	for i, on := range s.served {
		if on {
			c.add(s.reg.Channel(i), false)
		}
	}
	s.mu.Unlock()
	st.LocalSigreturns, st.LocalSigmasks, st.FastReturns = c.sigreturns, c.sigmasks, c.fast
	for nr := range s.calls {
		if n := s.calls[nr].Load(); n != 0 {
			st.Syscalls[nr] = n
		}
		if n := s.wrapped[nr].Load(); n != 0 {
			st.Wrapped[nr] = n
		}
	}
	return st
}

func (s *Server) fault(err error) {
	s.faults.Add(1)
	s.lastErr.Store(err)
	fmt.Fprintln(s.log, "siglab serve:", err)
}

func (s *Server) registrar() {
	defer s.wg.Done()
	hdr := s.reg.Header()
	starved := atomic.LoadUint32(&hdr.Starved)
	for !s.stop.Load() {
		seen := atomic.LoadUint32(&hdr.Doorbell)
		if v := atomic.LoadUint32(&hdr.Starved); v != starved {
			starved = v
			s.pokeAll()
		}
		s.scan()
		futexWait(&hdr.Doorbell, seen, idleCheck)
	}
}

// pokeAll wakes every channel goroutine sleeping for a request; each one
// that finds no request runs its liveness check and frees the channel of a
// thread that is gone.
func (s *Server) pokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, on := range s.served {
		if on {
			futexWake(&s.reg.Channel(i).ReqSeq, 1)
		}
	}
}

// scan starts a goroutine for every claimed channel not yet served. The
// State word is the process's to write, so a forged claim only makes serve
// watch an empty channel until it gives up on it.
func (s *Server) scan() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.served {
		if s.served[i] || atomic.LoadUint32(&s.reg.Channel(i).State) == shim.ChanFree {
			continue
		}
		s.served[i] = true
		s.wg.Add(1)
		go s.serveChannel(i)
	}
}

// shimCounts are the statistics a shim counts in its channel
// (Channel.LocalSigreturns, LocalSigmasks, FastReturns).
type shimCounts struct{ sigreturns, sigmasks, fast int64 }

// add adds ch's counters to c, resetting them to 0 if reset.
func (c *shimCounts) add(ch *shim.Channel, reset bool) {
	take := func(w *uint32) int64 {
		if reset {
			return int64(atomic.SwapUint32(w, 0))
		}
		return int64(atomic.LoadUint32(w))
	}
	c.sigreturns += take(&ch.LocalSigreturns)
	c.sigmasks += take(&ch.LocalSigmasks)
	c.fast += take(&ch.FastReturns)
}

// release returns channel i to the pool: State = ChanFree and "not served"
// change together under mu, so a new claim is either seen by the next scan
// or was made after the reset and rings the doorbell again.
func (s *Server) release(i int) {
	s.mu.Lock()
	s.served[i] = false
	ch := s.reg.Channel(i)
	s.released.add(ch, true)
	atomic.StoreUint32(&ch.State, shim.ChanFree)
	s.mu.Unlock()
}

func (s *Server) serveChannel(i int) {
	defer s.wg.Done()
	ch := s.reg.Channel(i)
	var th *Thread
	last := atomic.LoadUint32(&ch.RepSeq)
	budget := newSpinBudget(s.spin)
	for {
		seq, ok := s.waitRequest(i, last, th, &budget)
		if !ok {
			break
		}
		last = seq
		exiting := s.handle(ch, i, &th)
		atomic.StoreUint32(&ch.RepSeq, seq)
		if atomic.LoadUint32(&ch.ShimWaiting) != 0 {
			futexWake(&ch.RepSeq, 1)
		}
		if exiting && th != nil && s.awaitExit(ch, seq, th) {
			break
		}
	}
	if th != nil {
		s.h.Detach(th)
		s.mu.Lock()
		if s.owners[th.Tid] == i {
			delete(s.owners, th.Tid)
		}
		s.mu.Unlock()
	}
	if !s.stop.Load() {
		s.evict[i].Store(false)
		s.release(i)
	}
}

// own records t as the owner of its channel. A thread that registers while
// its tid still owns another channel has execve(2)'d (its new image's shim
// registers anew; the filter and the tid survive, the old image's TLS does
// not): the old channel's goroutine is told to detach it and free the
// channel, so that nothing is ever sent on behalf of the old image — a kick
// in particular, which the new image could not yet handle.
func (s *Server) own(t *Thread) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.owners[t.Tid]; ok && old != t.Channel {
		s.evict[old].Store(true)
		futexWake(&s.reg.Channel(old).ReqSeq, 1)
	}
	s.owners[t.Tid] = t.Channel
}

// waitRequest waits until ReqSeq moves past last: spin (adaptively,
// spin.go), then announce and sleep (the Dekker half of channel.c's
// shim_call). It gives up when the server stops or the channel's thread is
// gone.
func (s *Server) waitRequest(i int, last uint32, th *Thread, budget *spinBudget) (uint32, bool) {
	ch := s.reg.Channel(i)
	for k, n := 0, budget.polls(); k < n; k++ {
		if v := atomic.LoadUint32(&ch.ReqSeq); v != last {
			budget.hit()
			return v, true
		}
	}
	budget.miss()
	idle := 0
	for !s.stop.Load() {
		atomic.StoreUint32(&ch.ServerWaiting, 1)
		if v := atomic.LoadUint32(&ch.ReqSeq); v != last {
			atomic.StoreUint32(&ch.ServerWaiting, 0)
			return v, true
		}
		futexWait(&ch.ReqSeq, last, idleCheck)
		atomic.StoreUint32(&ch.ServerWaiting, 0)
		if v := atomic.LoadUint32(&ch.ReqSeq); v != last {
			return v, true
		}
		idle++
		if s.evict[i].Load() {
			return 0, false
		}
		if th != nil {
			if !alive(th) {
				return 0, false
			}
		} else if idle >= claimPatience {
			return 0, false // claimed but never registered
		}
	}
	return 0, false
}

// alive reports whether the thread still exists (tgkill(2) with signal 0).
// A zombie thread-group leader still counts as alive until it is reaped.
func alive(th *Thread) bool {
	return !errors.Is(unix.Tgkill(int(th.Pid), int(th.Tid), 0), unix.ESRCH)
}

// awaitExit waits, briefly polling, until a thread that is in its final
// exit(2) is gone: the shim's private signal stack for this channel is in
// use until the thread has entered the kernel. It reports false if the
// thread sends another request instead — a forged exit only stalls the
// forger's own channel until then.
func (s *Server) awaitExit(ch *shim.Channel, seq uint32, th *Thread) bool {
	for d := 20 * time.Microsecond; !s.stop.Load(); {
		if atomic.LoadUint32(&ch.ReqSeq) != seq {
			return false
		}
		if !alive(th) {
			return true
		}
		time.Sleep(d)
		if d < 10*time.Millisecond {
			d *= 2
		}
	}
	return true
}

// handle reads the request once, field by field, validates it, asks the
// Handler and writes the reply. It reports whether the thread is exiting.
func (s *Server) handle(ch *shim.Channel, i int, th **Thread) (exiting bool) {
	op := ch.Op
	var rep Reply
	switch op {
	case shim.OpRegister:
		pid, tid := ch.Pid, ch.Tid
		switch {
		case *th != nil:
			rep = Complete(-int64(unix.EALREADY))
		case pid <= 0 || tid <= 0:
			rep = Complete(-int64(unix.EINVAL))
		default:
			t := &Thread{Pid: pid, Tid: tid, Channel: i, ch: ch, Mask: fastpath.Sigset(ch.Mask),
				FreshImage: ch.Args[0] == shim.RegisterFreshImage,
				Inherited:  fastpath.Sigset(ch.Args[1]), HasInherited: ch.Args[2] == shim.RegisterInherited}
			if err := s.attach(t); err != nil {
				if !errors.Is(err, fs.ErrNotExist) || alive(t) {
					// (A process that is already gone — /proc has no
					// record of it — is no fault of anybody's.)
					s.fault(fmt.Errorf("attach pid %d tid %d: %w", pid, tid, err))
				}
				rep = Complete(-int64(unix.EAGAIN))
				break
			}
			s.threads.Add(1)
			s.own(t)
			*th = t
			rep = Complete(int64(t.Slot))
		}
	case shim.OpSyscall:
		nr, flags := ch.Nr, ch.ReqFlags
		switch {
		case *th == nil:
			rep = Complete(-int64(unix.EPERM))
		case nr >= shim.MaxSyscall || s.trap[nr/64]&(1<<(nr%64)) == 0:
			rep = Complete(-int64(unix.ENOSYS))
		case flags != 0 && !s.wrapperCall(flags, nr):
			rep = Complete(-int64(unix.EINVAL))
		default:
			c := Call{Nr: int(nr), Args: ch.Args, Wrapper: flags != 0, Frame: flags&shim.ReqFrame != 0, Context: readContext(ch)}
			if c.Wrapper {
				s.wrapped[nr].Add(1)
			} else {
				s.calls[nr].Add(1)
			}
			rep = s.call(func() Reply { return s.h.Syscall(*th, &c) })
			if c.Wrapper {
				rep = s.wrapperReply(rep, false, c.Frame)
			}
			run := c.Nr // the syscall the shim runs natively
			if rep.Replace {
				run = rep.ReplaceNr
			}
			exiting = run == unix.SYS_EXIT && rep.Kind == shim.KindNative
		}
	case shim.OpNativeDone:
		nr, ret, flags := ch.Nr, ch.Ret, ch.ReqFlags
		switch {
		case *th == nil:
			rep = Complete(-int64(unix.EPERM))
		case nr >= shim.MaxSyscall || s.trap[nr/64]&(1<<(nr%64)) == 0:
			rep = Complete(-int64(unix.ENOSYS))
		case flags != 0 && !s.wrapperCall(flags, nr):
			rep = Complete(-int64(unix.EINVAL))
		default:
			c := Call{Nr: int(nr), Args: ch.Args, Wrapper: flags != 0, Frame: flags&shim.ReqFrame != 0, Context: readContext(ch)}
			rep = Complete(ret)
			if nrp, ok := s.h.(NativeReporter); ok {
				rep = s.call(func() Reply { return nrp.NativeDone(*th, &c, ret) })
			}
			if rep.Kind == shim.KindNative || rep.Kind == shim.KindSigreturn {
				s.fault(fmt.Errorf("reply kind %d to a native report", rep.Kind))
				rep = Complete(ret)
			}
			if c.Wrapper {
				rep = s.wrapperReply(rep, true, c.Frame)
			}
		}
	case shim.OpSignal:
		if *th == nil {
			rep = Complete(-int64(unix.EPERM))
			break
		}
		s.signals.Add(1)
		ctx := readSignalContext(ch)
		rep = s.call(func() Reply { return s.h.Signal(*th, &ctx) })
	case shim.OpKernelSignal:
		var info fastpath.Siginfo
		*(*[6]uint64)(unsafe.Pointer(&info)) = ch.Args
		kr, ok := s.h.(KernelRouter)
		switch {
		case *th == nil:
			rep = Complete(-int64(unix.EPERM))
		case !ok || !fastpath.ValidSignal(int(info.Signo)) || (shimSignals | fastpath.Unblockable).Has(int(info.Signo)):
			// A forged request: nothing was routed by this Handler.
			rep = Complete(-int64(unix.EINVAL))
		default:
			ctx := readSignalContext(ch)
			rep = s.call(func() Reply { return kr.KernelSignal(*th, &info, &ctx) })
		}
	default:
		rep = Complete(-int64(unix.EINVAL))
	}
	s.writeReply(ch, rep)
	return exiting
}

// wrapperCall reports whether a request's ReqFlags and Nr make a valid
// wrapper request: the Handler answers wrappers (Header.Wrappers) and
// the syscall is one a wrapper makes (shim.WrappedSet) — kill or tgkill
// if it can take a frame (shim.ReqFrame).
func (s *Server) wrapperCall(flags uint32, nr uint64) bool {
	if !s.wrap {
		return false
	}
	switch flags {
	case shim.ReqWrapper:
	case shim.ReqWrapper | shim.ReqFrame:
		return nr == unix.SYS_KILL || nr == unix.SYS_TGKILL
	default:
		return false
	}
	for _, w := range shim.WrappedSet {
		if uint64(w) == nr {
			return true
		}
	}
	return false
}

// wrapperReply checks a Handler's answer to a wrapper request against
// what the wrapper can apply (shim.ReqWrapper): KindComplete without a
// restart, or (not to a report) KindNative without Interruptible,
// Replace or TrapFd; with frame (shim.ReqFrame), also KindDeliver
// without a restart and KindDie. Anything else is the Handler's bug: a
// fault, and EPROTO for the program.
func (s *Server) wrapperReply(rep Reply, report, frame bool) Reply {
	switch {
	case rep.Kind == shim.KindComplete && !rep.Restart:
		return rep
	case rep.Kind == shim.KindNative && !report && !rep.Interruptible && !rep.Replace && !rep.TrapFd:
		return rep
	case frame && (rep.Kind == shim.KindDeliver && !rep.Restart || rep.Kind == shim.KindDie):
		return rep
	}
	s.fault(fmt.Errorf("reply %+v to a wrapper request", rep))
	return Complete(-int64(unix.EPROTO))
}

func readContext(ch *shim.Channel) Context {
	return Context{Rip: ch.Rip, Rsp: ch.Rsp, Mask: fastpath.Sigset(ch.Mask)}
}

// readSignalContext is readContext plus the interrupted syscall of an
// OpSignal or OpKernelSignal request; anything but a syscall number with
// -ERESTARTSYS is "none" (the values are the program's to forge: at worst
// it mis-restarts its own syscall).
func readSignalContext(ch *shim.Channel) Context {
	ctx := readContext(ch)
	if nr, ret := ch.Nr, ch.Ret; nr < shim.MaxSyscall && ret == -erestartsys {
		ctx.IntrNr, ctx.IntrRet = int(nr), ret
	}
	return ctx
}

// erestartsys is the kernel's ERESTARTSYS (include/linux/errno.h), the
// code the shim reports for an interrupted, restarting native syscall.
const erestartsys = 512

// attach calls Handler.Attach, recovering a panic.
func (s *Server) attach(t *Thread) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panic in Attach: %v", r)
		}
	}()
	return s.h.Attach(t)
}

// call runs a Handler method; a panic becomes ENOSYS for this request and
// a recorded fault, and the emulator keeps serving.
func (s *Server) call(f func() Reply) (rep Reply) {
	defer func() {
		if r := recover(); r != nil {
			s.fault(fmt.Errorf("handler panic: %v", r))
			rep = Complete(-int64(unix.ENOSYS))
		}
	}()
	return f()
}

// writeReply checks the Handler's reply against the ABI before the shim
// sees it: a malformed one is a bug in the emulator, answered with EPROTO.
func (s *Server) writeReply(ch *shim.Channel, rep Reply) {
	switch {
	case rep.Kind < shim.KindComplete || rep.Kind > shim.KindDie,
		rep.BlobArg < -1 || rep.BlobArg > 5,
		len(rep.Blob) > shim.BlobMax,
		rep.BlobArg >= 0 && rep.Kind != shim.KindNative,
		(rep.Kind == shim.KindDeliver || rep.Kind == shim.KindDie) && !fastpath.ValidSignal(rep.Deliver.Signo),
		rep.Restart && rep.Kind != shim.KindComplete && rep.Kind != shim.KindDeliver,
		rep.Report && rep.Kind != shim.KindNative,
		rep.Interruptible && !rep.Report,
		rep.Replace && (rep.Kind != shim.KindNative || rep.ReplaceNr < 0 || rep.ReplaceNr >= shim.MaxSyscall),
		rep.TrapFd && !rep.Report:
		s.fault(fmt.Errorf("malformed reply %+v", rep))
		rep = Complete(-int64(unix.EPROTO))
	}
	if rep.Kind == shim.KindDeliver || rep.Kind == shim.KindSigreturn || rep.Kind == shim.KindDie {
		d := &rep.Deliver
		ch.Signo = int32(d.Signo)
		ch.Handler, ch.Restorer, ch.FrameSP = d.Handler, d.Restorer, d.FrameSP
		ch.UcStack = [3]uint64{d.UcStack.SP, uint64(uint32(d.UcStack.Flags)), d.UcStack.Size}
		ch.UcMask = uint64(d.UcMask)
		ch.Siginfo = *(*[fastpath.SiginfoSize]byte)(unsafe.Pointer(&d.Info))
	}
	ch.Kind = rep.Kind
	ch.Result = rep.Result
	ch.RArgs = rep.Args
	ch.BlobArg = int32(rep.BlobArg)
	ch.BlobLen = uint32(copy(ch.Blob[:], rep.Blob))
	ch.Flags = 0
	if rep.SetMask {
		ch.Flags = shim.FlagSetMask
		ch.RMask = uint64(rep.Mask)
	}
	if rep.Restart {
		ch.Flags |= shim.FlagRestart
	}
	if rep.Report {
		ch.Flags |= shim.FlagReport
	}
	if rep.Interruptible {
		ch.Flags |= shim.FlagInterruptible
	}
	ch.RNr = 0
	if rep.Replace {
		ch.Flags |= shim.FlagSyscall
		ch.RNr = uint64(rep.ReplaceNr)
	}
	if rep.TrapFd {
		ch.Flags |= shim.FlagTrapFd
	}
}
