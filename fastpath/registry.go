package fastpath

import (
	"fmt"
	"strings"
)

// A registered layout: its name (the --layout value), a one-line summary for
// help text, and its constructor. A new layout is one new file plus one line
// here.
type registered struct {
	name, summary string
	build         func(Config) (State, error)
}

var layouts = []registered{
	{"bitmap", "pending/blocked words in shared memory, siginfos in the emulator's heap (default)", newBitmap},
	{"flat", "Shadow's layout: pending set + [31]siginfo_t per thread and process, sigactions, all shared", newFlat},
	{"summary", "bitmap plus a per-thread deliverable word kept current by the writer (the kernel's TIF_SIGPENDING idea)", newSummary},
}

// DefaultLayout is the layout used when none is named.
const DefaultLayout = "bitmap"

// Layouts returns the registered layout names, the default first.
func Layouts() []string {
	names := make([]string, len(layouts))
	for i, l := range layouts {
		names[i] = l.name
	}
	return names
}

// Summary returns the one-line description of a layout, or "".
func Summary(name string) string {
	for _, l := range layouts {
		if l.name == name {
			return l.summary
		}
	}
	return ""
}

// New builds the named layout's State.
func New(name string, cfg Config) (State, error) {
	for _, l := range layouts {
		if l.name == name {
			cfg = cfg.withDefaults()
			if err := cfg.validate(); err != nil {
				return nil, err
			}
			return l.build(cfg)
		}
	}
	return nil, fmt.Errorf("unknown layout %q (known: %s)", name, strings.Join(Layouts(), ", "))
}
