package serve

import (
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// TestLocalSigreturn runs shim/testdata/sigreturn_local.c natively and
// under the emulator, and counts which handler returns the shim performed
// itself: the 103 that only unblock and leave the alternate stack alone
// (100 plain ones, the one that unblocks a pending SIGUSR2 through
// uc_sigmask and SIGUSR2's own, the one from the alternate stack) on the
// every layout, none with RemoteSigreturn; the two whose handlers block
// more or install an alternate stack through the frame always reach the
// emulator. Of the 103, all but the one that makes SIGUSR2 deliverable
// return without a trap at all (shim/csrc/fastret.c).
func TestLocalSigreturn(t *testing.T) {
	const local, remote = 103, 2
	compareLocalModes(t, buildC(t, "sigreturn_local"), func(t *testing.T, layout string, stats Stats, remoteOnly bool) {
		wantLocal := int64(local)
		if remoteOnly {
			wantLocal = 0
		}
		if stats.LocalSigreturns != wantLocal {
			t.Errorf("%d rt_sigreturns done by the shim, want %d", stats.LocalSigreturns, wantLocal)
		}
		// All of the local ones but the return that unblocks a pending
		// SIGUSR2: that one is delivered over the restored context,
		// which the trapped return does.
		if wantFast := max(wantLocal-1, 0); stats.FastReturns != wantFast {
			t.Errorf("%d handler returns made without a trap, want %d", stats.FastReturns, wantFast)
		}
		if got, want := stats.Syscalls[unix.SYS_RT_SIGRETURN], local+remote-wantLocal; got != want {
			t.Errorf("%d rt_sigreturns reached the emulator, want %d", got, want)
		}
	})
}

// compareLocalModes runs bin natively and under Emulated on every layout,
// with the shim's local returns allowed and with RemoteSigreturn, and
// hands each emulated run's counts to check.
func compareLocalModes(t *testing.T, bin string, check func(t *testing.T, layout string, stats Stats, remoteOnly bool)) {
	for _, layout := range fastpath.Layouts() {
		for _, remoteOnly := range []bool{false, true} {
			name := layout
			if remoteOnly {
				name += "/remote"
			}
			t.Run(name, func(t *testing.T) {
				opts := Options{Layout: layout, NewHandler: func(st fastpath.State) (Handler, error) {
					return NewEmulated(st, EmulatedConfig{RemoteSigreturn: remoteOnly})
				}}
				check(t, layout, compare(t, bin, opts), remoteOnly)
			})
		}
	}
}

// TestLocalSigprocmaskTrapped runs shim/testdata/rawmask.c — rt_sigprocmask
// by the syscall instruction, every kind of call and error — natively and
// under the emulator: identical output on every layout, and the calls that
// only query or unblock (the 1000 restores after a block among them) are
// answered by the SIGSYS handler itself, and so are the 1000 blocks but
// under summary; none with RemoteSigreturn.
func TestLocalSigprocmaskTrapped(t *testing.T) {
	compareLocalModes(t, buildC(t, "rawmask"), func(t *testing.T, layout string, stats Stats, remoteOnly bool) {
		local, trapped := stats.LocalSigmasks, stats.Syscalls[unix.SYS_RT_SIGPROCMASK]
		switch {
		case remoteOnly:
			if local != 0 {
				t.Errorf("%d rt_sigprocmask answered by the shim with RemoteSigreturn", local)
			}
		case layout == "summary":
			// A block changes the summary words: the emulator's
			// (shim.Header.LocalBlock is 0 there).
			if local < 1000 || trapped < 1000 {
				t.Errorf("%d answered by the shim, %d by the emulator: want ≥ 1000 each (the restores, the blocks)", local, trapped)
			}
		default:
			// The blocks too: nothing they block is pending for the
			// process.
			if local < 2000 || trapped > 20 {
				t.Errorf("%d answered by the shim, %d by the emulator: want ≥ 2000 and ≤ 20", local, trapped)
			}
		}
	})
}
