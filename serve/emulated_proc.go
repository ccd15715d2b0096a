package serve

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"siglab/sched"
)

// What Emulated needs of a managed process from outside it: its memory
// (process_vm_readv/writev, sched.Memory), its descriptor table
// (/proc/<pid>/fd and fdinfo, sched.Files), its parent, group and session
// at first contact and its wait status once it is a zombie
// (/proc/<pid>/stat, proc(5)).

// pidMemory is sched.Memory for process pid.
type pidMemory int32

func (m pidMemory) ReadAt(addr uint64, p []byte) error  { return ReadMemory(int32(m), addr, p) }
func (m pidMemory) WriteAt(addr uint64, p []byte) error { return WriteMemory(int32(m), addr, p) }

// pidFiles is sched.Files for process pid.
type pidFiles int32

// Eventfd reads /proc/<pid>/fdinfo/<fd>: "eventfd-id:" (only an eventfd
// has it) and "flags:" (octal).
func (f pidFiles) Eventfd(fd int32) (uint64, uint32, bool) {
	if fd < 0 {
		return 0, 0, false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", int32(f), fd))
	if err != nil {
		return 0, 0, false
	}
	id, ok := fdinfoField(b, "eventfd-id:")
	if !ok || id < 0 {
		return 0, 0, false
	}
	flags, _ := fdinfoField(b, "flags:")
	return uint64(id), uint32(octal(flags)), true
}

func (f pidFiles) IsOpen(fd int32) bool {
	if fd < 0 {
		return false
	}
	_, err := os.Lstat(fmt.Sprintf("/proc/%d/fd/%d", int32(f), fd))
	return err == nil
}

// PidfdPid reads the pidfd's target from /proc/<pid>/fdinfo/<fd> ("Pid:",
// -1 once the process is gone) and PIDFD_THREAD (O_EXCL) from its flags.
func (f pidFiles) PidfdPid(fd int32) (int32, bool, unix.Errno) {
	if fd < 0 {
		return 0, false, unix.EBADF
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", int32(f), fd))
	if err != nil {
		return 0, false, unix.EBADF
	}
	pid, ok := fdinfoField(b, "Pid:")
	if !ok {
		return 0, false, unix.EBADF // not a pidfd
	}
	if pid <= 0 {
		return 0, false, unix.ESRCH
	}
	flags, _ := fdinfoField(b, "flags:")
	return int32(pid), octal(flags)&unix.O_EXCL != 0, 0
}

func fdinfoField(b []byte, name string) (int64, bool) {
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte(name)); ok {
			n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// octal reinterprets the decimal digits fdinfo's flags line was parsed as.
func octal(v int64) int64 {
	n, _ := strconv.ParseInt(strconv.FormatInt(v, 10), 8, 64)
	return n
}

type procStat struct {
	state               byte
	ppid, pgrp, session int32
	exitCode            int64 // field 52, the wait status of a zombie
}

// readProcStat parses /proc/<pid>/stat; the command name may hold spaces
// and parentheses, so fields are counted after its last ')'.
func readProcStat(pid int32) (procStat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, fmt.Errorf("serve: %w", err)
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("serve: /proc/%d/stat: malformed", pid)
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 4 || len(f[0]) != 1 {
		return procStat{}, fmt.Errorf("serve: /proc/%d/stat: malformed", pid)
	}
	num := func(k int) int64 {
		if k >= len(f) {
			return -1
		}
		n, err := strconv.ParseInt(string(f[k]), 10, 64)
		if err != nil {
			return -1
		}
		return n
	}
	return procStat{state: f[0][0], ppid: int32(num(1)), pgrp: visibleID(num(2)), session: visibleID(num(3)),
		exitCode: num(52 - 3)}, nil
}

// visibleID maps the 0 /proc shows for a group or session led from outside
// our PID namespace (a container whose shell is outside it, a CI runner)
// to sched.HiddenID, so that every managed process agrees on it.
func visibleID(n int64) int32 {
	if n == 0 {
		return sched.HiddenID
	}
	return int32(n)
}

// procExitStatus is the wait status of pid if it is a zombie.
func procExitStatus(pid int32) (sched.WaitStatus, bool) {
	ps, err := readProcStat(pid)
	if err != nil || (ps.state != 'Z' && ps.state != 'X') || ps.exitCode < 0 {
		return 0, false
	}
	return sched.WaitStatus(ps.exitCode), true
}

func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
