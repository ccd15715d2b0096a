package bench

// The CPU profiles an e2e run keeps in its result folder, and how rounds
// are folded into one file. Two kinds, never mixed up:
//
//   - the emulator's profile (siglab run --cpuprofile, runtime/pprof inside
//     siglab), e2e-profile-<workload>-<layout>.pb.gz: where the emulator
//     spends its CPU while it serves that workload;
//   - the managed program's own profile (a workload with a ProfileFlag, such
//     as profile's -o), e2e-managed-<workload>-<mode>.pb.gz, mode native or
//     a layout: what the program sees of itself, which must not change
//     under emulation if SIGPROF is emulated faithfully.
//
// Each round writes a temporary file next to the kept one, and the rounds
// are merged with profile.Merge (the same as `go tool pprof` given several
// files), so Count rounds give one profile with Count times the samples.

import (
	"fmt"
	"os"

	"github.com/google/pprof/profile"
)

// EmulatorProfileFile is the name, in a result folder, of the emulator's
// CPU profile while it served workload under layout.
func EmulatorProfileFile(workload, layout string) string {
	return "e2e-profile-" + workload + "-" + layout + ".pb.gz"
}

// ManagedProfileFile is the name, in a result folder, of the CPU profile a
// workload wrote of itself in mode (NativeMode or a layout).
func ManagedProfileFile(workload, mode string) string {
	return "e2e-managed-" + workload + "-" + mode + ".pb.gz"
}

// profileKeep is a profile a run writes to tmp, to be merged into dst.
type profileKeep struct{ tmp, dst string }

// readProfile parses the profile at path; a file that is not a profile is
// bad input (IsBadInput).
func readProfile(path string) (*profile.Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &InputError{Path: path, Msg: reportErrText(err), Err: err}
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return nil, &InputError{Path: path, Msg: "not a pprof profile: " + err.Error(), Err: err}
	}
	return p, nil
}

// mergeProfileInto merges the profile at src into dst (creating dst when
// it does not exist yet) and removes src.
func mergeProfileInto(dst, src string) error {
	p, err := readProfile(src)
	if err != nil {
		return fmt.Errorf("reading the profile a run wrote: %w", err)
	}
	if _, err := os.Stat(dst); err == nil {
		old, err := readProfile(dst)
		if err != nil {
			return err
		}
		if p, err = profile.Merge([]*profile.Profile{old, p}); err != nil {
			return fmt.Errorf("merging %s into %s: %w", src, dst, err)
		}
	}
	tmp := dst + ".merge"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := p.Write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	return os.Remove(src)
}
