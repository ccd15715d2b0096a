package serve

import (
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"siglab/fastpath"
)

// BenchmarkGetppid measures one getppid(2) natively, trapped and run
// natively in the shim's handler (the cost of the trap alone), and trapped
// and forwarded to the emulator over the channel (the full IPC path). The
// C program times its own loop, so start-up is excluded; compare the
// ns/call metrics within one run (benchstat), never across machines.
func BenchmarkGetppid(b *testing.B) {
	path := buildC(b, "getppid_bench")
	run := func(b *testing.B, emulate bool, local []int, spin int) {
		args := []string{strconv.Itoa(max(b.N, 1000)), "1"}
		var out bytes.Buffer
		if emulate {
			var stats Stats
			opts := Options{Stdout: &out, Local: local, Stats: &stats, Stdin: bytes.NewReader(nil), ShimSpin: spin, ServerSpin: spin}
			if _, err := Run(path, args, opts); err != nil {
				b.Fatal(err)
			}
		} else {
			cmd := exec.Command(path, args...)
			cmd.Stdout = &out
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
		}
		var med, lo, hi float64
		if _, err := fmt.Sscanf(out.String(), "getppid ns/call median %g min %g max %g", &med, &lo, &hi); err != nil {
			b.Fatalf("unexpected output %q: %v", out.String(), err)
		}
		b.ReportMetric(med, "ns/call")
	}
	b.Run("native", func(b *testing.B) { run(b, false, nil, 0) })
	b.Run("trap-local", func(b *testing.B) { run(b, true, []int{unix.SYS_GETPPID}, 0) })
	b.Run("trap-forwarded-spin", func(b *testing.B) { run(b, true, nil, 0) })
	b.Run("trap-forwarded-futex", func(b *testing.B) { run(b, true, nil, -1) })
}

// BenchmarkDeliverSelf measures kill(self, SIGUSR1) with an SA_SIGINFO
// handler: natively (the kernel builds and restores the frame) and with
// the signal emulated (the test emulator pends it in the fastpath state, the
// shim's fast path finds it, the shim builds the frame, the trapped
// rt_sigreturn restores it).
func BenchmarkDeliverSelf(b *testing.B) {
	path := buildC(b, "deliver_bench")
	run := func(b *testing.B, emulate bool, spin int) {
		args := []string{strconv.Itoa(max(b.N, 1000)), "1"}
		var out bytes.Buffer
		if emulate {
			opts := Options{Stdout: &out, Stdin: bytes.NewReader(nil), ShimSpin: spin, ServerSpin: spin,
				NewHandler: func(st fastpath.State) (Handler, error) { return newMiniEmu(st), nil }}
			if _, err := Run(path, args, opts); err != nil {
				b.Fatal(err)
			}
		} else {
			cmd := exec.Command(path, args...)
			cmd.Stdout = &out
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
		}
		var med, lo, hi float64
		var ok int
		if _, err := fmt.Sscanf(out.String(), "signal ns/delivery median %g min %g max %g (handled %d)", &med, &lo, &hi, &ok); err != nil || ok != 1 {
			b.Fatalf("unexpected output %q: %v", out.String(), err)
		}
		b.ReportMetric(med, "ns/signal")
	}
	b.Run("native", func(b *testing.B) { run(b, false, 0) })
	b.Run("emulated-spin", func(b *testing.B) { run(b, true, 0) })
	b.Run("emulated-futex", func(b *testing.B) { run(b, true, -1) })
}

// BenchmarkKickLatency measures how long a signal sent with pthread_kill
// takes to reach a thread spinning in user code: natively, and emulated
// (trap, emulator, kick signal, the shim's fast path, frame). Each op is
// one signal; the metric is the median latency the program measured.
func BenchmarkKickLatency(b *testing.B) {
	path := buildC(b, "kick_bench", "-pthread")
	run := func(b *testing.B, emulate bool) {
		args := []string{strconv.Itoa(min(max(b.N, 20), 10000))}
		var out bytes.Buffer
		if emulate {
			opts := Options{Stdout: &out, Stdin: bytes.NewReader(nil),
				NewHandler: func(st fastpath.State) (Handler, error) { return newMiniEmu(st), nil }}
			if _, err := Run(path, args, opts); err != nil {
				b.Fatal(err)
			}
		} else {
			cmd := exec.Command(path, args...)
			cmd.Stdout = &out
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
		}
		var med, p90 float64
		var n int
		if _, err := fmt.Sscanf(out.String(), "kick latency ns median %g p90 %g (signals %d)", &med, &p90, &n); err != nil {
			b.Fatalf("unexpected output %q: %v", out.String(), err)
		}
		b.ReportMetric(med, "ns/signal-median")
		b.ReportMetric(p90, "ns/signal-p90")
	}
	b.Run("native", func(b *testing.B) { run(b, false) })
	b.Run("emulated", func(b *testing.B) { run(b, true) })
}
