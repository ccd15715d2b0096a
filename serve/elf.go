package serve

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
)

// ErrStatic is wrapped by the error Run returns for a statically linked
// program.
var ErrStatic = fmt.Errorf("statically linked")

// checkDynamic refuses a statically linked ELF program: the dynamic loader
// is what applies LD_PRELOAD, so a static binary would run with no shim at
// all — natively, silently. A program without PT_INTERP has no loader.
// Scripts (#!) pass: their interpreter is what runs.
func checkDynamic(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	magic := make([]byte, 4)
	if _, err := f.ReadAt(magic, 0); err != nil || !bytes.Equal(magic, []byte(elf.ELFMAG)) {
		return nil // not ELF: let execve(2) decide
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		return fmt.Errorf("%s: reading ELF headers: %w", path, err)
	}
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			return nil
		}
	}
	return fmt.Errorf("%s is %w (no PT_INTERP): LD_PRELOAD cannot apply, so siglab cannot emulate it; "+
		"rebuild it dynamically linked (Go: go build -ldflags=-linkmode=external, with cgo enabled; C: drop -static)",
		path, ErrStatic)
}
