package serve

import (
	"os/exec"
	"testing"
	"time"
)

// TestCatchesKick: the kick of a thread that has made no contact yet is
// sent only if the thread catches the kick signal (a real-time signal's
// default action would kill it): a shell that traps signal 64 does, a
// plain sleep does not, and a process that is gone does not either.
func TestCatchesKick(t *testing.T) {
	caught := exec.Command("sh", "-c", "trap : 64; sleep 30 & wait")
	plain := exec.Command("sleep", "30")
	for _, c := range []*exec.Cmd{caught, plain} {
		if err := c.Start(); err != nil {
			t.Skip("no sh or sleep:", err)
		}
		defer c.Process.Kill()
	}
	deadline := time.Now().Add(5 * time.Second)
	for !catchesKick(caught.Process.Pid, caught.Process.Pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // until the shell has run its trap
	}
	if !catchesKick(caught.Process.Pid, caught.Process.Pid) {
		t.Error("a shell trapping signal 64 does not catch it")
	}
	if catchesKick(plain.Process.Pid, plain.Process.Pid) {
		t.Error("sleep catches signal 64")
	}
	plain.Process.Kill()
	plain.Wait()
	if catchesKick(plain.Process.Pid, plain.Process.Pid) {
		t.Error("a process that is gone catches signal 64")
	}
}
