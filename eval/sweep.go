package eval

import (
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/dist"
	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/graph/kernels"
)

// DefaultGCPercent is the collector target of long evaluations. Reading a
// long sample makes garbage at a steady rate (noise text, token ids), and
// the default GOGC=100 lets it pile up to the size of the live heap before
// a collection, so the peak resident size would depend on how much was
// read. At 25 the pile stays a quarter of the live heap (about 9 MiB for
// stories260K) whatever the length, for a few percent of time.
const DefaultGCPercent = 25

// Sweep is an accuracy evaluation of one checkpoint over several segment
// counts (AccuracySweep).
type Sweep struct {
	Task    string // the task's name, for the report
	Counts  []int  // segment counts, in the order evaluated
	Samples []int  // samples per count: one for every count, or one per count
	// NewTask makes the evaluation-split task of n segments of the
	// checkpoint's segment size.
	NewTask func(n int) (data.Task, error)
	// GCPercent is the collector target while evaluating
	// (DefaultGCPercent); negative keeps the one GOGC set.
	GCPercent int
	// Kernels is how the evaluation's ops split their work (the cell's
	// Kernels; the zero value: the kernels' defaults).
	Kernels kernels.Settings
	// SaveFile, when not "", is the results file (AccuracyFile) that each
	// finished count is merged into beside the checkpoint (SaveAccuracy),
	// so that a long evaluation that is stopped keeps the counts it
	// finished. A folder that cannot be written costs a warning, not the
	// evaluation.
	SaveFile string
	Log      io.Writer     // a line per count, warnings, progress (nil: none)
	Every    time.Duration // progress at most this often (0: never)
	// Comm deals each count's samples among the processes of a job (nil:
	// one process, AccuracyAcross); every process returns the report, and
	// rank 0 alone logs and saves.
	Comm *dist.Comm
}

// AccuracySweep evaluates ck at each count of sw, every sample streamed
// through the memory one segment at a time (Accuracy). The segment graphs
// are compiled first on one 2-segment sample, so that the resident memory
// reported for each count is that of evaluating it, not of compiling.
func AccuracySweep(ck *Checkpoint, sw Sweep) (AccuracyReport, error) {
	if len(sw.Counts) == 0 {
		return AccuracyReport{}, fmt.Errorf("eval: no segment counts to evaluate")
	}
	if len(sw.Samples) != 1 && len(sw.Samples) != len(sw.Counts) {
		return AccuracyReport{}, fmt.Errorf("eval: %d sample counts for %d segment counts; want one, or one per segment count", len(sw.Samples), len(sw.Counts))
	}
	for _, k := range sw.Samples {
		if k < 1 {
			return AccuracyReport{}, fmt.Errorf("eval: %d samples, want at least 1", k)
		}
	}
	log := sw.Log
	if log == nil || !sw.Comm.Root() {
		log = io.Discard
	}
	if sw.GCPercent >= 0 {
		defer debug.SetGCPercent(debug.SetGCPercent(sw.GCPercent))
	}
	S := ck.RMT.SegmentSize
	cell, err := graph.NewCell[float32](ck.Weights, ck.RMT.MemTokens, S, false)
	if err != nil {
		return AccuracyReport{}, err
	}
	if cell.Kernels, err = kernels.NewPool(sw.Kernels); err != nil {
		return AccuracyReport{}, fmt.Errorf("eval: %w", err)
	}
	rep := AccuracyReport{Task: sw.Task, Checkpoint: ck.Dir, SegmentSize: S, Memory: ck.RMT.Kind().Kind, DMem: ck.RMT.DMem, MemTokens: ck.RMT.MemTokens}
	warm, err := sw.NewTask(2)
	if err != nil {
		return AccuracyReport{}, err
	}
	s, err := warm.SampleAt(0)
	if err != nil {
		return AccuracyReport{}, err
	}
	if _, _, err := Answer(cell, ck.Tokenizer, s); err != nil {
		return AccuracyReport{}, err
	}
	saving := sw.SaveFile != "" && sw.Comm.Root()
	for i, n := range sw.Counts {
		samples := sw.Samples[min(i, len(sw.Samples)-1)]
		t, err := sw.NewTask(n)
		if err != nil {
			return AccuracyReport{}, err
		}
		mine := sw.Comm.Share(samples) // progress counts this process's samples
		p := NewProgress(log, fmt.Sprintf("accuracy %d seg", n), mine, int64(mine)*int64(n*S), sw.Every)
		r, err := AccuracyAcross(sw.Comm, cell, ck.Tokenizer, t, samples, p)
		if err != nil {
			return AccuracyReport{}, err
		}
		rep.Results = append(rep.Results, r)
		fmt.Fprintf(log, "%d segments (%d tokens): accuracy %.3f (%d/%d), %.2f s/sample, RSS peak %.0f MiB, settled %.0f MiB, live heap %.1f MiB\n",
			n, r.Tokens, r.Accuracy, r.Correct, r.Samples, r.SecondsPerSample, r.PeakRSSMB, r.SettledRSSMB, r.HeapMB)
		if !saving {
			continue
		}
		path, err := SaveAccuracy(ck.Dir, sw.SaveFile, rep)
		switch {
		case err != nil:
			// A read-only checkpoint folder must not cost the evaluation.
			fmt.Fprintf(log, "warning: results not saved beside the checkpoint: %v\n", err)
			saving = false
		case i == len(sw.Counts)-1:
			fmt.Fprintf(log, "results saved to %s\n", path)
		}
	}
	return rep, nil
}
