/* fastcheck.c — the fast path (fastpath/hot.go, Hot.Deliverable, in C):
 * is a signal pending for this thread or its process that the thread does
 * not block? Three loads from the fastpath arena, no round trip. Offsets
 * come from the validated copy of the header; the process slot read from
 * the arena is bounds-checked because the program can scribble on it. */
#include "shim.h"

/* thread_record is thread slot's record in the arena, or NULL for a slot
 * out of range. */
static uint8_t *thread_record(uint32_t slot)
{
	const struct siglab_header *g = &shim.cfg;
	if (slot >= g->max_threads)
		return 0;
	return shim.state + g->geo_thread_base + (uint64_t)slot * g->geo_thread_stride;
}

uint8_t *shim_local_record(void)
{
	return shim.cfg.local_sigreturn ? thread_record(shim_tls_slot) : 0;
}

/* proc_pending is the pending set of thread record t's process; the slot
 * read from the arena is bounds-checked because the program can scribble
 * on it. */
static uint64_t proc_pending(const uint8_t *t)
{
	const struct siglab_header *g = &shim.cfg;
	uint32_t proc = __atomic_load_n((const uint32_t *)(t + g->geo_thread_proc), __ATOMIC_RELAXED);
	if (proc >= g->max_procs)
		return 0;
	return __atomic_load_n((const uint64_t *)(shim.state + g->geo_proc_base + (uint64_t)proc * g->geo_proc_stride +
						  g->geo_proc_pending),
			       __ATOMIC_SEQ_CST);
}

uint64_t shim_proc_pending(uint32_t slot)
{
	const uint8_t *t = thread_record(slot);
	return t ? proc_pending(t) : 0;
}

int shim_deliverable(uint32_t slot)
{
	const struct siglab_header *g = &shim.cfg;
	const uint8_t *t = thread_record(slot);
	if (!t)
		return 0;
	uint64_t pending = __atomic_load_n((const uint64_t *)(t + g->geo_thread_pending), __ATOMIC_SEQ_CST);
	uint64_t blocked = __atomic_load_n((const uint64_t *)(t + g->geo_thread_blocked), __ATOMIC_SEQ_CST);
	return ((pending | proc_pending(t)) & ~blocked) != 0;
}
