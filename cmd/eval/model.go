package main

import (
	"fmt"
	"os"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/graph"
)

// loadModel reads a HuggingFace folder, or the built-in model when dir is
// "". The memory of an exported folder is set aside with a note on stderr.
func loadModel(dir string) (*graph.Weights, data.Tokenizer, error) {
	m, err := eval.LoadModel(dir)
	if err != nil {
		return nil, nil, err
	}
	if note := m.MemoryNote(dir); note != "" {
		fmt.Fprintf(os.Stderr, "%s (--checkpoint %s runs it with memory)\n", note, dir)
	}
	return m.Weights, m.Tokenizer, nil
}

// shapeConfig resolves --shape: a named benchmark shape (stories260K,
// gpt2-small) or a model folder whose config.json gives the shape.
func shapeConfig(shape string) (graph.Config, error) {
	if c, ok := checkpoints.Shape(shape); ok {
		return c, nil
	}
	c, err := checkpoints.ReadConfig(shape)
	if err != nil {
		return graph.Config{}, fmt.Errorf("--shape %q is neither stories260K, gpt2-small, gpt2-medium nor a model folder: %w", shape, err)
	}
	return c, nil
}
