package sched

import (
	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// signalFD is an emulated signalfd (fs/signalfd.c): a set of signals a
// read(2) dequeues from the reading thread's and its process's pending
// sets. The descriptor itself is native (Files.NewFd: an eventfd the shim
// owns, so the fd number is real and the process's fd table stays the
// kernel's); readiness for poll/epoll is not emulated yet.
type signalFD struct {
	mask     fastpath.Sigset // signals the fd reads (ctx->sigmask, not inverted)
	nonblock bool            // O_NONBLOCK at creation (fcntl changes are not seen)
	cloexec  bool            // O_CLOEXEC at creation: Exec drops it
}

const (
	sfdCloexec  = unix.SFD_CLOEXEC
	sfdNonblock = unix.SFD_NONBLOCK
	// SignalfdSiginfoSize is sizeof(struct signalfd_siginfo).
	SignalfdSiginfoSize = 128
)

// sysSignalfd4 is signalfd4(fd, mask, sizemask, flags) and signalfd (flags
// 0): sizemask, then the copy, then the flags, as the kernel checks them.
func (e *Emulator) sysSignalfd4(t *Thread, ufd, umask, size, flags uint64) Result {
	if size != sigsetSize {
		return fail(unix.EINVAL)
	}
	v, ok := t.readU64(umask)
	if !ok {
		return fail(unix.EFAULT)
	}
	if flags&^uint64(sfdCloexec|sfdNonblock) != 0 {
		return fail(unix.EINVAL)
	}
	mask := fastpath.Sigset(v) &^ fastpath.Unblockable
	p := t.proc
	fd := int32(ufd)
	if fd == -1 {
		nfd, err := p.files.NewFd(flags&sfdCloexec != 0, flags&sfdNonblock != 0)
		if err != 0 {
			return fail(err)
		}
		if p.signalfds == nil {
			p.signalfds = make(map[int32]*signalFD)
		}
		p.signalfds[nfd] = &signalFD{mask: mask, nonblock: flags&sfdNonblock != 0, cloexec: flags&sfdCloexec != 0}
		return done(int64(nfd))
	}
	sfd, ok := p.signalfds[fd]
	if !ok {
		if fd >= 0 && p.files.IsOpen(fd) {
			return fail(unix.EINVAL)
		}
		return fail(unix.EBADF)
	}
	sfd.mask = mask
	// wake_up(&current->sighand->signalfd_wqh): readers re-check.
	if p.nBlocked > 0 {
		e.queueWake(p, nil)
	}
	return done(int64(fd))
}

// sysReadSignalfd is read(2) when fd is a signalfd (signalfd_read), else
// Native.
func (e *Emulator) sysReadSignalfd(t *Thread, a *[6]uint64) Result {
	sfd, ok := t.proc.signalfds[int32(a[0])]
	if !ok {
		return native()
	}
	count := a[2] / SignalfdSiginfoSize
	if count == 0 {
		return fail(unix.EINVAL)
	}
	if count > 1<<20 {
		count = 1 << 20
	}
	if n := e.readSignalfd(t, sfd.mask, a[1], int(count)); n != 0 {
		return done(n)
	}
	if sfd.nonblock {
		return fail(unix.EAGAIN)
	}
	if e.interrupted(t) {
		return done(-ERESTARTSYS)
	}
	w := &t.wait
	w.set, w.addr, w.count = sfd.mask, a[1], int(count)
	return e.block(t, waitSignalfd)
}

// readSignalfd dequeues up to count signals of set into the buffer at
// addr: the bytes written, -EFAULT if the first copy faults, 0 if nothing
// was pending.
func (e *Emulator) readSignalfd(t *Thread, set fastpath.Sigset, addr uint64, count int) int64 {
	var total int64
	var info fastpath.Siginfo
	for i := 0; i < count; i++ {
		if e.dequeue(t, ^set, &info) == 0 {
			break
		}
		b := t.scratch[:SignalfdSiginfoSize]
		encodeSignalfdSiginfo(b, &info)
		if !t.write(addr+uint64(total), b) {
			if total == 0 {
				return errno(unix.EFAULT)
			}
			break
		}
		total += SignalfdSiginfoSize
	}
	return total
}

// encodeSignalfdSiginfo is signalfd_copyinfo(): struct signalfd_siginfo
// filled from the siginfo union member the signal's layout uses.
//
//	0 ssi_signo u32   4 ssi_errno i32   8 ssi_code i32   12 ssi_pid u32
//	16 ssi_uid u32   20 ssi_fd i32    24 ssi_tid u32   28 ssi_band u32
//	32 ssi_overrun u32  36 ssi_trapno u32  40 ssi_status i32  44 ssi_int i32
//	48 ssi_ptr u64   56 ssi_utime u64  64 ssi_stime u64  72 ssi_addr u64
//	80 ssi_addr_lsb u16 ... padding to 128
func encodeSignalfdSiginfo(b []byte, info *fastpath.Siginfo) {
	clear(b[:SignalfdSiginfoSize])
	putU32(b[0:], uint32(info.Signo))
	putU32(b[4:], uint32(info.Errno))
	putU32(b[8:], uint32(info.Code))
	f := &info.Fields
	switch siginfoLayout(int(info.Signo), info.Code) {
	case silKill:
		putU32(b[12:], uint32(f[0]))
		putU32(b[16:], uint32(f[0]>>32))
	case silTimer:
		putU32(b[24:], uint32(f[0]))
		putU32(b[32:], uint32(f[0]>>32))
		putU64(b[48:], f[1])
		putU32(b[44:], uint32(f[1]))
	case silPoll:
		putU32(b[28:], uint32(f[0]))
		putU32(b[20:], uint32(f[1]))
	case silFault:
		putU64(b[72:], f[0])
	case silChld:
		putU32(b[12:], uint32(f[0]))
		putU32(b[16:], uint32(f[0]>>32))
		putU32(b[40:], uint32(f[1]))
		putU64(b[56:], f[2])
		putU64(b[64:], f[3])
	case silRT:
		putU32(b[12:], uint32(f[0]))
		putU32(b[16:], uint32(f[0]>>32))
		putU64(b[48:], f[1])
		putU32(b[44:], uint32(f[1]))
	}
}

type silLayout uint8

const (
	silKill silLayout = iota
	silTimer
	silPoll
	silFault
	silChld
	silRT
	silSys
)

// siginfoLayout is siginfo_layout() (kernel/signal.c), reduced to the
// layouts signalfd distinguishes.
func siginfoLayout(sig int, code int32) silLayout {
	if code > fastpath.SI_USER && code < fastpath.SI_KERNEL {
		switch sig {
		case fastpath.SIGILL, fastpath.SIGFPE, fastpath.SIGSEGV, fastpath.SIGBUS, fastpath.SIGTRAP:
			return silFault
		case fastpath.SIGCHLD:
			return silChld
		case fastpath.SIGIO:
			return silPoll
		case fastpath.SIGSYS:
			return silSys
		}
		return silKill
	}
	switch code {
	case fastpath.SI_TIMER:
		return silTimer
	case fastpath.SI_SIGIO:
		return silPoll
	case fastpath.SI_USER, fastpath.SI_KERNEL, fastpath.SI_TKILL:
		return silKill
	}
	return silRT
}
