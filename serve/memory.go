package serve

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// ReadMemory copies len(buf) bytes at addr in process pid into buf with
// process_vm_readv(2): the emulator reads managed memory only this way, so a
// bad pointer from the program is an error here, never a fault in the
// emulator.
func ReadMemory(pid int32, addr uint64, buf []byte) error {
	if len(buf) == 0 {
		return nil
	}
	local := []unix.Iovec{{Base: &buf[0], Len: uint64(len(buf))}}
	remote := []unix.RemoteIovec{{Base: uintptr(addr), Len: len(buf)}}
	n, err := unix.ProcessVMReadv(int(pid), local, remote, 0)
	if err != nil {
		return fmt.Errorf("process_vm_readv(pid %d, %#x, %d): %w", pid, addr, len(buf), err)
	}
	if n != len(buf) {
		return fmt.Errorf("process_vm_readv(pid %d, %#x, %d): short read of %d bytes", pid, addr, len(buf), n)
	}
	return nil
}

// WriteMemory copies buf to addr in process pid with process_vm_writev(2).
func WriteMemory(pid int32, addr uint64, buf []byte) error {
	if len(buf) == 0 {
		return nil
	}
	local := []unix.Iovec{{Base: &buf[0], Len: uint64(len(buf))}}
	remote := []unix.RemoteIovec{{Base: uintptr(addr), Len: len(buf)}}
	n, err := unix.ProcessVMWritev(int(pid), local, remote, 0)
	if err != nil {
		return fmt.Errorf("process_vm_writev(pid %d, %#x, %d): %w", pid, addr, len(buf), err)
	}
	if n != len(buf) {
		return fmt.Errorf("process_vm_writev(pid %d, %#x, %d): short write of %d bytes", pid, addr, len(buf), n)
	}
	return nil
}
