package sched

import (
	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// The x86-64 rt_sigframe as rt_sigreturn finds it (arch/x86/include/asm/
// sigframe.h, uapi/asm/ucontext.h): after the handler's ret popped
// pretcode, rsp points at the ucontext: uc_flags(8) uc_link(8)
// uc_stack(24) uc_mcontext(struct sigcontext, 256) uc_sigmask(8).
const (
	UcStackOffset   = 16
	UcMcontextSize  = 256
	UcSigmaskOffset = UcStackOffset + fastpath.StackSize + UcMcontextSize // 296
	// UcFpstateOffset is uc_mcontext.fpstate, the pointer to the FP area
	// (struct sigcontext_64: 23 general registers and flags words, then
	// fpstate).
	UcFpstateOffset = UcStackOffset + fastpath.StackSize + 23*8 // 224
)

// The FP area's layout as rt_sigreturn checks it (arch/x86/include/uapi/
// asm/sigcontext.h, struct _fpx_sw_bytes in the fxsave area's software-
// reserved bytes; arch/x86/kernel/fpu/signal.c, check_xstate_in_sigframe).
const (
	fxsaveSize     = 512
	fpxSwBytes     = 464
	fpXstateMagic1 = 0x46505853
	// maxXstate bounds the extended size worth probing: a larger one is
	// not a format any CPU writes, and the kernel restores the legacy
	// area alone then.
	maxXstate = 64 << 10
	pageSize  = 4096
)

// fpAreaReadable reports whether the FP area a frame points at can be
// read in full, as __fpu_restore_sig needs it: the fxsave area, and the
// xstate beyond it when the software-reserved bytes announce one.
func (t *Thread) fpAreaReadable(fp uint64) bool {
	b, ok := t.read(fp, fxsaveSize)
	if !ok {
		return false
	}
	magic, size := le32(b[fpxSwBytes:]), uint64(le32(b[fpxSwBytes+4:]))
	if magic != fpXstateMagic1 || size <= fxsaveSize || size > maxXstate {
		return true
	}
	// One byte of every page the rest spans, and its last byte.
	for a := fp + fxsaveSize; a < fp+size; a = (a &^ (pageSize - 1)) + pageSize {
		if _, ok := t.read(a, 1); !ok {
			return false
		}
	}
	_, ok = t.read(fp+size-1, 1)
	return ok
}

// sysRtSigreturn handles a trapped rt_sigreturn: mask and alternate stack
// are read back from the frame at sp through Memory. The registers and the
// FP state are the shim's to restore (Sigreturned), from the frame and the
// FP area it points at. A frame or an FP area that cannot be read is
// signal_fault(): SIGSEGV.
func (e *Emulator) sysRtSigreturn(t *Thread, sp uint64) Result {
	b, ok := t.read(sp+UcStackOffset, UcSigmaskOffset+8-UcStackOffset)
	if ok {
		// Decoded before the FP check reuses the scratch buffer b is.
		st := decodeStack(b)
		mask := fastpath.Sigset(le64(b[UcSigmaskOffset-UcStackOffset:]))
		if fp := le64(b[UcFpstateOffset-UcStackOffset:]); fp == 0 || t.fpAreaReadable(fp) {
			e.sigreturn(t, mask, st, sp)
			return Result{Kind: Sigreturned}
		}
	}
	var info fastpath.Siginfo
	info.Signo = fastpath.SIGSEGV
	info.Code = fastpath.SI_KERNEL
	e.forceSig(t, &info)
	return Result{Kind: Sigreturned, Ret: errno(unix.EFAULT)}
}

// Sigreturn is rt_sigreturn for a shim that read the frame itself: the
// saved mask (uc_sigmask, as the handler may have edited it) and uc_stack,
// with sp the stack pointer the frame is restored from (the handler's).
func (e *Emulator) Sigreturn(t *Thread, mask fastpath.Sigset, ucStack fastpath.Stack, sp uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sigreturn(t, mask, ucStack, sp)
}

// sigreturn is the signal half of restore_sigcontext: set_current_blocked
// (SIGKILL and SIGSTOP stripped) and restore_altstack, whose errors other
// than EFAULT are ignored (an EPERM because the handler still runs on the
// stack leaves it as it is). The restart block is voided
// (current->restart_block.fn = do_no_restart_syscall).
func (e *Emulator) sigreturn(t *Thread, mask fastpath.Sigset, ucStack fastpath.Stack, sp uint64) {
	e.setBlocked(t, mask)
	e.doSigaltstack(t, true, ucStack, sp)
	t.restart = restartBlock{}
	t.clearAttn(attnRestoreMask)
}

// sysRestartSyscall is restart_syscall(2): resume an emulated syscall's
// restart block, or, when the block is the kernel's (a native nanosleep),
// let the shim run it natively.
func (e *Emulator) sysRestartSyscall(t *Thread) Result {
	if fn := t.restart.fn; fn != nil {
		t.restart.fn = nil
		return fn(e, t)
	}
	return native()
}
