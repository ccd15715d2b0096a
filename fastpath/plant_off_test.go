//go:build !siglab_plant_instructions && !siglab_plant_allocs

package fastpath

// Planted regressions are off: the constants fold away and the benchmark
// loops compile to exactly the code they measure. The CI gate's own test
// builds with -tags siglab_plant_instructions or siglab_plant_allocs to
// prove that it notices (bench/gate_test.go).
const (
	plantedWork       = 0
	plantedAllocBytes = 0
)
