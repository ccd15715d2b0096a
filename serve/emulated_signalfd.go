package serve

import (
	"fmt"

	"golang.org/x/sys/unix"

	"siglab/sched"
	"siglab/shim"
)

// Signalfds under Emulated. sched owns the object (mask, holders,
// readiness: sched/signalfd.go); the descriptor is native, made by the
// shim in the managed process:
//
//  1. signalfd4(-1, mask, 8, flags): sched validates it as the kernel
//     orders the checks and answers NewFd; the reply runs eventfd2(0,
//     flags) in its place (SFD_NONBLOCK and SFD_CLOEXEC are EFD_NONBLOCK
//     and EFD_CLOEXEC) with FlagTrapFd: the shim stacks a seccomp filter
//     that traps read, readv and close of the new number (shim/csrc/
//     trapfd.c) and reports the descriptor.
//  2. At the report, the eventfd's identity (fdinfo's eventfd-id) is
//     read, a duplicate is taken with pidfd_getfd(2), and sched adopts the
//     descriptor (AdoptSignalfd); the program gets the number.
//  3. read, readv and close of the number are trapped and go to sched
//     like any syscall: a signalfd is read by sched (O_NONBLOCK from the
//     real descriptor's fdinfo flags, so fcntl(F_SETFL) works), anything
//     else — a number reused after a close, which the filter still traps
//     — runs natively (sched answers Native).
//  4. Readiness: sched calls signalfdEvent when a signalfd becomes
//     readable or empty; the eventfd's counter follows through the
//     duplicate (an 8-byte 1 written, or the counter read back to 0), so
//     poll, select and epoll on the descriptor are the kernel's own.
//     The duplicate is closed when sched releases the signalfd (last
//     close, the holders' exits) or the emulator closes.
//
// A number the filter traps stays trapped after the signalfd is closed (a
// filter cannot be removed): a read of whatever reuses it runs natively,
// kickable like ppoll (Emulated.native), at the cost of a round trip.
// execve is trapped too, for the shim to keep the trapped numbers from the
// next image's loader (shim/csrc/trapfd.c).
//
// Known gaps: a copy made with dup(2), dup2(2) or fcntl(F_DUPFD) is not
// trapped and reads as the eventfd it is (8-byte counter); writes to the
// descriptor succeed (a signalfd gives EINVAL); pread, io_uring reads and a
// vfork child's reads are native. If pidfd_getfd(2) is refused (a Yama
// ptrace_scope above 1, say), the signalfd works but never polls readable.
// Numbers from 4096 on are not kept from an exec'd image's loader.

// sfdDup is Emulated's duplicate of a signalfd's eventfd.
type sfdDup struct {
	fd       int
	readable bool // the counter is non-zero (we wrote 1 and did not read it back)
}

// FdTrapSet implements FdTrapper: what trapfd.c's filter traps.
func (a *Emulated) FdTrapSet() []int { return []int{unix.SYS_READ, unix.SYS_READV, unix.SYS_CLOSE} }

// newSignalfdReply is the answer to a validated signalfd(2)/signalfd4(2)
// (sched's NewFd): eventfd2(0, flags) natively, its descriptor trapped,
// the result reported.
func newSignalfdReply(c *Call) Reply {
	var flags uint64
	if c.Nr == unix.SYS_SIGNALFD4 {
		flags = c.Args[3] & (unix.EFD_CLOEXEC | unix.EFD_NONBLOCK) // sched checked: nothing else is set
	}
	return Reply{Kind: shim.KindNative, Args: [6]uint64{0, flags}, BlobArg: -1,
		Replace: true, ReplaceNr: unix.SYS_EVENTFD2, Report: true, TrapFd: true}
}

// adoptSignalfd handles the report of newSignalfdReply's eventfd2: the
// signalfd's number, or -errno. Everything reported is the process's
// word: a number that is not an eventfd, or one whose eventfd Emulated
// already keeps, is refused (EBADF) — the descriptor then stays open in
// the process, which lied about it.
func (a *Emulated) adoptSignalfd(t *Thread, ret int64) int64 {
	st := t.emu.st
	if ret < 0 {
		a.e.AbandonSignalfd(st)
		return ret
	}
	if ret > 1<<30 {
		a.e.AbandonSignalfd(st)
		return -int64(unix.EBADF)
	}
	fd := int32(ret)
	id, _, ok := pidFiles(t.Pid).Eventfd(fd)
	if !ok {
		a.e.AbandonSignalfd(st)
		return -int64(unix.EBADF)
	}
	dup := a.dupFd(t.Pid, fd, id)
	a.sfdMu.Lock()
	if _, taken := a.sfds[id]; taken {
		a.sfdMu.Unlock()
		if dup >= 0 {
			unix.Close(dup)
		}
		a.e.AbandonSignalfd(st)
		return -int64(unix.EBADF)
	}
	if dup >= 0 {
		a.sfds[id] = &sfdDup{fd: dup}
	}
	a.sfdMu.Unlock()
	if err := a.e.AdoptSignalfd(st, fd, id); err != nil {
		a.sfdMu.Lock()
		if d := a.sfds[id]; d != nil {
			unix.Close(d.fd)
			delete(a.sfds, id)
		}
		a.sfdMu.Unlock()
		if errno, ok := err.(unix.Errno); ok {
			return -int64(errno)
		}
		return -int64(unix.EINVAL)
	}
	if a.trace != nil {
		a.trace.event(t, "signalfd", fmt.Sprintf("fd %d eventfd-id %d readiness %v", fd, id, dup >= 0))
	}
	return ret
}

// dupFd is pidfd_getfd(2) of process pid's fd, checked to be the eventfd
// id (the number could have been closed and reused since), or -1: the
// signalfd then works without poll readiness.
func (a *Emulated) dupFd(pid, fd int32, id uint64) int {
	pfd, err := unix.PidfdOpen(int(pid), 0)
	if err != nil {
		return -1
	}
	defer unix.Close(pfd)
	dup, err := unix.PidfdGetfd(pfd, int(fd), 0) // O_CLOEXEC is implied
	if err != nil {
		return -1
	}
	if did, _, ok := pidFiles(unix.Getpid()).Eventfd(int32(dup)); !ok || did != id {
		unix.Close(dup)
		return -1
	}
	return dup
}

// signalfdEvent is sched's Config.Signalfd, called with the emulator's
// lock held: the eventfd's counter follows the signalfd's readiness. It
// never blocks: a write of 1 to a counter that is 0, a read of a counter
// that is not (checked with poll first: the program may have read it
// through a copy sched does not see).
func (a *Emulated) signalfdEvent(id uint64, ev sched.SignalfdEvent) {
	a.sfdMu.Lock()
	defer a.sfdMu.Unlock()
	d := a.sfds[id]
	if d == nil {
		return
	}
	var b [8]byte
	switch ev {
	case sched.SignalfdReadable:
		if !d.readable {
			b[0] = 1
			unix.Write(d.fd, b[:])
			d.readable = true
		}
	case sched.SignalfdEmpty:
		if d.readable {
			pf := []unix.PollFd{{Fd: int32(d.fd), Events: unix.POLLIN}}
			if n, _ := unix.Poll(pf, 0); n > 0 && pf[0].Revents&unix.POLLIN != 0 {
				unix.Read(d.fd, b[:])
			}
			d.readable = false
		}
	case sched.SignalfdReleased:
		unix.Close(d.fd)
		delete(a.sfds, id)
	}
}

// closeSignalfds closes every duplicate (Close).
func (a *Emulated) closeSignalfds() {
	a.sfdMu.Lock()
	defer a.sfdMu.Unlock()
	for id, d := range a.sfds {
		unix.Close(d.fd)
		delete(a.sfds, id)
	}
}
