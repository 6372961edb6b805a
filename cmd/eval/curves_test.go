package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/train"
)

// trainedRun trains a tiny run of the built-in model (memorize over the
// given curriculum, 3 steps a stage) and returns its directory: a run with
// its final table and no eval/ folder.
func trainedRun(t *testing.T, curriculum string, seed int64) string {
	t.Helper()
	c := train.DefaultConfig()
	c.SegmentSize, c.MemTokens, c.Batch, c.Warmup, c.Curriculum, c.Seed = 72, 2, 2, 1, curriculum, seed
	c.StepsPerStage, c.Threshold, c.EvalEvery, c.EvalSamples, c.CheckpointEvery = 3, 0, 2, 2, 3
	c.Out = filepath.Join(t.TempDir(), "run")
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := train.Run(context.Background(), c, train.Options{}); err != nil {
		t.Fatal(err)
	}
	return c.Out
}

// compare reads runs without eval/ folders from their final tables,
// names them by curriculum, seed and steps, and overlays their accuracy;
// curves reads the same runs' logs back, with stage starts and wall time.
func TestCompareAndCurvesOnRuns(t *testing.T) {
	a, b := trainedRun(t, "1", 3), trainedRun(t, "1,2", 4)
	var out strings.Builder
	png := filepath.Join(t.TempDir(), "acc.png")
	if err := compare(&out, []string{"--plot", png, a, b}); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"[1] curriculum 1, seed 3, 3 steps: " + a, "[2] curriculum 1,2, seed 4, 6 steps: " + b,
		"the run's final table", "[2] 1,2 s4 6 steps", "accuracy, task memorize"} {
		if !strings.Contains(text, want) {
			t.Errorf("compare output lacks %q:\n%s", want, text)
		}
	}
	checkPNG(t, png)
	// Run 1 was scored at 1 and 2 segments, run 2 at 1, 2 and 4: a row of 4
	// shows run 1 as missing.
	runs := []*eval.RunResults{}
	for _, r := range []string{a, b} {
		rr, err := eval.LoadResults(r)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, rr)
	}
	if got := len(runs[1].Accuracy["memorize"].Results); got != 3 || !runs[1].FinalTable {
		t.Errorf("run 2's final table has %d rows (final table %v), want 3", got, runs[1].FinalTable)
	}

	out.Reset()
	curvesPNG := filepath.Join(t.TempDir(), "curves.png")
	if err := curves(&out, []string{"--plot", curvesPNG, a, b}); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, curvesPNG)
	if !strings.Contains(out.String(), "stage 2 (2 segments) from step 3") {
		t.Errorf("curves output lacks run 2's stage start:\n%s", out.String())
	}
	out.Reset()
	if err := curves(&out, []string{"--json", b}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runs []eval.Curve `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out.String()), &doc); err != nil {
		t.Fatal(err)
	}
	c := doc.Runs[0]
	if len(c.Train) != 6 || len(c.Stages) != 2 || c.Stages[1].Step != 3 || !c.HasTime || len(c.Evals) < 2 {
		t.Fatalf("curve %+v", c)
	}
	if c.Train[5].ElapsedS < c.Train[0].ElapsedS || c.Evals[0].Accuracy < 0 {
		t.Errorf("elapsed %g then %g, first accuracy %g", c.Train[0].ElapsedS, c.Train[5].ElapsedS, c.Evals[0].Accuracy)
	}
	if err := curves(&out, []string{t.TempDir()}); err == nil || !strings.Contains(err.Error(), "not in a training run directory") {
		t.Errorf("curves on a plain folder: %v", err)
	}
}
