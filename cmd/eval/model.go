package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
)

// builtinSeed initialises the built-in model, so that runs without --model
// are reproducible.
const builtinSeed = 1

// loadModel reads a HuggingFace folder, or builds the small random built-in
// model with the byte tokenizer when dir is empty. The tokenizer is nil for
// a folder without tokenizer.json (ids still work).
func loadModel(dir string) (*graph.Weights, data.Tokenizer, error) {
	if dir == "" {
		tok := data.NewByteTokenizer()
		w, err := graph.RandomWeights(graph.BuiltinConfig(tok.VocabSize()), builtinSeed)
		return w, tok, err
	}
	w, err := checkpoints.LoadPretrained(dir)
	if err != nil {
		return nil, nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "tokenizer.json")); err != nil {
		return w, nil, nil
	}
	tok, err := data.LoadTokenizer(dir)
	if err != nil {
		return nil, nil, err
	}
	if tok.VocabSize() > w.Config.VocabSize {
		return nil, nil, fmt.Errorf("%s: tokenizer has %d ids, the model only %d", dir, tok.VocabSize(), w.Config.VocabSize)
	}
	return w, tok, nil
}

// promptIDs tokenizes a prompt as the family expects: Llama-style models
// start with BOS, GPT-2 does not.
func promptIDs(w *graph.Weights, tok data.Tokenizer, text string) ([]int, error) {
	ids, err := tok.Encode(text)
	if err != nil {
		return nil, err
	}
	if !w.Config.IsGPT2() && tok.BOS() >= 0 {
		ids = append([]int{tok.BOS()}, ids...)
	}
	return ids, nil
}
