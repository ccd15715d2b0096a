package fastpath

// The flat layout: Shadow's shared-memory signal state as shipped
// (shadow-shim-helper-rs, shim_shmem.rs, ShimShmemThread and
// ShimShmemProcess), field for field in the same order:
//
//	thread record (4016 B)                  process record (6024 B)
//	    0 pending_signals  sigset_t             0 pending_signals  sigset_t
//	    8 pending_standard_siginfos [31]        8 pending_standard_siginfos [31]
//	 3976 blocked_signals  sigset_t          3976 signal_actions [64]sigaction
//	 3984 sigaltstack      stack_t
//	 4008 process          uint32 (siglab's: the shim's way to its process)
//
// Shadow has no real-time queue; real-time siginfos here go to the same
// private queue as bitmap's, so both layouts implement one semantics and the
// benchmarks compare placement only.
var flatSpec = spec{
	name: "flat",
	geo: Geometry{
		ThreadStride:   4016,
		ThreadPending:  0,
		ThreadBlocked:  8 + NStandard*SiginfoSize,
		ThreadAltStack: 16 + NStandard*SiginfoSize,
		ThreadProc:     16 + NStandard*SiginfoSize + StackSize,
		ProcStride:     8 + NStandard*SiginfoSize + NSIG*SigactionSize,
		ProcPending:    0,
	},
	threadInfos: 8,
	procInfos:   8,
	procActions: 8 + NStandard*SiginfoSize,
}

func newFlat(cfg Config) (State, error) {
	sp := flatSpec
	sp.geo.ProcBase = pageAlign(uint64(cfg.MaxThreads) * sp.geo.ThreadStride)
	return newShared(sp, cfg)
}
