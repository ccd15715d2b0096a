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

func TestParseResultRoundTrip(t *testing.T) {
	for _, r := range []Result{
		{Workload: "spin-gc", OK: true, Metrics: map[string]float64{"wall_ms": 12.5, "gcs": 3}},
		{Workload: "fair", Metrics: map[string]float64{"jain": 0.2}, Why: `spread "too wide" = bad`},
		{Workload: "notify", OK: true, Metrics: map[string]float64{}},
	} {
		var b bytes.Buffer
		r.Write(&b)
		got, ok, err := ParseResult(b.String())
		if !ok || err != nil {
			t.Fatalf("ParseResult(%q) = %v, %v", b.String(), ok, err)
		}
		if got.Workload != r.Workload || got.OK != r.OK || got.Why != r.Why || len(got.Metrics) != len(r.Metrics) {
			t.Errorf("round trip of %+v gave %+v", r, got)
		}
		for k, v := range r.Metrics {
			if got.Metrics[k] != v {
				t.Errorf("metric %s = %v, want %v", k, got.Metrics[k], v)
			}
		}
	}
	if _, ok, _ := ParseResult("hello world"); ok {
		t.Error("a plain line parsed as a result")
	}
	for _, bad := range []string{"siglab-workload: x", "siglab-workload: x maybe", "siglab-workload: x ok a", "siglab-workload: x ok a=b", `siglab-workload: x ok why="unterminated`} {
		if _, ok, err := ParseResult(bad); !ok || err == nil {
			t.Errorf("ParseResult(%q) = ok %v err %v, want an error", bad, ok, err)
		}
	}
}
