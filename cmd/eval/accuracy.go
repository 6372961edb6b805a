package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/internal/table"
	"github.com/rmtgo/rmt/internal/threadflag"
)

// runAccuracy evaluates a checkpoint at each segment count (eval.AccuracySweep)
// and keeps the results in CHECKPOINT/eval/accuracy-<task>.json.
func runAccuracy(j job, args []string) error {
	return accuracy(j, os.Stdout, args)
}

func accuracy(j job, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("accuracy", flag.ContinueOnError)
	kern := threadflag.Bind(fs)
	ckFlag := fs.String("checkpoint", "", "checkpoint directory, or a run directory (its best checkpoint)")
	q := addQuestionFlags(fs)
	segFlag := fs.String("segments", "1,2,4", "segment counts to evaluate, e.g. 1,16,256,4096 (4096 x 512 = 2M tokens)")
	samplesFlag := fs.String("samples", "100", "samples per segment count: one number, or one per --segments entry (e.g. 64,64,16,8)")
	asJSON := fs.Bool("json", false, "print one JSON document")
	plotFile := fs.String("plot", "", "also draw accuracy against tokens (log axis) into this .png")
	save := fs.Bool("save", true, "keep the results in CHECKPOINT/eval/accuracy-<task>.json")
	every := fs.Duration("progress", 10*time.Second, "report progress on stderr at most this often (0: never)")
	gcPercent := fs.Int("gc-percent", eval.DefaultGCPercent, "Go collector target (GOGC) while evaluating; -1 keeps the GOGC environment's")
	dataFile := fs.String("data", "", "JSONL question file: answer every line (docs/data.md) instead of task samples")
	predictions := fs.String("predictions", "", "with --data: write id, prediction, answer and match per line to this JSONL file")
	maxNew := fs.Int("max-new", 32, "with --data: most tokens generated per answer (generation stops at the end-of-text token)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *ckFlag == "" {
		return fmt.Errorf("--checkpoint is required")
	}
	if *dataFile != "" {
		return fileAccuracy(out, *ckFlag, *dataFile, *predictions, *maxNew, *asJSON, *every)
	}
	counts, err := eval.ParseInts(*segFlag)
	if err != nil || len(counts) == 0 {
		return fmt.Errorf("--segments: give segment counts such as 1,4,16 (%v)", err)
	}
	perCount, err := eval.ParseInts(*samplesFlag)
	if err != nil || (len(perCount) != 1 && len(perCount) != len(counts)) {
		return fmt.Errorf("--samples %q: give one count, or one per --segments entry (%d)", *samplesFlag, len(counts))
	}
	if slices.Min(perCount) < 1 {
		return fmt.Errorf("--samples %d, want at least 1", slices.Min(perCount))
	}
	if err := q.check(); err != nil {
		return err
	}
	ck, err := eval.LoadCheckpoint(*ckFlag)
	if err != nil {
		return err
	}
	sw := eval.Sweep{Task: *q.task, Counts: counts, Samples: perCount, GCPercent: *gcPercent, Log: os.Stderr, Every: *every, Comm: j.comm, Kernels: *kern,
		NewTask: q.questions().For(ck)}
	if *save {
		sw.SaveFile = eval.AccuracyFile(*q.task, q.babi)
	}
	rep, err := eval.AccuracySweep(ck, sw)
	if err != nil {
		return err
	}
	if !j.comm.Root() {
		return nil // rank 0 draws and prints
	}
	if *plotFile != "" {
		if err := eval.PlotAccuracy(*plotFile, rep); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "plot saved to %s\n", *plotFile)
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(rep)
	}
	accuracyTable(out, rep.Results)
	return nil
}

func accuracyTable(w io.Writer, rows []eval.AccuracyResult) {
	tw := table.New(w)
	tw.Header("segments", "tokens", "samples", "accuracy", "95% CI", "s / sample", "RSS MiB (peak / settled)", "live heap MiB")
	for _, r := range rows {
		tw.Append(fmt.Sprint(r.Segments), fmt.Sprint(r.Tokens), fmt.Sprint(r.Samples), fmt.Sprintf("%.3f", r.Accuracy),
			fmt.Sprintf("%.3f-%.3f", r.CILow, r.CIHigh), fmt.Sprintf("%.3f", r.SecondsPerSample),
			fmt.Sprintf("%.0f / %.0f", r.PeakRSSMB, r.SettledRSSMB), fmt.Sprintf("%.1f", r.HeapMB))
	}
	tw.Render()
}
