package fastpath

// The bitmap layout, the default. A thread record is 48 bytes of shared
// memory — 16-byte aligned, so the pending and blocked words, which the
// check reads together, always share one cache line — and a process record
// is its 8-byte pending word. Siginfos and the action table stay in the
// emulator's heap, consulted only on the slow path.
//
//	thread record (48 B)          process record (8 B)
//	  0 pending  uint64             0 pending uint64
//	  8 blocked  uint64
//	 16 stack_t  (24 B)
//	 40 process  uint32
//	 44 (spare)
var bitmapSpec = spec{
	name: "bitmap",
	geo: Geometry{
		ThreadBase:     0,
		ThreadStride:   48,
		ThreadPending:  0,
		ThreadBlocked:  8,
		ThreadAltStack: 16,
		ThreadProc:     40,
		ProcStride:     8,
		ProcPending:    0,
	},
}

func newBitmap(cfg Config) (State, error) {
	sp := bitmapSpec
	// Processes go after the threads, page-aligned so the shim can map the
	// two regions with different protections later if it wants to.
	sp.geo.ProcBase = pageAlign(uint64(cfg.MaxThreads) * sp.geo.ThreadStride)
	return newShared(sp, cfg)
}

func pageAlign(n uint64) uint64 { return (n + 4095) &^ 4095 }
