package fastpath

import "math/bits"

// The queue limit, as the kernel keeps it. Every siginfo the kernel queues
// (a struct sigqueue) is charged to the user of the task it is queued on,
// in that user's ucounts (UCOUNT_RLIMIT_SIGPENDING), and may be allocated
// only while the user's count is below the target task's RLIMIT_SIGPENDING
// (kernel/signal.c, __sigqueue_alloc; getrlimit(2): "the number of signals
// that may be queued for the real user ID of the calling process"). A
// standard signal sent with si_code >= 0 (kill(2), the kernel's own)
// overrides the limit; a standard signal with a negative si_code
// (sigqueue(3), tgkill(2)) or a real-time signal does not. When no siginfo
// can be had, __send_signal_locked fails a real-time signal with EAGAIN
// unless kill(2) sent it (SI_USER), and otherwise pends the signal without
// its siginfo ("a silent loss of information"); collect_signal then makes
// up an SI_USER siginfo naming no sender when it is taken.
//
// Here an account is one user (a real uid) and counts the charged siginfos
// of every process SetQueueLimit put in it; each process has its own limit,
// capped at Config.RTQueueLimit so that the emulator's queues stay bounded
// whatever the managed program sets. A process starts in uid 0's account
// with the cap as its limit. Two simplifications, both documented on
// State.SetQueueLimit: a process that changes account takes its charges
// along (the kernel leaves each siginfo charged to the user it was
// allocated for), and posix-timer signals (SI_TIMER) override the limit as
// standard signals with si_code >= 0 do (the kernel charges a timer's
// preallocated siginfo once, at timer_create, and never refuses its
// signal).
type accounts struct {
	uid    []uint32
	procs  []int32 // processes in the account; 0 marks a free index
	queued []int32 // charged siginfos of those processes and their threads
	free   []int32
	byUID  map[uint32]int32
}

func (a *accounts) init() { a.byUID = map[uint32]int32{} }

// join returns uid's account, creating it if need be, with one more
// process in it. It allocates only for a uid it has not seen in use.
func (a *accounts) join(uid uint32) int32 {
	i, ok := a.byUID[uid]
	if !ok {
		if n := len(a.free); n > 0 {
			i = a.free[n-1]
			a.free = a.free[:n-1]
		} else {
			i = int32(len(a.uid))
			a.uid = append(a.uid, 0)
			a.procs = append(a.procs, 0)
			a.queued = append(a.queued, 0)
		}
		a.uid[i], a.queued[i] = uid, 0
		a.byUID[uid] = i
	}
	a.procs[i]++
	return i
}

// leave takes one process out of account i, freeing it when it was the
// last; by then the account's count is back to zero, because every charge
// of a process leaves with it.
func (a *accounts) leave(i int32) {
	a.procs[i]--
	if a.procs[i] == 0 {
		delete(a.byUID, a.uid[i])
		a.free = append(a.free, i)
	}
}

// overrides says whether a signal with this siginfo may be queued with it
// past the limit: __send_signal_locked's override_rlimit, for a standard
// signal "is_si_special(info) || info->si_code >= 0", never for a
// real-time one; plus SI_TIMER (see above).
func overrides(info *Siginfo) bool {
	return !IsRealtime(int(info.Signo)) && (info.Code >= 0 || info.Code == SI_TIMER)
}

// charge is __sigqueue_alloc's accounting: it counts one more siginfo for
// p's account and reports true, or reports false when p's account is at
// p's limit and the signal does not override it.
func (s *shared) charge(p ProcID, override bool) bool {
	a := s.pAcct[p]
	if !override && s.accts.queued[a] >= s.pLimit[p] {
		return false
	}
	s.accts.queued[a]++
	s.pCharged[p]++
	return true
}

// uncharge is __sigqueue_free's: n siginfos of p are gone.
func (s *shared) uncharge(p ProcID, n int32) {
	s.accts.queued[s.pAcct[p]] -= n
	s.pCharged[p] -= n
}

func (s *shared) SetQueueLimit(p ProcID, uid uint32, limit int) {
	s.liveProcess(p)
	s.pLimit[p] = int32(max(0, min(limit, s.cfg.RTQueueLimit)))
	old := s.pAcct[p]
	if s.accts.uid[old] == uid {
		return
	}
	n := s.accts.join(uid)
	s.accts.queued[old] -= s.pCharged[p]
	s.accts.queued[n] += s.pCharged[p]
	s.accts.leave(old)
	s.pAcct[p] = n
}

func (s *shared) QueuedUser(p ProcID) int {
	s.liveProcess(p)
	return int(s.accts.queued[s.pAcct[p]])
}

// chargedStandard counts the standard signals of set whose siginfo sits in
// a shared slot, that is, all but those pending without one.
func chargedStandard(set, lost Sigset) int32 {
	return int32(bits.OnesCount64(uint64(set & StandardMask &^ lost)))
}
