package serve

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"unsafe"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
	"siglab/shim"
)

// Region is the shared region of shim/abi.go: a memfd holding the Header
// and the channels, mapped MAP_SHARED here and in every managed process.
type Region struct {
	fd  int
	mem []byte
	n   int
}

// RegionConfig is what the Header publishes.
type RegionConfig struct {
	Channels int             // per-thread channels (threads alive at once)
	State    fastpath.State  // the arena whose geometry the shim needs
	Config   fastpath.Config // the sizes State was built with (zero: defaults)
	TrapSet  []int           // syscall numbers to trap
	LocalSet []int           // of those, the ones the shim runs natively without asking
	ShimSpin int             // shim polls before futex-waiting for a reply
	// RouteSet are the signals the shim catches when the kernel raises
	// them natively and forwards (OpKernelSignal); never the shim's own,
	// SIGKILL or SIGSTOP.
	RouteSet fastpath.Sigset
	// MirrorSet are the signals whose native action (never a handler)
	// and mask the Handler keeps equal to the emulated ones; the shim's
	// handlers leave them unblocked (shim.Header.MirrorSet).
	MirrorSet fastpath.Sigset
	// CondTraps maps syscalls of TrapSet to the argument (0..5) whose
	// being non-zero makes them trap (shim.Header.CondTraps); prlimit64
	// must be one (ld.so calls it, reading, before an exec'd image's
	// shim can handle a trap).
	CondTraps map[int]int
	// LocalSigreturn lets the shim restore signal frames itself when that
	// only unblocks (shim.Header.LocalSigreturn); on every layout (a
	// summary word the store leaves short is safe: fastpath/summary.go).
	LocalSigreturn bool
	// Wrappers lets the shim's libc wrappers send their syscalls without
	// a trap (shim.Header.Wrappers).
	Wrappers bool
}

// NewRegion creates and fills the region. The header is written once, here,
// before any managed process exists.
func NewRegion(rc RegionConfig) (*Region, error) {
	if rc.Channels <= 0 || rc.Channels > 1<<20 {
		return nil, fmt.Errorf("serve: %d channels: want 1..%d", rc.Channels, 1<<20)
	}
	var st unix.Stat_t
	if err := unix.Fstat(rc.State.Fd(), &st); err != nil {
		return nil, fmt.Errorf("serve: fstat of the fastpath arena: %w", err)
	}
	maxT, maxP := rc.Config.MaxThreads, rc.Config.MaxProcesses
	if maxT <= 0 {
		maxT = fastpath.DefaultMaxThreads
	}
	if maxP <= 0 {
		maxP = fastpath.DefaultMaxProcesses
	}
	g := rc.State.Geometry()
	if g.ThreadBase+uint64(maxT)*g.ThreadStride > uint64(st.Size) ||
		g.ProcBase+uint64(maxP)*g.ProcStride > uint64(st.Size) {
		return nil, fmt.Errorf("serve: fastpath arena of %d bytes is smaller than its geometry says (config %+v)", st.Size, rc.Config)
	}
	var trap [shim.TrapWords]uint64
	for _, nr := range rc.TrapSet {
		if nr < 0 || nr >= shim.MaxSyscall {
			return nil, fmt.Errorf("serve: syscall %d cannot be trapped (want 0..%d)", nr, shim.MaxSyscall-1)
		}
		switch nr {
		case unix.SYS_MMAP, unix.SYS_MPROTECT, unix.SYS_MUNMAP:
			// The shim of an exec'd image maps its trampoline with these
			// before it can pass its predecessor's filter.
			return nil, fmt.Errorf("serve: syscall %d is the shim's own and cannot be trapped", nr)
		}
		trap[nr/64] |= 1 << (nr % 64)
	}
	var local [shim.TrapWords]uint64
	for _, nr := range rc.LocalSet {
		if nr < 0 || nr >= shim.MaxSyscall || trap[nr/64]&(1<<(nr%64)) == 0 {
			return nil, fmt.Errorf("serve: local syscall %d is not in the trap set", nr)
		}
		local[nr/64] |= 1 << (nr % 64)
	}
	if bad := (rc.RouteSet | rc.MirrorSet) & (shimSignals | fastpath.Unblockable); bad != 0 {
		return nil, fmt.Errorf("serve: signals %#x cannot be routed or mirrored (the shim's own, SIGKILL, SIGSTOP)", uint64(bad))
	}
	if both := rc.RouteSet & rc.MirrorSet; both != 0 {
		return nil, fmt.Errorf("serve: signals %#x are both routed and mirrored", uint64(both))
	}
	if len(rc.CondTraps) > shim.MaxCondTraps {
		return nil, fmt.Errorf("serve: %d conditional traps, at most %d", len(rc.CondTraps), shim.MaxCondTraps)
	}
	var cond [shim.MaxCondTraps]uint32
	nconds := 0
	for _, nr := range slices.Sorted(maps.Keys(rc.CondTraps)) {
		arg := rc.CondTraps[nr]
		if nr < 0 || nr >= shim.MaxSyscall || trap[nr/64]&(1<<(nr%64)) == 0 || arg < 0 || arg > 5 {
			return nil, fmt.Errorf("serve: conditional trap of syscall %d on argument %d: not a trapped syscall and an argument 0..5", nr, arg)
		}
		cond[nconds] = shim.CondTrap(nr, arg)
		nconds++
	}
	if trap[unix.SYS_PRLIMIT64/64]&(1<<(unix.SYS_PRLIMIT64%64)) != 0 {
		if _, ok := rc.CondTraps[unix.SYS_PRLIMIT64]; !ok {
			return nil, fmt.Errorf("serve: prlimit64 can be trapped only on a condition (ld.so reads a limit with it before an exec'd image's shim is ready)")
		}
	}
	size := shim.HeaderSize + rc.Channels*shim.ChannelSize
	fd, err := unix.MemfdCreate("siglab-channels", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("serve: memfd_create: %w", err)
	}
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("serve: ftruncate region: %w", err)
	}
	mem, err := unix.Mmap(fd, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("serve: mmap region: %w", err)
	}
	r := &Region{fd: fd, mem: mem, n: rc.Channels}
	*r.Header() = shim.Header{
		Magic: shim.Magic, Version: shim.Version,
		HeaderSize: shim.HeaderSize, ChannelSize: shim.ChannelSize,
		NumChannels: uint32(rc.Channels), RegionSize: uint64(size),
		StateSize: uint64(st.Size), MaxThreads: uint32(maxT), MaxProcs: uint32(maxP),
		GeoThreadBase: g.ThreadBase, GeoThreadStride: g.ThreadStride,
		GeoThreadPending: g.ThreadPending, GeoThreadBlocked: g.ThreadBlocked,
		GeoThreadAltStack: g.ThreadAltStack, GeoThreadProc: g.ThreadProc,
		GeoProcBase: g.ProcBase, GeoProcStride: g.ProcStride, GeoProcPending: g.ProcPending,
		ShimSpin:    uint32(rc.ShimSpin),
		EmulatorPid: int32(os.Getpid()),
		TrapSet:     trap,
		LocalSet:    local,
		RouteSet:    uint64(rc.RouteSet),
		MirrorSet:   uint64(rc.MirrorSet),
	}
	if rc.LocalSigreturn {
		r.Header().LocalSigreturn = 1
		if g.SummaryStride == 0 {
			r.Header().LocalBlock = 1 // shim.Header.LocalBlock: nothing derived from the mask
		}
	}
	if rc.Wrappers {
		r.Header().Wrappers = 1
	}
	r.Header().NumCondTraps = uint32(nconds)
	r.Header().CondTraps = cond
	return r, nil
}

// Fd is the region's memfd (close-on-exec; Run passes a dup).
func (r *Region) Fd() int { return r.fd }

// Channels is the number of channels.
func (r *Region) Channels() int { return r.n }

// Header is the region's header. The region is not Go heap and never
// moves, so the pointer is valid until Close.
func (r *Region) Header() *shim.Header { return (*shim.Header)(unsafe.Pointer(&r.mem[0])) }

// Channel returns channel i, 0 ≤ i < Channels(); i is always an index
// serve computed, never one read from shared memory.
func (r *Region) Channel(i int) *shim.Channel {
	off := shim.HeaderSize + i*shim.ChannelSize
	_ = r.mem[off+shim.ChannelSize-1]
	return (*shim.Channel)(unsafe.Pointer(&r.mem[off]))
}

// Close unmaps and closes the region.
func (r *Region) Close() error {
	if r.mem == nil {
		return nil
	}
	err := unix.Munmap(r.mem)
	r.mem = nil
	if cerr := unix.Close(r.fd); err == nil {
		err = cerr
	}
	return err
}
