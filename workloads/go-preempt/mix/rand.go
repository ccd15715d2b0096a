package main

// splitmix64 advances *s and returns the next value of the SplitMix64
// generator (Steele, Lea, Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014): a fixed seed gives a fixed, checkable input.
func splitmix64(s *uint64) uint64 {
	*s += 0x9e3779b97f4a7c15
	z := *s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
