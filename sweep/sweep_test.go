package sweep

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/train"
)

// tinyBase is a config small enough that a run takes a second or two: the
// built-in model, memorize, a checkpoint every step, no early advance.
func tinyBase(t *testing.T) train.Config {
	c := train.DefaultConfig()
	c.SegmentSize, c.MemTokens, c.Batch, c.Warmup = 72, 2, 2, 1
	c.StepsPerStage, c.Threshold, c.EvalEvery, c.EvalSamples, c.CheckpointEvery, c.Keep = 3, 0, 3, 2, 1, 2
	c.Curriculum = "1"
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	return c
}

// A 2-curriculum x 1-seed sweep stopped during its second run continues
// when run again: the finished run is skipped (its files untouched), the
// stopped one resumed, and sweep.json, the table and a decodable PNG are
// written.
func TestSweepStopsAndContinues(t *testing.T) {
	dir := t.TempDir()
	plan := Plan{Curricula: [][]int{{1}, {1, 2}}, Seeds: []int64{5}, BudgetSteps: 6,
		EvalSegments: []int{1, 2, 4}, EvalSamples: []int{3}, EvalSeed: DefaultEvalSeed}
	pairs, err := plan.Pairs(tinyBase(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	steps := 0
	var log bytes.Buffer
	opt := Options{Log: &log, Train: train.Options{Log: &log, AfterStep: func(int, *graph.Weights) {
		if steps++; steps == 6+2 { // the second run's second step
			cancel()
		}
	}}}
	if _, err := Run(ctx, plan, pairs, dir, opt); err == nil || !strings.Contains(err.Error(), "run the same command again") {
		t.Fatalf("stopped sweep returned %v, want the stop and how to continue", err)
	}
	first := filepath.Join(dir, "1-s5")
	if _, err := os.Stat(filepath.Join(first, DoneFile)); err != nil {
		t.Fatalf("the first run is not marked done: %v", err)
	}
	metricsBefore, _ := os.ReadFile(filepath.Join(first, "metrics.jsonl"))

	log.Reset()
	steps = 0
	opt.Train.AfterStep = func(int, *graph.Weights) { steps++ }
	rep, err := Run(context.Background(), plan, pairs, dir, opt)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "run 1/2 1-s5 is done") || !strings.Contains(log.String(), "run 2/2 1-2-s5: resuming") {
		t.Errorf("the second pass did not skip run 1 and resume run 2:\n%s", log.String())
	}
	if steps != 6-2 {
		t.Errorf("the second pass trained %d steps, want the 4 the stopped run had left", steps)
	}
	if after, _ := os.ReadFile(filepath.Join(first, "metrics.jsonl")); !bytes.Equal(after, metricsBefore) {
		t.Error("the finished run's metrics.jsonl changed: it was trained again")
	}

	if len(rep.Rows) != 3 || len(rep.Curricula) != 2 || rep.Curricula[1].Name != "1,2" ||
		len(rep.Rows[2].Cells) != 2 || !rep.Rows[1].Cells[1].Trained || rep.Rows[1].Cells[0].Trained {
		t.Fatalf("report %+v", rep)
	}
	if got := rep.Curricula[1].Steps; len(got) != 2 || got[0] != 3 || got[1] != 3 {
		t.Errorf("curriculum 1,2 steps %v, want the budget of 6 split 3+3", got)
	}
	for _, row := range rep.Rows {
		for _, c := range row.Cells {
			if c.Mean < 0 || c.Mean > 1 || c.Low > c.Mean || c.High < c.Mean || len(c.Accuracies) != 1 {
				t.Errorf("%d segments, curriculum %s: %+v", row.Segments, c.Curriculum, c)
			}
		}
	}
	saved, err := ReadReport(filepath.Join(dir, JSONFile))
	if err != nil || len(saved.Rows) != 3 || saved.Rows[2].Segments != 4 || saved.Rows[2].Tokens != 4*72 {
		t.Errorf("sweep.json: %+v, %v", saved, err)
	}
	tab, err := os.ReadFile(filepath.Join(dir, TableFile))
	if err != nil || !strings.Contains(string(tab), "1,2") || !strings.Contains(string(tab), "288") {
		t.Errorf("sweep.txt: %v\n%s", err, tab)
	}
	f, err := os.Open(filepath.Join(dir, PlotFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil || img.Bounds().Dx() < 300 {
		t.Errorf("sweep.png does not decode as a figure: %v", err)
	}

	// A third pass trains and evaluates nothing.
	log.Reset()
	steps = 0
	if _, err := Run(context.Background(), plan, pairs, dir, opt); err != nil {
		t.Fatal(err)
	}
	if steps != 0 || strings.Contains(log.String(), "sweep: evaluating") {
		t.Errorf("a finished sweep trained %d steps or evaluated again:\n%s", steps, log.String())
	}
}
