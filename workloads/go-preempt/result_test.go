package gopreempt

import (
	"bytes"
	"testing"
)

func TestResultLine(t *testing.T) {
	for _, tc := range []struct {
		r    Result
		want string
	}{
		{Result{Workload: "spin-gc", OK: true, Metrics: map[string]float64{"wall_ms": 12.5, "gcs": 3}},
			"siglab-workload: spin-gc ok gcs=3 wall_ms=12.5\n"},
		{Result{Workload: "fair", Why: `spread "too wide"`},
			`siglab-workload: fair FAIL why="spread \"too wide\""` + "\n"},
	} {
		var b bytes.Buffer
		if err := tc.r.Write(&b); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("got %q, want %q", b.String(), tc.want)
		}
	}
}
