package main

import "hash/crc32"

// The data sent through each pipe is a pseudorandom byte stream in which
// the byte at offset k is computable on its own: the reader checks every
// byte against its position, so a lost, duplicated or corrupted byte is
// found where it happens. A CRC-32 of the whole stream on each side is a
// second, independent check.

// streamByte is byte k of the stream with the given seed: byte k%8 of the
// SplitMix64 finalizer applied to seed ^ k/8.
func streamByte(seed, k uint64) byte {
	return byte(mix64(seed^(k/8)) >> (8 * (k % 8)))
}

// mix64 is SplitMix64's output function (Steele, Lea, Flood, OOPSLA 2014).
func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// fillStream writes stream bytes [off, off+len(b)) into b. It computes
// each 8-byte word once, not once per byte.
func fillStream(b []byte, seed, off uint64) {
	word, have := uint64(0), ^uint64(0)
	for i := range b {
		k := off + uint64(i)
		if k/8 != have {
			word, have = mix64(seed^(k/8)), k/8
		}
		b[i] = byte(word >> (8 * (k % 8)))
	}
}

// badBytes counts the bytes of b that are not stream bytes [off, off+len(b)).
func badBytes(b []byte, seed, off uint64) (bad uint64) {
	word, have := uint64(0), ^uint64(0)
	for i, c := range b {
		k := off + uint64(i)
		if k/8 != have {
			word, have = mix64(seed^(k/8)), k/8
		}
		if c != byte(word>>(8*(k%8))) {
			bad++
		}
	}
	return bad
}

// checksum extends a running CRC-32 (IEEE) with b.
func checksum(crc uint32, b []byte) uint32 { return crc32.Update(crc, crc32.IEEETable, b) }
