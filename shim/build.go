package shim

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// The C sources travel inside every binary that imports this package and
// are compiled on first use: the shim must match the ABI of the emulator
// that serves it, and a compiler is the one thing every Linux machine that
// runs C programs already has.
//
//go:embed csrc/*.c csrc/*.h
var csrc embed.FS

// Flags are the compiler flags of the shim. -nostdlib with
// -Wl,--no-undefined makes any libc call a link error: everything the shim
// runs may run inside a signal handler. -ffreestanding/-fno-builtin and our
// own memcpy/memset keep the compiler from inventing calls; no stack
// protector (its failure path is libc's); initial-exec TLS because the
// SIGSYS handler may not allocate (a preloaded library gets static TLS).
var Flags = []string{
	"-O2", "-fPIC", "-shared", "-nostdlib", "-ffreestanding", "-fno-builtin",
	"-fno-stack-protector", "-fvisibility=hidden", "-fno-plt",
	"-ftls-model=initial-exec", "-Wall", "-Wextra", "-Werror",
	"-Wl,--no-undefined", "-Wl,-z,now",
}

// Compiler returns the C compiler command: $CC split on spaces, or "cc".
func Compiler() []string {
	if cc := strings.Fields(os.Getenv("CC")); len(cc) > 0 {
		return cc
	}
	return []string{"cc"}
}

var cache struct {
	sync.Mutex
	paths map[string]string // cache dir -> built path
}

// Path returns the path of the compiled shim in the user cache directory
// (os.UserCacheDir()/siglab), building it first if no build with the same
// sources, flags and compiler exists there.
func Path() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("shim: no cache directory for the compiled shim: %w (set $XDG_CACHE_HOME or $HOME)", err)
	}
	return BuildInto(filepath.Join(dir, "siglab"))
}

// BuildInto is Path with an explicit directory. The file is named by a hash
// of the sources, the flags and the compiler's --version output, so a
// change of any of them builds anew, and several emulators building at once
// each compile to a private temporary file and rename(2) it into place:
// the last rename wins and every one of them is a complete library.
func BuildInto(dir string) (string, error) {
	cache.Lock()
	defer cache.Unlock()
	if p, ok := cache.paths[dir]; ok {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	cc := Compiler()
	if _, err := exec.LookPath(cc[0]); err != nil {
		return "", fmt.Errorf("shim: no C compiler %q found to build the preload shim (%v): install one (e.g. apt-get install gcc) or set $CC", cc[0], err)
	}
	ver, err := exec.Command(cc[0], append(cc[1:], "--version")...).Output()
	if err != nil {
		return "", fmt.Errorf("shim: running %q --version: %w", strings.Join(cc, " "), err)
	}
	names, srcs, err := sources()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for i, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(srcs[i]))
		h.Write(srcs[i])
	}
	fmt.Fprintf(h, "%q\x00%q\x00%s", cc, Flags, ver)
	sum := hex.EncodeToString(h.Sum(nil))[:16]
	out := filepath.Join(dir, "shim-"+sum+".so")
	if _, err := os.Stat(out); err == nil {
		cache.paths = setPath(cache.paths, dir, out)
		return out, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("shim: %w", err)
	}
	work, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", fmt.Errorf("shim: %w", err)
	}
	defer os.RemoveAll(work)
	var cfiles []string
	for i, n := range names {
		if err := os.WriteFile(filepath.Join(work, n), srcs[i], 0o644); err != nil {
			return "", fmt.Errorf("shim: %w", err)
		}
		if strings.HasSuffix(n, ".c") {
			cfiles = append(cfiles, n)
		}
	}
	tmp := filepath.Join(work, "shim.so")
	args := append(append(append(cc[1:len(cc):len(cc)], Flags...), "-o", tmp), cfiles...)
	cmd := exec.Command(cc[0], args...)
	cmd.Dir = work
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("shim: compiling the preload shim with %s failed: %v\n%s", strings.Join(cc, " "), err, stderr.Bytes())
	}
	if err := os.Rename(tmp, out); err != nil {
		return "", fmt.Errorf("shim: %w", err)
	}
	cache.paths = setPath(cache.paths, dir, out)
	return out, nil
}

func setPath(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

// sources returns the embedded C files in a fixed order.
func sources() ([]string, [][]byte, error) {
	ents, err := fs.ReadDir(csrc, "csrc")
	if err != nil {
		return nil, nil, err
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	srcs := make([][]byte, len(names))
	for i, n := range names {
		if srcs[i], err = csrc.ReadFile("csrc/" + n); err != nil {
			return nil, nil, err
		}
	}
	return names, srcs, nil
}
