package sched

import (
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

func stackBytes(sp uint64, flags int32, size uint64) []byte {
	b := make([]byte, 24)
	encodeStack(b, fastpath.Stack{SP: sp, Flags: flags, Size: size})
	return b
}

func TestSigaltstack(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, th, mem := v.proc(100, 0)
		ss := func(sp uint64, flags int32, size uint64) uint64 {
			a := mem.alloc(24)
			mem.put(a, stackBytes(sp, flags, size))
			return a
		}
		old := mem.alloc(24)
		const base = 0x500000
		cases := []struct {
			name     string
			uss      uint64
			sp       uint64
			want     unix.Errno
			oldFlags int32
			after    fastpath.Stack
		}{
			{"query initial", 0, stackSP, 0, fastpath.SS_DISABLE, fastpath.DisabledStack},
			{"uss faults", badAddr, stackSP, unix.EFAULT, 0, fastpath.DisabledStack},
			{"too small", ss(base, 0, MINSIGSTKSZ-1), stackSP, unix.ENOMEM, fastpath.SS_DISABLE, fastpath.DisabledStack},
			{"bad mode", ss(base, 5, 8192), stackSP, unix.EINVAL, fastpath.SS_DISABLE, fastpath.DisabledStack},
			{"install", ss(base, 0, 8192), stackSP, 0, fastpath.SS_DISABLE, fastpath.Stack{SP: base, Size: 8192}},
			{"change while on it", ss(base, 0, 4096), base + 100, unix.EPERM, fastpath.SS_ONSTACK, fastpath.Stack{SP: base, Size: 8192}},
			{"SS_ONSTACK mode accepted", ss(base, fastpath.SS_ONSTACK, 4096), stackSP, 0, 0, fastpath.Stack{SP: base, Flags: fastpath.SS_ONSTACK, Size: 4096}},
			{"autodisarm", ss(base, autodisarmFlag, 8192), stackSP, 0, 0, fastpath.Stack{SP: base, Flags: autodisarmFlag, Size: 8192}},
			// On an SS_AUTODISARM stack the kernel cannot tell it is on it.
			{"autodisarm on-stack change allowed", ss(0, fastpath.SS_DISABLE, 1), base + 100, 0, autodisarmFlag, fastpath.Stack{Flags: fastpath.SS_DISABLE}},
		}
		for _, c := range cases {
			clear(mem.buf[old-memBase : old-memBase+24])
			var call Call
			call.Nr, call.SP = unix.SYS_SIGALTSTACK, c.sp
			call.Args[0], call.Args[1] = c.uss, old
			r := v.e.Syscall(th, &call)
			if c.want != 0 {
				v.errno(r, c.want)
			} else {
				v.ok(r, 0)
			}
			if c.want == 0 {
				if got := decodeStack(mem.get(old, 24)); got.Flags != c.oldFlags {
					t.Fatalf("%s: old flags %d want %d", c.name, got.Flags, c.oldFlags)
				}
			}
			if got := v.altstack(th); got != c.after {
				t.Fatalf("%s: stack %+v want %+v", c.name, got, c.after)
			}
		}
		// uoss faults after the change is made.
		var call Call
		call.Nr, call.SP = unix.SYS_SIGALTSTACK, stackSP
		call.Args[0], call.Args[1] = ss(base, 0, 4096), badAddr
		v.errno(v.e.Syscall(th, &call), unix.EFAULT)
		if got := v.altstack(th); got.Size != 4096 {
			t.Fatalf("stack %+v", got)
		}
	})
}

const autodisarmFlag int32 = -1 << 31
