package main

import (
	"errors"
	"fmt"
	"syscall"
)

// pipeStats is what one pipe's writer and reader observed.
type pipeStats struct {
	written, read uint64 // bytes
	bad           uint64 // bytes read that were not the stream's
	writes, reads uint64 // syscalls that moved data
	shortWrites   uint64 // writes that moved less than asked
	eintr         uint64 // read/write calls that failed with EINTR
	wcrc, rcrc    uint32 // CRC-32 of what was written, and read
	err           error  // anything else that failed
}

// pumpPipe sends total bytes of the stream with the given seed through a
// fresh blocking pipe, writer and reader in their own goroutines, with raw
// read(2)/write(2) of pseudorandom sizes up to maxChunk. A blocking pipe
// read or write interrupted by a handler installed with SA_RESTART — all of
// Go's are — is restarted by the kernel (pipe_read/pipe_write return
// -ERESTARTSYS; signal(7)), so EINTR must never surface; it is counted, and
// the call retried, so one bug does not hide the rest. os.File is not used:
// it retries EINTR itself and would hide it.
//
// The writer runs through spawn (which puts it on a registered thread).
func pumpPipe(total, maxChunk, seed uint64, spawn func(func())) pipeStats {
	var st pipeStats
	var fds [2]int
	if err := syscall.Pipe2(fds[:], syscall.O_CLOEXEC); err != nil {
		st.err = fmt.Errorf("pipe2: %w", err)
		return st
	}
	r, w := fds[0], fds[1]
	done := make(chan struct{})
	go spawn(func() {
		defer close(done)
		defer syscall.Close(w)
		buf := make([]byte, maxChunk)
		sizes := seed
		for st.written < total {
			n := min(1+mix64(sizes)%maxChunk, total-st.written)
			sizes++
			b := buf[:n]
			fillStream(b, seed, st.written)
			for len(b) > 0 {
				m, err := syscall.Write(w, b)
				if errors.Is(err, syscall.EINTR) {
					st.eintr++
					continue
				}
				if err != nil {
					st.err = fmt.Errorf("write: %w", err)
					return
				}
				st.writes++
				if m < len(b) {
					st.shortWrites++
				}
				st.wcrc = checksum(st.wcrc, b[:m])
				st.written += uint64(m)
				b = b[m:]
			}
		}
	})
	// The reader runs here; the writer's fields are read only after done.
	var rd pipeStats
	buf := make([]byte, maxChunk)
	sizes := ^seed
	for {
		n := 1 + mix64(sizes)%maxChunk
		sizes++
		m, err := syscall.Read(r, buf[:n])
		if errors.Is(err, syscall.EINTR) {
			rd.eintr++
			continue
		}
		if err != nil {
			rd.err = fmt.Errorf("read: %w", err)
			break
		}
		if m == 0 {
			break
		}
		rd.reads++
		rd.bad += badBytes(buf[:m], seed, rd.read)
		rd.rcrc = checksum(rd.rcrc, buf[:m])
		rd.read += uint64(m)
	}
	syscall.Close(r) // a writer still blocked gets EPIPE instead of hanging
	<-done
	st.read, st.bad, st.reads, st.rcrc = rd.read, rd.bad, rd.reads, rd.rcrc
	st.eintr += rd.eintr
	if st.err == nil {
		st.err = rd.err
	}
	return st
}
