package sched

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// uapiSAFlags is UAPI_SA_FLAGS for x86-64: the sa_flags bits the kernel
// keeps. Unknown bits are cleared silently, not rejected (do_sigaction:
// "Clear unknown flag bits in order to allow userspace to detect missing
// support for flag bits"), and SA_UNSUPPORTED is among the cleared ones.
const uapiSAFlags = fastpath.SA_NOCLDSTOP | fastpath.SA_NOCLDWAIT | fastpath.SA_SIGINFO |
	fastpath.SA_ONSTACK | fastpath.SA_RESTART | fastpath.SA_NODEFER | fastpath.SA_RESETHAND |
	fastpath.SA_EXPOSE_TAGBITS | fastpath.SA_RESTORER

// sysRtSigaction is rt_sigaction(sig, act, oact, sigsetsize)
// (kernel/signal.c, SYSCALL_DEFINE4(rt_sigaction) and do_sigaction).
func (e *Emulator) sysRtSigaction(t *Thread, a *[6]uint64) Result {
	sig, act, oact, size := int(int32(a[0])), a[1], a[2], a[3]
	if size != sigsetSize {
		return fail(unix.EINVAL)
	}
	var na fastpath.Sigaction
	if act != 0 {
		b, ok := t.read(act, fastpath.SigactionSize)
		if !ok {
			return fail(unix.EFAULT)
		}
		na = decodeSigaction(b)
	}
	if !fastpath.ValidSignal(sig) || (act != 0 && sigKernelOnly(sig)) {
		return fail(unix.EINVAL)
	}
	p := t.proc
	old := e.st.Action(p.slot, sig)
	if act != 0 {
		na.Flags &= uapiSAFlags
		na.Mask &^= fastpath.Unblockable
		e.st.SetAction(p.slot, sig, na)
		// POSIX 3.3.1.3: "Setting a signal action to SIG_IGN for a
		// signal that is pending shall cause the pending signal to be
		// discarded, whether or not it is blocked" (and SIG_DFL for a
		// signal whose default is to ignore).
		if handlerIgnored(na.Handler, sig) {
			e.flushAll(p, fastpath.SigBit(sig))
		}
	}
	if oact != 0 {
		old.Flags &= uapiSAFlags
		b := t.scratch[:fastpath.SigactionSize]
		encodeSigaction(b, old)
		if !t.write(oact, b) {
			return fail(unix.EFAULT)
		}
	}
	return done(0)
}

func decodeSigaction(b []byte) fastpath.Sigaction {
	return fastpath.Sigaction{
		Handler:  binary.LittleEndian.Uint64(b[0:]),
		Flags:    binary.LittleEndian.Uint64(b[8:]),
		Restorer: binary.LittleEndian.Uint64(b[16:]),
		Mask:     fastpath.Sigset(binary.LittleEndian.Uint64(b[24:])),
	}
}

func encodeSigaction(b []byte, a fastpath.Sigaction) {
	binary.LittleEndian.PutUint64(b[0:], a.Handler)
	binary.LittleEndian.PutUint64(b[8:], a.Flags)
	binary.LittleEndian.PutUint64(b[16:], a.Restorer)
	binary.LittleEndian.PutUint64(b[24:], uint64(a.Mask))
}
