package serve

import (
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"testing"
)

// BenchmarkFutexFloor is the floor under BenchmarkGetppid's
// trap-forwarded-futex: two plain C processes passing a word back and
// forth with FUTEX_WAIT/FUTEX_WAKE on shared memory, as the shim and the
// emulator do when neither spins. What a forwarded syscall costs above it
// is the trap and siglab's own work (Go scheduling included); the floor
// itself is the machine's cross-process wake-up.
func BenchmarkFutexFloor(b *testing.B) {
	path := buildC(b, "futex_floor")
	var out bytes.Buffer
	cmd := exec.Command(path, strconv.Itoa(min(max(b.N, 1000), 100000)))
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		b.Fatal(err)
	}
	var med, p90 float64
	if _, err := fmt.Sscanf(out.String(), "futex round trip ns median %g p90 %g", &med, &p90); err != nil {
		b.Fatalf("unexpected output %q: %v", out.String(), err)
	}
	b.ReportMetric(med, "ns/roundtrip-median")
	b.ReportMetric(p90, "ns/roundtrip-p90")
}
