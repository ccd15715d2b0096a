package sched

import (
	"encoding/binary"
	"os"
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// The errno of every bad-argument case below is compared with what the
// running kernel returns for the same call made natively by this test
// process. Only calls that fail (and so change nothing in the Go runtime's
// own signal state) are made natively.

// xarg is a syscall argument: a literal, a buffer the call reads or
// writes, or an address that faults.
type xarg struct {
	v   uint64
	buf []byte
	ptr bool
}

func lit(v uint64) xarg { return xarg{v: v} }
func buf(b []byte) xarg { return xarg{buf: b, ptr: true} }
func zeros(n int) xarg  { return buf(make([]byte, n)) }
func words(vs ...uint64) xarg {
	b := make([]byte, 8*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint64(b[8*i:], v)
	}
	return buf(b)
}

var fault = lit(badAddr)

func TestErrnosMatchKernel(t *testing.T) {
	self := uint64(os.Getpid())
	const noPid = 0x3ffffff0 // above pid_max
	sa := words(handlerAddr, fastpath.SA_RESTORER, 0, 0)
	mask := words(uint64(set(fastpath.SIGRTMIN + 20)))
	small := buf(stackBytes(0x600000, 0, MINSIGSTKSZ-1))
	badMode := buf(stackBytes(0x600000, 5, 8192))
	siQueue := buf(siginfoBytes(0, fastpath.SI_QUEUE))
	siUser := buf(siginfoBytes(0, fastpath.SI_USER))
	cases := []struct {
		name string
		nr   int
		args []xarg
	}{
		{"rt_sigaction size 4", unix.SYS_RT_SIGACTION, []xarg{lit(10), sa, lit(0), lit(4)}},
		{"rt_sigaction sig 0", unix.SYS_RT_SIGACTION, []xarg{lit(0), lit(0), zeros(32), lit(8)}},
		{"rt_sigaction sig 65 act faults", unix.SYS_RT_SIGACTION, []xarg{lit(65), fault, zeros(32), lit(8)}},
		{"rt_sigaction SIGKILL", unix.SYS_RT_SIGACTION, []xarg{lit(9), sa, lit(0), lit(8)}},
		{"rt_sigaction SIGSTOP", unix.SYS_RT_SIGACTION, []xarg{lit(19), sa, lit(0), lit(8)}},
		{"rt_sigprocmask bad how", unix.SYS_RT_SIGPROCMASK, []xarg{lit(7), mask, lit(0), lit(8)}},
		{"rt_sigprocmask set faults", unix.SYS_RT_SIGPROCMASK, []xarg{lit(0), fault, lit(0), lit(8)}},
		{"rt_sigprocmask size 16", unix.SYS_RT_SIGPROCMASK, []xarg{lit(0), lit(0), lit(0), lit(16)}},
		{"rt_sigpending size 9", unix.SYS_RT_SIGPENDING, []xarg{zeros(16), lit(9)}},
		{"rt_sigpending faults", unix.SYS_RT_SIGPENDING, []xarg{fault, lit(8)}},
		{"sigaltstack too small", unix.SYS_SIGALTSTACK, []xarg{small, lit(0)}},
		{"sigaltstack bad mode", unix.SYS_SIGALTSTACK, []xarg{badMode, lit(0)}},
		{"sigaltstack faults", unix.SYS_SIGALTSTACK, []xarg{fault, lit(0)}},
		{"kill bad sig", unix.SYS_KILL, []xarg{lit(self), lit(65)}},
		{"kill negative sig", unix.SYS_KILL, []xarg{lit(self), lit(0xffffffff)}},
		{"kill no such pid", unix.SYS_KILL, []xarg{lit(noPid), lit(0)}},
		{"kill no such pid bad sig", unix.SYS_KILL, []xarg{lit(noPid), lit(65)}},
		{"kill INT_MIN", unix.SYS_KILL, []xarg{lit(0x80000000), lit(0)}},
		{"kill no such pgrp", unix.SYS_KILL, []xarg{lit(uint64(uint32(0x100000000 - noPid))), lit(0)}},
		{"tkill tid 0", unix.SYS_TKILL, []xarg{lit(0), lit(10)}},
		{"tgkill tgid 0", unix.SYS_TGKILL, []xarg{lit(0), lit(1), lit(10)}},
		{"tgkill no such tid", unix.SYS_TGKILL, []xarg{lit(self), lit(noPid), lit(0)}},
		{"rt_sigqueueinfo bad sig", unix.SYS_RT_SIGQUEUEINFO, []xarg{lit(self), lit(65), siQueue}},
		{"rt_sigqueueinfo faults", unix.SYS_RT_SIGQUEUEINFO, []xarg{lit(self), lit(10), fault}},
		{"rt_sigqueueinfo impersonation", unix.SYS_RT_SIGQUEUEINFO, []xarg{lit(noPid), lit(10), siUser}},
		{"rt_sigqueueinfo no such pid", unix.SYS_RT_SIGQUEUEINFO, []xarg{lit(noPid), lit(10), siQueue}},
		{"rt_tgsigqueueinfo tid 0", unix.SYS_RT_TGSIGQUEUEINFO, []xarg{lit(self), lit(0), lit(10), siQueue}},
		{"rt_sigsuspend size 4", unix.SYS_RT_SIGSUSPEND, []xarg{mask, lit(4)}},
		{"rt_sigsuspend faults", unix.SYS_RT_SIGSUSPEND, []xarg{fault, lit(8)}},
		{"rt_sigtimedwait zero timeout", unix.SYS_RT_SIGTIMEDWAIT, []xarg{mask, lit(0), words(0, 0), lit(8)}},
		{"rt_sigtimedwait bad nsec", unix.SYS_RT_SIGTIMEDWAIT, []xarg{mask, lit(0), words(0, 1e9), lit(8)}},
		{"rt_sigtimedwait size 4", unix.SYS_RT_SIGTIMEDWAIT, []xarg{mask, lit(0), words(0, 0), lit(4)}},
		{"rt_sigtimedwait ts faults", unix.SYS_RT_SIGTIMEDWAIT, []xarg{mask, lit(0), fault, lit(8)}},
		{"signalfd4 size 4", unix.SYS_SIGNALFD4, []xarg{lit(^uint64(0)), mask, lit(4), lit(0)}},
		{"signalfd4 mask faults", unix.SYS_SIGNALFD4, []xarg{lit(^uint64(0)), fault, lit(8), lit(1)}},
		{"signalfd4 bad flags", unix.SYS_SIGNALFD4, []xarg{lit(^uint64(0)), mask, lit(8), lit(1)}},
		{"signalfd4 negative fd", unix.SYS_SIGNALFD4, []xarg{lit(0xfffffffb), mask, lit(8), lit(0)}},
		{"signalfd4 not a signalfd", unix.SYS_SIGNALFD4, []xarg{lit(1), mask, lit(8), lit(0)}},
		{"signalfd4 not open", unix.SYS_SIGNALFD4, []xarg{lit(900), mask, lit(8), lit(0)}},
		{"setitimer bad which", unix.SYS_SETITIMER, []xarg{lit(5), words(0, 0, 0, 0), lit(0)}},
		{"setitimer bad which, new faults", unix.SYS_SETITIMER, []xarg{lit(5), fault, lit(0)}},
		{"setitimer usec 1e6", unix.SYS_SETITIMER, []xarg{lit(0), words(0, 0, 0, 1e6), lit(0)}},
		{"getitimer bad which", unix.SYS_GETITIMER, []xarg{lit(3), zeros(32)}},
		{"getitimer faults", unix.SYS_GETITIMER, []xarg{lit(0), fault}},
		{"timer_create bad clock", unix.SYS_TIMER_CREATE, []xarg{lit(99), lit(0), zeros(4)}},
		{"timer_create clock 10", unix.SYS_TIMER_CREATE, []xarg{lit(10), lit(0), zeros(4)}},
		{"timer_create MONOTONIC_RAW", unix.SYS_TIMER_CREATE, []xarg{lit(4), lit(0), zeros(4)}},
		{"timer_create sevp faults", unix.SYS_TIMER_CREATE, []xarg{lit(1), fault, zeros(4)}},
		{"timer_create bad notify", unix.SYS_TIMER_CREATE, []xarg{lit(1), words(0, 10|7<<32, 0, 0, 0, 0, 0, 0), zeros(4)}},
		{"timer_create bad signo", unix.SYS_TIMER_CREATE, []xarg{lit(1), words(0, 65, 0, 0, 0, 0, 0, 0), zeros(4)}},
		{"timer_create THREAD_ID no such", unix.SYS_TIMER_CREATE, []xarg{lit(1), words(0, 10|4<<32, noPid, 0, 0, 0, 0, 0), zeros(4)}},
		{"timer_settime bad id", unix.SYS_TIMER_SETTIME, []xarg{lit(12345), lit(0), words(0, 0, 0, 0), lit(0)}},
		{"timer_settime NULL", unix.SYS_TIMER_SETTIME, []xarg{lit(12345), lit(0), lit(0), lit(0)}},
		{"timer_gettime bad id", unix.SYS_TIMER_GETTIME, []xarg{lit(12345), zeros(32)}},
		{"timer_getoverrun bad id", unix.SYS_TIMER_GETOVERRUN, []xarg{lit(12345)}},
		{"timer_delete bad id", unix.SYS_TIMER_DELETE, []xarg{lit(12345)}},
		{"pidfd_send_signal bad flags", unix.SYS_PIDFD_SEND_SIGNAL, []xarg{lit(0), lit(0), lit(0), lit(8)}},
		{"pidfd_send_signal two scopes", unix.SYS_PIDFD_SEND_SIGNAL, []xarg{lit(0), lit(0), lit(0), lit(3)}},
		{"pidfd_send_signal not a pidfd", unix.SYS_PIDFD_SEND_SIGNAL, []xarg{lit(0), lit(0), lit(0), lit(0)}},
		{"pidfd_send_signal not open", unix.SYS_PIDFD_SEND_SIGNAL, []xarg{lit(900), lit(0), lit(0), lit(0)}},
		{"ppoll sigsetsize 4", unix.SYS_PPOLL, []xarg{lit(0), lit(0), words(0, 0), mask, lit(4)}},
		{"ppoll ts faults", unix.SYS_PPOLL, []xarg{lit(0), lit(0), fault, mask, lit(8)}},
		{"ppoll mask faults", unix.SYS_PPOLL, []xarg{lit(0), lit(0), words(0, 0), fault, lit(8)}},
		{"pselect6 pack faults", unix.SYS_PSELECT6, []xarg{lit(0), lit(0), lit(0), lit(0), words(0, 0), fault}},
		{"epoll_pwait sigsetsize 9", unix.SYS_EPOLL_PWAIT, []xarg{lit(0xffffffff), zeros(16), lit(1), lit(0), mask, lit(9)}},
		{"epoll_pwait2 ts faults", unix.SYS_EPOLL_PWAIT2, []xarg{lit(0xffffffff), zeros(16), lit(1), fault, mask, lit(8)}},
	}
	for _, l := range fastpath.Layouts() {
		t.Run(l, func(t *testing.T) {
			v := newEnv(t, l)
			mem := newFakeMem()
			_, th, err := v.e.NewProcess(ProcessConfig{Pid: int32(self), Mem: mem, Files: newFakeFiles()})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cases {
				// Native.
				var nargs [6]uintptr
				for i, a := range c.args {
					switch {
					case a.ptr:
						nargs[i] = uintptr(unsafe.Pointer(&a.buf[0]))
					default:
						nargs[i] = uintptr(a.v)
					}
				}
				_, _, nerr := unix.RawSyscall6(uintptr(c.nr), nargs[0], nargs[1], nargs[2], nargs[3], nargs[4], nargs[5])
				runtime.KeepAlive(c.args)
				// Emulated.
				var call Call
				call.Nr, call.SP = c.nr, stackSP
				for i, a := range c.args {
					if a.ptr {
						addr := mem.alloc(len(a.buf))
						mem.put(addr, a.buf)
						call.Args[i] = addr
					} else {
						call.Args[i] = a.v
					}
				}
				r := v.e.Syscall(th, &call)
				if nerr == 0 {
					t.Fatalf("%s: the native call succeeded; the table must hold failures only", c.name)
				}
				if r.Kind != Done || r.Ret != -int64(nerr) {
					t.Errorf("%s: emulated %v %d, kernel -%d (%v)", c.name, r.Kind, r.Ret, int(nerr), nerr)
				}
			}
		})
	}
}
