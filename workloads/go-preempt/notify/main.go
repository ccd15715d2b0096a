// Command notify checks os/signal delivery end to end: it asks for SIGUSR1,
// SIGHUP and SIGTERM with signal.Notify, sends itself -self of each with
// kill(2), then re-executes itself as a child that sends -child of each to
// the parent, and requires the received counts to match the sent counts
// exactly. Go routes a notified signal from its handler (runtime sighandler
// → sigsend) through the signal-receiving goroutine to the channel, so
// every hop of an emulated delivery is exercised, with the signals coming
// from the process itself and from another process.
//
// Standard signals coalesce while pending (signal(7)), so an exact count is
// only defined if no two sends of a signal overlap: each send waits for the
// previous one to arrive. For self-sends the main goroutine sends, then
// waits on the Notify channel; for the child, the parent writes one ack
// byte to the child's stdin per received signal and the child sends the
// next one only after reading it. Waits are bounded: if nothing arrives for
// -idle (2 s), the run fails. After the last send the workload listens for
// -settle more, so a duplicated delivery is counted too.
//
// Self-check: for each signal, received == self + child.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"syscall"
	"time"
)

// signals are the ones sent, in order. SIGHUP and SIGTERM would end the
// process without Notify: a lost Notify registration fails loudly.
var signals = []syscall.Signal{syscall.SIGUSR1, syscall.SIGHUP, syscall.SIGTERM}

// childEnv, when set in the environment, makes the program the sending
// child: its value is how many of each signal to send, and parentEnv holds
// the pid to send them to. An environment variable rather than a flag so
// that a test binary re-executed the same way works too.
const (
	childEnv  = "SIGLAB_NOTIFY_CHILD"
	parentEnv = "SIGLAB_NOTIFY_PARENT"
)

func main() {
	if os.Getenv(childEnv) != "" {
		os.Exit(childMain())
	}
	self := flag.Int("self", 1000, "signals of each kind the process sends itself")
	child := flag.Int("child", 1000, "signals of each kind the child process sends")
	idle := flag.Duration("idle", 2*time.Second, "fail when no signal arrives for this long")
	settle := flag.Duration("settle", 100*time.Millisecond, "listen this long after the last send for extra deliveries")
	flag.Parse()
	r := run(*self, *child, *idle, *settle)
	r.Write(os.Stdout)
	if !r.OK {
		os.Exit(1)
	}
}

// childMain sends each signal the configured number of times to the
// parent, reading one ack byte from stdin after each send.
func childMain() int {
	n, err := strconv.Atoi(os.Getenv(childEnv))
	if err != nil || n < 0 {
		fmt.Fprintf(os.Stderr, "notify child: bad %s=%q\n", childEnv, os.Getenv(childEnv))
		return 2
	}
	parent, err := strconv.Atoi(os.Getenv(parentEnv))
	if err != nil || parent <= 0 {
		fmt.Fprintf(os.Stderr, "notify child: bad %s=%q\n", parentEnv, os.Getenv(parentEnv))
		return 2
	}
	ack := make([]byte, 1)
	for _, sig := range signals {
		for range n {
			if err := syscall.Kill(parent, sig); err != nil {
				fmt.Fprintf(os.Stderr, "notify child: kill(%d, %v): %v\n", parent, sig, err)
				return 1
			}
			if _, err := io.ReadFull(os.Stdin, ack); err != nil {
				fmt.Fprintf(os.Stderr, "notify child: waiting for ack of %v: %v\n", sig, err)
				return 1
			}
		}
	}
	return 0
}
