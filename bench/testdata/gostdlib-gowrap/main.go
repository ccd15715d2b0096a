// Command go is the go command that the Go standard library's tests see in
// $PATH when they run under siglab (bench/gostdlib_goserver.go).
//
// Why it exists: runtime tests build helper programs (testprog, testprogcgo)
// with `go build` before running them. The real go command and its tools
// are statically linked, and a static program exec'd under the shim's
// seccomp filter — which survives execve(2) — dies of SIGSYS at its first
// trapped syscall, so testenv.HasGoBuild reports false and the tests skip.
// This program is dynamically linked (the shim loads into it like any
// other), and forwards its command line, environment, working directory and
// stdio (the descriptors themselves, by SCM_RIGHTS, unix(7)) over the unix
// socket in $SIGLAB_GOSTDLIB_GOSOCK to the runner, which runs the real go
// command natively and answers with its exit code. Building is not what is
// measured; the built programs still run under the emulator.
//
// If the connection drops (this process was killed), the runner kills the
// go command it started.
package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
)

// request is what the runner receives; the stdio descriptors travel beside
// it as ancillary data.
type request struct {
	Args []string
	Env  []string
	Dir  string
}

// reply is the runner's answer.
type reply struct {
	Code int
	Err  string
}

func main() {
	sock := os.Getenv("SIGLAB_GOSTDLIB_GOSOCK")
	if sock == "" {
		fmt.Fprintln(os.Stderr, "go (siglab go-stdlib wrapper): $SIGLAB_GOSTDLIB_GOSOCK is not set; this wrapper only works under the go-stdlib runner")
		os.Exit(2)
	}
	dir, err := os.Getwd()
	if err != nil {
		fail(err)
	}
	body, err := json.Marshal(request{Args: os.Args[1:], Env: os.Environ(), Dir: dir})
	if err != nil {
		fail(err)
	}
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		fail(err)
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(body)))
	if _, _, err := c.WriteMsgUnix(n[:], syscall.UnixRights(0, 1, 2), nil); err != nil {
		fail(err)
	}
	if _, err := c.Write(body); err != nil {
		fail(err)
	}
	data, err := io.ReadAll(c)
	if err != nil {
		fail(err)
	}
	var r reply
	if err := json.Unmarshal(data, &r); err != nil {
		fail(fmt.Errorf("bad reply %q: %v", data, err))
	}
	if r.Err != "" {
		fmt.Fprintln(os.Stderr, "go (siglab go-stdlib wrapper):", r.Err)
	}
	os.Exit(r.Code)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "go (siglab go-stdlib wrapper):", err)
	os.Exit(2)
}
