package bench

// Instructions per op, counted by valgrind. Time on a shared 2-core VM is
// noise; the instructions the code under test executes are not: valgrind
// simulates the CPU, so the same binary with the same arguments executes
// the same instructions in package fastpath every run.
//
// Why cachegrind, not callgrind --toggle-collect. The obvious recipe is
// callgrind with --toggle-collect=<loop function>, counting inclusively
// inside the benchmark loop. It does not work for Go: callgrind attributes
// costs through its shadow call stack, and Go switches stacks under it.
// When sysmon asks a goroutine that ran 10 ms to yield, the goroutine does
// so at the next function prologue (morestack onto the g0 stack); the
// stack pointer jumps, callgrind unwinds past the loop function, stops
// collecting and files later blocks under the wrong function. Measured on
// one binary, four runs of SendTake/kind=standard at N=220000 counted
// 58.3M, 89.2M, 89.1M and 62.7M instructions; even callgrind's self costs
// moved millions of instructions between functions (3.4M of world building
// filed under a different caller in one run of two). The check loop calls
// nothing and was never caught, which is why it looked deterministic.
//
// Cachegrind has no call stack: it attributes every instruction to the
// function whose symbol contains its address. The gate runs it with the
// cache and branch simulation off and sums the counts of the functions of
// package fastpath (loop, layout code, and whatever the compiler inlined
// into them). The scheduler's and collector's work lands in runtime
// functions and is left out. So the figure is "instructions executed in
// siglab code per op"; Go runtime helpers called per op (mallocgc,
// memmove) are not in it — the allocation gate watches the first. Two runs
// of one binary differ by a handful of instructions in total (a preempted
// prologue runs twice), some 1e-5 per op, gone after rounding to 2
// decimals.
//
// Per op: testing runs a benchmark function once with b.N=1 before the
// b.N=N run, and setup (building 100,000 threads) is fastpath code too;
// running two values of N and taking (S2−S1)/(N2−N1) cancels both,
// because setup is deterministic and the same in both runs.
//
// The Go runtime needs two GODEBUG settings under valgrind 3.19:
// asyncpreemptoff=1, because valgrind's tools crash on the SIGURG the
// runtime sends to preempt goroutines (DESIGN.md, "Measuring well"), and
// cpu.rdtscp=off, because valgrind's x86 decoder does not know RDTSCP
// (0F 01 F9), which runtime.cputicks uses when the CPU has it: without it
// the program dies of SIGILL in sysmon ("vex amd64->IR: unhandled
// instruction bytes: 0xF 0x1 0xF9"). GOGC=off keeps the collector, and the
// preemptions it causes, out of the run altogether.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The two loop counts. Large enough that the per-op difference dwarfs any
// jitter, small enough that the slowest probe stays a few seconds under
// valgrind's slowdown.
const (
	gateGrindN1 = 20000
	gateGrindN2 = 220000
)

// gateGODEBUG is added to the benchmark's GODEBUG under valgrind.
const gateGODEBUG = "asyncpreemptoff=1,cpu.rdtscp=off"

// gateGOGC is GOGC under valgrind: no collections (see above).
const gateGOGC = "off"

// GrindProfile is what the gate reads from a cachegrind or callgrind
// output file (valgrind manual, "Cachegrind: file format" and "Callgrind
// Format Specification"; the first is a subset of the second): the events,
// the totals of the "summary:" (or callgrind's "totals:") line, and the
// self cost of every function as the file attributes it.
type GrindProfile struct {
	Events []string
	Totals []int64
	// Self is each function's exclusive cost, one count per event. Call
	// cost lines (the line after "calls=", the callee's inclusive cost)
	// are not self cost and are left out.
	Self map[string][]int64
}

// Total returns the total of one event, e.g. "Ir".
func (p *GrindProfile) Total(event string) (int64, error) {
	i, err := p.event(event)
	if err != nil {
		return 0, err
	}
	return p.Totals[i], nil
}

// SelfSum returns the self cost of one event summed over every function
// whose name starts with prefix ("siglab/fastpath.").
func (p *GrindProfile) SelfSum(event, prefix string) (int64, error) {
	i, err := p.event(event)
	if err != nil {
		return 0, err
	}
	var sum int64
	for name, c := range p.Self {
		if strings.HasPrefix(name, prefix) {
			sum += c[i]
		}
	}
	return sum, nil
}

// Functions returns the names of the functions with a self cost, sorted.
func (p *GrindProfile) Functions() []string {
	names := make([]string, 0, len(p.Self))
	for n := range p.Self {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (p *GrindProfile) event(event string) (int, error) {
	for i, e := range p.Events {
		if e == event {
			return i, nil
		}
	}
	return 0, fmt.Errorf("valgrind profile has no %q event (events: %s)", event, strings.Join(p.Events, " "))
}

// ParseGrindProfile reads a cachegrind or callgrind output file.
func ParseGrindProfile(r io.Reader) (*GrindProfile, error) {
	p := GrindProfile{Self: map[string][]int64{}}
	var summary, totals []int64
	names := map[string]string{} // compressed function ids: "(12)" → name
	npos := 1                    // position columns per cost line ("positions:")
	cur := ""                    // current function ("fn=")
	callCost := false            // the next cost line is a call's inclusive cost
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	line := 0
	bad := func(format string, args ...any) error {
		return fmt.Errorf("valgrind profile line %d: %s", line, fmt.Sprintf(format, args...))
	}
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" || text[0] == '#' {
			continue
		}
		if c := text[0]; c >= '0' && c <= '9' || c == '+' || c == '-' || c == '*' {
			f := strings.Fields(text)
			if callCost {
				callCost = false
				continue
			}
			if len(p.Events) == 0 {
				return nil, bad("cost line before the \"events:\" line")
			}
			if len(f)-npos > len(p.Events) {
				return nil, bad("%d costs for %d events", len(f)-npos, len(p.Events))
			}
			self := p.Self[cur]
			if self == nil {
				self = make([]int64, len(p.Events))
				p.Self[cur] = self
			}
			for i := npos; i < len(f); i++ {
				n, err := strconv.ParseInt(f[i], 0, 64)
				if err != nil || n < 0 {
					return nil, bad("bad cost %q", f[i])
				}
				self[i-npos] += n
			}
			continue
		}
		if key, val, ok := strings.Cut(text, "="); ok && !strings.Contains(key, ":") {
			switch key {
			case "fn", "cfn":
				name := val
				if strings.HasPrefix(val, "(") {
					id, rest, found := strings.Cut(val, ")")
					if !found {
						return nil, bad("bad compressed name %q", val)
					}
					id += ")"
					if rest = strings.TrimSpace(rest); rest != "" {
						names[id] = rest
					} else if name, found = names[id]; !found {
						return nil, bad("function %s used before it was named", id)
					}
					name = names[id]
				}
				if key == "fn" {
					cur = name
				}
			case "calls":
				callCost = true
			}
			continue
		}
		key, val, ok := strings.Cut(text, ":")
		if !ok {
			return nil, bad("unrecognised line %q", text)
		}
		switch key {
		case "events":
			p.Events = strings.Fields(val)
		case "positions":
			npos = len(strings.Fields(val))
			if npos == 0 {
				return nil, bad("empty \"positions:\"")
			}
		case "summary", "totals":
			var nums []int64
			for _, f := range strings.Fields(val) {
				n, err := strconv.ParseInt(f, 10, 64)
				if err != nil || n < 0 {
					return nil, bad("bad %s count %q", key, f)
				}
				nums = append(nums, n)
			}
			if key == "summary" {
				summary = nums
			} else {
				totals = nums
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading valgrind profile: %v", err)
	}
	if len(p.Events) == 0 {
		return nil, fmt.Errorf("not a cachegrind or callgrind output file: no \"events:\" line")
	}
	p.Totals = summary
	if p.Totals == nil {
		p.Totals = totals
	}
	if p.Totals == nil {
		return nil, fmt.Errorf("valgrind profile has neither a \"summary:\" nor a \"totals:\" line")
	}
	if len(p.Totals) > len(p.Events) {
		return nil, fmt.Errorf("valgrind profile: %d totals for %d events", len(p.Totals), len(p.Events))
	}
	// Trailing zero counts may be omitted (format spec, "summary:").
	for len(p.Totals) < len(p.Events) {
		p.Totals = append(p.Totals, 0)
	}
	return &p, nil
}

// gateCachegrind runs cachegrind on the test binary.
type gateCachegrind struct {
	valgrind string   // path of valgrind
	bin      string   // fastpath test binary
	dir      string   // scratch directory for output files
	env      []string // extra environment for the benchmark
}

// instructions runs one probe at loop count n and returns the
// instructions executed in package fastpath's functions over the run.
func (g *gateCachegrind) instructions(ctx context.Context, layout string, p gateProbe, n int) (int64, error) {
	out := filepath.Join(g.dir, fmt.Sprintf("cachegrind.%s.%s.%s.%d.out", layout, p.short(),
		strings.NewReplacer("/", "_", "%", "pct", "=", "").Replace(p.sub), n))
	cmd := exec.CommandContext(ctx, g.valgrind,
		"--tool=cachegrind",
		"--cache-sim=no",
		"--branch-sim=no",
		"--cachegrind-out-file="+out,
		g.bin,
		"-test.run=^$",
		"-test.bench="+p.benchArg(),
		fmt.Sprintf("-test.benchtime=%dx", n),
		"-test.count=1",
		"-layout="+layout,
	)
	cmd.Env = gateEnv(g.env, true)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("cachegrind %s -layout=%s -test.bench=%s: %v\n%s", filepath.Base(g.bin), layout, p.benchArg(), err, gateTail(log.Bytes(), 20))
	}
	f, err := os.Open(out)
	if err != nil {
		return 0, fmt.Errorf("cachegrind wrote no output file: %v\n%s", err, gateTail(log.Bytes(), 20))
	}
	defer f.Close()
	prof, err := ParseGrindProfile(f)
	if err != nil {
		return 0, fmt.Errorf("%s: %v", out, err)
	}
	if _, ok := prof.Self[gatePkg+"."+p.loop]; !ok {
		return 0, fmt.Errorf("cachegrind saw no function %s.%s running %s -layout=%s: was the loop renamed or inlined? (fastpath functions seen: %s)",
			gatePkg, p.loop, p.benchArg(), layout, strings.Join(gateWithPrefix(prof.Functions(), gatePkg+"."), ", "))
	}
	return prof.SelfSum("Ir", gatePkg+".")
}

func gateWithPrefix(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

// instrPerOp is (S(N2) − S(N1)) / (N2 − N1) for one probe.
func (g *gateCachegrind) instrPerOp(ctx context.Context, layout string, p gateProbe) (float64, error) {
	i1, err := g.instructions(ctx, layout, p, gateGrindN1)
	if err != nil {
		return 0, err
	}
	i2, err := g.instructions(ctx, layout, p, gateGrindN2)
	if err != nil {
		return 0, err
	}
	return gateInstrPerOp(i1, i2, gateGrindN1, gateGrindN2)
}

// gateInstrPerOp is the slope between two (N, instructions) points. The
// counts must grow with N: if they do not, the loop was not what ran.
func gateInstrPerOp(i1, i2 int64, n1, n2 int) (float64, error) {
	if n2 <= n1 {
		return 0, fmt.Errorf("loop counts %d, %d are not increasing", n1, n2)
	}
	if i2 <= i1 {
		return 0, fmt.Errorf("instruction count did not grow with N: %d at N=%d, %d at N=%d", i1, n1, i2, n2)
	}
	// Two decimals: the figure is an average over N2−N1 ops whose cost
	// varies (1% of the threads pending), not a whole number, and the
	// run-to-run jitter (see above) is far below 0.005.
	v := float64(i2-i1) / float64(n2-n1)
	return math.Round(v*100) / 100, nil
}

// gateValgrindVersion returns `valgrind --version`, or "" if it fails.
func gateValgrindVersion(ctx context.Context, valgrind string) string {
	out, err := exec.CommandContext(ctx, valgrind, "--version").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// gateEnv is the benchmark's environment: ours, plus extra, plus the
// GODEBUG settings valgrind needs when underValgrind.
func gateEnv(extra []string, underValgrind bool) []string {
	env := append(os.Environ(), extra...)
	if !underValgrind {
		return env
	}
	debug := gateGODEBUG
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], "GODEBUG="); ok {
			if v != "" {
				debug = v + "," + gateGODEBUG
			}
			break
		}
	}
	return append(env, "GODEBUG="+debug, "GOGC="+gateGOGC)
}

// gateTail returns the last n lines of a command's output, for errors.
func gateTail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
