package shim

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"
)

// TestABIHeaderUpToDate fails when csrc/abi.h is not what abi.go generates:
// the header is never edited by hand.
func TestABIHeaderUpToDate(t *testing.T) {
	got, err := os.ReadFile("csrc/abi.h")
	if err != nil {
		t.Fatal(err)
	}
	if want := ABIHeader(); !bytes.Equal(got, want) {
		t.Fatal("csrc/abi.h differs from abi.go: run `go generate ./shim`")
	}
}

// TestABIHeaderCompiles runs the generated _Static_asserts through the C
// compiler: the C layout must be the Go layout, field by field.
func TestABIHeaderCompiles(t *testing.T) {
	cc := Compiler()
	if _, err := exec.LookPath(cc[0]); err != nil {
		t.Skip("no C compiler")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "t.c")
	os.WriteFile(src, []byte("#include \"abi.h\"\nint siglab_abi_probe;\n"), 0o644)
	abs, _ := filepath.Abs("csrc")
	out, err := exec.Command(cc[0], append(cc[1:], "-c", "-I", abs, "-o", filepath.Join(dir, "t.o"), src)...).CombinedOutput()
	if err != nil {
		t.Fatalf("abi.h does not compile: %v\n%s", err, out)
	}
}

// TestABILayout checks the properties abi.go promises in words: the
// control words and the request and reply each start a cache line, so the
// two sides do not write the same line except for the sequence words.
func TestABILayout(t *testing.T) {
	var c Channel
	for name, off := range map[string]uintptr{
		"State": unsafe.Offsetof(c.State), "Op": unsafe.Offsetof(c.Op), "Kind": unsafe.Offsetof(c.Kind),
		"Signo": unsafe.Offsetof(c.Signo),
	} {
		if off%64 != 0 {
			t.Errorf("Channel.%s at %d, not cache-line aligned", name, off)
		}
	}
	if ChannelSize%64 != 0 {
		t.Errorf("ChannelSize %d not a multiple of 64", ChannelSize)
	}
	if !strings.Contains(string(ABIHeader()), "_Static_assert(sizeof(struct siglab_channel) == 640") {
		t.Error("generated header lacks the channel size assertion")
	}
}
