package bench

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestAddEmulatorRates(t *testing.T) {
	dir := t.TempDir()
	stats := filepath.Join(dir, "stats")
	lat := filepath.Join(dir, "lat")
	os.WriteFile(stats, []byte("emulated-syscalls 500\nslow-path 20\nthreads 4\nlocal-sigreturns 6\nfast-returns 4\n"), 0o644)
	os.WriteFile(lat, []byte("1000\n2000\n3000\n4000\n"), 0o644)
	m := map[string]float64{"wall_ms": 1}
	if err := addEmulatorRates(m, stats, lat, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"emu-syscalls/s": 250, "slow-path/s": 10, "deliveries/s": 2, "local-sigreturns/s": 3, "fast-returns/s": 2, "wall_ms": 1}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %g, want %g", k, m[k], v)
		}
	}
	// No latency file: no deliveries.
	m = map[string]float64{}
	if err := addEmulatorRates(m, stats, filepath.Join(dir, "none"), time.Second); err != nil || m["deliveries/s"] != 0 {
		t.Errorf("without a latency file: %v, %v", m, err)
	}
	// A corrupt stats file is an error naming it, not a panic.
	os.WriteFile(stats, []byte("emulated-syscalls many\n"), 0o644)
	if err := addEmulatorRates(map[string]float64{}, stats, lat, time.Second); err == nil {
		t.Error("a bad count was accepted")
	}
	if err := addEmulatorRates(map[string]float64{}, filepath.Join(dir, "missing"), lat, time.Second); err == nil {
		t.Error("a missing stats file was accepted")
	}
}
