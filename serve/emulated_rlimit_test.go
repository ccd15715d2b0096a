package serve

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"siglab/fastpath"
)

// rlimitProgram sets RLIMIT_SIGPENDING with the raw setrlimit(2) (glibc's
// setrlimit is prlimit64, which Emulated does not trap yet:
// emulated_rlimit.go) to 0, the value that makes the outcome independent
// of every other process of the user, and checks the rules in a fork
// child, which inherits the limit (fork(2): "resource limits" are
// inherited; signal->rlim is copied).
const rlimitProgram = `#include "conf.h"
int main(void)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGRTMIN);
	sigaddset(&m, SIGRTMIN + 1);
	sigaddset(&m, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &m, NULL);
	struct rlimit rl = {0, 0};
	EXPECT(syscall(SYS_setrlimit, RLIMIT_SIGPENDING, &rl) == 0, "setrlimit(2) RLIMIT_SIGPENDING 0: 0");
	EXPECT(!strcmp(RET(sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 1})), "-1 EAGAIN"), "parent sigqueue(SIGRTMIN): EAGAIN");
	pid_t c = fork();
	if (c == 0) {
		EXPECT(!strcmp(RET(sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 1})), "-1 EAGAIN"), "child sigqueue(SIGRTMIN): EAGAIN");
		EXPECT(kill(getpid(), SIGRTMIN + 1) == 0, "child kill(SIGRTMIN+1): 0");
		EXPECT(sigqueue(getpid(), SIGUSR2, (union sigval){.sival_int = 9}) == 0, "child sigqueue(SIGUSR2): 0");
		siginfo_t si;
		for (int s = SIGRTMIN + 1; s; s = s == SIGRTMIN + 1 ? SIGUSR2 : 0) {
			sigset_t w;
			sigemptyset(&w);
			sigaddset(&w, s);
			memset(&si, 0xff, sizeof si);
			int got = sigtimedwait(&w, &si, &(struct timespec){0, 0});
			EXPECT(got == s && si.si_code == SI_USER && si.si_pid == 0, "child took %s without its siginfo: %s", s == SIGUSR2 ? "SIGUSR2" : "SIGRTMIN+1", yes(got == s && si.si_code == SI_USER && si.si_pid == 0));
		}
		_exit(conf_exit());
	}
	int st;
	EXPECT(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child passed");
	return conf_exit();
}
`

// TestEmulatedRlimit: setrlimit(2) reaches sched, the limit governs the
// emulated queues as the kernel's do, and a fork child inherits it — the
// same output natively and under Emulated, on every layout.
func TestEmulatedRlimit(t *testing.T) {
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no C compiler")
	}
	inc, err := filepath.Abs(conformanceDir)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.EvalSymlinks(t.TempDir()) // the watchdog matches /proc/PID/exe
	if err != nil {
		t.Fatal(err)
	}
	src, bin := filepath.Join(dir, "rlimit.c"), filepath.Join(dir, "rlimit")
	if err := os.WriteFile(src, []byte(rlimitProgram), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cc", "-O1", "-Wall", "-pthread", "-I", inc, "-o", bin, src, "-lrt").CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, out)
	}
	nat, err := runNative(bin)
	if err != nil {
		t.Fatal(err)
	}
	if nat.status != (ExitStatus{}) || nat.timedOut {
		t.Fatalf("natively: %s", nat.describe())
	}
	for _, layout := range fastpath.Layouts() {
		emu, err := runEmulated(bin, layout, false)
		if err != nil {
			t.Fatalf("%s: %v", layout, err)
		}
		if !bytes.Equal(emu.stdout, nat.stdout) || emu.status != nat.status || emu.timedOut {
			t.Errorf("%s: differs from the kernel\nnative: %s\nemulated: %s", layout, nat.describe(), emu.describe())
		}
	}
}
