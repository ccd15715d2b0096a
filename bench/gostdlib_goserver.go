package bench

// The go command for tests under emulation. Runtime tests build their
// helper programs (testprog, testprogcgo) with `go build` from inside the
// test binary. Under siglab that go command would run under the shim's
// seccomp filter, which survives execve(2); the real go command and its
// tools are statically linked, so the shim is not there to answer the trap
// and the first signal syscall kills them with SIGSYS — testenv.HasGoBuild
// then reports false and the tests skip instead of running.
//
// So the runner puts a dynamically linked stand-in named "go" first in the
// test's $PATH (testenv looks the go command up in $PATH), built from
// testdata/gostdlib-gowrap. The stand-in sends its arguments, environment,
// directory and stdio descriptors (SCM_RIGHTS, unix(7)) to the goServer
// below, which runs the real go command natively, outside the filter, and
// answers with the exit code. The server adds -ldflags=-linkmode=external to
// GOFLAGS so that what the tests build is dynamically linked and the shim
// loads into it when the test runs it: the built programs do run under the
// emulator. Native runs use the same stand-in, so both modes build alike.

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// goSockEnv names the socket of the goServer in the stand-in's environment.
const goSockEnv = "SIGLAB_GOSTDLIB_GOSOCK"

// goRequest and goReply are the stand-in's protocol: an 8-byte
// little-endian length carrying the three stdio descriptors as ancillary
// data, the JSON request, then (from the server) the JSON reply.
type goRequest struct {
	Args []string
	Env  []string
	Dir  string
}

type goReply struct {
	Code int
	Err  string
}

// A goServer runs go commands for stand-ins until closed.
type goServer struct {
	goBin string // the real go command
	sock  string
	ln    *net.UnixListener
	wg    sync.WaitGroup
	ctx   context.Context
	stop  context.CancelFunc
}

// startGoServer listens on a socket in dir and serves in the background.
func startGoServer(goBin, dir string) (*goServer, error) {
	sock := filepath.Join(dir, "go.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("go-stdlib: listening for the go stand-in: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &goServer{goBin: goBin, sock: sock, ln: ln, ctx: ctx, stop: stop}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Close stops accepting, kills the go commands still running and waits for
// them.
func (s *goServer) Close() {
	s.stop()
	s.ln.Close()
	s.wg.Wait()
	os.Remove(s.sock)
}

func (s *goServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.AcceptUnix()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			r := s.handle(c)
			data, _ := json.Marshal(r)
			c.Write(data)
		}()
	}
}

func (s *goServer) handle(c *net.UnixConn) goReply {
	req, stdio, err := readGoRequest(c)
	for _, f := range stdio {
		defer f.Close()
	}
	if err != nil {
		return goReply{Code: 2, Err: err.Error()}
	}
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	// The stand-in never writes after its request: a read that returns
	// means it is gone (killed by a test timeout, say), so is its caller.
	go func() {
		var b [1]byte
		c.Read(b[:])
		cancel()
	}()
	cmd := exec.CommandContext(ctx, s.goBin, req.Args...)
	cmd.Dir = req.Dir
	cmd.Env = goServerEnv(req.Env)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdio[0], stdio[1], stdio[2]
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return goReply{}
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return goReply{Code: 128 + int(ws.Signal()), Err: "go command killed by " + ws.Signal().String()}
		}
		return goReply{Code: ee.ExitCode()}
	}
	return goReply{Code: 2, Err: err.Error()}
}

// readGoRequest reads one request and its three stdio descriptors.
func readGoRequest(c *net.UnixConn) (goRequest, []*os.File, error) {
	var req goRequest
	var n [8]byte
	oob := make([]byte, syscall.CmsgSpace(3*4))
	nn, oobn, _, _, err := c.ReadMsgUnix(n[:], oob)
	if err != nil {
		return req, nil, err
	}
	var files []*os.File
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return req, nil, err
	}
	for _, m := range msgs {
		fds, err := syscall.ParseUnixRights(&m)
		if err != nil {
			return req, files, err
		}
		for _, fd := range fds {
			files = append(files, os.NewFile(uintptr(fd), "stdio"))
		}
	}
	if len(files) != 3 {
		return req, files, fmt.Errorf("got %d stdio descriptors, want 3", len(files))
	}
	if nn < len(n) {
		if _, err := io.ReadFull(c, n[nn:]); err != nil {
			return req, files, err
		}
	}
	size := binary.LittleEndian.Uint64(n[:])
	if size > 16<<20 {
		return req, files, fmt.Errorf("request of %d bytes", size)
	}
	body := make([]byte, size)
	if _, err := io.ReadFull(c, body); err != nil {
		return req, files, err
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return req, files, err
	}
	return req, files, nil
}

// goServerEnv is the stand-in's environment for the real go command:
// without the shim (LD_PRELOAD and siglab's fd variables would make every
// dynamically linked tool the go command runs — gcc, ld — look for an
// emulator that is not there), and with external linking added to GOFLAGS.
func goServerEnv(env []string) []string {
	out := make([]string, 0, len(env)+2)
	goflags := "-ldflags=-linkmode=external"
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case k == "LD_PRELOAD", strings.HasPrefix(k, "SIGLAB_"), k == "CGO_ENABLED":
		case k == "GOFLAGS":
			if strings.TrimSpace(v) != "" {
				goflags = v + " " + goflags
			}
		default:
			out = append(out, kv)
		}
	}
	return append(out, "GOFLAGS="+goflags, "CGO_ENABLED=1")
}
