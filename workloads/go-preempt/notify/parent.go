package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	gopreempt "siglab/workloads/go-preempt"
)

// counter tallies received signals by number.
type counter map[syscall.Signal]int

func (c counter) total() (n int) {
	for _, v := range c {
		n += v
	}
	return n
}

func run(self, child int, idle, settle time.Duration) gopreempt.Result {
	r := gopreempt.Result{Workload: "notify"}
	if self < 0 || child < 0 || idle <= 0 {
		r.Why = fmt.Sprintf("bad parameters: self=%d child=%d idle=%v", self, child, idle)
		return r
	}
	ch := make(chan os.Signal, 16)
	sigs := make([]os.Signal, len(signals))
	for i, s := range signals {
		sigs[i] = s
	}
	signal.Notify(ch, sigs...)
	defer signal.Stop(ch)

	got := counter{}
	start := time.Now()
	selfLat, err := sendSelf(ch, got, self, idle)
	if err != nil {
		r.Why = err.Error()
		return r
	}
	childStart := time.Now()
	if err := sendFromChild(ch, got, child, idle); err != nil {
		r.Why = err.Error()
		return r
	}
	childTime := time.Since(childStart)
	wall := time.Since(start)
	// Extra deliveries (a duplicated signal) would arrive now.
	for deadline := time.After(settle); ; {
		select {
		case s := <-ch:
			got[s.(syscall.Signal)]++
			continue
		case <-deadline:
		}
		break
	}

	r.Metrics = map[string]float64{
		"wall_ms":       float64(wall.Microseconds()) / 1000,
		"sent":          float64(len(signals) * (self + child)),
		"received":      float64(got.total()),
		"usr1":          float64(got[syscall.SIGUSR1]),
		"hup":           float64(got[syscall.SIGHUP]),
		"term":          float64(got[syscall.SIGTERM]),
		"self_mean_us":  0,
		"self_max_us":   0,
		"child_mean_us": 0,
	}
	if n := len(selfLat); n > 0 {
		var sum, worst time.Duration
		for _, d := range selfLat {
			sum += d
			worst = max(worst, d)
		}
		r.Metrics["self_mean_us"] = float64(sum.Microseconds()) / float64(n)
		r.Metrics["self_max_us"] = float64(worst.Microseconds())
	}
	if n := len(signals) * child; n > 0 {
		// One child send is a round trip: kill, delivery, ack, next kill.
		r.Metrics["child_mean_us"] = float64(childTime.Microseconds()) / float64(n)
	}
	for _, s := range signals {
		if got[s] != self+child {
			r.Why = fmt.Sprintf("received %d %v, sent %d (%d by itself, %d by the child)", got[s], s, self+child, self, child)
			return r
		}
	}
	if extra := got.total() - len(signals)*(self+child); extra != 0 {
		r.Why = fmt.Sprintf("%d signals arrived that were never sent", extra)
		return r
	}
	r.OK = true
	return r
}

// sendSelf sends each signal n times to the process itself, each after the
// previous one has arrived, and returns the send → receive latencies.
func sendSelf(ch <-chan os.Signal, got counter, n int, idle time.Duration) ([]time.Duration, error) {
	lat := make([]time.Duration, 0, n*len(signals))
	pid := os.Getpid()
	for _, sig := range signals {
		for i := range n {
			want := got[sig] + 1
			t := time.Now()
			if err := syscall.Kill(pid, sig); err != nil {
				return lat, fmt.Errorf("kill(self, %v): %w", sig, err)
			}
			timeout := time.NewTimer(idle)
			for got[sig] < want {
				select {
				case s := <-ch:
					got[s.(syscall.Signal)]++
				case <-timeout.C:
					return lat, fmt.Errorf("self-sent %v #%d did not arrive within %v", sig, i+1, idle)
				}
			}
			timeout.Stop()
			lat = append(lat, time.Since(t))
		}
	}
	return lat, nil
}

// sendFromChild starts the child that sends each signal n times to this
// process, acknowledges every signal that arrives while it runs, and
// returns once the child has sent everything and exited.
func sendFromChild(ch <-chan os.Signal, got counter, n int, idle time.Duration) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"="+strconv.Itoa(n), parentEnv+"="+strconv.Itoa(os.Getpid()))
	cmd.Stderr = os.Stderr
	acks, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start child: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	fail := func(err error) error {
		cmd.Process.Kill()
		<-exited
		return err
	}
	want := got.total() + n*len(signals)
	timeout := time.NewTimer(idle)
	defer timeout.Stop()
	for got.total() < want {
		select {
		case s := <-ch:
			got[s.(syscall.Signal)]++
			if _, err := acks.Write([]byte{1}); err != nil {
				return fail(fmt.Errorf("ack to child: %w", err))
			}
			timeout.Reset(idle)
		case err := <-exited:
			exited <- err // let fail's wait see it
			return fail(fmt.Errorf("child exited before all its signals arrived (%d of %d): %v",
				got.total()-(want-n*len(signals)), n*len(signals), err))
		case <-timeout.C:
			return fail(fmt.Errorf("no signal from the child for %v (%d of %d arrived)",
				idle, got.total()-(want-n*len(signals)), n*len(signals)))
		}
	}
	acks.Close()
	select {
	case err := <-exited:
		if err != nil {
			return fmt.Errorf("child: %w", err)
		}
	case <-time.After(idle):
		return fail(fmt.Errorf("child did not exit within %v of its last signal", idle))
	}
	return nil
}
