package serve

import (
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"testing"

	"siglab/fastpath"
)

// Passthrough against the real emulator (Emulated, package sched) on the
// shim's benchmark programs: the metric is what each program measures for
// itself (medians of its rounds), so start-up is excluded. Compare within
// one run (benchstat), never across machines.

func newEmulatedHandler(st fastpath.State) (Handler, error) { return NewEmulated(st, EmulatedConfig{}) }

// benchProgram runs path natively (h == nil and native) or under Run with
// h, and parses one metric from its output with format.
func benchProgram(b *testing.B, path string, args []string, native bool, h func(fastpath.State) (Handler, error), format string, vals ...any) {
	var out bytes.Buffer
	if native {
		cmd := exec.Command(path, args...)
		cmd.Stdout = &out
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
	} else {
		opts := Options{Stdout: &out, Stdin: bytes.NewReader(nil), NewHandler: h}
		if _, err := Run(path, args, opts); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := fmt.Sscanf(out.String(), format, vals...); err != nil {
		b.Fatalf("unexpected output %q: %v", out.String(), err)
	}
}

// BenchmarkEmulatedGetppid: a trapped, forwarded syscall the emulator lets
// run natively (getppid), under Passthrough and under Emulated: the cost
// the emulator's dispatch adds to the IPC round trip.
func BenchmarkEmulatedGetppid(b *testing.B) {
	path := buildC(b, "getppid_bench")
	run := func(b *testing.B, native bool, h func(fastpath.State) (Handler, error)) {
		var med, lo, hi float64
		benchProgram(b, path, []string{strconv.Itoa(max(b.N, 1000)), "1"}, native, h,
			"getppid ns/call median %g min %g max %g", &med, &lo, &hi)
		b.ReportMetric(med, "ns/call")
	}
	b.Run("native", func(b *testing.B) { run(b, true, nil) })
	b.Run("passthrough", func(b *testing.B) { run(b, false, nil) })
	b.Run("emulated", func(b *testing.B) { run(b, false, newEmulatedHandler) })
}

// BenchmarkEmulatedDeliverSelf: kill(self, SIGUSR1) + SA_SIGINFO handler +
// rt_sigreturn, natively, with the small test emulator of deliver_test.go,
// and with the real one: kill through glibc's syscall(3), which the shim
// interposes (emulated: no trap, the frame in the wrapper's round trip,
// and the handler's return made by the shim's restorer, fastret.c); kill
// by the raw instruction (emulated-trap: the SIGSYS path); and every
// return asked of the emulator (emulated-remote-sigreturn).
func BenchmarkEmulatedDeliverSelf(b *testing.B) {
	path := buildC(b, "deliver_bench")
	run := func(b *testing.B, native bool, h func(fastpath.State) (Handler, error), extra ...string) {
		var med, lo, hi float64
		var ok int
		benchProgram(b, path, append([]string{strconv.Itoa(max(b.N, 1000)), "1"}, extra...), native, h,
			"signal ns/delivery median %g min %g max %g (handled %d)", &med, &lo, &hi, &ok)
		if ok != 1 {
			b.Fatalf("handler count wrong")
		}
		b.ReportMetric(med, "ns/signal")
	}
	b.Run("native", func(b *testing.B) { run(b, true, nil) })
	b.Run("mini", func(b *testing.B) {
		run(b, false, func(st fastpath.State) (Handler, error) { return newMiniEmu(st), nil })
	})
	b.Run("emulated", func(b *testing.B) { run(b, false, newEmulatedHandler) })
	b.Run("emulated-trap", func(b *testing.B) { run(b, false, newEmulatedHandler, "raw") })
	b.Run("emulated-remote-sigreturn", func(b *testing.B) { run(b, false, newRemoteSigreturnHandler) })
}

func newRemoteSigreturnHandler(st fastpath.State) (Handler, error) {
	return NewEmulated(st, EmulatedConfig{RemoteSigreturn: true})
}

// BenchmarkEmulatedKickLatency: pthread_kill to a thread spinning in user
// code, natively and emulated by sched (trap, emulator, deliver-signal
// event, kick, the shim's fast path, frame).
func BenchmarkEmulatedKickLatency(b *testing.B) {
	path := buildC(b, "kick_bench", "-pthread")
	run := func(b *testing.B, native bool, h func(fastpath.State) (Handler, error)) {
		var med, p90 float64
		var n int
		benchProgram(b, path, []string{strconv.Itoa(min(max(b.N, 20), 10000))}, native, h,
			"kick latency ns median %g p90 %g (signals %d)", &med, &p90, &n)
		b.ReportMetric(med, "ns/signal-median")
		b.ReportMetric(p90, "ns/signal-p90")
	}
	b.Run("native", func(b *testing.B) { run(b, true, nil) })
	b.Run("emulated", func(b *testing.B) { run(b, false, newEmulatedHandler) })
	b.Run("emulated-remote-sigreturn", func(b *testing.B) { run(b, false, newRemoteSigreturnHandler) })
}

// BenchmarkEmulatedSigprocmask: sigprocmask(SIG_BLOCK, &empty, &old) and
// kill(self, 0), signal syscalls the emulator answers, natively and under
// Emulated, made with the raw syscall instruction (trapped: the SIGSYS
// handler forwards it) and through glibc's functions — which the shim
// interposes (shim/csrc/wrappers.c): kill goes to the emulator without a
// trap, and the sigprocmask, a query, is answered by the wrapper from the
// arena alone; with NoWrappers (emulated-nowrappers) both trap. getppid
// is measured in the same rounds, for the ratios: native getppid is the
// unit of issue #4.
func BenchmarkEmulatedSigprocmask(b *testing.B) {
	path := buildC(b, "sigmask_bench")
	run := func(b *testing.B, native bool, h func(fastpath.State) (Handler, error)) {
		var g, r, l, rk, lk float64
		benchProgram(b, path, []string{strconv.Itoa(max(b.N, 1000)), "5"}, native, h,
			"getppid %g raw-sigprocmask %g libc-sigprocmask %g raw-kill %g libc-kill %g", &g, &r, &l, &rk, &lk)
		b.ReportMetric(g, "getppid-ns")
		b.ReportMetric(r, "raw-mask-ns")
		b.ReportMetric(l, "libc-mask-ns")
		b.ReportMetric(rk, "raw-kill-ns")
		b.ReportMetric(lk, "libc-kill-ns")
	}
	b.Run("native", func(b *testing.B) { run(b, true, nil) })
	b.Run("emulated", func(b *testing.B) { run(b, false, newEmulatedHandler) })
	b.Run("emulated-nowrappers", func(b *testing.B) {
		run(b, false, func(st fastpath.State) (Handler, error) {
			return NewEmulated(st, EmulatedConfig{NoWrappers: true})
		})
	})
}
