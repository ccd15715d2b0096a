// Command go_pprof takes a runtime/pprof CPU profile of a busy loop: the
// samples come from SIGPROF, sent by the per-thread CPU-time timers and
// setitimer(ITIMER_PROF) the runtime arms, so a profile with samples in
// the loop shows the CPU-time timers fire and their signals are handled.
// The loop runs until the process has used 300 ms of CPU (by getrusage),
// so the output does not depend on the machine's speed.
package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/google/pprof/profile"
)

func cpu() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

//go:noinline
func busyLoop(start int64) uint64 {
	var x uint64
	for cpu()-start < 300e6 {
		for i := 0; i < 100000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	return x
}

func main() {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		fmt.Println("StartCPUProfile:", err)
		os.Exit(1)
	}
	busyLoop(cpu())
	pprof.StopCPUProfile()
	p, err := profile.Parse(&buf)
	if err != nil {
		fmt.Println("parse:", err)
		os.Exit(1)
	}
	inLoop := 0
	for _, s := range p.Sample {
		for _, loc := range s.Location {
			for _, l := range loc.Line {
				if l.Function != nil && strings.HasSuffix(l.Function.Name, "main.busyLoop") {
					inLoop++
				}
			}
		}
	}
	fmt.Printf("profile parsed: yes, samples in busyLoop: %v\n", inLoop > 0)
	if inLoop == 0 {
		os.Exit(1)
	}
	fmt.Println("ok")
}
