package fastpath

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// arena is the shared memory a State lives in: a memfd mapped MAP_SHARED,
// outside the Go heap, so the shim can map the same pages into the managed
// process (memfd_create(2), mmap(2)). Pages are touched lazily, so an arena
// sized for 100,000 threads costs only what is used.
type arena struct {
	fd  int
	mem []byte
}

func newArena(name string, size uint64) (*arena, error) {
	// Round up to a page so the shim can map it whole.
	page := uint64(unix.Getpagesize())
	size = (size + page - 1) &^ (page - 1)
	fd, err := unix.MemfdCreate("siglab-"+name, unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("ftruncate arena to %d bytes: %w", size, err)
	}
	mem, err := unix.Mmap(fd, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("mmap arena of %d bytes: %w", size, err)
	}
	return &arena{fd: fd, mem: mem}, nil
}

// at returns a pointer to offset off. The arena's pages never move and are
// not Go heap, so the pointer stays valid until close.
func (a *arena) at(off uint64) unsafe.Pointer {
	_ = a.mem[off] // bounds check once, here
	return unsafe.Pointer(&a.mem[off])
}

func (a *arena) close() error {
	if a.mem == nil {
		return nil
	}
	err := unix.Munmap(a.mem)
	a.mem = nil
	if cerr := unix.Close(a.fd); err == nil {
		err = cerr
	}
	return err
}
