package sched

import (
	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// The signalfd syscalls (fs/signalfd.c). The object and its readiness are
// in signalfd.go.

const (
	sfdCloexec  = unix.SFD_CLOEXEC
	sfdNonblock = unix.SFD_NONBLOCK
	// SignalfdSiginfoSize is sizeof(struct signalfd_siginfo).
	SignalfdSiginfoSize = 128
	// uioMaxIOV is UIO_MAXIOV (IOV_MAX), the most iovecs readv(2) takes.
	uioMaxIOV = 1024
	// maxRWCount is MAX_RW_COUNT (INT_MAX & PAGE_MASK): a read's length
	// is clamped to it.
	maxRWCount = 0x7ffff000
	// taskSizeMax is x86-64's TASK_SIZE_MAX with 4-level paging, the
	// bound of access_ok().
	taskSizeMax = 0x7ffffffff000
)

// sysSignalfd4 is signalfd4(fd, mask, sizemask, flags) and signalfd (flags
// 0): sizemask, then the copy, then the flags, as the kernel checks them.
// A new signalfd (fd -1) is not made here: the descriptor must exist in
// the managed process, which only the shim can do. The call is validated
// and its mask and flags kept on the thread (NewFd); the shim's report of
// the descriptor it made comes back through AdoptSignalfd.
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
		t.newSfd = pendingSignalfd{mask: mask, flags: flags, valid: true}
		return Result{Kind: NewFd}
	}
	sfd, _, ok := e.lookupSignalfd(p, fd)
	if !ok {
		if fd >= 0 && p.files.IsOpen(fd) {
			return fail(unix.EINVAL)
		}
		return fail(unix.EBADF)
	}
	sfd.mask = mask
	e.signalfdUpdate(sfd)
	// wake_up(&current->sighand->signalfd_wqh): readers re-check.
	if p.nBlocked > 0 {
		e.queueWake(p, nil)
	}
	return done(int64(fd))
}

// AdoptSignalfd registers the descriptor fd the shim made for thread t's
// signalfd4(-1, ...) call, which Syscall validated and answered NewFd: id
// is its identity as Files.Eventfd reports it. The signalfd reads the mask
// that call asked for. EINVAL if t has no such call outstanding (each
// NewFd is adopted once).
func (e *Emulator) AdoptSignalfd(t *Thread, fd int32, id uint64) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := t.newSfd
	t.newSfd = pendingSignalfd{}
	switch {
	case !n.valid || fd < 0:
		return unix.EINVAL
	case t.state == Exited || t.proc.zombie:
		return unix.ESRCH
	}
	e.addSignalfd(t.proc, fd, &signalFD{id: id, mask: n.mask, cloexec: n.flags&sfdCloexec != 0})
	return nil
}

// AbandonSignalfd forgets t's outstanding NewFd call: the shim could not
// make the descriptor.
func (e *Emulator) AbandonSignalfd(t *Thread) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t.newSfd = pendingSignalfd{}
}

// sysClose is close(2) of a descriptor: a signalfd is forgotten, and the
// descriptor is closed natively either way.
func (e *Emulator) sysClose(t *Thread, a *[6]uint64) Result {
	fd := int32(uint32(a[0]))
	if _, ok := t.proc.signalfds[fd]; ok {
		e.dropSignalfd(t.proc, fd)
	}
	return native()
}

// sysReadSignalfd is read(2) when fd is a signalfd (signalfd_read_iter),
// else Native.
func (e *Emulator) sysReadSignalfd(t *Thread, a *[6]uint64) Result {
	sfd, flags, ok := e.lookupSignalfd(t.proc, int32(uint32(a[0])))
	if !ok {
		return native()
	}
	buf, n := a[1], a[2]
	if buf > taskSizeMax || n > taskSizeMax-buf {
		return fail(unix.EFAULT) // vfs_read's access_ok
	}
	if n > maxRWCount {
		n = maxRWCount // vfs_read clamps
	}
	t.iov = append(t.iov[:0], iovec{base: buf, len: n})
	return e.readSignalfdIov(t, sfd, flags, n)
}

// sysReadvSignalfd is readv(2) when fd is a signalfd, else Native. The
// iovecs are imported as import_iovec() does: more than UIO_MAXIOV is
// EINVAL, an unreadable array EFAULT, a negative length EINVAL, a segment
// outside the user address space EFAULT, the total clamped to
// MAX_RW_COUNT; a total of 0 reads nothing (vfs_readv returns before the
// file's read_iter). Records may span segments (copy_to_iter).
func (e *Emulator) sysReadvSignalfd(t *Thread, a *[6]uint64) Result {
	sfd, flags, ok := e.lookupSignalfd(t.proc, int32(uint32(a[0])))
	if !ok {
		return native()
	}
	vec, nseg := a[1], uint32(a[2]) // import_iovec's nr_segs is unsigned int
	if nseg > uioMaxIOV {
		return fail(unix.EINVAL)
	}
	t.iov = t.iov[:0]
	var total uint64
	for i := uint32(0); i < nseg; i++ {
		b, ok := t.read(vec+uint64(i)*16, 16)
		if !ok {
			return fail(unix.EFAULT)
		}
		base, n := le64(b), le64(b[8:])
		if int64(n) < 0 {
			return fail(unix.EINVAL)
		}
		// One segment is import_ubuf (clamp, then access_ok); more
		// are __import_iovec (access_ok, then clamp).
		if nseg == 1 {
			n = min(n, maxRWCount)
		}
		if base > taskSizeMax || n > taskSizeMax-base {
			return fail(unix.EFAULT)
		}
		n = min(n, maxRWCount-total)
		total += n
		t.iov = append(t.iov, iovec{base: base, len: n})
	}
	if total == 0 {
		return done(0)
	}
	return e.readSignalfdIov(t, sfd, flags, total)
}

// readSignalfdIov is signalfd_read_iter() into t.iov, total bytes long.
func (e *Emulator) readSignalfdIov(t *Thread, sfd *signalFD, flags uint32, total uint64) Result {
	count := total / SignalfdSiginfoSize
	if count == 0 {
		return fail(unix.EINVAL)
	}
	if n := e.readSignalfd(t, sfd.mask, t.iov, int(count)); n != 0 {
		return done(n)
	}
	if flags&unix.O_NONBLOCK != 0 {
		return fail(unix.EAGAIN)
	}
	if e.interrupted(t) {
		return done(-ERESTARTSYS)
	}
	w := &t.wait
	w.set, w.count = sfd.mask, int(count)
	return e.block(t, waitSignalfd)
}

// iovec is one segment of a read's destination (struct iovec).
type iovec struct{ base, len uint64 }

// readSignalfd dequeues up to count signals of set into the segments iov:
// the bytes written, -EFAULT if the first copy faults, 0 if nothing was
// pending. As in the kernel, a record whose copy faults is lost.
func (e *Emulator) readSignalfd(t *Thread, set fastpath.Sigset, iov []iovec, count int) int64 {
	var total int64
	var info fastpath.Siginfo
	for i := 0; i < count; i++ {
		if e.dequeue(t, ^set, &info) == 0 {
			break
		}
		b := t.scratch[:SignalfdSiginfoSize]
		encodeSignalfdSiginfo(b, &info)
		if !writeIov(t, iov, uint64(total), b) {
			if total == 0 {
				return errno(unix.EFAULT)
			}
			break
		}
		total += SignalfdSiginfoSize
	}
	return total
}

// writeIov writes b at byte offset off of the concatenated segments
// (copy_to_iter_full): false if any part faults or does not fit.
func writeIov(t *Thread, iov []iovec, off uint64, b []byte) bool {
	for _, s := range iov {
		if len(b) == 0 {
			break
		}
		if off >= s.len {
			off -= s.len
			continue
		}
		n := min(s.len-off, uint64(len(b)))
		if !t.write(s.base+off, b[:n]) {
			return false
		}
		b, off = b[n:], 0
	}
	return len(b) == 0
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
