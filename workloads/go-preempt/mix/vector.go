package main

// checkVector counts the lanes of the vector loop's output that are wrong:
// after rounds rounds of a += d, each accumulator lane must be
// a₀ + rounds·d (mod 2⁶⁴) and each increment lane unchanged. in and out
// hold the accumulators in their first half and the increments in the
// second.
func checkVector(in, out []uint64, rounds uint64) (mismatches uint64) {
	half := len(in) / 2
	for i := range half {
		if out[i] != in[i]+rounds*in[half+i] {
			mismatches++
		}
		if out[half+i] != in[half+i] {
			mismatches++
		}
	}
	return mismatches
}
