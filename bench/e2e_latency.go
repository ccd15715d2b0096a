package bench

// Delivery latency of the e2e workloads: every emulated run is made with
// `siglab run --latency`, which writes one sample per emulated delivery
// (nanoseconds from the signal becoming pending to handler entry,
// CLOCK_MONOTONIC on both ends; serve/latency.go). The rounds' samples of a
// workload and layout are appended into the samples file the latency
// tables read (Latency: samples/<suite>-<layout>/<name>.txt), so the
// report gives p50/p90/p99 per workload and layout, and LatencyPlot draws
// their distributions. Native runs have no such measurement.

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// E2ELatencyFile is the path, inside a result folder, of the delivery-
// latency samples of workload under layout, all rounds together.
func E2ELatencyFile(workload, layout string) string {
	return filepath.Join("samples", E2ESuite+"-"+layout, workload+".txt")
}

// appendLatency appends the samples a run wrote to tmp to dst and removes
// tmp. A run without deliveries adds nothing, and creates no file: an
// empty samples file is bad input to the latency tables.
func appendLatency(dst, tmp string) error {
	data, err := os.ReadFile(tmp)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
