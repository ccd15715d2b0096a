package main

import "strconv"

// The allocation part builds data structures, drops them, and checks them:
// it keeps the garbage collector busy, and every collection has to stop the
// spinners with SIGURG.

type node struct {
	left, right *node
	val         uint64
}

// buildTree builds a complete binary tree of the given depth whose nodes
// carry their pre-order index, starting at *next.
func buildTree(depth int, next *uint64) *node {
	n := &node{val: *next}
	*next++
	if depth > 0 {
		n.left = buildTree(depth-1, next)
		n.right = buildTree(depth-1, next)
	}
	return n
}

// checkTree counts the nodes that are not where a pre-order numbering puts
// them, and returns that with the node count.
func checkTree(n *node, want *uint64) (bad, count uint64) {
	if n == nil {
		return 0, 0
	}
	if n.val != *want {
		bad++
	}
	*want++
	lb, lc := checkTree(n.left, want)
	rb, rc := checkTree(n.right, want)
	return bad + lb + rb, 1 + lc + rc
}

// allocRound builds a tree of the given depth and a map of keys strings,
// checks both, and returns the number of wrong findings and how many
// objects it allocated (nodes + map entries).
func allocRound(depth, keys int) (mismatches, objects uint64) {
	var next uint64
	t := buildTree(depth, &next)
	var want uint64
	bad, count := checkTree(t, &want)
	mismatches += bad
	if count != 1<<(depth+1)-1 {
		mismatches++
	}
	m := make(map[string]int)
	for i := range keys {
		m["k"+strconv.Itoa(i)] = i * 7
	}
	if len(m) != keys {
		mismatches++
	}
	for i := range keys {
		if v, ok := m["k"+strconv.Itoa(i)]; !ok || v != i*7 {
			mismatches++
		}
	}
	return mismatches, count + uint64(keys)
}
