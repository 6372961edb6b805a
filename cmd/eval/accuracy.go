package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/graph"
)

func init() {
	register("accuracy", "exact-match accuracy of a checkpoint against segment count", runAccuracy)
}

// runAccuracy evaluates a checkpoint at each segment count, streaming every
// sample through the memory one segment at a time, and keeps the results
// in CHECKPOINT/eval/accuracy-<task>.json (after each count, so a long
// evaluation that is stopped keeps the counts it finished).
func runAccuracy(args []string) error {
	return accuracy(os.Stdout, args)
}

// quiet silences a rank other than 0 of a job: rank 0 reports for all.
func quiet(out io.Writer) (io.Writer, io.Writer) {
	if comm.Root() {
		return out, os.Stderr
	}
	return io.Discard, io.Discard
}

func accuracy(out io.Writer, args []string) error {
	fs := flag.NewFlagSet("accuracy", flag.ContinueOnError)
	ckFlag := fs.String("checkpoint", "", "checkpoint directory, or a run directory (its best checkpoint)")
	q := addQuestionFlags(fs)
	segFlag := fs.String("segments", "1,2,4", "segment counts to evaluate, e.g. 1,16,256,4096 (4096 x 512 = 2M tokens)")
	samplesFlag := fs.String("samples", "100", "samples per segment count: one number, or one per --segments entry (e.g. 64,64,16,8)")
	asJSON := fs.Bool("json", false, "print one JSON document")
	plotFile := fs.String("plot", "", "also draw accuracy against tokens (log axis) into this .png")
	save := fs.Bool("save", true, "keep the results in CHECKPOINT/eval/accuracy-<task>.json")
	every := fs.Duration("progress", 10*time.Second, "report progress on stderr at most this often (0: never)")
	gcPercent := fs.Int("gc-percent", defaultGCPercent, "Go collector target (GOGC) while evaluating; -1 keeps the GOGC environment's")
	if err := fs.Parse(args); err != nil {
		return err
	}
	out, stderr := quiet(out)
	if *gcPercent >= 0 {
		defer debug.SetGCPercent(debug.SetGCPercent(*gcPercent))
	}
	if *ckFlag == "" {
		return fmt.Errorf("--checkpoint is required")
	}
	counts, err := parseInts(*segFlag)
	if err != nil || len(counts) == 0 {
		return fmt.Errorf("--segments: give segment counts such as 1,4,16 (%v)", err)
	}
	perCount, err := parseInts(*samplesFlag)
	if err != nil || (len(perCount) != 1 && len(perCount) != len(counts)) {
		return fmt.Errorf("--samples %q: give one count, or one per --segments entry (%d)", *samplesFlag, len(counts))
	}
	for _, k := range perCount {
		if k < 1 {
			return fmt.Errorf("--samples %d, want at least 1", k)
		}
	}
	if err := q.check(); err != nil {
		return err
	}
	ckDir, err := checkpoints.Resolve(*ckFlag)
	if err != nil {
		return err
	}
	ck, tok, err := eval.LoadCheckpoint(ckDir)
	if err != nil {
		return err
	}
	cell, err := graph.NewCell[float32](ck.Weights, ck.RMT.MemTokens, ck.RMT.SegmentSize, false)
	if err != nil {
		return err
	}
	S := ck.RMT.SegmentSize
	rep := eval.AccuracyReport{Task: *q.task, Checkpoint: ckDir, SegmentSize: S, MemTokens: ck.RMT.MemTokens}
	saving := *save && comm.Root()
	// Warm up: compile the segment graphs (reading and generating) on one
	// 2-segment sample first, so that the resident memory reported for each
	// count is that of evaluating it, not of compiling.
	warm, err := q.newTask(2, S, tok)
	if err != nil {
		return err
	}
	if s, err := warm.SampleAt(0); err != nil {
		return err
	} else if _, _, err := eval.Answer(cell, tok, s); err != nil {
		return err
	}
	for i, n := range counts {
		samples := &perCount[min(i, len(perCount)-1)]
		t, err := q.newTask(n, S, tok)
		if err != nil {
			return err
		}
		mine := shareOf(*samples) // the progress of rank 0's own samples
		p := eval.NewProgress(stderr, fmt.Sprintf("accuracy %d seg", n), mine, int64(mine)*int64(n*S), *every)
		r, err := eval.AccuracyAcross(comm, cell, tok, t, *samples, p)
		if err != nil {
			return err
		}
		rep.Results = append(rep.Results, r)
		fmt.Fprintf(stderr, "%d segments (%d tokens): accuracy %.3f (%d/%d), %.2f s/sample, RSS peak %.0f MiB, settled %.0f MiB, live heap %.1f MiB\n",
			n, r.Tokens, r.Accuracy, r.Correct, r.Samples, r.SecondsPerSample, r.PeakRSSMB, r.SettledRSSMB, r.HeapMB)
		if saving {
			path, err := eval.SaveAccuracy(ckDir, eval.AccuracyFile(*q.task, q.babi), rep)
			if err != nil {
				// A read-only checkpoint folder must not cost the evaluation.
				fmt.Fprintf(stderr, "warning: results not saved beside the checkpoint: %v\n", err)
				saving = false
			} else if n == counts[len(counts)-1] {
				fmt.Fprintf(stderr, "results saved to %s\n", path)
			}
		}
	}
	if *plotFile != "" && comm.Root() {
		if err := eval.PlotAccuracy(*plotFile, rep); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "plot saved to %s\n", *plotFile)
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(rep)
	}
	accuracyTable(out, rep.Results)
	return nil
}

// defaultGCPercent is the collector target of long evaluations. Reading a
// long sample makes garbage at a steady rate (noise text, token ids), and
// the default GOGC=100 lets it pile up to the size of the live heap before
// a collection, so the peak resident size would depend on how much was
// read. At 25 the pile stays a quarter of the live heap (about 9 MiB for
// stories260K) whatever the length, for a few percent of time.
const defaultGCPercent = 25

// shareOf is the number of n samples dealt round-robin that this rank reads.
func shareOf(n int) int {
	k := 0
	for i := 0; i < n; i++ {
		if comm.Mine(i) {
			k++
		}
	}
	return k
}

func accuracyTable(w io.Writer, rows []eval.AccuracyResult) {
	tw := newTable(w)
	tw.Header("segments", "tokens", "samples", "accuracy", "95% CI", "s / sample", "RSS MiB (peak / settled)", "live heap MiB")
	for _, r := range rows {
		tw.Append(fmt.Sprint(r.Segments), fmt.Sprint(r.Tokens), fmt.Sprint(r.Samples), fmt.Sprintf("%.3f", r.Accuracy),
			fmt.Sprintf("%.3f-%.3f", r.CILow, r.CIHigh), fmt.Sprintf("%.3f", r.SecondsPerSample),
			fmt.Sprintf("%.0f / %.0f", r.PeakRSSMB, r.SettledRSSMB), fmt.Sprintf("%.1f", r.HeapMB))
	}
	tw.Render()
}
