package sched

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// TestSigreturnFPArea: rt_sigreturn reads the FP area the frame points at
// as __fpu_restore_sig does — a NULL pointer restores nothing, a readable
// fxsave area (and the xstate its software bytes announce) passes, an
// unreadable one or xstate running into unmapped memory is signal_fault():
// SIGSEGV, with the mask left as it was.
func TestSigreturnFPArea(t *testing.T) {
	cases := []struct {
		name  string
		setup func(mem *fakeMem) uint64 // the fpstate pointer
		fault bool
	}{
		{"null", func(*fakeMem) uint64 { return 0 }, false},
		{"fxsave", func(mem *fakeMem) uint64 { return mem.alloc(fxsaveSize) }, false},
		{"xstate", func(mem *fakeMem) uint64 { return xstateArea(mem, 2048, 2048) }, false},
		{"xstate beyond the mapping", func(mem *fakeMem) uint64 {
			fp := xstateArea(mem, 2048, 2048)
			mem.faults[fp+2047] = true // its last page is not mapped
			return fp
		}, true},
		{"an implausible xstate size is the legacy area alone", func(mem *fakeMem) uint64 {
			return xstateArea(mem, fxsaveSize, 1<<30)
		}, false},
		{"unmapped", func(*fakeMem) uint64 { return badAddr }, true},
		{"misaligned low address", func(*fakeMem) uint64 { return 16 }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forLayouts(t, func(t *testing.T, v *env) {
				_, th, mem := v.proc(100, 0)
				v.setmask(th, mem, sigSetmask, set(fastpath.SIGINT))
				fsp := mem.alloc(512)
				writeFrame(mem, fsp, &Delivery{SavedMask: set(fastpath.SIGTERM)})
				mem.putU64(fsp+UcFpstateOffset, tc.setup(mem))
				var c Call
				c.Nr, c.SP = unix.SYS_RT_SIGRETURN, fsp
				r := v.e.Syscall(th, &c)
				if r.Kind != Sigreturned {
					t.Fatalf("sigreturn %+v", r)
				}
				if !tc.fault {
					if r.Ret != 0 || v.blocked(th) != set(fastpath.SIGTERM) {
						t.Fatalf("ret %d, mask after sigreturn %x", r.Ret, v.blocked(th))
					}
					return
				}
				if r.Ret == 0 || v.blocked(th) != set(fastpath.SIGINT) {
					t.Fatalf("ret %d, mask after a failed sigreturn %x", r.Ret, v.blocked(th))
				}
				if d := v.e.Decide(th, -1, 0, stackSP); d.Act != Die || d.Signal() != fastpath.SIGSEGV {
					t.Fatalf("bad FP area: %+v", d)
				}
			})
		})
	}
}

// xstateArea allocates n bytes of FP area whose software-reserved bytes
// announce an xstate of size bytes (FP_XSTATE_MAGIC1, extended_size).
func xstateArea(mem *fakeMem, n int, size uint32) uint64 {
	fp := mem.alloc(n)
	sw := make([]byte, 8)
	binary.LittleEndian.PutUint32(sw, fpXstateMagic1)
	binary.LittleEndian.PutUint32(sw[4:], size)
	mem.put(fp+fpxSwBytes, sw)
	return fp
}
