package fastpath

import "unsafe"

// Sigaction is the kernel's struct sigaction for rt_sigaction(2) on x86-64
// (arch/x86/include/uapi/asm/signal.h is not used: the generic
// kernel_sigaction with sa_restorer): 32 bytes, in this order.
type Sigaction struct {
	Handler  uint64
	Flags    uint64
	Restorer uint64
	Mask     Sigset
}

// SigactionSize is sizeof(struct kernel_sigaction) on x86-64.
const SigactionSize = 32

var _ [SigactionSize - unsafe.Sizeof(Sigaction{})]struct{}
var _ [unsafe.Sizeof(Sigaction{}) - SigactionSize]struct{}

// Handler values and sa_flags (sigaction(2), asm-generic/signal-defs.h and
// arch/x86/include/uapi/asm/signal.h).
const (
	SIG_DFL = 0
	SIG_IGN = 1

	SA_NOCLDSTOP      = 0x00000001
	SA_NOCLDWAIT      = 0x00000002
	SA_SIGINFO        = 0x00000004
	SA_UNSUPPORTED    = 0x00000400
	SA_EXPOSE_TAGBITS = 0x00000800
	SA_RESTORER       = 0x04000000
	SA_ONSTACK        = 0x08000000
	SA_RESTART        = 0x10000000
	SA_NODEFER        = 0x40000000
	SA_RESETHAND      = 0x80000000
)

// Stack is the kernel's stack_t (sigaltstack(2)) on x86-64: 24 bytes.
type Stack struct {
	SP    uint64
	Flags int32
	_     int32
	Size  uint64
}

// StackSize is sizeof(stack_t) on x86-64.
const StackSize = 24

var _ [StackSize - unsafe.Sizeof(Stack{})]struct{}
var _ [unsafe.Sizeof(Stack{}) - StackSize]struct{}

// ss_flags values (sigaltstack(2)). SS_AUTODISARM is bit 31, which an int32
// cannot hold as a positive constant: test it as uint32(Stack.Flags).
const (
	SS_ONSTACK    = 1
	SS_DISABLE    = 2
	SS_AUTODISARM = 1 << 31
)

// DisabledStack is the alternate stack every new thread starts with.
var DisabledStack = Stack{Flags: SS_DISABLE}
