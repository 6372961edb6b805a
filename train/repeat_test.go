package train

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunsRepeatBitForBit trains the built-in model for 30 steps twice,
// in one build on one machine with one thread count, and compares every
// step's loss, gradient norm and validation result as JSON text (the
// fewest digits that read back to the same float64 bits). What may change
// between machines and thread counts is in docs/reproducibility.md.
func TestRunsRepeatBitForBit(t *testing.T) {
	if testing.Short() {
		t.Skip("trains twice for 30 steps")
	}
	var runs [2][]string
	for i := range runs {
		c := DefaultConfig()
		c.Curriculum, c.StepsPerStage, c.Threshold = "1,2", 15, 0
		c.Batch, c.SegmentSize, c.MemTokens, c.Warmup = 2, 72, 4, 3
		c.EvalEvery, c.EvalSamples, c.CheckpointEvery = 5, 2, 15
		c.MemNoise, c.MemStability = 0.1, 0.1 // both draw random numbers or add penalties every step
		c.Out = filepath.Join(t.TempDir(), "run")
		if err := c.Resolve(); err != nil {
			t.Fatal(err)
		}
		if err := Run(context.Background(), c, Options{}); err != nil {
			t.Fatal(err)
		}
		runs[i] = metricLines(t, filepath.Join(c.Out, "metrics.jsonl"))
	}
	steps := 0
	for _, l := range runs[0] {
		if strings.Contains(l, `"type":"step"`) {
			steps++
		}
	}
	if len(runs[0]) != len(runs[1]) || steps != 30 {
		t.Fatalf("the runs logged %d and %d records (%d steps in the first), want the same, with 30 steps", len(runs[0]), len(runs[1]), steps)
	}
	for i := range runs[0] {
		if runs[0][i] != runs[1][i] {
			t.Errorf("record %d differs:\nfirst  %s\nsecond %s", i, runs[0][i], runs[1][i])
		}
	}
}
