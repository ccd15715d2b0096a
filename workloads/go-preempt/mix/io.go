package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"
	"time"
)

// The syscall part: a writer and a reader goroutine pass consecutive
// sequence numbers through a blocking pipe with raw read(2)/write(2), and a
// sleeper makes nanosleep(2) calls. Raw syscalls, not os.File: os.File
// retries EINTR itself and would hide a spurious one.

// pipeSeq writes count sequence numbers (8 bytes each, batch at a time)
// through a fresh blocking pipe and reads them back, and returns how many
// arrived wrong or not at all.
func pipeSeq(count, batch int) (mismatches uint64, err error) {
	var fds [2]int
	if err := syscall.Pipe2(fds[:], syscall.O_CLOEXEC); err != nil {
		return 0, fmt.Errorf("pipe2: %w", err)
	}
	r, w := fds[0], fds[1]
	defer syscall.Close(r)
	werr := make(chan error, 1)
	go func() {
		defer syscall.Close(w)
		buf := make([]byte, 8*batch)
		for seq := 0; seq < count; {
			n := min(batch, count-seq)
			for i := range n {
				binary.LittleEndian.PutUint64(buf[8*i:], uint64(seq+i))
			}
			if err := writeAll(w, buf[:8*n]); err != nil {
				werr <- err
				return
			}
			seq += n
		}
		werr <- nil
	}()
	buf := make([]byte, 8*batch)
	var have, got int // bytes buffered, sequence numbers checked
	for {
		n, err := syscall.Read(r, buf[have:])
		if err != nil {
			return mismatches, fmt.Errorf("read: %w", err)
		}
		if n == 0 {
			break
		}
		have += n
		whole := have / 8 * 8
		for i := 0; i < whole; i += 8 {
			if binary.LittleEndian.Uint64(buf[i:]) != uint64(got) {
				mismatches++
			}
			got++
		}
		have = copy(buf, buf[whole:have])
	}
	if err := <-werr; err != nil {
		return mismatches, err
	}
	if have != 0 || got != count {
		mismatches += uint64(max(count-got, got-count, 1))
	}
	return mismatches, nil
}

// writeAll writes b to fd; a blocking pipe write may be short when a
// signal interrupts it after some bytes went through (pipe_write).
func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := syscall.Write(fd, b)
		if err != nil {
			return fmt.Errorf("write: %w", err)
		}
		b = b[n:]
	}
	return nil
}

// sleepFor sleeps d with nanosleep(2) and reports whether a signal
// interrupted it. nanosleep is never restarted after a handler, SA_RESTART
// or not (signal(7)), so EINTR is legitimate here: resume with the
// remaining time, as the man page suggests.
func sleepFor(d time.Duration) (interrupted bool, err error) {
	req := syscall.NsecToTimespec(d.Nanoseconds())
	for {
		var rem syscall.Timespec
		err := syscall.Nanosleep(&req, &rem)
		if errors.Is(err, syscall.EINTR) {
			interrupted = true
			req = rem
			continue
		}
		return interrupted, err
	}
}
