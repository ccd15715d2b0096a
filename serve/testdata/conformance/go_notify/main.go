// Command go_notify checks os/signal.Notify under the Go runtime: every
// signal sent (one at a time, each awaited) is delivered to the channel
// once, for several signals and two channels; signal.Stop detaches a
// channel; a SIGHUP with a Notify does not kill the program. Output is
// deterministic; the exit status is 0 when every check held.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func recv(c chan os.Signal) (os.Signal, bool) {
	select {
	case s := <-c:
		return s, true
	case <-time.After(20 * time.Second):
		return nil, false
	}
}

func main() {
	failed := false
	check := func(ok bool, format string, args ...any) {
		fmt.Printf(format, args...)
		if !ok {
			fmt.Print("   <-- FAIL")
			failed = true
		}
		fmt.Println()
	}
	a := make(chan os.Signal, 8)
	b := make(chan os.Signal, 8)
	signal.Notify(a, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP)
	signal.Notify(b, syscall.SIGUSR1)
	counts := map[os.Signal]int{}
	countB := 0
	for i := 0; i < 5; i++ {
		for _, s := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP} {
			syscall.Kill(os.Getpid(), s)
			got, ok := recv(a)
			if ok {
				counts[got]++
			}
			if s == syscall.SIGUSR1 {
				if _, ok := recv(b); ok {
					countB++
				}
			}
		}
	}
	check(counts[syscall.SIGUSR1] == 5 && counts[syscall.SIGUSR2] == 5 && counts[syscall.SIGHUP] == 5,
		"channel a: SIGUSR1 %d, SIGUSR2 %d, SIGHUP %d", counts[syscall.SIGUSR1], counts[syscall.SIGUSR2], counts[syscall.SIGHUP])
	check(countB == 5, "channel b: SIGUSR1 %d", countB)

	signal.Stop(b)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	_, ok := recv(a)
	check(ok, "after Stop(b): a still receives %v", ok)
	select {
	case <-b:
		check(false, "b received after Stop")
	default:
		check(true, "b received nothing after Stop")
	}

	// A signal to a specific thread (tgkill) from the Go side.
	syscall.Tgkill(os.Getpid(), syscall.Gettid(), syscall.SIGUSR2)
	s, ok := recv(a)
	check(ok && s == syscall.SIGUSR2, "tgkill to this thread: got %v", s)
	if failed {
		fmt.Println("FAILED")
		os.Exit(1)
	}
	fmt.Println("ok")
}
