package serve

import (
	"bufio"
	"fmt"
	"io"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// tracer writes the --trace log of Emulated: one line per emulated signal
// event, strace-like and timestamped from the emulator's start,
//
//	[   0.001234] 4242/4243 deliver SIGUSR1 handler=0x401136 frame=0x7ffd… mask=0x200
//
// Events: send (a signal-sending syscall and its result: the signal is
// pending unless it failed or was ignored), deliver (a frame is built),
// return (rt_sigreturn), interrupt (a restart code became EINTR), restart
// (the syscall is re-executed), stop, jobctl (the real process stopped,
// continued or killed for an emulated stop, continue or death), die,
// exit, fork, exec. A nil
// tracer traces nothing.
type tracer struct {
	mu    sync.Mutex
	w     *bufio.Writer
	start time.Time
}

func newTracer(w io.Writer) *tracer {
	return &tracer{w: bufio.NewWriter(w), start: time.Now()}
}

func (tr *tracer) event(t *Thread, what, detail string) {
	if tr == nil {
		return
	}
	d := time.Since(tr.start)
	tr.mu.Lock()
	defer tr.mu.Unlock()
	fmt.Fprintf(tr.w, "[%12.6f] %d/%d %s %s\n", d.Seconds(), t.Pid, t.Tid, what, detail)
}

// eventPid logs an event of a whole process (pid/-).
func (tr *tracer) eventPid(pid int32, what, detail string) {
	if tr == nil {
		return
	}
	d := time.Since(tr.start)
	tr.mu.Lock()
	defer tr.mu.Unlock()
	fmt.Fprintf(tr.w, "[%12.6f] %d/- %s %s\n", d.Seconds(), pid, what, detail)
}

func (tr *tracer) flush() error {
	if tr == nil {
		return nil
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.w.Flush()
}

// traceSend logs a signal-sending syscall.
func (a *Emulated) traceSend(t *Thread, c *Call, ret int64) {
	if a.trace == nil {
		return
	}
	var s string
	g := c.Args
	switch c.Nr {
	case unix.SYS_KILL:
		s = fmt.Sprintf("kill(%d, %s)", int32(g[0]), sigName(int(g[1])))
	case unix.SYS_TKILL:
		s = fmt.Sprintf("tkill(%d, %s)", int32(g[0]), sigName(int(g[1])))
	case unix.SYS_TGKILL:
		s = fmt.Sprintf("tgkill(%d, %d, %s)", int32(g[0]), int32(g[1]), sigName(int(g[2])))
	case unix.SYS_RT_SIGQUEUEINFO:
		s = fmt.Sprintf("rt_sigqueueinfo(%d, %s)", int32(g[0]), sigName(int(g[1])))
	case unix.SYS_RT_TGSIGQUEUEINFO:
		s = fmt.Sprintf("rt_tgsigqueueinfo(%d, %d, %s)", int32(g[0]), int32(g[1]), sigName(int(g[2])))
	case unix.SYS_PIDFD_SEND_SIGNAL:
		s = fmt.Sprintf("pidfd_send_signal(%d, %s)", int32(g[0]), sigName(int(g[1])))
	default:
		return
	}
	a.trace.event(t, "send", fmt.Sprintf("%s = %d", s, ret))
}
