package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/internal/table"
)

// fileAccuracy is accuracy --data: every line of a JSONL question file,
// answered through the memory (eval.FileAccuracy).
func fileAccuracy(out io.Writer, ckPath, file, predictions string, maxNew int, asJSON bool, every time.Duration) error {
	if maxNew < 1 {
		return fmt.Errorf("--max-new %d, want at least 1", maxNew)
	}
	ck, err := eval.LoadCheckpoint(ckPath)
	if err != nil {
		return err
	}
	cell, err := eval.ReadCell(ck)
	if err != nil {
		return err
	}
	lines, blank, err := eval.QuestionLines(ck, file)
	if err != nil {
		return fmt.Errorf("--data: %w", err)
	}
	if blank > 0 {
		fmt.Fprintf(os.Stderr, "%s: %d blank lines skipped\n", file, blank)
	}
	var pred io.Writer
	if predictions != "" {
		f, err := os.Create(predictions)
		if err != nil {
			return fmt.Errorf("--predictions: %w", err)
		}
		defer f.Close()
		pred = f
	}
	p := eval.NewProgress(os.Stderr, "accuracy "+file, lines.Len(), 0, every)
	rep, err := eval.FileAccuracy(cell, ck.Tokenizer, lines, maxNew, pred, p)
	if err != nil {
		return err
	}
	rep.Files, rep.Checkpoint = []string{file}, ck.Dir
	if asJSON {
		return json.NewEncoder(out).Encode(rep)
	}
	fmt.Fprintf(os.Stderr, "read %d tokens in %.1f s, %.0f tokens/s\n", rep.TokensRead, rep.Seconds, rep.TokensPerS)
	tw := table.New(out)
	tw.Header("segments", "samples", "exact match", "95% CI", "normalised", "95% CI")
	for _, b := range append(rep.Buckets, rep.Overall) {
		tw.Append(b.Segments, fmt.Sprint(b.Samples), fmt.Sprintf("%.3f", b.Accuracy), fmt.Sprintf("%.3f-%.3f", b.CILow, b.CIHigh),
			fmt.Sprintf("%.3f", b.NormAcc), fmt.Sprintf("%.3f-%.3f", b.NormLow, b.NormHigh))
	}
	return tw.Render()
}
