package sched

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// MINSIGSTKSZ is the smallest alternate stack sigaltstack(2) accepts on
// x86-64 (arch/x86/include/uapi/asm/signal.h); smaller fails with ENOMEM.
const MINSIGSTKSZ = 2048

// sysSigaltstack is sigaltstack(uss, uoss) (kernel/signal.c,
// do_sigaltstack): uss is copied first, the old stack reported with
// SS_ONSTACK/SS_DISABLE computed from the thread's SP, a change refused with
// EPERM while the thread runs on the stack.
func (e *Emulator) sysSigaltstack(t *Thread, a *[6]uint64, sp uint64) Result {
	uss, uoss := a[0], a[1]
	var ns fastpath.Stack
	if uss != 0 {
		b, ok := t.read(uss, fastpath.StackSize)
		if !ok {
			return fail(unix.EFAULT)
		}
		ns = decodeStack(b)
	}
	old, err := e.doSigaltstack(t, uss != 0, ns, sp)
	if err != 0 {
		return fail(err)
	}
	if uoss != 0 {
		b := t.scratch[:fastpath.StackSize]
		encodeStack(b, old)
		if !t.write(uoss, b) {
			return fail(unix.EFAULT)
		}
	}
	return done(0)
}

// doSigaltstack is do_sigaltstack(): it returns the old stack as
// sigaltstack reports it and installs ns if set.
func (e *Emulator) doSigaltstack(t *Thread, set bool, ns fastpath.Stack, sp uint64) (fastpath.Stack, unix.Errno) {
	cur := e.st.AltStack(t.slot)
	old := fastpath.Stack{
		SP:    cur.SP,
		Size:  cur.Size,
		Flags: sasSSFlags(cur, sp) | int32(uint32(cur.Flags)&ssAutodisarm),
	}
	if !set {
		return old, 0
	}
	if onSigStack(cur, sp) {
		return old, unix.EPERM
	}
	mode := uint32(ns.Flags) &^ ssAutodisarm
	if mode != fastpath.SS_DISABLE && mode != fastpath.SS_ONSTACK && mode != 0 {
		return old, unix.EINVAL
	}
	if cur.SP == ns.SP && cur.Size == ns.Size && cur.Flags == ns.Flags {
		return old, 0
	}
	if mode == fastpath.SS_DISABLE {
		ns.SP, ns.Size = 0, 0
	} else if ns.Size < MINSIGSTKSZ {
		return old, unix.ENOMEM
	}
	e.st.SetAltStack(t.slot, fastpath.Stack{SP: ns.SP, Size: ns.Size, Flags: ns.Flags})
	return old, 0
}

func decodeStack(b []byte) fastpath.Stack {
	return fastpath.Stack{
		SP:    binary.LittleEndian.Uint64(b[0:]),
		Flags: int32(binary.LittleEndian.Uint32(b[8:])),
		Size:  binary.LittleEndian.Uint64(b[16:]),
	}
}

func encodeStack(b []byte, s fastpath.Stack) {
	clear(b[:fastpath.StackSize])
	binary.LittleEndian.PutUint64(b[0:], s.SP)
	binary.LittleEndian.PutUint32(b[8:], uint32(s.Flags))
	binary.LittleEndian.PutUint64(b[16:], s.Size)
}
