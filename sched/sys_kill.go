package sched

import (
	"math"
	"math/bits"
	"sort"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// The sending syscalls (kernel/signal.c): kill, tkill, tgkill,
// rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_send_signal. Pids name managed
// processes only: the emulation is the whole pid namespace as far as
// emulated signals go, so an unknown pid is ESRCH.

// findTask is find_task_by_vpid(): a live thread by tid, or the process
// itself when pid is a thread-group id whose leader thread is gone (or a
// zombie, which the kernel still finds until it is reaped).
func (e *Emulator) findTask(pid int32) (*Process, *Thread) {
	if t := e.threads[pid]; t != nil {
		return t.proc, t
	}
	if p := e.procs[pid]; p != nil {
		return p, p.leader()
	}
	return nil, nil
}

// killOK is check_kill_permission() for a valid signal from user space:
// same thread group, or kill_ok_by_cred(), or SIGCONT within the session.
func killOK(sender *Thread, p *Process, sig int) bool {
	s := sender.proc
	if s == p {
		return true
	}
	c, tc := s.Cred, p.Cred
	if c.Euid == 0 || c.Euid == tc.Suid || c.Euid == tc.Uid || c.Uid == tc.Suid || c.Uid == tc.Uid {
		return true
	}
	return sig == fastpath.SIGCONT && p.Sid == s.Sid
}

// userInfo is prepare_kill_siginfo(): SI_USER (kill) or SI_TKILL (tkill,
// tgkill), with the sender's tgid and real uid.
// It fills the thread's siginfo scratch (a local would escape into the
// State interface and cost an allocation per send).
func userInfo(t *Thread, sig int, code int32) *fastpath.Siginfo {
	info := &t.sendInfo
	*info = fastpath.Siginfo{}
	info.Signo = int32(sig)
	info.Code = code
	info.SetSender(t.proc.Pid, t.proc.Cred.Uid)
	return info
}

// groupSend is group_send_sig_info(): permission check, then (unless sig is
// 0, the probe) a process-directed send; target is non-nil for a
// thread-directed send (PIDTYPE_PID).
func (e *Emulator) groupSend(t *Thread, p *Process, target *Thread, info *fastpath.Siginfo, fromUser bool) unix.Errno {
	sig := int(info.Signo)
	if sig < 0 || sig > fastpath.NSIG {
		return unix.EINVAL
	}
	if fromUser && !killOK(t, p, sig) {
		return unix.EPERM
	}
	if sig == 0 {
		return 0
	}
	if p.zombie {
		return 0 // the zombie keeps its sighand; the signal is dropped
	}
	return e.sendSignal(t, p, target, info)
}

// fromUser is si_fromuser(): SI_USER or negative codes (sigqueue and
// friends) count as user-sent; SI_KERNEL and positive codes don't.
func fromUser(info *fastpath.Siginfo) bool { return info.Code <= 0 }

// sysKill is kill(pid, sig) → kill_something_info().
func (e *Emulator) sysKill(t *Thread, a *[6]uint64) Result {
	pid, sig := int32(a[0]), int(int32(a[1]))
	return e.killSomething(t, pid, userInfo(t, sig, fastpath.SI_USER))
}

func (e *Emulator) killSomething(t *Thread, pid int32, info *fastpath.Siginfo) Result {
	switch {
	case pid > 0:
		p, _ := e.findTask(pid)
		if p == nil {
			return fail(unix.ESRCH)
		}
		return result(e.groupSend(t, p, nil, info, fromUser(info)))
	case pid == math.MinInt32:
		// "-INT_MIN is undefined. Exclude this case."
		return fail(unix.ESRCH)
	case pid != -1:
		pgid := -pid
		if pid == 0 {
			pgid = t.proc.Pgid
		}
		return result(e.killPgrp(t, pgid, info))
	}
	// pid == -1: every process but init and the caller's own group.
	count, ret := 0, unix.Errno(0)
	for _, p := range e.sortedProcs() {
		if p.Pid <= 1 || p == t.proc {
			continue
		}
		err := e.groupSend(t, p, nil, info, fromUser(info))
		count++
		if err != unix.EPERM {
			ret = err
		}
	}
	if count == 0 {
		return fail(unix.ESRCH)
	}
	return result(ret)
}

// killPgrp is __kill_pgrp_info(): success if any member was signalled,
// else the last error (ESRCH for an empty group).
func (e *Emulator) killPgrp(t *Thread, pgid int32, info *fastpath.Siginfo) unix.Errno {
	success, ret := false, unix.ESRCH
	for _, p := range e.sortedProcs() {
		if p.Pgid != pgid {
			continue
		}
		err := e.groupSend(t, p, nil, info, fromUser(info))
		success = success || err == 0
		ret = err
	}
	if success {
		return 0
	}
	return ret
}

// sortedProcs is the process list in pid order, so that kill(-1) and
// process groups are signalled deterministically.
func (e *Emulator) sortedProcs() []*Process {
	ps := make([]*Process, 0, len(e.procs))
	for _, p := range e.procs {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Pid < ps[j].Pid })
	return ps
}

func result(err unix.Errno) Result {
	if err != 0 {
		return fail(err)
	}
	return done(0)
}

// sysTkill is tkill(tid, sig).
func (e *Emulator) sysTkill(t *Thread, a *[6]uint64) Result {
	tid, sig := int32(a[0]), int(int32(a[1]))
	if tid <= 0 {
		return fail(unix.EINVAL)
	}
	return result(e.sendSpecific(t, 0, tid, userInfo(t, sig, fastpath.SI_TKILL)))
}

// sysTgkill is tgkill(tgid, tid, sig).
func (e *Emulator) sysTgkill(t *Thread, a *[6]uint64) Result {
	tgid, tid, sig := int32(a[0]), int32(a[1]), int(int32(a[2]))
	if tid <= 0 || tgid <= 0 {
		return fail(unix.EINVAL)
	}
	return result(e.sendSpecific(t, tgid, tid, userInfo(t, sig, fastpath.SI_TKILL)))
}

// sendSpecific is do_send_specific(): a thread-directed signal to tid,
// which must belong to tgid when tgid > 0.
func (e *Emulator) sendSpecific(t *Thread, tgid, tid int32, info *fastpath.Siginfo) unix.Errno {
	target := e.threads[tid]
	if target == nil || (tgid > 0 && target.proc.Pid != tgid) {
		return unix.ESRCH
	}
	return e.groupSend(t, target.proc, target, info, fromUser(info))
}

// kernelSiginfoSize is sizeof(struct kernel_siginfo): what
// copy_siginfo_from_user reads; the rest of a siginfo_t is zero.
const kernelSiginfoSize = 48

// readSiginfo is copy_siginfo_from_user() with si_signo forced to sig,
// into the thread's siginfo scratch.
func (t *Thread) readSiginfo(addr uint64, sig int) (*fastpath.Siginfo, bool) {
	info := &t.sendInfo
	*info = fastpath.Siginfo{}
	b, ok := t.read(addr, kernelSiginfoSize)
	if !ok {
		return nil, false
	}
	decodeSiginfo(info, b)
	info.Signo = int32(sig)
	return info, true
}

func decodeSiginfo(info *fastpath.Siginfo, b []byte) {
	info.Signo = int32(le32(b[0:]))
	info.Errno = int32(le32(b[4:]))
	info.Code = int32(le32(b[8:]))
	for i := 0; 16+8*i+8 <= len(b) && i < len(info.Fields); i++ {
		info.Fields[i] = le64(b[16+8*i:])
	}
}

// impersonates reports whether a user-supplied siginfo pretends to come
// from the kernel or from kill/tkill (si_code >= 0 or SI_TKILL), which only
// a process signalling itself may do (do_rt_sigqueueinfo).
func impersonates(info *fastpath.Siginfo) bool {
	return info.Code >= 0 || info.Code == fastpath.SI_TKILL
}

// sysRtSigqueueinfo is rt_sigqueueinfo(pid, sig, uinfo).
func (e *Emulator) sysRtSigqueueinfo(t *Thread, a *[6]uint64) Result {
	pid, sig := int32(a[0]), int(int32(a[1]))
	info, ok := t.readSiginfo(a[2], sig)
	if !ok {
		return fail(unix.EFAULT)
	}
	if impersonates(info) && t.Tid != pid {
		return fail(unix.EPERM)
	}
	// kill_proc_info(): pid <= 0 finds nothing.
	if pid <= 0 {
		return fail(unix.ESRCH)
	}
	p, _ := e.findTask(pid)
	if p == nil {
		return fail(unix.ESRCH)
	}
	return result(e.groupSend(t, p, nil, info, fromUser(info)))
}

// sysRtTgsigqueueinfo is rt_tgsigqueueinfo(tgid, tid, sig, uinfo).
func (e *Emulator) sysRtTgsigqueueinfo(t *Thread, a *[6]uint64) Result {
	tgid, tid, sig := int32(a[0]), int32(a[1]), int(int32(a[2]))
	if tid <= 0 || tgid <= 0 {
		return fail(unix.EINVAL)
	}
	info, ok := t.readSiginfo(a[3], sig)
	if !ok {
		return fail(unix.EFAULT)
	}
	if impersonates(info) && t.Tid != tid {
		return fail(unix.EPERM)
	}
	return result(e.sendSpecific(t, tgid, tid, info))
}

// pidfd_send_signal flags (include/uapi/linux/pidfd.h).
const (
	PIDFD_SIGNAL_THREAD        = 1 << 0
	PIDFD_SIGNAL_THREAD_GROUP  = 1 << 1
	PIDFD_SIGNAL_PROCESS_GROUP = 1 << 2
	pidfdSignalFlags           = PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP | PIDFD_SIGNAL_PROCESS_GROUP
)

// sysPidfdSendSignal is pidfd_send_signal(pidfd, sig, info, flags).
func (e *Emulator) sysPidfdSendSignal(t *Thread, a *[6]uint64) Result {
	fd, sig, uinfo, flags := int32(a[0]), int(int32(a[1])), a[2], a[3]
	if flags&^pidfdSignalFlags != 0 || bits.OnesCount64(flags) > 1 {
		return fail(unix.EINVAL)
	}
	pid, thread, err := t.proc.files.PidfdPid(fd)
	if err != 0 {
		return fail(err)
	}
	scope := PIDFD_SIGNAL_THREAD_GROUP
	switch {
	case flags != 0:
		scope = int(flags)
	case thread:
		scope = PIDFD_SIGNAL_THREAD
	}
	info := &t.sendInfo
	if uinfo != 0 {
		*info = fastpath.Siginfo{}
		b, ok := t.read(uinfo, kernelSiginfoSize)
		if !ok {
			return fail(unix.EFAULT)
		}
		decodeSiginfo(info, b)
		if int(info.Signo) != sig {
			return fail(unix.EINVAL)
		}
		// "Only allow sending arbitrary signals to yourself."
		if (t.Tid != pid || scope == PIDFD_SIGNAL_PROCESS_GROUP) && impersonates(info) {
			return fail(unix.EPERM)
		}
	} else {
		code := int32(fastpath.SI_USER)
		if scope == PIDFD_SIGNAL_THREAD {
			code = fastpath.SI_TKILL
		}
		info = userInfo(t, sig, code)
	}
	p, target := e.findTask(pid)
	if p == nil {
		return fail(unix.ESRCH)
	}
	switch scope {
	case PIDFD_SIGNAL_PROCESS_GROUP:
		return result(e.killPgrp(t, p.Pgid, info))
	case PIDFD_SIGNAL_THREAD:
		if target == nil || target.Tid != pid {
			return fail(unix.ESRCH)
		}
		return result(e.groupSend(t, p, target, info, fromUser(info)))
	}
	return result(e.groupSend(t, p, nil, info, fromUser(info)))
}
