package main

// TestMain lets a test run the whole CLI in a child process: `siglab bench`
// runs workloads under emulation by re-executing its own binary as
// `siglab run`, and in a test that binary is the test binary. With
// SIGLAB_TEST_AS_SIGLAB=1 in its environment the test binary is siglab.

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	if os.Getenv("SIGLAB_TEST_AS_SIGLAB") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
