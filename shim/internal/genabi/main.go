// Command genabi writes shim/csrc/abi.h from the Go definition of the shim
// ABI (shim/abi.go). Run it with "go generate ./shim" from the module root.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"siglab/shim"
)

func main() {
	// go generate runs in the package directory (shim/); "go run" from the
	// module root passes -o.
	out := filepath.Join("csrc", "abi.h")
	if len(os.Args) == 3 && os.Args[1] == "-o" {
		out = os.Args[2]
	}
	if err := os.WriteFile(out, shim.ABIHeader(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genabi:", err)
		os.Exit(1)
	}
}
