package sched

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// Lifecycle hooks, called by the shim when the kernel has done the native
// half (the clone, the exec, the exit): the emulator mirrors what
// copy_process, begin_new_exec and exit_notify do to signal state.

// clone(2) flags the emulator looks at.
const (
	CLONE_VM      = 0x00000100
	CLONE_SIGHAND = 0x00000800
	CLONE_VFORK   = 0x00004000
	CLONE_PARENT  = 0x00008000
	CLONE_THREAD  = 0x00010000
	CSIGNAL       = 0x000000ff
)

// ErrExists is returned when a pid or tid is already registered.
var ErrExists = errors.New("sched: pid or tid already registered")

// ProcessConfig describes a process registered from outside the
// emulation (the program siglab run starts).
type ProcessConfig struct {
	Pid  int32
	PPid int32 // a managed process's pid makes it the parent
	Pgid int32 // 0: Pid; HiddenID: led from outside the PID namespace
	Sid  int32 // 0: Pid; HiddenID: likewise
	Cred Cred
	Mem  Memory // required
	// Files may be nil: the process then cannot create signalfds or use
	// pidfds.
	Files Files
}

// HiddenID stands for a process group or session whose leader's pid is not
// in the emulator's PID namespace: /proc shows such an id as 0 (pid_vnr of
// a pid without a number there; proc(5), fs/proc/array.c do_task_stat).
// One value is exact for a managed tree: a group or session created inside
// it is named by a member's pid, which is visible, so every hidden id a
// managed process can have is the one its root inherited. (Leaving it 0
// made the default "0: Pid" give the root its own pid as a session and a
// child that read its 0 another: sched then thought the child's group
// orphaned and discarded its SIGTSTP.)
const HiddenID int32 = -1

// NewProcess registers a process with a single thread whose tid is its pid,
// every action SIG_DFL, nothing blocked or pending.
func (e *Emulator) NewProcess(cfg ProcessConfig) (*Process, *Thread, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cfg.Pid <= 0 || cfg.Mem == nil {
		return nil, nil, fmt.Errorf("sched: NewProcess needs a positive pid and a Memory")
	}
	if e.procs[cfg.Pid] != nil || e.threads[cfg.Pid] != nil {
		return nil, nil, ErrExists
	}
	p, err := e.newProcess(cfg.Pid, cfg.Mem, cfg.Files)
	if err != nil {
		return nil, nil, err
	}
	p.PPid, p.Pgid, p.Sid, p.Cred = cfg.PPid, cfg.Pgid, cfg.Sid, cfg.Cred
	e.syncQueueLimit(p)
	if p.Pgid == 0 {
		p.Pgid = cfg.Pid
	}
	if p.Sid == 0 {
		p.Sid = cfg.Pid
	}
	if parent := e.liveProc(cfg.PPid); parent != nil {
		p.parent = parent
		parent.children = append(parent.children, p)
	}
	t, err := e.newThread(p, cfg.Pid)
	if err != nil {
		e.st.FreeProcess(p.slot)
		delete(e.procs, p.Pid)
		return nil, nil, err
	}
	return p, t, nil
}

func (e *Emulator) newProcess(pid int32, mem Memory, files Files) (*Process, error) {
	slot, err := e.st.NewProcess()
	if err != nil {
		return nil, fmt.Errorf("sched: %w", err)
	}
	if files == nil {
		files = noFiles{}
	}
	p := &Process{Pid: pid, slot: slot, mem: mem, files: files, exitSignal: fastpath.SIGCHLD,
		sigpending: RlimInfinity}
	e.procs[pid] = p
	return p, nil
}

func (e *Emulator) newThread(p *Process, tid int32) (*Thread, error) {
	slot, err := e.st.NewThread(p.slot)
	if err != nil {
		return nil, fmt.Errorf("sched: %w", err)
	}
	t := &Thread{Tid: tid, proc: p, slot: slot, wake: make(chan struct{}, 1)}
	t.hot = e.st.Hot(slot)
	p.threads = append(p.threads, t)
	e.threads[tid] = t
	return t, nil
}

// Clone registers the child of a clone(2), fork(2) or vfork(2) made by
// thread t, with id the new thread's tid (the new process's pid unless
// CLONE_THREAD). mem and files are the child's (ignored for CLONE_THREAD,
// which shares its process's). As copy_process does: the child's mask is
// the parent's; its pending set is empty; a new thread sharing the address
// space (CLONE_VM without CLONE_VFORK) starts with no alternate stack,
// others inherit it; a new process copies the action table, and its
// interval and POSIX timers are not inherited (setitimer(2),
// timer_create(2)). CLONE_SIGHAND without CLONE_THREAD (a separate process
// sharing the action table) is not supported.
func (e *Emulator) Clone(t *Thread, flags uint64, id int32, mem Memory, files Files) (*Thread, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if id <= 0 || e.threads[id] != nil || e.procs[id] != nil {
		return nil, ErrExists
	}
	if t.state == Exited {
		return nil, unix.ESRCH
	}
	p := t.proc
	switch {
	case flags&CLONE_THREAD != 0 && (flags&CLONE_SIGHAND == 0 || flags&CLONE_VM == 0):
		return nil, unix.EINVAL // the kernel's own rule
	case flags&CLONE_SIGHAND != 0 && flags&CLONE_THREAD == 0:
		return nil, fmt.Errorf("sched: CLONE_SIGHAND without CLONE_THREAD: %w", errors.ErrUnsupported)
	}
	cp := p
	if flags&CLONE_THREAD == 0 {
		if mem == nil {
			return nil, fmt.Errorf("sched: Clone of a process needs a Memory")
		}
		var err error
		if cp, err = e.newProcess(id, mem, files); err != nil {
			return nil, err
		}
		cp.Pgid, cp.Sid, cp.Cred = p.Pgid, p.Sid, p.Cred
		cp.sigpending = p.sigpending // copy_process copies signal->rlim
		e.syncQueueLimit(cp)
		cp.exitSignal = int(flags & CSIGNAL)
		parent := p
		if flags&CLONE_PARENT != 0 {
			parent = p.parent
			cp.exitSignal = p.exitSignal
		}
		cp.parent = parent
		cp.PPid = p.PPid
		if parent != nil {
			cp.PPid = parent.Pid
			parent.children = append(parent.children, cp)
		}
		for sig := 1; sig <= fastpath.NSIG; sig++ {
			e.st.SetAction(cp.slot, sig, e.st.Action(p.slot, sig))
		}
		if len(p.signalfds) > 0 {
			// The fd table is copied; the file is shared, and the
			// child reads its own signals through it (it has none
			// pending yet: the readiness stays).
			cp.signalfds = make(map[int32]*signalFD, len(p.signalfds))
			for fd, s := range p.signalfds {
				cp.signalfds[fd] = s
				s.holders = append(s.holders, cp)
			}
		}
	}
	c, err := e.newThread(cp, id)
	if err != nil {
		if cp != p {
			e.st.FreeProcess(cp.slot)
			delete(e.procs, id)
		}
		return nil, err
	}
	e.st.SetBlocked(c.slot, e.st.Blocked(t.slot))
	if flags&(CLONE_VM|CLONE_VFORK) != CLONE_VM {
		e.st.SetAltStack(c.slot, e.st.AltStack(t.slot))
	}
	if cp == p && (p.stopping || p.stopped) {
		c.setAttn(attnJobctl)
	}
	return c, nil
}

// Exec is begin_new_exec()'s signal half for thread t's successful
// execve: the other threads are gone (de_thread), the exec'ing thread takes
// the process's pid as its tid, handled actions become SIG_DFL with flags,
// mask and restorer cleared while ignored ones stay ignored
// (flush_signal_handlers(t, 0)), POSIX timers are deleted (exit_itimers),
// the alternate stack is cleared; the mask, the pending signals and the
// interval timers survive. Signalfds created with SFD_CLOEXEC are
// forgotten (the shim reports other closes as close(2) syscalls; one
// whose FD_CLOEXEC changed natively is caught by its identity check).
func (e *Emulator) Exec(t *Thread) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := t.proc
	if t.state == Exited {
		return unix.ESRCH
	}
	for _, o := range p.threadsCopy() {
		if o != t {
			e.removeThread(o)
		}
	}
	if t.Tid != p.Pid {
		delete(e.threads, t.Tid)
		t.Tid = p.Pid
		e.threads[t.Tid] = t
	}
	for sig := 1; sig <= fastpath.NSIG; sig++ {
		a := e.st.Action(p.slot, sig)
		if a.Handler != fastpath.SIG_IGN {
			a.Handler = fastpath.SIG_DFL
		}
		a.Flags, a.Restorer, a.Mask = 0, 0, 0
		e.st.SetAction(p.slot, sig, a)
	}
	for _, pt := range p.timers {
		e.deleteTimer(p, pt)
	}
	p.nextTimer = 0
	e.dropAllSignalfds(p, func(s *signalFD) bool { return !s.cloexec })
	if len(p.signalfds) != 0 {
		e.signalfdsChanged(p) // the other threads' private signals are gone
	}
	e.st.SetAltStack(t.slot, fastpath.DisabledStack)
	t.restart = restartBlock{}
	return nil
}

// ThreadExit is exit_signals() for a thread that exited alone (exit(2) of
// one thread): its process-pending signals it was the only taker of are
// retargeted, and a group stop waiting only for it completes. The last
// thread's exit does not end the process; the shim reports that with
// ProcessExit.
func (e *Emulator) ThreadExit(t *Thread) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if t.state == Exited {
		return
	}
	p := t.proc
	_, shared := e.st.Pending(t.slot)
	if shared &^= e.st.Blocked(t.slot); shared != 0 {
		e.retargetShared(t, shared)
	}
	e.removeThread(t)
	if len(p.signalfds) != 0 {
		e.signalfdsChanged(p) // its private pending signals are gone
	}
	e.completeStop(p)
}

func (e *Emulator) removeThread(t *Thread) {
	p := t.proc
	if t.state == Blocked {
		e.leaveWait(t)
	}
	t.state = Exited
	t.wakeUp()
	t.closeCPUStat()
	for i, c := range p.threads {
		if c == t {
			p.threads = append(p.threads[:i], p.threads[i+1:]...)
			break
		}
	}
	if p.currTarget >= len(p.threads) {
		p.currTarget = 0
	}
	delete(e.threads, t.Tid)
	e.st.FreeThread(t.slot)
}

// ProcessExit is exit_notify() for process p, which terminated with the
// wait status st: its threads and timers go, its children are reparented
// (to init: PPid 1), a process group this orphans that has stopped members
// gets SIGHUP then SIGCONT (kill_orphaned_pgrp), and the parent gets the
// exit signal with CLD_EXITED, CLD_KILLED or CLD_DUMPED
// (do_notify_parent). With SIGCHLD ignored or SA_NOCLDWAIT in the parent
// the child is reaped at once (autoreap, and no signal for SIG_IGN);
// otherwise it stays a zombie until Reap. The result says whether it was
// reaped.
func (e *Emulator) ProcessExit(p *Process, st WaitStatus) (reaped bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if p.zombie {
		return false
	}
	for _, t := range p.threadsCopy() {
		e.removeThread(t)
	}
	for i := range p.itimers {
		e.disarm(&p.itimers[i].timerCore)
	}
	for _, pt := range p.timers {
		e.deleteTimer(p, pt)
	}
	e.dropAllSignalfds(p, nil)
	p.zombie, p.status = true, st
	p.stopping, p.stopped = false, false
	e.st.FreeProcess(p.slot)

	pgrps := map[int32]bool{p.Pgid: true}
	for _, c := range p.children {
		c.parent, c.PPid, c.reparented = nil, 1, true
		pgrps[c.Pgid] = true
		if c.zombie {
			delete(e.procs, c.Pid) // init reaps it
		}
	}
	p.children = nil
	for pgid := range pgrps {
		e.killOrphanedPgrp(pgid)
	}

	parent := p.parent
	if parent == nil || parent.zombie {
		delete(e.procs, p.Pid)
		return true
	}
	sig := p.exitSignal
	autoreap := false
	if sig == fastpath.SIGCHLD {
		a := e.st.Action(parent.slot, fastpath.SIGCHLD)
		if a.Handler == fastpath.SIG_IGN || a.Flags&fastpath.SA_NOCLDWAIT != 0 {
			autoreap = true
			if a.Handler == fastpath.SIG_IGN {
				sig = 0
			}
		}
	}
	if fastpath.ValidSignal(sig) {
		var info fastpath.Siginfo
		info.Signo = int32(sig)
		switch {
		case st.Exited():
			info.Code = fastpath.CLD_EXITED
			info.SetStatus(int32(st.ExitCode()))
		case st.CoreDump():
			info.Code = fastpath.CLD_DUMPED
			info.SetStatus(int32(st.Signal()))
		default:
			info.Code = fastpath.CLD_KILLED
			info.SetStatus(int32(st.Signal()))
		}
		info.SetSender(p.Pid, p.Cred.Uid)
		e.sendSignal(nil, parent, nil, &info)
	}
	if autoreap {
		e.reap(p)
	}
	return autoreap
}

// killOrphanedPgrp is kill_orphaned_pgrp(): an orphaned process group
// with stopped members gets SIGHUP and SIGCONT ("POSIX.1 2.2.2.52").
func (e *Emulator) killOrphanedPgrp(pgid int32) {
	if !e.pgrpOrphaned(pgid) {
		return
	}
	stopped := false
	for _, q := range e.procs {
		if q.Pgid == pgid && !q.zombie && (q.stopped || q.stopping) {
			stopped = true
		}
	}
	if !stopped {
		return
	}
	for _, sig := range []int{fastpath.SIGHUP, fastpath.SIGCONT} {
		for _, q := range e.sortedProcs() {
			if q.Pgid == pgid && !q.zombie {
				e.sendKernel(q, nil, sig)
			}
		}
	}
}

// Reap removes a zombie once its parent waited for it (wait4/waitid in
// the managed parent; the shim reports it).
func (e *Emulator) Reap(pid int32) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if p := e.procs[pid]; p != nil && p.zombie {
		e.reap(p)
	}
}

func (e *Emulator) reap(p *Process) {
	delete(e.procs, p.Pid)
	if par := p.parent; par != nil {
		for i, c := range par.children {
			if c == p {
				par.children = append(par.children[:i], par.children[i+1:]...)
				break
			}
		}
	}
}

// SetProcessGroup records a native setpgid(2)/setsid(2) that succeeded.
func (e *Emulator) SetProcessGroup(p *Process, pgid, sid int32) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p.Pgid, p.Sid = pgid, sid
}

// SetCred records a native credential change (setuid(2) and friends).
func (e *Emulator) SetCred(p *Process, c Cred) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p.Cred = c
	e.syncQueueLimit(p) // the real uid names the account (rlimit.go)
}

// SetThreadMask sets a new thread's blocked mask to the one it inherited
// from its creator, when the caller knows it better than Clone's guess of
// the creator (a fork child's shim reports its forking thread's mask).
// SIGKILL and SIGSTOP are never blocked.
func (e *Emulator) SetThreadMask(t *Thread, mask fastpath.Sigset) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if t.state == Exited {
		return
	}
	e.setBlocked(t, mask)
}
