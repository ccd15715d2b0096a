// Command go_ignore_reset checks os/signal.Ignore, Ignored, Notify and
// Reset: an ignored SIGUSR1 sent to the process does nothing; after Notify
// it is delivered again; a notified SIGHUP arrives on the channel; after
// Reset, SIGHUP gets the Go runtime's default handling back, which is to
// die by that signal — so the test sees the program killed by SIGHUP.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func recv(c chan os.Signal) os.Signal {
	select {
	case s := <-c:
		return s
	case <-time.After(20 * time.Second):
		fmt.Println("nothing received")
		os.Exit(1)
	}
	return nil
}

func main() {
	signal.Ignore(syscall.SIGUSR1)
	fmt.Printf("Ignored(SIGUSR1) = %v, Ignored(SIGUSR2) = %v\n", signal.Ignored(syscall.SIGUSR1), signal.Ignored(syscall.SIGUSR2))
	for i := 0; i < 3; i++ {
		syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	}
	fmt.Println("still alive after three ignored SIGUSR1")

	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGUSR1, syscall.SIGHUP)
	fmt.Printf("after Notify: Ignored(SIGUSR1) = %v\n", signal.Ignored(syscall.SIGUSR1))
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	fmt.Printf("received %v\n", recv(c))
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	fmt.Printf("received %v\n", recv(c))

	signal.Reset(syscall.SIGHUP)
	fmt.Println("after Reset: sending SIGHUP to myself")
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	time.Sleep(20 * time.Second)
	fmt.Println("not reached")
	os.Exit(1)
}
