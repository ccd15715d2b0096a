//go:build siglab_plant_allocs

package fastpath

// A planted regression of one allocation per send+take, for the CI gate's
// test. Never built unless asked for with -tags siglab_plant_allocs.
const (
	plantedWork       = 0
	plantedAllocBytes = 64
)
