package sweep

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/train"
)

// The budget is split in proportion to the stages' steps by largest
// remainder, later stages first on equal remainders, each stage at least
// one step.
func TestSplitBudget(t *testing.T) {
	for _, c := range []struct {
		total   int
		weights []int
		want    string
	}{
		{600, []int{200, 200, 200}, "[200 200 200]"},
		{100, []int{200, 200, 200}, "[33 33 34]"},
		{101, []int{200, 200, 200}, "[33 34 34]"},
		{7, []int{1}, "[7]"},
		{10, []int{1, 3}, "[2 8]"},   // 2.5 and 7.5: equal remainders, the later stage first
		{5, []int{1, 1000}, "[1 4]"}, // the first stage's 0 takes one from the largest
		{3, []int{5, 5, 5}, "[1 1 1]"},
	} {
		got, err := SplitBudget(c.total, c.weights)
		if err != nil || fmt.Sprint(got) != c.want {
			t.Errorf("SplitBudget(%d, %v) = %v, %v; want %s", c.total, c.weights, got, err, c.want)
		}
		sum := 0
		for _, n := range got {
			sum += n
		}
		if sum != c.total {
			t.Errorf("SplitBudget(%d, %v) sums to %d", c.total, c.weights, sum)
		}
	}
	if _, err := SplitBudget(2, []int{1, 1, 1}); err == nil || !strings.Contains(err.Error(), "less than the 3 stages") {
		t.Errorf("a budget below the stage count: %v", err)
	}
}

// Bad sweep input is refused with the item named, before any training.
func TestBadInput(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"1;;1,2", "curriculum 2 of \"1;;1,2\" is empty"},
		{"1;1,2;", "curriculum 3 of \"1;1,2;\" is empty"},
		{"1;2,1", "curriculum 2 (2,1) does not rise: 1 after 2"},
		{"1,1", "does not rise"},
		{"1;0,2", "0 segments"},
		{"1,2;1, 2", "curriculum 2 (1, 2) repeats curriculum 1"},
		{"1;x", "curriculum 2 (x)"},
	} {
		if _, err := ParseCurricula(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseCurricula(%q) = %v, want an error with %q", c.in, err, c.want)
		}
	}
	if _, err := ParseSeeds("1,2,1"); err == nil || !strings.Contains(err.Error(), "seed 1 is given twice") {
		t.Errorf("repeated seed: %v", err)
	}
	base := train.DefaultConfig()
	base.Warmup = 0
	if err := base.Resolve(); err != nil {
		t.Fatal(err)
	}
	plan := Plan{Curricula: [][]int{{1}, {1, 2, 4}}, Seeds: []int64{1}, BudgetSteps: 2}
	if _, err := plan.Pairs(base, t.TempDir()); err == nil || !strings.Contains(err.Error(), "curriculum 1,2,4") ||
		!strings.Contains(err.Error(), "less than the 3 stages") {
		t.Errorf("budget 2 over 3 stages: %v", err)
	}
	plan.BudgetSteps = 90
	pairs, err := plan.Pairs(base, "sw")
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) != 2 || pairs[1].Config.Out != "sw/1-2-4-s1" || fmt.Sprint(steps(pairs[1].Config)) != "[30 30 30]" ||
		fmt.Sprint(steps(pairs[0].Config)) != "[90]" {
		t.Errorf("pairs %+v", pairs)
	}
}

func steps(c train.Config) []int {
	var s []int
	for _, st := range c.Stages {
		s = append(s, st.Steps)
	}
	return s
}

// Sweep samples are one count for every length or one per length; a
// mismatched list is refused before anything trains.
func TestParseEvalSamples(t *testing.T) {
	p := Plan{EvalSamples: []int{100, 50, 8}}
	if got := []int{p.SamplesAt(0), p.SamplesAt(2)}; fmt.Sprint(got) != "[100 8]" {
		t.Errorf("SamplesAt = %v, want [100 8]", got)
	}
	one, err := ParseEvalSamples("40", 5)
	if err != nil || fmt.Sprint(one) != "[40]" || (Plan{EvalSamples: one}).SamplesAt(4) != 40 {
		t.Errorf("ParseEvalSamples(40) = %v, %v", one, err)
	}
	for _, c := range []struct{ in, want string }{
		{"100,50", "2 sample counts for 3 evaluation lengths"},
		{"100,0,5", "at least 1"},
		{"x", "at least 1"},
	} {
		if _, err := ParseEvalSamples(c.in, 3); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseEvalSamples(%q) error = %v, want %q", c.in, err, c.want)
		}
	}
}
