package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// addEmulatorRates adds to an emulated run's metrics what the emulator
// counted (`siglab run --stats`) and how many deliveries it timed
// (`--latency`, one line per delivery), as rates per second of the run's
// wall time: emu-syscalls/s, deliveries/s, slow-path/s, and
// local-sigreturns/s (the handler returns the shim did without a round
// trip; emulated syscalls do not include them) and fast-returns/s (those
// of them made without even a trap). A missing latency
// file means no delivery (siglab run writes none then).
func addEmulatorRates(m map[string]float64, statsFile, latencyFile string, wall time.Duration) error {
	b, err := os.ReadFile(statsFile)
	if err != nil {
		return fmt.Errorf("emulator stats: %w", err)
	}
	counts := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, val, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return &InputError{Path: statsFile, Msg: fmt.Sprintf("bad count %q", sc.Text())}
		}
		counts[name] = v
	}
	deliveries := 0.0
	if lb, err := os.ReadFile(latencyFile); err == nil {
		deliveries = float64(bytes.Count(lb, []byte("\n")))
	}
	s := wall.Seconds()
	if s <= 0 || m == nil {
		return nil
	}
	m["emu-syscalls/s"] = counts["emulated-syscalls"] / s
	m["slow-path/s"] = counts["slow-path"] / s
	m["deliveries/s"] = deliveries / s
	m["local-sigreturns/s"] = counts["local-sigreturns"] / s
	m["fast-returns/s"] = counts["fast-returns"] / s
	return nil
}
