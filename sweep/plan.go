// Package sweep runs curriculum experiments as one job: every
// (curriculum, seed) pair is trained in its own run directory, every best
// checkpoint is evaluated on the same samples over a range of lengths, and
// the results are gathered into sweep.json, a table and a figure of
// accuracy against evaluation length, one line per curriculum
// (docs/training.md, "Curriculum sweeps").
//
// A sweep continues where it stopped: a finished run is skipped, an
// interrupted one resumed, an evaluation already kept beside a best
// checkpoint reused.
package sweep

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rmtgo/rmt/curriculum"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/train"
)

// Plan is what a sweep trains and how it evaluates.
type Plan struct {
	Curricula [][]int // segment counts of each curriculum's stages
	Seeds     []int64
	// BudgetSteps, when above 0, is every curriculum's total step budget,
	// split over its stages by SplitBudget; 0 keeps the base config's
	// steps per stage.
	BudgetSteps  int
	EvalSegments []int // segment counts every best checkpoint is evaluated at
	EvalSamples  []int // samples per count (one for every count, or one per count), the same for every run
	EvalSeed     int64 // seed of the evaluation samples
}

// DefaultEvalSegments is the evaluation lengths of the built-in tasks, a
// fresh slice each call.
func DefaultEvalSegments() []int { return []int{1, 2, 4, 8, 16, 32, 64} }

// DefaultEvalSeed is the evaluation samples' seed (that of eval accuracy).
const DefaultEvalSeed = 424242

// ParseCurricula reads curricula written as "1;1,2;1,2,4": lists of
// segment counts separated by semicolons, each rising, none repeated.
func ParseCurricula(s string) ([][]int, error) {
	var out [][]int
	seen := map[string]int{}
	for i, item := range strings.Split(s, ";") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, fmt.Errorf("curriculum %d of %q is empty; write curricula as 1;1,2;1,2,4", i+1, s)
		}
		segs, err := data.ParseInts(item)
		if err != nil {
			return nil, fmt.Errorf("curriculum %d (%s): %w", i+1, item, err)
		}
		for j, n := range segs {
			if n < 1 {
				return nil, fmt.Errorf("curriculum %d (%s): %d segments, want at least 1", i+1, item, n)
			}
			if j > 0 && n <= segs[j-1] {
				return nil, fmt.Errorf("curriculum %d (%s) does not rise: %d after %d (segment counts must rise stage by stage)", i+1, item, n, segs[j-1])
			}
		}
		name := Name(segs)
		if k, ok := seen[name]; ok {
			return nil, fmt.Errorf("curriculum %d (%s) repeats curriculum %d", i+1, item, k)
		}
		seen[name] = i + 1
		out = append(out, segs)
	}
	return out, nil
}

// ParseEvalSegments reads evaluation lengths such as "1,2,4,8", each at
// least 1.
func ParseEvalSegments(s string) ([]int, error) {
	counts, err := data.ParseInts(s)
	if err != nil || len(counts) == 0 || slices.Min(counts) < 1 {
		return nil, fmt.Errorf("%q: give segment counts such as 1,2,4,8", s)
	}
	return counts, nil
}

// ParseEvalSamples reads the evaluation samples of a sweep: one count for
// every evaluation length, or one per length (fewer at long lengths keeps
// a sweep to thousands of segments affordable).
func ParseEvalSamples(s string, lengths int) ([]int, error) {
	counts, err := data.ParseInts(s)
	if err != nil || len(counts) == 0 || slices.Min(counts) < 1 {
		return nil, fmt.Errorf("%q: give a sample count of at least 1, or one per evaluation length", s)
	}
	if len(counts) != 1 && len(counts) != lengths {
		return nil, fmt.Errorf("%q: %d sample counts for %d evaluation lengths; give one, or one per length", s, len(counts), lengths)
	}
	return counts, nil
}

// SamplesAt is the evaluation samples at the i-th evaluation length.
func (p Plan) SamplesAt(i int) int {
	return p.EvalSamples[min(i, len(p.EvalSamples)-1)]
}

// ParseSeeds reads seeds such as "1,2,3"; a seed given twice is an error.
func ParseSeeds(s string) ([]int64, error) {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("seed %q is not a whole number", strings.TrimSpace(f))
		}
		if slices.Contains(out, v) {
			return nil, fmt.Errorf("seed %d is given twice; each seed is one run per curriculum", v)
		}
		out = append(out, v)
	}
	return out, nil
}

// Name is a curriculum as written in flags and tables: "1,2,4".
func Name(segs []int) string {
	s := make([]string, len(segs))
	for i, n := range segs {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// RunName is the folder of a (curriculum, seed) pair under the sweep's
// directory: "1-2-4-s7".
func RunName(segs []int, seed int64) string {
	return strings.ReplaceAll(Name(segs), ",", "-") + "-s" + strconv.FormatInt(seed, 10)
}

// SplitBudget splits total steps over stages in proportion to weights (the
// stages' own step counts) by largest remainder: stage i gets
// floor(total·w_i/W), and the steps left over go one each to the stages
// with the largest remainders, the later stage first on equal ones (the
// longer inputs are the harder). A stage left with none takes one from the
// stage with the most. With equal weights the stages get equal shares and
// the last stages one step more where it does not divide. total must be at
// least the number of stages.
func SplitBudget(total int, weights []int) ([]int, error) {
	if len(weights) == 0 {
		return nil, fmt.Errorf("no stages to split a budget over")
	}
	if total < len(weights) {
		return nil, fmt.Errorf("a budget of %d steps is less than the %d stages (each needs at least one)", total, len(weights))
	}
	W := 0
	for _, w := range weights {
		if w < 1 {
			return nil, fmt.Errorf("stage weight %d, want at least 1", w)
		}
		W += w
	}
	out := make([]int, len(weights))
	rem := make([]int, len(weights)) // total·w_i mod W: the remainders, in units of 1/W
	left := total
	for i, w := range weights {
		out[i] = total * w / W
		rem[i] = total * w % W
		left -= out[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = len(weights) - 1 - i // later stages first on equal remainders
	}
	slices.SortStableFunc(order, func(a, b int) int { return rem[b] - rem[a] })
	for _, i := range order[:left] {
		out[i]++
	}
	for i := range out {
		if out[i] == 0 {
			out[slices.Index(out, slices.Max(out))]--
			out[i] = 1
		}
	}
	return out, nil
}

// Pair is one run of the sweep: a curriculum and a seed, and its config.
type Pair struct {
	Curriculum []int
	Seed       int64
	Config     train.Config // resolved
}

// Pairs makes the config of every (curriculum, seed) pair from base (a
// resolved config), in order curriculum by curriculum, each under
// dir/RunName. Every config is resolved here, so that bad input is found
// before any training starts.
func (p Plan) Pairs(base train.Config, dir string) ([]Pair, error) {
	if len(p.Curricula) == 0 || len(p.Seeds) == 0 {
		return nil, fmt.Errorf("a sweep needs at least one curriculum and one seed")
	}
	// Every budget is split before any config is resolved, so that a
	// budget too small for some curriculum is named as such.
	stages := make([][]curriculum.Stage, len(p.Curricula))
	for k, segs := range p.Curricula {
		template := curriculum.Stage{BPTTDepth: base.BPTTDepth, Steps: base.StepsPerStage, LR: base.LR, Threshold: base.Threshold, Patience: base.Patience}
		cur, err := curriculum.Resolve(Name(segs), template)
		if err != nil {
			return nil, fmt.Errorf("curriculum %s: %w", Name(segs), err)
		}
		if p.BudgetSteps > 0 {
			weights := make([]int, len(cur.Stages))
			for i, s := range cur.Stages {
				weights[i] = s.Steps
			}
			steps, err := SplitBudget(p.BudgetSteps, weights)
			if err != nil {
				return nil, fmt.Errorf("budget steps, curriculum %s: %w", Name(segs), err)
			}
			for i := range cur.Stages {
				cur.Stages[i].Steps = steps[i]
			}
		}
		stages[k] = cur.Stages
	}
	var out []Pair
	for k, segs := range p.Curricula {
		for _, seed := range p.Seeds {
			c := base
			c.Curriculum, c.Stages, c.Seed = Name(segs), slices.Clone(stages[k]), seed
			c.Out = dirJoin(dir, RunName(segs, seed))
			if err := c.Resolve(); err != nil {
				return nil, fmt.Errorf("curriculum %s, seed %d: %s", Name(segs), seed, strings.TrimPrefix(err.Error(), "train: "))
			}
			out = append(out, Pair{Curriculum: segs, Seed: seed, Config: c})
		}
	}
	return out, nil
}
