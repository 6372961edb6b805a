package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/rmtgo/rmt/internal/field"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/dist"
	"github.com/rmtgo/rmt/train"
)

// DoneFile marks a run of the sweep as trained to the end: it holds the
// best checkpoint and the wall time of the training.
const DoneFile = "sweep-done.json"

// done is DoneFile's content.
type done struct {
	Best     string  `json:"best"`
	Steps    int     `json:"steps"`
	ElapsedS float64 `json:"elapsed_s"`
}

// Options are how a sweep reports and runs each training.
type Options struct {
	Log io.Writer // progress and tables (nil: none)
	// Train is the template of every run's train.Options (Log, Terminal,
	// AfterStep); Resume and Comm are set per run.
	Train train.Options
	// Comm deals the pairs to the processes of an mpirun job, pair i to
	// rank i mod size; each run trains on one process (nil: one process
	// trains them all).
	Comm *dist.Comm
}

// Run trains every pair that is not done, resuming one that was
// interrupted, then evaluates and gathers the results (Evaluate) into
// dir. A run stopped by ctx leaves what it finished in place.
func Run(ctx context.Context, plan Plan, pairs []Pair, dir string, opt Options) (*Report, error) {
	log := opt.Log
	if log == nil || !opt.Comm.Root() {
		log = io.Discard
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sweep: %w", field.Wrap("out", dir, err))
	}
	for i, p := range pairs {
		if !opt.Comm.Mine(i) {
			continue
		}
		if err := trainPair(ctx, p, opt, log, i, len(pairs)); err != nil {
			return nil, err
		}
	}
	if err := opt.Comm.Barrier(); err != nil && opt.Comm.Size() > 1 {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	return Evaluate(ctx, plan, pairs, dir, opt)
}

// trainPair trains one pair, skipping it when done and resuming it when
// it holds a checkpoint.
func trainPair(ctx context.Context, p Pair, opt Options, log io.Writer, i, n int) error {
	c := p.Config
	name := filepath.Base(c.Out)
	if d, err := readDone(c.Out); err == nil {
		fmt.Fprintf(log, "sweep: run %d/%d %s is done (%d steps, best %s); skipped\n", i+1, n, name, d.Steps, d.Best)
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sweep: stopped before run %s: %w; run the same command again to continue", name, err)
	}
	_, latestErr := checkpoints.Run{Dir: c.Out}.Latest()
	resume := latestErr == nil
	what := "training"
	if resume {
		what = "resuming"
	}
	fmt.Fprintf(log, "sweep: run %d/%d %s: %s curriculum %s, seed %d, %d steps\n", i+1, n, name, what, Name(p.Curriculum), p.Seed, stepsOf(c))
	to := opt.Train
	to.Resume, to.Comm = resume, nil
	start := time.Now()
	if err := train.Run(ctx, c, to); err != nil {
		if errors.Is(err, context.Canceled) || ctx.Err() != nil {
			return fmt.Errorf("sweep: run %s: %w; run the same command again to continue", name, err)
		}
		return fmt.Errorf("sweep: run %s: %w", name, err)
	}
	best, err := checkpoints.Run{Dir: c.Out}.Best()
	if err != nil {
		return fmt.Errorf("sweep: run %s has no best checkpoint: %w", name, err)
	}
	d := done{Best: best, Steps: stepsOf(c), ElapsedS: time.Since(start).Seconds()}
	if rs, err := train.ReadMetrics(filepath.Join(c.Out, "metrics.jsonl")); err == nil && len(rs) > 0 {
		d.ElapsedS = rs[len(rs)-1].ElapsedS // across resumes
	}
	raw, _ := json.MarshalIndent(d, "", "  ")
	return checkpoints.WriteFileAtomic(filepath.Join(c.Out, DoneFile), append(raw, '\n'))
}

func readDone(runDir string) (done, error) {
	var d done
	raw, err := os.ReadFile(filepath.Join(runDir, DoneFile))
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return d, fmt.Errorf("sweep: %s: %w", filepath.Join(runDir, DoneFile), err)
	}
	return d, nil
}

// stepsOf is a config's step budget over all stages.
func stepsOf(c train.Config) int {
	n := 0
	for _, s := range c.Stages {
		n += s.Steps
	}
	return n
}

func dirJoin(dir, name string) string { return filepath.Join(dir, name) }
