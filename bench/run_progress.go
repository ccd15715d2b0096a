package bench

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// runProgress prints what a run is doing to stderr: which round of which
// suite and layout, how many of all rounds are done, elapsed time and an
// estimate of what is left, and the benchmark last finished.
type runProgress struct {
	w               io.Writer
	tty             bool // rewrite one status line in place; else print whole lines
	total, finished int
	begin           time.Time
	current         string
	results         int
}

func newRunProgress(w io.Writer, total int) *runProgress {
	return &runProgress{w: w, tty: isTerminal(w), total: total, begin: time.Now()}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

func (p *runProgress) printf(format string, args ...any) {
	if p.w != nil {
		fmt.Fprintf(p.w, "siglab bench: "+format+"\n", args...)
	}
}

func (p *runProgress) start(what string) { p.current = what }

func (p *runProgress) result(line string) {
	p.results++
	if p.w == nil || !p.tty {
		return
	}
	name, _, _ := strings.Cut(line, "\t")
	fmt.Fprintf(p.w, "\r\033[K[%d/%d rounds, %s] %s: %s", p.finished, p.total, p.elapsed(), p.current, strings.TrimSpace(name))
}

func (p *runProgress) done() {
	p.finished++
	if p.w == nil {
		return
	}
	left := ""
	if p.finished < p.total {
		per := time.Since(p.begin) / time.Duration(p.finished)
		left = fmt.Sprintf(", about %s left", (per * time.Duration(p.total-p.finished)).Round(time.Second))
	}
	erase := ""
	if p.tty {
		erase = "\r\033[K"
	}
	fmt.Fprintf(p.w, "%s[%d/%d rounds, %s%s] %s done (%d results)\n", erase, p.finished, p.total, p.elapsed(), left, p.current, p.results)
}

func (p *runProgress) elapsed() string { return time.Since(p.begin).Round(time.Second).String() }
