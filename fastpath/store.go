package fastpath

// store is the emulator-private siginfo storage shared by the layouts: a
// slab of nodes, each on one circular singly linked queue. A queue is named
// by its tail index alone (0 = empty, tail.next = head), which keeps the
// per-thread cost at four bytes while giving O(1) append and pop; removing
// the oldest instance of one signal walks the queue, whose length is bounded
// by 31 standard signals plus the real-time limit. Freed nodes go on a free
// list, so a steady state allocates nothing.
type store struct {
	nodes []node // nodes[0] is a sentinel: index 0 means "none"
	free  int32
}

type node struct {
	info Siginfo
	next int32
}

// nodeSize is the private cost of one queued siginfo.
const nodeSize = SiginfoSize + 8

func (s *store) init() { s.nodes = make([]node, 1, 64) }

func (s *store) alloc(info *Siginfo) int32 {
	i := s.free
	if i == 0 {
		s.nodes = append(s.nodes, node{})
		i = int32(len(s.nodes) - 1)
	} else {
		s.free = s.nodes[i].next
	}
	// Field by field: a composite literal would be built on the stack and
	// copied again, 136 bytes twice on the send path.
	n := &s.nodes[i]
	n.info = *info
	n.next = 0
	return i
}

// release puts node i on the free list. Its siginfo is left as it was:
// alloc overwrites it whole, and nothing reads a free node's siginfo.
func (s *store) release(i int32) {
	s.nodes[i].next = s.free
	s.free = i
}

// push appends info to the queue with tail *q.
func (s *store) push(q *int32, info *Siginfo) {
	i := s.alloc(info)
	if t := *q; t == 0 {
		s.nodes[i].next = i
	} else {
		s.nodes[i].next = s.nodes[t].next
		s.nodes[t].next = i
	}
	*q = i
}

// remove takes the oldest entry for sig out of queue *q into *info. It
// reports whether one was found and whether another entry for sig remains.
func (s *store) remove(q *int32, sig int, info *Siginfo) (found, more bool) {
	t := *q
	if t == 0 {
		return false, false
	}
	prev, i := t, s.nodes[t].next // i walks from the head
	for int(s.nodes[i].info.Signo) != sig {
		if i == t {
			return false, false
		}
		prev, i = i, s.nodes[i].next
	}
	*info = s.nodes[i].info
	next := s.nodes[i].next
	switch {
	case i == prev: // the only node
		*q = 0
		s.release(i)
		return true, false
	case i == t: // the tail: nothing after it
		s.nodes[prev].next = next
		*q = prev
		s.release(i)
		return true, false
	}
	s.nodes[prev].next = next
	s.release(i)
	for j := next; ; j = s.nodes[j].next {
		if int(s.nodes[j].info.Signo) == sig {
			return true, true
		}
		if j == t {
			return true, false
		}
	}
}

// flush removes every entry whose signal is in set and returns how many
// entries, and how many real-time entries, it removed.
func (s *store) flush(q *int32, set Sigset) (removed, rtRemoved int) {
	t := *q
	if t == 0 || set == 0 {
		return 0, 0
	}
	// Rebuild the queue from the survivors, in order.
	var kept int32
	i := s.nodes[t].next
	for {
		next := s.nodes[i].next
		last := i == t
		if set.Has(int(s.nodes[i].info.Signo)) {
			removed++
			if IsRealtime(int(s.nodes[i].info.Signo)) {
				rtRemoved++
			}
			s.release(i)
		} else {
			if kept == 0 {
				s.nodes[i].next = i
			} else {
				s.nodes[i].next = s.nodes[kept].next
				s.nodes[kept].next = i
			}
			kept = i
		}
		if last {
			break
		}
		i = next
	}
	*q = kept
	return removed, rtRemoved
}

// has reports whether the queue holds an entry for sig.
func (s *store) has(q int32, sig int) bool {
	if q == 0 {
		return false
	}
	for i := s.nodes[q].next; ; i = s.nodes[i].next {
		if int(s.nodes[i].info.Signo) == sig {
			return true
		}
		if i == q {
			return false
		}
	}
}
