// Package curriculum says how many segments a recurrent-memory model trains
// on, stage by stage, and when a stage is done (docs/training.md).
//
// A curriculum is data: a list of stages, each with a segment count, a BPTT
// depth, a step budget, a peak learning rate and an advance rule. Memory is
// learned on short inputs first and the segment count is raised once the
// task is solved at the current length; both RMT papers train this way
// (Bulatov et al. 2023, arXiv:2304.11062; Kuratov et al. 2024,
// arXiv:2406.10149), and their schedules are the presets (Preset).
//
// Progress follows one stage's validation results and decides when to move
// on: Advance when accuracy reaches the stage's threshold or the step budget
// is spent, Stop when patience runs out (training also moves on, but the log
// says the stage plateaued). Progress has only exported fields so that a
// checkpoint can save it as JSON and a resumed run carries on where it was.
//
// Usage:
//
//	c, err := curriculum.Resolve("1,2,4,8", curriculum.Stage{
//		BPTTDepth: -1, Steps: 300, LR: 1e-4, Threshold: 0.99, Patience: 5,
//	})
//	if err != nil { ... }
//	fmt.Println(c) // 1→2→4→8 segments (300 steps each)
//	for _, st := range c.Stages {
//		p := curriculum.Progress{Stage: st}
//		for step := 1; ; step++ {
//			trainStep(st.Segments, st.BPTT(), st.LR)
//			if step%evalEvery != 0 && !p.BudgetSpent(step) {
//				continue
//			}
//			d, why := p.Observe(step, validate(st.Segments))
//			if p.BestStep == step {
//				saveBest()
//			}
//			if d != curriculum.Continue {
//				log.Printf("stage done: %s: %s", d, why)
//				break
//			}
//		}
//	}
//
// Package curriculum is plain Go with no dependency beyond the standard
// library; it knows nothing of models or files.
package curriculum

import (
	"errors"
	"fmt"
	"github.com/rmtgo/rmt/internal/field"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Stage is one step of the curriculum: train on Segments segments per sample
// for at most Steps optimizer steps.
type Stage struct {
	Segments  int     `json:"segments"`   // segments per sample in this stage, >= 1
	BPTTDepth int     `json:"bptt_depth"` // segments to backpropagate through: -1 = all, else >= 1 (more than Segments also means all)
	Steps     int     `json:"steps"`      // optimizer step budget, >= 1
	LR        float64 `json:"lr"`         // peak learning rate, > 0
	Threshold float64 `json:"threshold"`  // advance early when validation accuracy >= Threshold; 0 = never early; in [0, 1]
	Patience  int     `json:"patience"`   // end the stage after this many evaluations without improvement; 0 = never
}

// BPTT is the number of segments the stage backpropagates through, counted
// from the last: Segments when BPTTDepth is -1 or exceeds Segments.
func (s Stage) BPTT() int {
	if s.BPTTDepth < 0 || s.BPTTDepth > s.Segments {
		return s.Segments
	}
	return s.BPTTDepth
}

// validate checks one stage's fields; the caller names the stage.
func (s Stage) validate() error {
	switch {
	case s.Segments < 1:
		return fmt.Errorf("segments = %d, want >= 1", s.Segments)
	case s.BPTTDepth != -1 && s.BPTTDepth < 1:
		return fmt.Errorf("bptt_depth = %d, want -1 (all segments) or >= 1", s.BPTTDepth)
	case s.Steps < 1:
		return fmt.Errorf("steps = %d, want >= 1", s.Steps)
	case !(s.LR > 0) || math.IsInf(s.LR, 1):
		return fmt.Errorf("lr = %g, want a finite number > 0", s.LR)
	case !(s.Threshold >= 0 && s.Threshold <= 1):
		return fmt.Errorf("threshold = %g, want in [0, 1] (0 = never advance early)", s.Threshold)
	case s.Patience < 0:
		return fmt.Errorf("patience = %d, want >= 0 (0 = never)", s.Patience)
	}
	return nil
}

// Curriculum is the ordered list of stages of one training run.
type Curriculum struct {
	Stages []Stage `json:"stages"`
}

// Validate checks every field of every stage and that the segment count
// rises from stage to stage. The first problem is returned, naming the stage
// (from 1) and the field by its JSON name.
func (c Curriculum) Validate() error {
	if err := c.check(); err != nil {
		return fmt.Errorf("curriculum: %w", err)
	}
	return nil
}

// check is Validate without the package prefix, for callers that add their
// own context (the flag or the preset name).
func (c Curriculum) check() error {
	if len(c.Stages) == 0 {
		return fmt.Errorf("no stages, want at least one")
	}
	for i, s := range c.Stages {
		if err := s.validate(); err != nil {
			return fmt.Errorf("stage %d: %w", i+1, err)
		}
		// A stage starts from the best checkpoint of the one before, so a
		// segment count that does not rise would retrain what is learned.
		if i > 0 && s.Segments <= c.Stages[i-1].Segments {
			return fmt.Errorf("stage %d: segments = %d, want more than stage %d's %d (segments must rise stage by stage)",
				i+1, s.Segments, i, c.Stages[i-1].Segments)
		}
	}
	return nil
}

// String is a compact one-line summary for logs, such as
// "1→2→4 segments (300 steps each)" or "1→2 segments (100/400 steps)".
func (c Curriculum) String() string {
	if len(c.Stages) == 0 {
		return "no stages"
	}
	segs := make([]string, len(c.Stages))
	steps := make([]string, len(c.Stages))
	same := true
	for i, s := range c.Stages {
		segs[i] = strconv.Itoa(s.Segments)
		steps[i] = strconv.Itoa(s.Steps)
		same = same && s.Steps == c.Stages[0].Steps
	}
	unit := "segments"
	if len(c.Stages) == 1 && c.Stages[0].Segments == 1 {
		unit = "segment"
	}
	switch {
	case len(c.Stages) == 1:
		return fmt.Sprintf("%s %s (%s steps)", segs[0], unit, steps[0])
	case same:
		return fmt.Sprintf("%s %s (%s steps each)", strings.Join(segs, "→"), unit, steps[0])
	default:
		return fmt.Sprintf("%s %s (%s steps)", strings.Join(segs, "→"), unit, strings.Join(steps, "/"))
	}
}

// Parse turns the --curriculum shorthand "1,2,4,8" into one stage per
// segment count, each a copy of defaults with Segments set. Items may be
// surrounded by spaces; they must be integers >= 1 in strictly increasing
// order. The result is validated, so bad defaults are an error too.
func Parse(spec string, defaults Stage) (Curriculum, error) {
	if strings.TrimSpace(spec) == "" {
		return Curriculum{}, fmt.Errorf("curriculum: %w", field.Errorf("curriculum", "is empty, want segment counts such as 1,2,4,8 or a preset (%s)", presetNames()))
	}
	items := strings.Split(spec, ",")
	c := Curriculum{Stages: make([]Stage, 0, len(items))}
	seen := make(map[int]int, len(items)) // segment count -> item number
	for i, raw := range items {
		item := strings.TrimSpace(raw)
		bad := func(format string, args ...any) error {
			return fmt.Errorf("curriculum: %w", field.Errorf("curriculum", "%q: item %d %q %s", spec, i+1, item, fmt.Sprintf(format, args...)))
		}
		if item == "" {
			return Curriculum{}, fmt.Errorf("curriculum: %w", field.Errorf("curriculum", "%q: item %d is empty, want a segment count", spec, i+1))
		}
		n, err := strconv.Atoi(item)
		if errors.Is(err, strconv.ErrRange) {
			return Curriculum{}, bad("is too large, want a segment count >= 1")
		}
		if err != nil {
			return Curriculum{}, bad("is not an integer, want a segment count >= 1")
		}
		if n < 1 {
			return Curriculum{}, bad("is less than 1, want a segment count >= 1")
		}
		if j, ok := seen[n]; ok {
			return Curriculum{}, bad("duplicates item %d, want each segment count once", j)
		}
		if i > 0 && n < c.Stages[i-1].Segments {
			return Curriculum{}, bad("is not strictly increasing: it follows %d, want segment counts in increasing order", c.Stages[i-1].Segments)
		}
		seen[n] = i + 1
		s := defaults
		s.Segments = n
		c.Stages = append(c.Stages, s)
	}
	if err := c.check(); err != nil {
		return Curriculum{}, fmt.Errorf("curriculum: %w", field.Wrap("curriculum", strconv.Quote(spec), err))
	}
	return c, nil
}

// presets are the segment schedules of the papers, by name:
//   - "scaling": 1, 2, 3, 4, 5, 6, 7 (Bulatov et al. 2023, arXiv:2304.11062)
//   - "babilong": 1, 2, 4, 6, 8, 16, 32 (Kuratov et al. 2024, arXiv:2406.10149)
var presets = map[string][]int{
	"scaling":  {1, 2, 3, 4, 5, 6, 7},
	"babilong": {1, 2, 4, 6, 8, 16, 32},
}

// Preset builds the named schedule from presets with defaults for everything
// but Segments. An unknown name is an error that lists the known ones.
func Preset(name string, defaults Stage) (Curriculum, error) {
	segs, ok := presets[name]
	if !ok {
		return Curriculum{}, fmt.Errorf("curriculum: unknown preset %q, want one of %s", name, presetNames())
	}
	c := Curriculum{Stages: make([]Stage, len(segs))}
	for i, n := range segs {
		c.Stages[i] = defaults
		c.Stages[i].Segments = n
	}
	if err := c.check(); err != nil {
		return Curriculum{}, fmt.Errorf("curriculum: preset %q: %w", name, err)
	}
	return c, nil
}

// Resolve reads the value of --curriculum: a preset name ("babilong") or a
// list of segment counts ("1,2,4,8").
func Resolve(spec string, defaults Stage) (Curriculum, error) {
	if _, ok := presets[strings.TrimSpace(spec)]; ok {
		return Preset(strings.TrimSpace(spec), defaults)
	}
	return Parse(spec, defaults)
}

func presetNames() string {
	names := make([]string, 0, len(presets))
	for name := range presets {
		names = append(names, name)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
