package main

import (
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/graph"
)

// loadModel reads a HuggingFace folder, or the built-in model when dir is "".
func loadModel(dir string) (*graph.Weights, data.Tokenizer, error) {
	w, tok, _, err := eval.LoadModel(dir)
	return w, tok, err
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
