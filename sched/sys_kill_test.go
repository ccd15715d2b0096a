package sched

import (
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// pendingAll is the union of th's and its process's pending sets.
func (v *env) pendingAll(th *Thread) fastpath.Sigset {
	a, b := v.pending(th)
	return a | b
}

func TestKill(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		p1, t1, m1 := v.proc(100, 0)
		p2, t2, m2 := v.proc(200, 100)
		p3, t3, m3 := v.proc(300, 100)
		v.e.SetProcessGroup(p2, 200, 100)
		v.e.SetProcessGroup(p3, 200, 100)
		other, t4, m4 := v.proc(400, 0)
		v.e.SetCred(other, Cred{Uid: 2000, Euid: 2000, Suid: 2000})
		for _, x := range []struct {
			th  *Thread
			mem *fakeMem
		}{{t1, m1}, {t2, m2}, {t3, m3}, {t4, m4}} {
			v.setmask(x.th, x.mem, sigBlock, set(fastpath.SIGUSR1, fastpath.SIGUSR2, fastpath.SIGCONT))
		}
		_ = p1
		cases := []struct {
			name string
			from *Thread
			pid  int32
			sig  int
			want unix.Errno
			got  []*Thread // who has sig pending afterwards
		}{
			{"no such pid", t1, 999, fastpath.SIGUSR1, unix.ESRCH, nil},
			{"no such pid, bad sig", t1, 999, 65, unix.ESRCH, nil},
			{"bad sig", t1, 200, 65, unix.EINVAL, nil},
			{"negative sig", t1, 200, -1, unix.EINVAL, nil},
			{"probe", t1, 200, 0, 0, nil},
			{"EPERM other user", t1, 400, fastpath.SIGUSR1, unix.EPERM, nil},
			{"EPERM probe", t1, 400, 0, unix.EPERM, nil},
			{"pid>0", t1, 200, fastpath.SIGUSR1, 0, []*Thread{t2}},
			{"pgrp", t1, -200, fastpath.SIGUSR2, 0, []*Thread{t2, t3}},
			{"empty pgrp", t1, -999, fastpath.SIGUSR2, unix.ESRCH, nil},
			{"INT_MIN", t1, -2147483648, 0, unix.ESRCH, nil},
			{"own pgrp (0)", t2, 0, fastpath.SIGUSR1, 0, []*Thread{t2, t3}},
			{"-1: all but self and init, EPERM ignored", t2, -1, fastpath.SIGUSR2, 0, []*Thread{t1, t3}},
			{"SIGCONT across users in the session", t4, 100, fastpath.SIGCONT, unix.EPERM, nil},
		}
		for _, c := range cases {
			for _, th := range []*Thread{t1, t2, t3, t4} {
				v.e.mu.Lock()
				v.e.flushAll(th.proc, ^fastpath.Sigset(0))
				v.e.mu.Unlock()
			}
			r := v.sys(c.from, unix.SYS_KILL, uint64(uint32(c.pid)), uint64(uint32(int32(c.sig))))
			if c.want != 0 {
				v.errno(r, c.want)
			} else {
				v.ok(r, 0)
			}
			for _, th := range []*Thread{t1, t2, t3, t4} {
				want := false
				for _, g := range c.got {
					want = want || g == th
				}
				if got := v.pendingAll(th).Has(c.sig); got != want {
					t.Fatalf("%s: pid %d pending %v want %v", c.name, th.Tid, got, want)
				}
			}
		}
		// SIGCONT is allowed across users within a session.
		v.e.SetProcessGroup(other, 400, 100)
		v.e.SetProcessGroup(p1, 100, 100)
		v.ok(v.sys(t4, unix.SYS_KILL, 100, fastpath.SIGCONT), 0)
		// The siginfo of kill: SI_USER, sender's pid and uid.
		var info fastpath.Siginfo
		v.setmask(t1, m1, sigBlock, set(fastpath.SIGTERM))
		v.ok(v.sys(t2, unix.SYS_KILL, 100, fastpath.SIGTERM), 0)
		v.e.mu.Lock()
		sig := v.e.st.Take(t1.slot, 0, &info)
		v.e.mu.Unlock()
		if sig != fastpath.SIGTERM || info.Code != fastpath.SI_USER || info.Pid() != 200 || info.Uid() != 1000 {
			t.Fatalf("info %+v", info)
		}
	})
}

func TestTkillTgkill(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, t1, m1 := v.proc(100, 0)
		t1b := v.thread(t1, 101)
		_, t2, _ := v.proc(200, 0)
		v.setmask(t1, m1, sigBlock, set(fastpath.SIGUSR1))
		cases := []struct {
			name      string
			nr        int
			args      []uint64
			want      unix.Errno
			pendingOn *Thread
		}{
			{"tkill tid 0", unix.SYS_TKILL, []uint64{0, fastpath.SIGUSR1}, unix.EINVAL, nil},
			{"tkill negative tid", unix.SYS_TKILL, []uint64{uint64(0xffffffff), fastpath.SIGUSR1}, unix.EINVAL, nil},
			{"tkill no such", unix.SYS_TKILL, []uint64{999, fastpath.SIGUSR1}, unix.ESRCH, nil},
			{"tkill bad sig", unix.SYS_TKILL, []uint64{101, 65}, unix.EINVAL, nil},
			{"tgkill tgid 0", unix.SYS_TGKILL, []uint64{0, 101, 1}, unix.EINVAL, nil},
			{"tgkill tid 0", unix.SYS_TGKILL, []uint64{100, 0, 1}, unix.EINVAL, nil},
			{"tgkill wrong group", unix.SYS_TGKILL, []uint64{200, 101, fastpath.SIGUSR1}, unix.ESRCH, nil},
			{"tgkill no such, bad sig", unix.SYS_TGKILL, []uint64{100, 999, 65}, unix.ESRCH, nil},
			{"tgkill bad sig", unix.SYS_TGKILL, []uint64{100, 101, 65}, unix.EINVAL, nil},
			{"tgkill probe", unix.SYS_TGKILL, []uint64{100, 101, 0}, 0, nil},
			{"tgkill", unix.SYS_TGKILL, []uint64{100, 100, fastpath.SIGUSR1}, 0, t1},
			{"tkill other process (same uid)", unix.SYS_TKILL, []uint64{200, fastpath.SIGUSR2}, 0, nil},
		}
		for _, c := range cases {
			r := v.sys(t1b, c.nr, c.args...)
			if c.want != 0 {
				v.errno(r, c.want)
			} else {
				v.ok(r, 0)
			}
			if c.pendingOn != nil {
				tp, pp := v.pending(c.pendingOn)
				if !tp.Has(int(c.args[len(c.args)-1])) || pp != 0 {
					t.Fatalf("%s: thread %x process %x", c.name, tp, pp)
				}
				if tp2, _ := v.pending(t1b); tp2 != 0 {
					t.Fatalf("%s: sibling got %x", c.name, tp2)
				}
			}
		}
		_ = t2
	})
}

func siginfoBytes(sig, code int32, fields ...uint64) []byte {
	var info fastpath.Siginfo
	info.Signo, info.Code = sig, code
	copy(info.Fields[:], fields)
	b := make([]byte, 128)
	encodeSiginfo(b, &info)
	return b
}

func TestSigqueueinfo(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, t1, m1 := v.proc(100, 0)
		t1b := v.thread(t1, 101)
		v.proc(200, 0)
		info := func(code int32) uint64 {
			a := m1.alloc(128)
			m1.put(a, siginfoBytes(0, code, 7, 0xabc))
			return a
		}
		v.setmask(t1, m1, sigBlock, ^fastpath.Sigset(0))
		v.setmask(t1b, m1, sigBlock, ^fastpath.Sigset(0))
		cases := []struct {
			name string
			nr   int
			args []uint64
			want unix.Errno
		}{
			{"info faults", unix.SYS_RT_SIGQUEUEINFO, []uint64{100, 40, badAddr}, unix.EFAULT},
			{"impersonate SI_USER elsewhere", unix.SYS_RT_SIGQUEUEINFO, []uint64{200, 40, info(fastpath.SI_USER)}, unix.EPERM},
			{"impersonate SI_TKILL elsewhere", unix.SYS_RT_SIGQUEUEINFO, []uint64{200, 40, info(fastpath.SI_TKILL)}, unix.EPERM},
			{"pid 0", unix.SYS_RT_SIGQUEUEINFO, []uint64{0, 40, info(fastpath.SI_QUEUE)}, unix.ESRCH},
			{"bad sig", unix.SYS_RT_SIGQUEUEINFO, []uint64{100, 65, info(fastpath.SI_QUEUE)}, unix.EINVAL},
			{"queue", unix.SYS_RT_SIGQUEUEINFO, []uint64{100, 40, info(fastpath.SI_QUEUE)}, 0},
			{"tg tid 0", unix.SYS_RT_TGSIGQUEUEINFO, []uint64{100, 0, 40, info(fastpath.SI_QUEUE)}, unix.EINVAL},
			{"tg faults", unix.SYS_RT_TGSIGQUEUEINFO, []uint64{100, 101, 40, badAddr}, unix.EFAULT},
			{"tg impersonate other thread", unix.SYS_RT_TGSIGQUEUEINFO, []uint64{100, 100, 40, info(fastpath.SI_USER)}, unix.EPERM},
			{"tg impersonate self allowed", unix.SYS_RT_TGSIGQUEUEINFO, []uint64{100, 101, 41, info(fastpath.SI_USER)}, 0},
			{"tg wrong group", unix.SYS_RT_TGSIGQUEUEINFO, []uint64{200, 101, 40, info(fastpath.SI_QUEUE)}, unix.ESRCH},
		}
		for _, c := range cases {
			r := v.sys(t1b, c.nr, c.args...)
			if c.want != 0 {
				v.errno(r, c.want)
			} else {
				v.ok(r, 0)
			}
		}
		var got fastpath.Siginfo
		v.e.mu.Lock()
		sig := v.e.st.Take(t1b.slot, 0, &got) // thread-directed first
		v.e.mu.Unlock()
		if sig != 41 || got.Code != fastpath.SI_USER {
			t.Fatalf("sig %d info %+v", sig, got)
		}
		v.e.mu.Lock()
		sig = v.e.st.Take(t1b.slot, 0, &got)
		v.e.mu.Unlock()
		if sig != 40 || got.Code != fastpath.SI_QUEUE || got.Fields[0] != 7 || got.Value() != 0xabc {
			t.Fatalf("sig %d info %+v", sig, got)
		}
	})
}

// The real-time queue limit: sigqueue past it is EAGAIN; RT order kept.
func TestRealtimeQueueLimit(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, th, mem := v.proc(100, 0)
		v.setmask(th, mem, sigBlock, ^fastpath.Sigset(0))
		a := mem.alloc(128)
		for i := 0; i < 8; i++ { // RTQueueLimit is 8 in tests
			mem.put(a, siginfoBytes(0, fastpath.SI_QUEUE, 0, uint64(i)))
			v.ok(v.sys(th, unix.SYS_RT_SIGQUEUEINFO, 100, 40, a), 0)
		}
		v.errno(v.sys(th, unix.SYS_RT_SIGQUEUEINFO, 100, 40, a), unix.EAGAIN)
		for i := 0; i < 8; i++ {
			var info fastpath.Siginfo
			v.e.mu.Lock()
			sig := v.e.st.Take(th.slot, 0, &info)
			v.e.mu.Unlock()
			if sig != 40 || info.Value() != uint64(i) {
				t.Fatalf("take %d: sig %d value %d", i, sig, info.Value())
			}
		}
	})
}

// kill(2) of a real-time signal past the queue limit succeeds: the kernel
// pends it without a siginfo ("silent loss of information") and the
// receiver gets SI_USER with no sender (collect_signal).
func TestRealtimeKillPastLimit(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		_, th, mem := v.proc(100, 0)
		v.setmask(th, mem, sigBlock, ^fastpath.Sigset(0))
		a := mem.alloc(128)
		for i := 0; i < 8; i++ { // RTQueueLimit is 8 in tests
			mem.put(a, siginfoBytes(0, fastpath.SI_QUEUE, 0, uint64(i)))
			v.ok(v.sys(th, unix.SYS_RT_SIGQUEUEINFO, 100, 41, a), 0)
		}
		v.ok(v.sys(th, unix.SYS_KILL, 100, 42), 0)
		var info fastpath.Siginfo
		v.e.mu.Lock()
		defer v.e.mu.Unlock()
		if tp, pp := v.e.st.Pending(th.slot); (tp|pp)&fastpath.SigBit(42) == 0 {
			t.Fatalf("SIGRTMIN+10 not pending after kill past the limit (thread %#x, process %#x)", tp, pp)
		}
		// The queued SIGRTMIN+9 instances come first (lower number), then 42.
		for i := 0; i < 8; i++ {
			if sig := v.e.st.Take(th.slot, 0, &info); sig != 41 {
				t.Fatalf("take %d: sig %d", i, sig)
			}
		}
		if sig := v.e.st.Take(th.slot, 0, &info); sig != 42 || info != (fastpath.Siginfo{Signo: 42, Code: fastpath.SI_USER}) {
			t.Fatalf("take: sig %d info %+v, want 42 with an empty SI_USER siginfo", sig, info)
		}
	})
}

func TestPidfdSendSignal(t *testing.T) {
	forLayouts(t, func(t *testing.T, v *env) {
		p1, t1, m1 := v.proc(100, 0)
		t1b := v.thread(t1, 101)
		_, t2, m2 := v.proc(200, 0)
		files := p1.files.(*fakeFiles)
		files.pidfds[5] = [2]int32{200, 0}
		files.pidfds[6] = [2]int32{101, 1}
		files.pidfds[7] = [2]int32{100, 0}
		v.setmask(t2, m2, sigBlock, ^fastpath.Sigset(0))
		v.setmask(t1, m1, sigBlock, ^fastpath.Sigset(0))
		v.setmask(t1b, m1, sigBlock, ^fastpath.Sigset(0))
		inf := m1.alloc(128)
		m1.put(inf, siginfoBytes(fastpath.SIGUSR1, fastpath.SI_QUEUE))
		infUser := m1.alloc(128)
		m1.put(infUser, siginfoBytes(fastpath.SIGUSR1, fastpath.SI_USER))
		cases := []struct {
			name string
			args []uint64
			want unix.Errno
		}{
			{"unknown flag", []uint64{5, 10, 0, 8}, unix.EINVAL},
			{"two scopes", []uint64{5, 10, 0, 3}, unix.EINVAL},
			{"bad fd", []uint64{9, 10, 0, 0}, unix.EBADF},
			{"info faults", []uint64{5, 10, badAddr, 0}, unix.EFAULT},
			{"info signo mismatch", []uint64{5, 12, inf, 0}, unix.EINVAL},
			{"impersonation elsewhere", []uint64{5, 10, infUser, 0}, unix.EPERM},
			{"bad sig", []uint64{5, 65, 0, 0}, unix.EINVAL},
			{"process", []uint64{5, 10, 0, 0}, 0},
			{"thread pidfd", []uint64{6, 12, 0, 0}, 0},
			{"self with SI_USER info allowed for own tid", []uint64{7, 10, infUser, 0}, 0},
		}
		for _, c := range cases {
			r := v.sys(t1, unix.SYS_PIDFD_SEND_SIGNAL, c.args...)
			if c.want != 0 {
				v.errno(r, c.want)
			} else {
				v.ok(r, 0)
			}
		}
		if _, pp := v.pending(t2); !pp.Has(fastpath.SIGUSR1) {
			t.Fatal("process pidfd: not pending on the process")
		}
		if tp, _ := v.pending(t1b); !tp.Has(fastpath.SIGUSR2) {
			t.Fatal("thread pidfd: not pending on the thread")
		}
	})
}
