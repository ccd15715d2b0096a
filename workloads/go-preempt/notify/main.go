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
