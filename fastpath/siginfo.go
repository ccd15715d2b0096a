package fastpath

import "unsafe"

// Siginfo is the kernel's siginfo_t on x86-64, byte for byte (128 bytes):
// si_signo, si_errno, si_code, padding, then a 112-byte union whose members
// all start at offset 16. Fields holds the union as fourteen little-endian
// words; the accessors name the members package sched uses.
type Siginfo struct {
	Signo  int32
	Errno  int32
	Code   int32
	_      int32
	Fields [14]uint64
}

// SiginfoSize is sizeof(siginfo_t) on Linux (SI_MAX_SIZE).
const SiginfoSize = 128

var _ [SiginfoSize - unsafe.Sizeof(Siginfo{})]struct{}
var _ [unsafe.Sizeof(Siginfo{}) - SiginfoSize]struct{}

// si_code values (include/uapi/asm-generic/siginfo.h).
const (
	SI_USER    = 0
	SI_KERNEL  = 0x80
	SI_QUEUE   = -1
	SI_TIMER   = -2
	SI_MESGQ   = -3
	SI_ASYNCIO = -4
	SI_SIGIO   = -5
	SI_TKILL   = -6

	CLD_EXITED    = 1
	CLD_KILLED    = 2
	CLD_DUMPED    = 3
	CLD_TRAPPED   = 4
	CLD_STOPPED   = 5
	CLD_CONTINUED = 6
)

// The union members by offset (asm-generic/siginfo.h, x86-64):
//   _kill:    si_pid @16, si_uid @20
//   _timer:   si_tid @16, si_overrun @20, si_sigval @24
//   _rt:      si_pid @16, si_uid @20, si_sigval @24
//   _sigchld: si_pid @16, si_uid @20, si_status @24, si_utime @32, si_stime @40
//   _sigfault: si_addr @16

// Pid is si_pid (kill, rt, sigchld).
func (s *Siginfo) Pid() int32 { return int32(s.Fields[0]) }

// Uid is si_uid.
func (s *Siginfo) Uid() uint32 { return uint32(s.Fields[0] >> 32) }

// SetSender sets si_pid and si_uid.
func (s *Siginfo) SetSender(pid int32, uid uint32) {
	s.Fields[0] = uint64(uint32(pid)) | uint64(uid)<<32
}

// TimerID is si_tid of a POSIX timer signal; Overrun is si_overrun.
func (s *Siginfo) TimerID() int32 { return int32(s.Fields[0]) }
func (s *Siginfo) Overrun() int32 { return int32(s.Fields[0] >> 32) }

// SetTimer sets si_tid and si_overrun.
func (s *Siginfo) SetTimer(id, overrun int32) {
	s.Fields[0] = uint64(uint32(id)) | uint64(uint32(overrun))<<32
}

// Value is si_value (sigval: sival_int in the low half, or sival_ptr).
func (s *Siginfo) Value() uint64     { return s.Fields[1] }
func (s *Siginfo) SetValue(v uint64) { s.Fields[1] = v }

// Status is si_status of SIGCHLD; Addr is si_addr of a fault.
func (s *Siginfo) Status() int32     { return int32(s.Fields[1]) }
func (s *Siginfo) SetStatus(v int32) { s.Fields[1] = uint64(uint32(v)) }
func (s *Siginfo) Addr() uint64      { return s.Fields[0] }
func (s *Siginfo) SetAddr(a uint64)  { s.Fields[0] = a }
