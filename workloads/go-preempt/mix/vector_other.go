//go:build !amd64 || !cgo

package main

import "errors"

// haveVector is false off amd64 or without cgo: the vector part is AVX2 C
// code.
func haveVector() bool { return false }

func runVector(rounds, kickEvery, seed uint64) (mismatches, kicks uint64, err error) {
	return 0, 0, errors.New("the vector part needs amd64 and cgo")
}
