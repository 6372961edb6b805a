package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/olekukonko/tablewriter"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/graph"
)

func init() {
	register("accuracy", "exact-match accuracy of a checkpoint against segment count", runAccuracy)
}

func runAccuracy(args []string) error {
	fs := flag.NewFlagSet("accuracy", flag.ContinueOnError)
	ckFlag := fs.String("checkpoint", "", "checkpoint directory, or a run directory (its best checkpoint)")
	task := fs.String("task", "memorize", "memorize, detect, reasoning or babi")
	segFlag := fs.String("segments", "1,2,4", "segment counts to evaluate")
	samples := fs.Int("samples", 100, "samples per segment count")
	noise := fs.String("noise-dir", "", "folder of .txt books for the background (default: built-in filler)")
	babiDir := fs.String("babi-dir", "", "bAbI folder (task babi)")
	babiTask := fs.String("babi-task", "", "bAbI tasks, e.g. 1,2")
	seed := fs.Int64("seed", 424242, "seed of the evaluation samples")
	asJSON := fs.Bool("json", false, "print one JSON document")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ckFlag == "" {
		return fmt.Errorf("--checkpoint is required")
	}
	counts, err := parseInts(*segFlag)
	if err != nil || len(counts) == 0 {
		return fmt.Errorf("--segments: give segment counts such as 1,4,16 (%v)", err)
	}
	if *samples < 1 {
		return fmt.Errorf("--samples %d, want at least 1", *samples)
	}
	ck, tok, err := eval.LoadCheckpoint(*ckFlag)
	if err != nil {
		return err
	}
	var babi []int
	if *babiTask != "" {
		if babi, err = data.ParseBabiTasks(*babiTask); err != nil {
			return fmt.Errorf("--babi-task: %w", err)
		}
	}
	cell, err := graph.NewCell[float32](ck.Weights, ck.RMT.MemTokens, ck.RMT.SegmentSize, false)
	if err != nil {
		return err
	}
	type row struct {
		Segments         int     `json:"segments"`
		Tokens           int     `json:"tokens"`
		Samples          int     `json:"samples"`
		Accuracy         float64 `json:"accuracy"`
		CILow            float64 `json:"ci_low"`
		CIHigh           float64 `json:"ci_high"`
		SecondsPerSample float64 `json:"seconds_per_sample"`
	}
	var rows []row
	for _, n := range counts {
		t, err := data.NewTask(data.TaskConfig{Name: *task, Segments: n, SegmentSize: ck.RMT.SegmentSize, Seed: *seed,
			NoiseDir: *noise, BabiDir: *babiDir, BabiTasks: babi, Split: data.SplitEval, Tokenizer: tok})
		if err != nil {
			return err
		}
		t0 := time.Now()
		correct := 0
		for i := 0; i < *samples; i++ {
			s, err := t.SampleAt(i)
			if err != nil {
				return err
			}
			_, ok, err := eval.Answer(cell, tok, s)
			if err != nil {
				return err
			}
			if ok {
				correct++
			}
		}
		lo, hi := eval.WilsonInterval(correct, *samples)
		r := row{Segments: n, Tokens: n * ck.RMT.SegmentSize, Samples: *samples, Accuracy: float64(correct) / float64(*samples),
			CILow: lo, CIHigh: hi, SecondsPerSample: time.Since(t0).Seconds() / float64(*samples)}
		rows = append(rows, r)
		fmt.Fprintf(os.Stderr, "%d segments: accuracy %.3f (%d/%d)\n", n, r.Accuracy, correct, *samples)
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(struct {
			Task       string `json:"task"`
			Checkpoint string `json:"checkpoint"`
			Results    []row  `json:"results"`
		}{*task, *ckFlag, rows})
	}
	tw := tablewriter.NewWriter(os.Stdout)
	tw.Header("segments", "tokens", "samples", "accuracy", "95% CI", "s / sample")
	for _, r := range rows {
		tw.Append(fmt.Sprint(r.Segments), fmt.Sprint(r.Tokens), fmt.Sprint(r.Samples), fmt.Sprintf("%.3f", r.Accuracy),
			fmt.Sprintf("%.3f-%.3f", r.CILow, r.CIHigh), fmt.Sprintf("%.3f", r.SecondsPerSample))
	}
	tw.Render()
	return nil
}
