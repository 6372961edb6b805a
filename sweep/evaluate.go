package sweep

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/eval"
)

// Evaluate scores every pair's best checkpoint at plan.EvalSegments on the
// same samples (plan.EvalSamples of the evaluation split, plan.EvalSeed),
// keeping each result beside its checkpoint (eval/accuracy-<task>.json,
// as eval accuracy does) and reusing one kept there with every count on
// the same samples. Under mpirun the checkpoints are dealt to the ranks;
// rank 0 then gathers the kept results and writes sweep.json, sweep.txt
// and sweep.png into dir.
func Evaluate(ctx context.Context, plan Plan, pairs []Pair, dir string, opt Options) (*Report, error) {
	log := opt.Log
	if log == nil || !opt.Comm.Root() {
		log = io.Discard
	}
	for i, p := range pairs {
		if !opt.Comm.Mine(i) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("sweep: stopped before evaluating %s: %w; run the same command again to continue", filepath.Base(p.Config.Out), err)
		}
		if err := evaluatePair(plan, p, log); err != nil {
			return nil, err
		}
	}
	if err := opt.Comm.Barrier(); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	if !opt.Comm.Root() {
		return nil, nil
	}
	rep, err := gather(plan, pairs)
	if err != nil {
		return nil, err
	}
	if err := rep.Write(dir); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "sweep: %s, %s and %s written\n", filepath.Join(dir, JSONFile), filepath.Join(dir, TableFile), filepath.Join(dir, PlotFile))
	return rep, nil
}

// evaluatePair evaluates one best checkpoint unless its kept results
// already cover the plan.
func evaluatePair(plan Plan, p Pair, log io.Writer) error {
	c := p.Config
	best, err := checkpoints.Run{Dir: c.Out}.Best()
	if err != nil {
		return fmt.Errorf("sweep: run %s has no best checkpoint: %w", c.Out, err)
	}
	if _, ok := kept(plan, p, best); ok {
		fmt.Fprintf(log, "sweep: %s already evaluated; kept results reused\n", filepath.Base(c.Out))
		return nil
	}
	ck, err := eval.LoadCheckpoint(best)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	fmt.Fprintf(log, "sweep: evaluating %s at %v segments, %v samples\n", filepath.Base(c.Out), plan.EvalSegments, plan.EvalSamples)
	sw := eval.Sweep{Task: c.Task, Counts: plan.EvalSegments, Samples: plan.EvalSamples, GCPercent: eval.DefaultGCPercent, Kernels: c.Kernels,
		Log: log, SaveFile: eval.AccuracyFile(c.Task, c.BabiTasks()),
		NewTask: func(n int) (data.Task, error) {
			return data.NewTask(data.TaskConfig{Name: c.Task, Segments: n, SegmentSize: ck.RMT.SegmentSize, Seed: plan.EvalSeed,
				NoiseDir: c.NoiseDir, BabiDir: c.BabiDir, BabiTasks: c.BabiTasks(), Split: data.SplitEval, Tokenizer: ck.Tokenizer})
		}}
	if _, err := eval.AccuracySweep(ck, sw); err != nil {
		return fmt.Errorf("sweep: evaluating %s: %w", best, err)
	}
	if _, ok := kept(plan, p, best); !ok {
		return fmt.Errorf("sweep: the results of %s were not kept beside it (is %s writable?)", best, filepath.Join(best, eval.ResultsDir))
	}
	return nil
}

// kept is the kept results of a best checkpoint at the plan's counts, and
// whether every count is there on the plan's samples.
func kept(plan Plan, p Pair, best string) ([]eval.AccuracyResult, bool) {
	path := filepath.Join(best, eval.ResultsDir, eval.AccuracyFile(p.Config.Task, p.Config.BabiTasks()))
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	var rep eval.AccuracyReport
	if json.Unmarshal(raw, &rep) != nil {
		return nil, false
	}
	var out []eval.AccuracyResult
	for j, n := range plan.EvalSegments {
		samples := plan.SamplesAt(j)
		i := slices.IndexFunc(rep.Results, func(r eval.AccuracyResult) bool {
			return r.Segments == n && r.Samples == samples && r.Seed == plan.EvalSeed
		})
		if i < 0 {
			return nil, false
		}
		out = append(out, rep.Results[i])
	}
	return out, true
}
