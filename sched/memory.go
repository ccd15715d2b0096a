package sched

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// Memory is a managed process's address space as the emulator may touch it.
// Every address comes from the managed program and is untrusted: an
// implementation returns an error for any range it cannot access in full,
// and the syscall that asked fails with EFAULT. The shim's implementation is
// process_vm_readv/process_vm_writev; tests use a fake that can fault any
// address. Methods are called with the emulator's lock held.
type Memory interface {
	ReadAt(addr uint64, p []byte) error
	WriteAt(addr uint64, p []byte) error
}

// Files is what the emulator needs from a managed process's file
// descriptor table, which the kernel owns. Called with the lock held.
type Files interface {
	// Eventfd reports what the descriptor fd is, if it is an eventfd
	// (the native stand-in of a signalfd, signalfd.go): its identity
	// (fdinfo's eventfd-id, unique while it is open) and its file status
	// flags (O_NONBLOCK); ok is false if fd is not open or not an
	// eventfd.
	Eventfd(fd int32) (id uint64, flags uint32, ok bool)
	// IsOpen reports whether fd is an open descriptor (EBADF vs EINVAL for
	// signalfd4 on a descriptor that is not a signalfd).
	IsOpen(fd int32) bool
	// PidfdPid resolves a pidfd (pidfd_send_signal) to the pid it refers
	// to and whether it was opened with PIDFD_THREAD: EBADF for a bad fd or
	// one that is not a pidfd, ESRCH for a process that is gone.
	PidfdPid(fd int32) (pid int32, thread bool, err unix.Errno)
}

// noFiles is the Files of a process registered without one: it has no
// descriptors the emulator can use.
type noFiles struct{}

func (noFiles) Eventfd(int32) (uint64, uint32, bool)     { return 0, 0, false }
func (noFiles) IsOpen(int32) bool                        { return false }
func (noFiles) PidfdPid(int32) (int32, bool, unix.Errno) { return 0, false, unix.EBADF }

// The helpers below use the thread's scratch buffer so that a steady-state
// syscall allocates nothing (a slice of a local array would escape through
// the interface call). They return false on a fault.

func (t *Thread) readU64(addr uint64) (uint64, bool) {
	b := t.scratch[:8]
	if t.proc.mem.ReadAt(addr, b) != nil {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b), true
}

func (t *Thread) writeU64(addr, v uint64) bool {
	b := t.scratch[:8]
	binary.LittleEndian.PutUint64(b, v)
	return t.proc.mem.WriteAt(addr, b) == nil
}

// read fills the first n bytes of the scratch buffer.
func (t *Thread) read(addr uint64, n int) ([]byte, bool) {
	b := t.scratch[:n]
	if t.proc.mem.ReadAt(addr, b) != nil {
		return nil, false
	}
	return b, true
}

func (t *Thread) write(addr uint64, b []byte) bool {
	return t.proc.mem.WriteAt(addr, b) == nil
}

func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
