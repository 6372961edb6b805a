package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/internal/threadflag"
)

func runLogits(_ job, args []string) error {
	fs := flag.NewFlagSet("logits", flag.ContinueOnError)
	threadflag.Bind(fs)
	model := fs.String("model", "", "HuggingFace model folder (default: the built-in random model)")
	idsFlag := fs.String("ids", "", "comma-separated token ids, e.g. 1,403,407")
	asJSON := fs.Bool("json", false, "print one JSON document")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ids, err := eval.ParseInts(*idsFlag)
	if err != nil {
		return fmt.Errorf("--ids: %w", err)
	}
	if len(ids) == 0 {
		return fmt.Errorf("--ids: give at least one token id")
	}
	m, err := loadModel(*model)
	if err != nil {
		return err
	}
	w := m.Weights
	for i, id := range ids {
		if id < 0 || id >= w.Config.VocabSize {
			return fmt.Errorf("--ids: token id %d (position %d) is outside the vocabulary [0, %d)", id, i, w.Config.VocabSize)
		}
	}
	logits, err := eval.Logits(w, ids)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(struct {
			ModelType string      `json:"model_type"`
			IDs       []int       `json:"ids"`
			VocabSize int         `json:"vocab_size"`
			Logits    [][]float32 `json:"logits"`
		}{w.Config.ModelType, ids, w.Config.VocabSize, logits})
	}
	for i, row := range logits {
		best := eval.Argmax(row)
		fmt.Printf("position %d id %d: argmax %d (%.4f), first logits %v\n", i, ids[i], best, row[best], row[:min(5, len(row))])
	}
	return nil
}
