//go:build siglab_plant_instructions

package fastpath

// A planted regression of a few instructions per check, for the CI gate's
// test. Never built unless asked for with -tags siglab_plant_instructions.
const (
	plantedWork       = 8
	plantedAllocBytes = 0
)
