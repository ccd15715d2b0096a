package main

import (
	"fmt"
	"os"
	"sort"

	"github.com/google/pprof/profile"
)

// summary is what the workload reads back from its CPU profile: the total
// sample count and the flat sample count per leaf function.
type summary struct {
	samples int64
	flat    map[string]int64
	top     string // the function with the most flat samples
}

func (s summary) share(fn string) float64 {
	if s.samples == 0 {
		return 0
	}
	return float64(s.flat[fn]) / float64(s.samples)
}

// readSummary parses the profile at path.
func readSummary(path string) (summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return summary{}, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return summary{}, fmt.Errorf("parse profile %s: %w", path, err)
	}
	return summarize(p)
}

// summarize counts samples by the leaf function of each stack — the
// innermost line of the first location, which is the inlined callee when
// there is one. The count is the "samples" value, not CPU nanoseconds.
func summarize(p *profile.Profile) (summary, error) {
	idx := -1
	for i, st := range p.SampleType {
		if st.Type == "samples" {
			idx = i
		}
	}
	if idx < 0 {
		return summary{}, fmt.Errorf("profile has no \"samples\" value (types %v)", p.SampleType)
	}
	s := summary{flat: map[string]int64{}}
	for _, sm := range p.Sample {
		v := sm.Value[idx]
		s.samples += v
		fn := "?"
		if len(sm.Location) > 0 && len(sm.Location[0].Line) > 0 && sm.Location[0].Line[0].Function != nil {
			fn = sm.Location[0].Line[0].Function.Name
		}
		s.flat[fn] += v
	}
	names := make([]string, 0, len(s.flat))
	for fn := range s.flat {
		names = append(names, fn)
	}
	// Ties break by name so the top is deterministic.
	sort.Slice(names, func(i, j int) bool {
		if s.flat[names[i]] != s.flat[names[j]] {
			return s.flat[names[i]] > s.flat[names[j]]
		}
		return names[i] < names[j]
	})
	if len(names) > 0 {
		s.top = names[0]
	}
	return s, nil
}
